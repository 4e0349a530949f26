//! Helpers shared by the integration tests: run the real `cyberie` binary and
//! write small corpora and gold files into temporary directories.

#![allow(dead_code)] // each test file uses a different subset

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// The exit status (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Panics with both streams when the exit status is not `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit status {} (expected {code})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// Runs `cyberie ARGS` in `dir` (the crate root when `None`), feeding `stdin`.
/// `CYBERIE_MODEL` is removed from the environment so that only `--model` counts.
/// `CYBERIE_PRECISION` is fp32: many tests compare the output of two runs, and
/// `--precision auto` chooses by timing, per process (a test that passes
/// `--precision` itself overrides it).
pub fn cyberie_in(dir: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cyberie"));
    command
        .args(args)
        .env_remove("CYBERIE_MODEL")
        .env("CYBERIE_PRECISION", "fp32")
        .current_dir(dir.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR"))))
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the cyberie binary runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(bytes).expect("write to cyberie's stdin");
    }
    let output = child.wait_with_output().expect("wait for cyberie");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `cyberie ARGS` from the crate root.
pub fn cyberie(args: &[&str]) -> Run {
    cyberie_in(None, args, None)
}

/// Runs `cyberie ARGS` from the crate root with `stdin` as standard input.
pub fn cyberie_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    cyberie_in(None, args, Some(stdin))
}

/// The committed tiny fixture model (random weights: plumbing, not accuracy).
pub fn tiny_model() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model").display().to_string()
}

/// The bundled model's directory when its weights are there; otherwise prints why
/// the calling test is skipped and returns `None`.
pub fn bundled_model() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/cyberie-ner-minilm");
    if dir.join("model.safetensors").is_file() {
        Some(dir.display().to_string())
    } else {
        eprintln!(
            "skipped: {} is absent (the bundled model is not built yet)",
            dir.join("model.safetensors").display()
        );
        None
    }
}

/// Writes `contents` to `dir/name` (creating parent folders) and returns the path.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folders");
    }
    std::fs::write(&path, contents).expect("write test file");
    path
}

/// Writes `contents` gzipped to `dir/name` and returns the path.
pub fn write_gz(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    let mut gz =
        flate2::write::GzEncoder::new(std::fs::File::create(&path).expect("create"), flate2::Compression::fast());
    gz.write_all(contents.as_bytes()).expect("write gz");
    gz.finish().expect("finish gz");
    path
}

/// One JSON Lines article line.
pub fn article(id: &str, title: Option<&str>, date: Option<&str>, text: &str) -> String {
    let mut object = serde_json::json!({"id": id, "text": text});
    if let Some(title) = title {
        object["title"] = title.into();
    }
    if let Some(date) = date {
        object["date"] = date.into();
    }
    object.to_string()
}

/// A path as a `&str` argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// The non-blank lines of `text` parsed as JSON objects.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

/// Names of the files left in `dir`, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The shared data folder `../shared` beside the checkout when it holds
/// `relative`; otherwise prints why the calling test is skipped and returns `None`.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent (../shared is not beside this checkout)", path.display());
        None
    }
}
