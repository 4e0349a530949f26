//! Where `-o` writes, decided before any work: standard output (`-o -`, or a
//! path that is the process's own standard output, like `/dev/stdout`), or a
//! regular file that is replaced atomically.
//!
//! A file output is resolved through its symbolic links (the link's target is
//! written; the link stays), refused when it is a directory, a device, a FIFO or
//! a socket, or one of the inputs, and written to a temporary file beside the
//! target ([`AtomicFile`]) that is renamed over it at the end. The new file keeps
//! the mode of the file it replaces; a new file gets `0666` less the umask.

use std::fs::{File, Metadata, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Where the records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// A regular file (it may not exist yet).
    File(FileTarget),
}

/// A file output, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTarget {
    /// The path as given (for messages).
    pub given: PathBuf,
    /// The file written: `given` with its symbolic links resolved.
    pub path: PathBuf,
    /// The mode of the existing file, kept by the new one; `None` for a new file.
    pub mode: Option<u32>,
}

/// Why an output cannot be used; reported before any work (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The path is a directory.
    #[error("cannot write output {0}: it is a directory (give a file name, e.g. {0}/triples.csv)")]
    Directory(String),
    /// The path is a device, FIFO or socket other than standard output.
    #[error(
        "cannot write output {path}: it is {kind}, not a regular file (cyberie replaces its output file \
         atomically); write to standard output instead: -o - > {path}"
    )]
    Special {
        /// The path as given.
        path: String,
        /// "a character device", "a FIFO"...
        kind: &'static str,
    },
    /// The output is one of the inputs.
    #[error(
        "cannot write output {path}: it is the input {input} (the run would overwrite the articles it reads); \
         choose another output file"
    )]
    IsInput {
        /// The output as given.
        path: String,
        /// The input as given.
        input: String,
    },
    /// A loop of symbolic links.
    #[error("cannot write output {0}: a loop of symbolic links")]
    Loop(String),
    /// The folder of the output does not exist, or another I/O error.
    #[error("cannot write output {path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
}

/// Most symbolic links followed before a path counts as a loop (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Decides where `-o` writes: `None`, `-` and a path that is this process's
/// standard output (`/dev/stdout`, or the file it is redirected to) are
/// standard output; another path is resolved and checked (see the module documentation) against `inputs`, the
/// files the run reads (standard input is checked too).
pub fn resolve_output(output: Option<&Path>, inputs: &[PathBuf]) -> Result<Destination, OutputError> {
    let Some(given) = output else { return Ok(Destination::Stdout) };
    if given.as_os_str() == "-" {
        return Ok(Destination::Stdout);
    }
    let name = given.display().to_string();
    let looped = |e: &io::Error| e.raw_os_error() == Some(libc::ELOOP);
    // The kernel follows the links, "magic" ones too (/dev/stdout -> /proc/self/fd/1 -> pipe:[N]).
    let meta = match std::fs::metadata(given) {
        Ok(meta) => meta,
        Err(e) if looped(&e) => return Err(OutputError::Loop(name)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let path = follow_links(given).map_err(|e| match looped(&e) {
                true => OutputError::Loop(name.clone()),
                false => OutputError::Io { path: name.clone(), source: e },
            })?;
            let dir = parent_dir(&path);
            if !dir.is_dir() {
                let source = io::Error::new(io::ErrorKind::NotFound, format!("no directory {}", dir.display()));
                return Err(OutputError::Io { path: name, source });
            }
            return Ok(Destination::File(FileTarget { given: given.to_path_buf(), path, mode: None }));
        }
        Err(e) => return Err(OutputError::Io { path: name, source: e }),
    };
    if same_file_as_fd(&meta, libc::STDOUT_FILENO) {
        return Ok(Destination::Stdout);
    }
    let file_type = meta.file_type();
    if !file_type.is_file() {
        if file_type.is_dir() {
            return Err(OutputError::Directory(name));
        }
        let kind = if file_type.is_char_device() {
            "a character device"
        } else if file_type.is_block_device() {
            "a block device"
        } else if file_type.is_fifo() {
            "a FIFO"
        } else if file_type.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        };
        return Err(OutputError::Special { path: name, kind });
    }
    let path = follow_links(given).map_err(|e| OutputError::Io { path: name.clone(), source: e })?;
    for input in inputs {
        if std::fs::metadata(input).is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino()) {
            return Err(OutputError::IsInput { path: name, input: input.display().to_string() });
        }
    }
    if same_file_as_fd(&meta, libc::STDIN_FILENO) {
        return Err(OutputError::IsInput { path: name, input: "standard input".into() });
    }
    Ok(Destination::File(FileTarget { given: given.to_path_buf(), path, mode: Some(meta.mode() & 0o7777) }))
}

/// `path` with its symbolic links followed (the last component and the links it
/// leads to; the folders above are left as written).
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = if target.is_absolute() { target } else { parent_dir(&current).join(target) };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from_raw_os_error(libc::ELOOP))
}

/// The folder holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// True when `meta` is the file open as descriptor `fd` of this process.
fn same_file_as_fd(meta: &Metadata, fd: libc::c_int) -> bool {
    // SAFETY: fstat only writes into the zeroed struct it is given.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::fstat(fd, &mut stat) } == 0;
    ok && stat.st_dev == meta.dev() && stat.st_ino == meta.ino()
}

/// `0666` less the process's umask: the mode of a new output file.
pub fn new_file_mode() -> u32 {
    // SAFETY: umask cannot fail; it is set back at once (before other threads start writing files).
    let mask = unsafe { libc::umask(0o022) };
    unsafe { libc::umask(mask) };
    0o666 & !(mask as u32)
}

/// A file being written under a temporary name beside its target
/// (`.NAME.cyberie-XXXXXX.partial`), renamed over the target by
/// [`AtomicFile::commit`]; dropped uncommitted, it is removed. While it is
/// written it holds an exclusive `flock`, so that a later run can tell a
/// temporary file whose writer was killed (unlocked: removed as stale) from one
/// being written.
pub struct AtomicFile {
    file: File,
    temp: tempfile::TempPath,
    target: PathBuf,
}

impl AtomicFile {
    /// Starts the temporary file for `target`, with the target's mode (or the
    /// umask's for a new file), after removing stale temporary files of the same
    /// target. Returns the file and how many stale ones were removed.
    pub fn create(target: &FileTarget) -> io::Result<(AtomicFile, usize)> {
        let stale = remove_stale_temporaries(&target.path);
        let mode = target.mode.unwrap_or_else(new_file_mode);
        let (file, temp) = tempfile::Builder::new()
            .prefix(&temp_prefix(&target.path))
            .suffix(".partial")
            .permissions(Permissions::from_mode(0o600))
            .tempfile_in(parent_dir(&target.path))?
            .into_parts();
        lock(&file, false)?;
        file.set_permissions(Permissions::from_mode(mode))?;
        Ok((AtomicFile { file, temp, target: target.path.clone() }, stale))
    }

    /// The file to write to.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Flushes the file to disk and renames it over the target.
    pub fn commit(self) -> io::Result<()> {
        self.file.sync_all()?;
        self.temp.persist(&self.target).map_err(|e| e.error)?;
        sync_dir(&self.target)
    }
}

/// The name start of `target`'s temporary files: `.NAME.cyberie-`.
fn temp_prefix(target: &Path) -> String {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(".{name}.cyberie-")
}

/// Removes the temporary files of `target` left by runs that were killed
/// (those no live run holds locked); returns how many.
pub fn remove_stale_temporaries(target: &Path) -> usize {
    let prefix = temp_prefix(target);
    let Ok(entries) = std::fs::read_dir(parent_dir(target)) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with(&prefix) && name.ends_with(".partial")) {
            continue;
        }
        let Ok(file) = OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(entry.path()) else {
            continue;
        };
        if file.metadata().is_ok_and(|m| m.is_file()) && lock(&file, true).is_ok() {
            removed += usize::from(std::fs::remove_file(entry.path()).is_ok());
        }
    }
    removed
}

/// Takes an exclusive `flock` on `file`; `try_only` fails at once when another
/// process holds it.
pub fn lock(file: &File, try_only: bool) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let flags = libc::LOCK_EX | if try_only { libc::LOCK_NB } else { 0 };
    // SAFETY: flock on a descriptor this process owns.
    if unsafe { libc::flock(file.as_raw_fd(), flags) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Flushes the directory holding `path`, so that a rename in it survives a crash.
pub fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(parent_dir(path))?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(path: &Path) -> Result<Destination, OutputError> {
        resolve_output(Some(path), &[])
    }

    #[test]
    fn dash_and_no_output_are_stdout() {
        assert_eq!(resolve_output(None, &[]).unwrap(), Destination::Stdout);
        assert_eq!(resolve(Path::new("-")).unwrap(), Destination::Stdout);
    }

    #[test]
    fn links_resolve_to_their_target_and_loops_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.csv");
        std::fs::write(&target, "x").unwrap();
        std::fs::set_permissions(&target, Permissions::from_mode(0o640)).unwrap();
        std::os::unix::fs::symlink("real.csv", dir.path().join("link.csv")).unwrap();
        std::os::unix::fs::symlink("link.csv", dir.path().join("link2.csv")).unwrap();
        let Destination::File(file) = resolve(&dir.path().join("link2.csv")).unwrap() else { panic!() };
        assert_eq!(file.path, target);
        assert_eq!(file.mode, Some(0o640));

        std::os::unix::fs::symlink("b", dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert!(matches!(resolve(&dir.path().join("a")), Err(OutputError::Loop(_))));
        std::os::unix::fs::symlink("new.csv", dir.path().join("dangling.csv")).unwrap();
        let Destination::File(file) = resolve(&dir.path().join("dangling.csv")).unwrap() else { panic!() };
        assert_eq!((file.path, file.mode), (dir.path().join("new.csv"), None));
    }

    #[test]
    fn directories_devices_inputs_and_missing_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(resolve(dir.path()), Err(OutputError::Directory(_))));
        // (/dev/zero: never this process's standard output, which would be written to.)
        assert!(resolve(Path::new("/dev/zero")).unwrap_err().to_string().contains("a character device"));
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, "{}").unwrap();
        std::os::unix::fs::symlink("in.jsonl", dir.path().join("alias.jsonl")).unwrap();
        let err = resolve_output(Some(&dir.path().join("alias.jsonl")), std::slice::from_ref(&input)).unwrap_err();
        assert!(matches!(err, OutputError::IsInput { .. }), "{err}");
        let err = resolve(&dir.path().join("no/such/out.csv")).unwrap_err();
        assert!(err.to_string().contains("no directory"), "{err}");
    }

    #[test]
    fn atomic_files_keep_the_mode_and_stale_temporaries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, Permissions::from_mode(0o664)).unwrap();
        let Destination::File(file_target) = resolve(&target).unwrap() else { panic!() };
        // A killed run's temporary file (nobody holds its lock) and a live one.
        let stale = dir.path().join(".out.csv.cyberie-dead01.partial");
        std::fs::write(&stale, "half").unwrap();
        let (live, removed) = AtomicFile::create(&file_target).unwrap();
        assert_eq!(removed, 1);
        assert!(!stale.exists());
        let (mut second, removed) = AtomicFile::create(&file_target).unwrap();
        assert_eq!(removed, 0, "the live run's temporary file is kept");
        drop(live);
        use std::io::Write;
        second.file().write_all(b"new").unwrap();
        second.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o7777, 0o664);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, ["out.csv"]);
    }
}
