//! `--resume` checkpoints: the rows written so far and the list of documents
//! they come from, both appended and flushed to disk after each group of
//! documents, so that a run killed in any way (SIGKILL, the OOM killer, a power
//! cut) loses at most the groups in flight, and running the same command again
//! continues from the last group on disk.
//!
//! Files, beside the output `OUT`:
//!
//! - `OUT.partial`: the output being built (the previous `OUT`'s rows, then the
//!   new ones); renamed to `OUT` when the run completes or is stopped by a
//!   signal;
//! - `OUT.done`: JSON Lines: a header line with the settings that shape the rows
//!   (format, `--explain`, `--raw-csv`, `--with-text`), then for each group the documents
//!   completed (`{"id": ...}`, with `"dup": N` for the N+1-th document of the
//!   same id in the run) and a commit line `{"commit": BYTES, "rows": N}` giving
//!   the length of the output and its number of rows after that group. Lines
//!   after the last commit line (a group cut short) do not count.
//!
//! On restart the output is cut back to the last commit's length, so rows of a
//! group whose commit never reached the disk are dropped and redone. The list
//! is held with an exclusive `flock` while a run writes, so two runs cannot
//! write the same output.

use std::collections::HashSet;
use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::target::{lock, new_file_mode, sync_dir, FileTarget};
use super::Format;

/// A document as a checkpoint knows it: its id, and how many documents with the
/// same id came before it in the run (so repeated ids stay apart).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocKey {
    /// The document id.
    pub id: String,
    /// Earlier documents of the run with the same id.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dup: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The settings a checkpoint's rows were written with; a resumed run must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The output format.
    pub format: Format,
    /// `--explain` (the `rule` column).
    pub explain: bool,
    /// `--raw-csv` (no spreadsheet guard).
    pub raw_csv: bool,
    /// `--with-text` (a `text` field in each JSON Lines row); absent in the
    /// lists of versions without it, which wrote no text.
    #[serde(default)]
    pub with_text: bool,
}

#[derive(Serialize, Deserialize)]
struct Header {
    cyberie_checkpoint: u32,
    #[serde(flatten)]
    settings: Settings,
}

#[derive(Serialize, Deserialize)]
struct Commit {
    commit: u64,
    rows: usize,
}

/// Why an earlier output cannot be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// A file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The earlier output is not one this run can continue.
    #[error("cannot resume {path}: {reason}")]
    Mismatch {
        /// The output file.
        path: PathBuf,
        /// What differs, and what to do.
        reason: String,
    },
}

/// What [`Checkpoint::open`] found of an earlier run.
#[derive(Debug, Default)]
pub struct Resumed {
    /// The documents already done.
    pub done: HashSet<DocKey>,
    /// Rows already in the output.
    pub rows: usize,
    /// True when there was earlier work to continue.
    pub existed: bool,
    /// True when the output starts empty (a CSV header is due).
    pub fresh: bool,
    /// What was cleaned up or cut back, in words, for the user.
    pub notes: Vec<String>,
}

/// The list of completed documents beside `output`: `output` + `.done`.
pub fn done_list_path(output: &Path) -> PathBuf {
    with_suffix(output, ".done")
}

/// The output being built by a `--resume` run: `output` + `.partial`.
pub fn partial_path(output: &Path) -> PathBuf {
    with_suffix(output, ".partial")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// An open checkpoint: the output being built and its list.
pub struct Checkpoint {
    list: File,
    rows_file: File,
    partial: PathBuf,
    target: PathBuf,
    pending: Vec<DocKey>,
    rows: usize,
}

impl Checkpoint {
    /// Opens (or starts) the checkpoint of `target` for a run with `settings`.
    /// Returns it, a handle to append rows to (positioned at the end of the
    /// committed rows), and what was found.
    pub fn open(target: &FileTarget, settings: Settings) -> Result<(Checkpoint, File, Resumed), ResumeError> {
        let out = &target.path;
        let list_path = done_list_path(out);
        let partial = partial_path(out);
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ResumeError::Io { path, source }
        };
        let mismatch = |reason: String| ResumeError::Mismatch { path: target.given.clone(), reason };
        if target.mode.is_some() && !list_path.exists() && !partial.exists() {
            return Err(mismatch(format!(
                "there is no {} beside it (the list of documents a --resume run completed), so which documents \
                 it holds is unknown; run without --resume to replace it, or give another --output",
                list_path.display()
            )));
        }
        let mut list = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&list_path)
            .map_err(io_error(&list_path))?;
        lock(&list, true).map_err(|_| {
            mismatch(format!(
                "another cyberie run is writing it ({} is locked); wait for it or stop it",
                list_path.display()
            ))
        })?;
        let mut text = String::new();
        list.read_to_string(&mut text).map_err(io_error(&list_path))?;
        let state = parse_list(&text).map_err(|reason| mismatch(format!("{}: {reason}", list_path.display())))?;
        let mut resumed = Resumed::default();
        let rows_file;
        match &state.header {
            Some(header) if *header != settings => {
                return Err(mismatch(format!(
                    "it was written with {}, this run writes {} (use the same --format, --explain, --raw-csv and \
                     --with-text)",
                    describe(header),
                    describe(&settings)
                )))
            }
            Some(_) if partial.exists() => {
                let file = OpenOptions::new().read(true).write(true).open(&partial).map_err(io_error(&partial))?;
                let len = file.metadata().map_err(io_error(&partial))?.len();
                if len < state.committed {
                    return Err(mismatch(format!(
                        "{} has {len} bytes, fewer than the {} its checkpoint records; delete {} and {} to start again",
                        partial.display(),
                        state.committed,
                        partial.display(),
                        list_path.display()
                    )));
                }
                if len > state.committed || state.uncommitted > 0 {
                    resumed.notes.push(format!(
                        "dropped the rows of a group of documents that an interrupted run had not checkpointed \
                         ({} bytes of {}); they are done again",
                        len - state.committed,
                        partial.display()
                    ));
                }
                file.set_len(state.committed).map_err(io_error(&partial))?;
                rows_file = file;
                resumed.existed = true;
            }
            Some(_) if target.mode.is_some() => {
                let len = std::fs::metadata(out).map_err(io_error(out))?.len();
                if len != state.committed {
                    return Err(mismatch(format!(
                        "it has {len} bytes, {} records {} (was it changed or replaced since?); run without --resume \
                         to replace it, or give another --output",
                        list_path.display(),
                        state.committed
                    )));
                }
                let mut file = create_partial(&partial, target.mode)?;
                io::copy(&mut File::open(out).map_err(io_error(out))?, &mut file).map_err(io_error(&partial))?;
                rows_file = file;
                resumed.existed = true;
            }
            _ => {
                if state.header.is_some() {
                    resumed.notes.push(format!("{} had no output beside it: starting again", list_path.display()));
                }
                if partial.exists() {
                    resumed.notes.push(format!("removed {}: it had no checkpoint list", partial.display()));
                }
                rows_file = create_partial(&partial, target.mode)?;
                rows_file.set_len(0).map_err(io_error(&partial))?;
                list.set_len(0).map_err(io_error(&list_path))?;
                list.seek(SeekFrom::Start(0)).map_err(io_error(&list_path))?;
                let header = Header { cyberie_checkpoint: 1, settings };
                writeln!(list, "{}", serde_json::to_string(&header).expect("a header serialises"))
                    .and_then(|()| list.sync_data())
                    .map_err(io_error(&list_path))?;
                let list_end = list.stream_position().map_err(io_error(&list_path))?;
                return Self::opened(list, rows_file, partial, out, 0, list_end, resumed, true);
            }
        }
        if resumed.existed {
            resumed.done = state.done;
            resumed.rows = state.rows;
        }
        let fresh = state.committed == 0;
        Self::opened(list, rows_file, partial, out, state.rows, state.list_end as u64, resumed, fresh)
    }

    #[allow(clippy::too_many_arguments)]
    fn opened(
        mut list: File,
        rows_file: File,
        partial: PathBuf,
        target: &Path,
        rows: usize,
        list_end: u64,
        mut resumed: Resumed,
        fresh: bool,
    ) -> Result<(Checkpoint, File, Resumed), ResumeError> {
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ResumeError::Io { path, source }
        };
        let list_path = done_list_path(target);
        list.set_len(list_end).map_err(io_error(&list_path))?;
        list.seek(SeekFrom::End(0)).map_err(io_error(&list_path))?;
        let mut writer = rows_file.try_clone().map_err(io_error(&partial))?;
        writer.seek(SeekFrom::End(0)).map_err(io_error(&partial))?;
        resumed.fresh = fresh;
        let checkpoint =
            Checkpoint { list, rows_file, partial, target: target.to_path_buf(), pending: Vec::new(), rows };
        Ok((checkpoint, writer, resumed))
    }

    /// Notes that document `key` is complete with `rows` rows (written, maybe
    /// not yet flushed); it is recorded at the next [`Checkpoint::commit`].
    pub fn document_done(&mut self, key: DocKey, rows: usize) {
        self.pending.push(key);
        self.rows += rows;
    }

    /// Records the documents noted since the last commit: the caller has
    /// flushed every row to the file; the rows reach the disk first, then the
    /// list with the new length.
    pub fn commit(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.rows_file.sync_data()?;
        let length = self.rows_file.metadata()?.len();
        let mut lines = String::new();
        for key in self.pending.drain(..) {
            lines += &serde_json::to_string(&key).expect("a key serialises");
            lines.push('\n');
        }
        lines += &serde_json::to_string(&Commit { commit: length, rows: self.rows }).expect("a commit serialises");
        lines.push('\n');
        self.list.write_all(lines.as_bytes())?;
        self.list.sync_data()
    }

    /// Commits, then moves the output into place (the list stays, describing it).
    pub fn finish(mut self) -> io::Result<()> {
        self.commit()?;
        self.rows_file.sync_all()?;
        std::fs::rename(&self.partial, &self.target)?;
        sync_dir(&self.target)
    }
}

/// Creates the `.partial` file with the output's mode (or the umask's).
fn create_partial(path: &Path, mode: Option<u32>) -> Result<File, ResumeError> {
    let io_error = |source| ResumeError::Io { path: path.to_path_buf(), source };
    let file = OpenOptions::new().read(true).write(true).create(true).truncate(true).open(path).map_err(io_error)?;
    file.set_permissions(Permissions::from_mode(mode.unwrap_or_else(new_file_mode))).map_err(io_error)?;
    Ok(file)
}

/// Removes the checkpoint files of `output` (after a run without --resume
/// replaced it, they no longer describe it), unless a live run holds them.
pub fn discard(output: &Path) {
    let list_path = done_list_path(output);
    let Ok(list) = OpenOptions::new().read(true).open(&list_path) else { return };
    if lock(&list, true).is_ok() {
        let _ = std::fs::remove_file(partial_path(output));
        let _ = std::fs::remove_file(&list_path);
    }
}

fn describe(settings: &Settings) -> String {
    let format = match settings.format {
        Format::Csv => "--format csv",
        Format::Jsonl => "--format jsonl",
    };
    let mut words = vec![format];
    if settings.explain {
        words.push("--explain");
    }
    if settings.raw_csv {
        words.push("--raw-csv");
    }
    if settings.with_text {
        words.push("--with-text");
    }
    words.join(" ")
}

/// A checkpoint list, read.
#[derive(Debug, Default)]
struct ListState {
    header: Option<Settings>,
    /// Documents recorded up to the last commit line.
    done: HashSet<DocKey>,
    /// The output's length at the last commit.
    committed: u64,
    /// Rows at the last commit.
    rows: usize,
    /// Bytes of the list up to the end of its last commit line (or header).
    list_end: usize,
    /// Document lines after the last commit (a group cut short).
    uncommitted: usize,
}

/// Reads a checkpoint list. Lines after the last commit are left out (the last
/// one may be cut short); a malformed line before it is an error.
fn parse_list(text: &str) -> Result<ListState, String> {
    let mut state = ListState::default();
    let mut group: Vec<DocKey> = Vec::new();
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        offset += line.len();
        let complete = line.ends_with('\n');
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if n == 0 {
            let header: Header = serde_json::from_str(line)
                .map_err(|_| "line 1 is not a cyberie checkpoint header (was the list written by an older version?)")?;
            state.header = Some(header.settings);
            state.list_end = offset;
            continue;
        }
        if let Ok(key) = serde_json::from_str::<DocKey>(line) {
            group.push(key);
        } else if let (true, Ok(commit)) = (complete, serde_json::from_str::<Commit>(line)) {
            state.done.extend(group.drain(..));
            state.committed = commit.commit;
            state.rows = commit.rows;
            state.list_end = offset;
        } else if complete && offset < text.len() {
            return Err(format!("line {}: not a checkpoint record: {line}", n + 1));
        }
    }
    state.uncommitted = group.len();
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, dup: usize) -> DocKey {
        DocKey { id: id.into(), dup }
    }

    #[test]
    fn lines_after_the_last_commit_do_not_count() {
        let text = concat!(
            r#"{"cyberie_checkpoint":1,"format":"csv","explain":false,"raw_csv":false}"#,
            "\n",
            r#"{"id":"a"}"#,
            "\n",
            r#"{"id":"a","dup":1}"#,
            "\n",
            r#"{"commit":120,"rows":3}"#,
            "\n",
            r#"{"id":"b"}"#,
            "\n",
            r#"{"commit":20"#,
        );
        let state = parse_list(text).unwrap();
        assert_eq!(state.done, HashSet::from([key("a", 0), key("a", 1)]));
        assert_eq!((state.committed, state.rows, state.uncommitted), (120, 3, 1));
        assert_eq!(&text[..state.list_end], &text[..text.find(r#"{"id":"b"}"#).unwrap()]);
        let bad = text.replace(r#"{"id":"a","dup":1}"#, "garbage");
        assert!(parse_list(&bad).unwrap_err().starts_with("line 3: not a checkpoint record"));
        assert!(parse_list("\"a\"\n").unwrap_err().contains("older version"));
    }
}
