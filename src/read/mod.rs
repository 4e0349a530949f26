//! Reading articles: text files, directories of them, JSON Lines (plain or
//! gzipped), HTML pages, WARC archives and standard input, lazily, one
//! [`Record`] at a time.
//!
//! A document that cannot be read becomes a [`ReadError`] naming its source,
//! line and reason; reading always goes on with the next one. What is decoded
//! and what is refused is listed in `textfile.rs`, `jsonl.rs`, `html.rs`,
//! `charset.rs` and `warc.rs` (and in the README, "Robustness").

mod charset;
mod html;
mod http;
mod jsonl;
mod pubdate;
mod textfile;
mod warc;

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use crate::doc::Article;

pub use jsonl::{json_kind, JsonlReader};
pub use textfile::{check_content, checked_text};
pub use warc::{ArchiveCounts, ArchiveProgress, WarcReader};

/// The largest article read, in bytes (a text file, or one JSON Lines line):
/// bigger ones are skipped without being read into memory. Far above any news
/// article; it bounds what a stray dump or `/dev/zero` can cost.
pub const MAX_DOCUMENT_BYTES: usize = 32 << 20;

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A `.txt` or `.html` file, a directory of them, a JSON Lines file
    /// (`.jsonl`, `.json`, `.jsonl.gz`) or a WARC archive (`.warc`, `.warc.gz`).
    Path(PathBuf),
    /// JSON Lines on standard input (`-`).
    Stdin,
}

impl Input {
    /// `-` is standard input; anything else a path.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// Why a document could not be read; it is skipped and counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The file (or `<stdin>`) the document came from.
    pub source: String,
    /// The line, for JSON Lines input.
    pub line: Option<usize>,
    /// The document id, when it was known.
    pub doc_id: Option<String>,
    /// What was wrong, in words.
    pub reason: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(id) = &self.doc_id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for ReadError {}

/// What a reader yields for each document.
pub type Record = Result<Article, ReadError>;

/// An input that cannot be opened at all (a usage error, not a bad document).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The path does not exist or cannot be read.
    #[error("cannot read input {path}: {source}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// A directory holds no `.txt` or `.html` file.
    #[error(
        "no .txt or .html files in directory {0} (a directory is read for its .txt and .html files; \
         name JSON Lines files and WARC archives themselves)"
    )]
    EmptyDirectory(String),
}

/// Checks that every input exists before any work starts, and lists the
/// documents each one holds: a directory expands to its `.txt` and `.html`
/// files, recursively, in sorted order.
pub fn expand(inputs: &[Input]) -> Result<Vec<Source>, InputError> {
    let mut sources = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin => sources.push(Source::Stdin),
            Input::Path(path) => {
                let meta = std::fs::metadata(path)
                    .map_err(|source| InputError::Unreadable { path: path.display().to_string(), source })?;
                if meta.is_dir() {
                    let mut files = Vec::new();
                    collect_text_files(path, &mut files)
                        .map_err(|source| InputError::Unreadable { path: path.display().to_string(), source })?;
                    if files.is_empty() {
                        return Err(InputError::EmptyDirectory(path.display().to_string()));
                    }
                    files.sort();
                    sources.extend(files.into_iter().map(|file| {
                        let id = id_below(path, &file);
                        web_source(&file, id.clone()).unwrap_or(Source::TextFile { path: file, id })
                    }));
                } else if is_jsonl(path) {
                    sources.push(Source::JsonlFile(path.clone()));
                } else if let Some(source) = web_source(path, file_id(path)) {
                    sources.push(source);
                } else {
                    sources.push(Source::TextFile { path: path.clone(), id: file_id(path) });
                }
            }
        }
    }
    Ok(sources)
}

/// One place documents come from, after [`expand`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// One article in a text file, with its document id: the file stem, or for
    /// a file found in a directory its path below that directory without the
    /// extension ("2024/acme"), so that same-named files in two folders keep
    /// apart.
    TextFile {
        /// The file.
        path: PathBuf,
        /// The document id.
        id: String,
    },
    /// Many articles in a JSON Lines file (maybe gzipped).
    JsonlFile(PathBuf),
    /// One article in an HTML page, with its document id (as for a text file).
    HtmlFile {
        /// The file.
        path: PathBuf,
        /// The document id.
        id: String,
    },
    /// Many articles in a WARC archive (maybe gzipped).
    WarcFile(PathBuf),
    /// Many articles as JSON Lines on standard input.
    Stdin,
}

/// Reads every document of `sources`, lazily, in order.
pub fn read_all(sources: Vec<Source>) -> impl Iterator<Item = Record> {
    read_all_counted(sources, Arc::new(ArchiveProgress::default()))
}

/// Like [`read_all`], counting what WARC archives hold into `archives` as
/// reading goes (records, bytes, pages, what was passed over).
pub fn read_all_counted(sources: Vec<Source>, archives: Arc<ArchiveProgress>) -> impl Iterator<Item = Record> {
    sources.into_iter().flat_map(move |source| -> Box<dyn Iterator<Item = Record>> {
        match source {
            Source::HtmlFile { path, id } => Box::new(std::iter::once(html::read_html_file(&path, id))),
            Source::WarcFile(path) => match WarcReader::open(&path, Arc::clone(&archives)) {
                Ok(reader) => Box::new(reader),
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
            Source::TextFile { path, id } => Box::new(std::iter::once(textfile::read_text_file(&path, id))),
            Source::JsonlFile(path) => match open_jsonl(&path) {
                Ok(reader) => Box::new(JsonlReader::new(reader, path.display().to_string())),
                Err(e) => Box::new(std::iter::once(Err(ReadError {
                    source: path.display().to_string(),
                    line: None,
                    doc_id: None,
                    reason: format!("cannot open: {e}"),
                }))),
            },
            Source::Stdin => Box::new(JsonlReader::new(BufReader::new(io::stdin()), "<stdin>".to_string())),
        }
    })
}

/// The source for an HTML page or a WARC archive at `path`, by its name.
fn web_source(path: &Path, id: String) -> Option<Source> {
    if warc::is_warc(path) {
        Some(Source::WarcFile(path.to_path_buf()))
    } else {
        html::is_html(path).then(|| Source::HtmlFile { path: path.to_path_buf(), id })
    }
}

/// The document id of a file named on the command line: its stem.
fn file_id(path: &Path) -> String {
    path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into())
}

/// True for `.jsonl`, `.json`, `.ndjson` and their `.gz` forms.
fn is_jsonl(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".jsonl", ".json", ".ndjson"].iter().any(|ext| name.ends_with(ext))
}

fn open_jsonl(path: &Path) -> io::Result<Box<dyn io::BufRead + Send>> {
    let file = File::open(path)?;
    let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz { Box::new(BufReader::new(MultiGzDecoder::new(file))) } else { Box::new(BufReader::new(file)) })
}

/// The `.txt` files under `dir`, recursively. Symbolic links to files are
/// followed, links to directories are not (a link to a parent would loop).
/// The id of `file`, found in directory `dir`: its path below `dir`, without
/// the extension, with `/` between folders.
fn id_below(dir: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(dir).unwrap_or(file).with_extension("");
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn collect_text_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_text_files(&path, out)?;
        } else if (path.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")) || html::is_html(&path))
            && !path.is_dir()
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn directories_expand_to_sorted_text_files_recursively() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["b.txt", "a.txt", "sub/c.txt", "notes.md"] {
            std::fs::write(dir.path().join(name), "Hackers struck.").unwrap();
        }
        let sources = expand(&[Input::Path(dir.path().to_path_buf())]).unwrap();
        let names: Vec<_> = sources
            .iter()
            .map(|s| match s {
                Source::TextFile { path, id } => (path.strip_prefix(dir.path()).unwrap().display().to_string(), id),
                other => panic!("unexpected {other:?}"),
            })
            .map(|(path, id)| format!("{path} {id}"))
            .collect();
        assert_eq!(names, ["a.txt a", "b.txt b", "sub/c.txt sub/c"]);
    }

    #[test]
    fn directory_links_are_not_followed_and_an_empty_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "Hackers struck.").unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("sub/a.txt"), dir.path().join("link.txt")).unwrap();
        let sources = expand(&[Input::Path(dir.path().to_path_buf())]).unwrap();
        assert_eq!(sources.len(), 2, "{sources:?}");

        std::fs::create_dir(dir.path().join("empty")).unwrap();
        std::fs::write(dir.path().join("empty/news.jsonl"), "").unwrap();
        let err = expand(&[Input::Path(dir.path().join("empty"))]).unwrap_err();
        assert!(err.to_string().starts_with("no .txt or .html files in directory"), "{err}");
    }

    #[test]
    fn a_corrupt_gzip_file_gives_one_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("news.jsonl.gz");
        std::fs::write(&path, b"not gzip at all\n{}\n").unwrap();
        let records: Vec<_> = read_all(expand(&[Input::Path(path)]).unwrap()).collect();
        assert_eq!(records.len(), 1);
        assert!(records[0].as_ref().unwrap_err().reason.starts_with("read error: invalid gzip header"), "{records:?}");
    }

    #[test]
    fn missing_input_is_an_error_before_reading() {
        let err = expand(&[Input::Path("no/such/file.txt".into())]).unwrap_err();
        assert!(err.to_string().contains("no/such/file.txt"), "{err}");
    }

    #[test]
    fn reads_gzipped_jsonl() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("news.jsonl.gz");
        let mut gz = flate2::write::GzEncoder::new(File::create(&path).unwrap(), flate2::Compression::fast());
        writeln!(gz, r#"{{"id": "a", "text": "Hackers struck."}}"#).unwrap();
        gz.finish().unwrap();
        let records: Vec<_> = read_all(expand(&[Input::Path(path)]).unwrap()).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].as_ref().unwrap().id, "a");
    }

    #[test]
    fn dash_means_stdin() {
        assert_eq!(Input::parse("-"), Input::Stdin);
        assert_eq!(Input::parse("x.txt"), Input::Path("x.txt".into()));
    }
}
