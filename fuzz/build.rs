//! The fuzz binaries link the main crate, which links libtorch (the targets
//! never call it, but its libraries are still loaded at start-up). The main
//! crate's build.rs gives only its own binaries an rpath, so this one does the
//! same for the fuzz binaries: `$LIBTORCH/lib`, where `LIBTORCH` comes from
//! the main crate's `.cargo/config.toml` (`.venv/libtorch`) when cargo runs
//! from the repository root, as `cargo fuzz` does.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let libtorch = std::env::var_os("LIBTORCH").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
            .join("../.venv/libtorch")
    });
    let lib = libtorch.join("lib");
    let lib = lib.canonicalize().unwrap_or(lib);
    println!("cargo:rustc-link-arg-bins=-Wl,-rpath,{}", lib.display());
}
