//! Reading articles: text files and HTML pages (plain or gzipped), directories
//! of them, JSON Lines or a JSON array of article objects (plain or gzipped),
//! CSV files with `id` and `text` columns, WARC archives, and standard input,
//! lazily, one [`Record`] at a time.
//!
//! A document that cannot be read becomes a [`ReadError`] naming its source,
//! line and reason; reading always goes on with the next one. What is decoded
//! and what is refused is listed in each reader's module (and in the README,
//! "Robustness"). Which reader reads a file is decided by its name ([`FORMATS`]);
//! other names are refused before any work, saying what to do.

mod ahead;
mod charset;
mod csvfile;
mod html;
mod http;
mod jsonarray;
mod jsonl;
mod pubdate;
mod shard;
mod textfile;
mod warc;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use crate::doc::Article;

pub use ahead::ReadAhead;
pub use jsonarray::MAX_ARRAY_BYTES;
pub use jsonl::{json_kind, JsonlReader};
pub use shard::Shard;
pub use textfile::{check_content, checked_text};
pub use warc::{ArchiveCounts, ArchiveProgress, WarcReader};

/// The largest article read, in bytes (a text file, or one JSON Lines line):
/// bigger ones are skipped without being read into memory. Far above any news
/// article; it bounds what a stray dump or `/dev/zero` can cost.
pub const MAX_DOCUMENT_BYTES: usize = 32 << 20;

/// The kinds of file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// One article per file, plain text.
    Text,
    /// JSON Lines of article objects, or one JSON array of them.
    Json,
    /// CSV with `id` and `text` columns.
    Csv,
    /// One article per file, an HTML page.
    Html,
    /// A WARC archive of pages (gzipped or not, told by its content).
    Warc,
}

/// The file names read, by ending (case-insensitive, after an optional `.gz`,
/// which is decompressed; a WARC archive's gzip members are read by its
/// reader). A new reader adds its ending here and an arm in
/// [`read_all_counted`].
pub const FORMATS: [(&str, Form); 8] = [
    (".txt", Form::Text),
    (".jsonl", Form::Json),
    (".ndjson", Form::Json),
    (".json", Form::Json),
    (".csv", Form::Csv),
    (".html", Form::Html),
    (".htm", Form::Html),
    (".warc", Form::Warc),
];

/// Endings that are refused with a specific hint.
const NOT_READ: [(&str, &str); 4] = [
    (".xml", "XML (an RSS or Atom feed?) is not read: turn its items into JSON Lines of {\"id\", \"text\"} objects"),
    (".rss", "RSS feeds are not read: turn their items into JSON Lines of {\"id\", \"text\"} objects"),
    (".atom", "Atom feeds are not read: turn their entries into JSON Lines of {\"id\", \"text\"} objects"),
    (".tsv", "TSV is not read: convert it to CSV with id and text columns"),
];

/// What cyberie reads, in words, for error messages.
const READABLE: &str = "cyberie reads .txt (one article per file), .html or .htm (one page per file), .jsonl, \
                        .ndjson or .json (JSON Lines, or a JSON array, of {\"id\", \"text\", \"title\"?, \"date\"?} \
                        objects), .csv (columns id and text, title and date optional), each also gzipped (.gz), \
                        .warc and .warc.gz (web archives), directories of .txt and .html files, and - for JSON \
                        Lines on standard input";

/// How `name` is read: its form, and whether it is gzipped, with the length of
/// the ending that names them; `None` for an unknown ending.
pub fn form_of(name: &str) -> Option<(Form, bool, usize)> {
    let lower = name.to_ascii_lowercase();
    let (rest, gzip) = match lower.strip_suffix(".gz") {
        Some(rest) => (rest, true),
        None => (lower.as_str(), false),
    };
    FORMATS
        .iter()
        .find(|(ending, _)| rest.ends_with(ending) && rest.len() > ending.len())
        .map(|&(ending, form)| (form, gzip, ending.len() + if gzip { 3 } else { 0 }))
}

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a directory.
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
    /// The line, for JSON Lines and CSV input.
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

/// An input that cannot be used at all (a usage error, not a bad document).
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
        "no .txt or .html files in directory {0} (a directory is read for its .txt, .html and .htm files, also \
         gzipped; name JSON Lines and CSV files and WARC archives themselves)"
    )]
    EmptyDirectory(String),
    /// A file whose name says nothing cyberie reads.
    #[error("cannot read input {path}: {what}; {READABLE}")]
    UnknownForm {
        /// The path as given.
        path: String,
        /// What the name says, and what to do.
        what: String,
    },
}

/// Checks that every input exists and is of a form cyberie reads before any
/// work starts, and lists the documents each one holds: a directory expands to
/// its `.txt` and `.html`/`.htm` files (also gzipped), recursively, in sorted
/// order, with the entries that cannot be read (an unreadable subdirectory, a
/// FIFO named `.txt`) as [`Source::Unreadable`], each one skipped input.
pub fn expand(inputs: &[Input]) -> Result<Vec<Source>, InputError> {
    let mut sources = Vec::new();
    for input in inputs {
        let path = match input {
            Input::Stdin => {
                sources.push(Source::Stdin);
                continue;
            }
            Input::Path(path) => path,
        };
        let unreadable = |source| InputError::Unreadable { path: path.display().to_string(), source };
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, path, &mut found).map_err(unreadable)?;
            if found.is_empty() {
                return Err(InputError::EmptyDirectory(path.display().to_string()));
            }
            found.sort_by(|a, b| a.0.cmp(&b.0));
            sources.extend(found.into_iter().map(|(_, source)| source));
            continue;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some((form, gzip, ending)) = form_of(&name) else {
            return Err(unknown_form(path, &name));
        };
        let path = path.clone();
        sources.push(match form {
            Form::Text => Source::TextFile { id: name[..name.len() - ending].to_string(), path, gzip },
            Form::Json => Source::JsonFile { path, gzip },
            Form::Csv => Source::CsvFile { path, gzip },
            Form::Html => Source::HtmlFile { id: name[..name.len() - ending].to_string(), path, gzip },
            Form::Warc => Source::WarcFile { path },
        });
    }
    Ok(sources)
}

fn unknown_form(path: &Path, name: &str) -> InputError {
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    let what = match NOT_READ.iter().find(|(ending, _)| lower.ends_with(ending)) {
        Some((_, hint)) => hint.to_string(),
        None => match Path::new(lower).extension() {
            Some(ext) => {
                format!("files named .{} are not read (a plain-text article? rename it to .txt)", ext.to_string_lossy())
            }
            None => "a name without an ending says nothing of what it holds (a plain-text article? rename it \
                     to .txt; JSON Lines on a pipe? give - and pipe them in)"
                .to_string(),
        },
    };
    InputError::UnknownForm { path: path.display().to_string(), what }
}

/// One place documents come from, after [`expand`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// One article in a text file, with its document id: the file name without
    /// `.txt` (or `.txt.gz`), or for a file found in a directory its path below
    /// that directory without the ending ("2024/acme"), so that same-named files
    /// in two folders keep apart.
    TextFile {
        /// The file.
        path: PathBuf,
        /// The document id.
        id: String,
        /// Gzipped (`.txt.gz`).
        gzip: bool,
    },
    /// Many articles in a JSON file: JSON Lines, or one array (told by the
    /// first character).
    JsonFile {
        /// The file.
        path: PathBuf,
        /// Gzipped.
        gzip: bool,
    },
    /// Many articles in a CSV file.
    CsvFile {
        /// The file.
        path: PathBuf,
        /// Gzipped.
        gzip: bool,
    },
    /// One article in an HTML page, with its document id (as for a text file).
    HtmlFile {
        /// The file.
        path: PathBuf,
        /// The document id.
        id: String,
        /// Gzipped (`.html.gz`).
        gzip: bool,
    },
    /// Many articles in a WARC archive (`.warc`, or gzipped `.warc.gz`: the
    /// reader tells them apart by their content).
    WarcFile {
        /// The file.
        path: PathBuf,
    },
    /// Many articles as JSON Lines on standard input.
    Stdin,
    /// An entry of an input directory that cannot be read: one skipped input.
    Unreadable {
        /// The entry.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },
}

impl Source {
    /// The file this source reads, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::TextFile { path, .. }
            | Source::JsonFile { path, .. }
            | Source::CsvFile { path, .. }
            | Source::HtmlFile { path, .. }
            | Source::WarcFile { path } => Some(path),
            Source::Stdin | Source::Unreadable { .. } => None,
        }
    }
}

/// Reads every document of `sources`, lazily, in order. Each file is opened
/// once (a FIFO's data is read only once).
pub fn read_all(sources: Vec<Source>) -> impl Iterator<Item = Record> {
    read_all_counted(sources, Arc::new(ArchiveProgress::default()))
}

/// Like [`read_all`], counting what WARC archives hold into `archives` as
/// reading goes (records, bytes, pages, what was passed over).
pub fn read_all_counted(sources: Vec<Source>, archives: Arc<ArchiveProgress>) -> impl Iterator<Item = Record> {
    sources.into_iter().flat_map(move |source| -> Box<dyn Iterator<Item = Record>> {
        let once = |path: &Path, line, reason| -> Box<dyn Iterator<Item = Record>> {
            Box::new(std::iter::once(Err(ReadError { source: path.display().to_string(), line, doc_id: None, reason })))
        };
        match source {
            Source::TextFile { path, id, gzip } => Box::new(std::iter::once(textfile::read_text_file(&path, id, gzip))),
            Source::HtmlFile { path, id, gzip } => Box::new(std::iter::once(html::read_html_file(&path, id, gzip))),
            Source::WarcFile { path } => match WarcReader::open(&path, Arc::clone(&archives)) {
                Ok(reader) => Box::new(reader),
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
            Source::JsonFile { path, gzip } => match open(&path, gzip) {
                Ok(reader) => read_json(reader, path.display().to_string()),
                Err(e) => once(&path, None, format!("cannot open: {e}")),
            },
            Source::CsvFile { path, gzip } => match open(&path, gzip) {
                Ok(reader) => csvfile::read_csv(reader, path.display().to_string()),
                Err(e) => once(&path, None, format!("cannot open: {e}")),
            },
            Source::Stdin => read_json(Box::new(BufReader::new(io::stdin())), "<stdin>".to_string()),
            Source::Unreadable { path, reason } => once(&path, None, reason),
        }
    })
}

/// JSON Lines, or a JSON array when the first character is `[`.
fn read_json(mut reader: Box<dyn BufRead + Send>, source: String) -> Box<dyn Iterator<Item = Record>> {
    match starts_an_array(&mut reader) {
        Ok(true) => jsonarray::read_json_array(reader, source),
        Ok(false) => Box::new(JsonlReader::new(reader, source)),
        Err(e) => Box::new(std::iter::once(Err(ReadError {
            source,
            line: Some(1),
            doc_id: None,
            reason: format!("read error: {e} (the rest of the file is skipped)"),
        }))),
    }
}

/// True when the first character after a byte-order mark and white space is
/// `[` (looked at in the reader's buffer, without consuming it).
fn starts_an_array(reader: &mut dyn BufRead) -> io::Result<bool> {
    let buffer = reader.fill_buf()?;
    let buffer = buffer.strip_prefix("\u{feff}".as_bytes()).unwrap_or(buffer);
    Ok(buffer.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'['))
}

fn open(path: &Path, gzip: bool) -> io::Result<Box<dyn BufRead + Send>> {
    let file = File::open(path)?;
    Ok(if gzip { Box::new(BufReader::new(MultiGzDecoder::new(file))) } else { Box::new(BufReader::new(file)) })
}

/// A reader of `file`, decompressed when `gzip`.
fn decoded(file: File, gzip: bool) -> Box<dyn Read + Send> {
    if gzip {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    }
}

/// The id of `file` found in directory `top`: its path below `top`, without
/// its ending of `ending` bytes, with `/` between folders.
fn id_below(top: &Path, file: &Path, ending: usize) -> String {
    let relative = file.strip_prefix(top).unwrap_or(file);
    let id = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    id[..id.len() - ending].to_string()
}

/// The text files and HTML pages under `dir` (found from the input directory
/// `top`), recursively, with their paths for sorting. Symbolic links to files
/// are followed, links to directories are not (a link to a parent would loop).
/// Entries that cannot be read, and FIFOs, sockets and devices with such a
/// name, become [`Source::Unreadable`]; an error is returned only when `dir`
/// itself cannot be listed.
fn walk(top: &Path, dir: &Path, out: &mut Vec<(PathBuf, Source)>) -> io::Result<()> {
    let skipped = |path: &Path, reason: String| (path.to_path_buf(), Source::Unreadable { path: path.into(), reason });
    for entry in std::fs::read_dir(dir)? {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                out.push(skipped(dir, format!("cannot list the directory: {e}")));
                break;
            }
        };
        let path = entry.path();
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                out.push(skipped(&path, format!("cannot read: {e}")));
                continue;
            }
        };
        if file_type.is_dir() {
            if let Err(e) = walk(top, &path, out) {
                out.push(skipped(&path, format!("cannot read the directory: {e}")));
            }
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((form @ (Form::Text | Form::Html), gzip, ending)) = form_of(&name) else { continue };
        let meta = if file_type.is_symlink() { std::fs::metadata(&path) } else { entry.metadata() };
        match meta {
            Ok(meta) if meta.is_file() => {
                let id = id_below(top, &path, ending);
                let source = match form {
                    Form::Html => Source::HtmlFile { path: path.clone(), id, gzip },
                    _ => Source::TextFile { path: path.clone(), id, gzip },
                };
                out.push((path, source));
            }
            Ok(meta) if meta.is_dir() => {} // a link to a directory: not followed
            Ok(meta) => {
                let t = meta.file_type();
                let kind = if t.is_fifo() {
                    "a FIFO"
                } else if t.is_socket() {
                    "a socket"
                } else {
                    "a device"
                };
                out.push(skipped(&path, format!("{kind}, not a regular file: not read")));
            }
            Err(e) => out.push(skipped(&path, format!("cannot read: {e}"))),
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
        for name in ["b.txt", "a.txt", "sub/c.txt", "notes.md", "news.jsonl", "crawl.warc"] {
            std::fs::write(dir.path().join(name), "Hackers struck.").unwrap();
        }
        let page = "<html><head><title>Acme hit</title></head><body><article><p>Hackers struck Acme Corp on \
                    Monday, the company said, and took its systems offline for two days.</p></article></body></html>";
        std::fs::write(dir.path().join("sub/e.html"), page).unwrap();
        let mut gz = flate2::write::GzEncoder::new(
            File::create(dir.path().join("sub/d.TXT.gz")).unwrap(),
            flate2::Compression::fast(),
        );
        gz.write_all(b"Hackers struck again.").unwrap();
        gz.finish().unwrap();
        let sources = expand(&[Input::Path(dir.path().to_path_buf())]).unwrap();
        let names: Vec<_> = sources
            .iter()
            .map(|s| match s {
                Source::TextFile { path, id, .. } | Source::HtmlFile { path, id, .. } => {
                    (path.strip_prefix(dir.path()).unwrap().display().to_string(), id)
                }
                other => panic!("unexpected {other:?}"),
            })
            .map(|(path, id)| format!("{path} {id}"))
            .collect();
        assert_eq!(names, ["a.txt a", "b.txt b", "sub/c.txt sub/c", "sub/d.TXT.gz sub/d", "sub/e.html sub/e"]);
        let texts: Vec<String> = read_all(sources).map(|r| r.unwrap().text).collect();
        assert_eq!(texts[3], "Hackers struck again.");
        assert!(texts[4].starts_with("Hackers struck Acme Corp on Monday"), "{}", texts[4]);
    }

    #[test]
    fn fifos_in_directories_are_skipped_inputs_without_opening_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "Hackers struck.").unwrap();
        for fifo in ["b.txt", "c.html"] {
            let name = std::ffi::CString::new(dir.path().join(fifo).to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        }
        let sources = expand(&[Input::Path(dir.path().to_path_buf())]).unwrap();
        let records: Vec<Record> = read_all(sources).collect();
        assert_eq!(records.len(), 3);
        let err = records[1].as_ref().unwrap_err();
        assert!(err.to_string().ends_with("b.txt: a FIFO, not a regular file: not read"), "{err}");
        let err = records[2].as_ref().unwrap_err();
        assert!(err.to_string().ends_with("c.html: a FIFO, not a regular file: not read"), "{err}");
    }

    #[test]
    fn unknown_endings_are_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        for (name, needle) in [
            ("feed.xml", "RSS or Atom"),
            ("feed.rss", "RSS feeds are not read"),
            ("notes.md", "files named .md are not read (a plain-text article? rename it to .txt)"),
            ("README", "a name without an ending"),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, "x").unwrap();
            let err = expand(&[Input::Path(path)]).unwrap_err().to_string();
            assert!(err.contains(needle) && err.contains("cyberie reads .txt"), "{name}: {err}");
        }
        assert_eq!(form_of("a.CSV.gz"), Some((Form::Csv, true, 7)));
        assert_eq!(form_of("x.ndjson"), Some((Form::Json, false, 7)));
        assert_eq!(form_of(".txt"), None);
        assert_eq!(form_of("A.HTML"), Some((Form::Html, false, 5)));
        assert_eq!(form_of("a.htm.gz"), Some((Form::Html, true, 7)));
        assert_eq!(form_of("a.WARC.gz"), Some((Form::Warc, true, 8)));
        assert_eq!(form_of("a.warc"), Some((Form::Warc, false, 5)));
        assert_eq!(form_of("a.gz"), None);
    }

    #[test]
    fn json_arrays_and_csv_files_are_read_as_articles() {
        let dir = tempfile::tempdir().unwrap();
        let array = dir.path().join("a.json");
        std::fs::write(&array, "\n  [{\"id\": \"x\", \"text\": \"One.\"},\n {\"id\": \"y\", \"text\": \"Two.\"}]\n")
            .unwrap();
        let table = dir.path().join("b.csv");
        std::fs::write(&table, "id,text\nz,\"Three, four.\"\n").unwrap();
        let records: Vec<Record> = read_all(expand(&[Input::Path(array), Input::Path(table)]).unwrap()).collect();
        let ids: Vec<&str> = records.iter().map(|r| r.as_ref().unwrap().id.as_str()).collect();
        assert_eq!(ids, ["x", "y", "z"]);
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
