//! Writing triples: CSV (RFC 4180, with a header) and JSON Lines, with the same
//! columns in the same order: `doc_id,attacker,attacker_type,victim,victim_type,
//! date,date_iso,confidence,evidence,attacker_mention,victim_mention[,rule]`. [`TripleRecord`] is the row; the evaluator reads the
//! same struct back. File output is atomic: written aside, renamed into place.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::doc::Triple;

/// The column names, in order (`rule` only with `--explain`).
pub const COLUMNS: [&str; 12] = [
    "doc_id",
    "attacker",
    "attacker_type",
    "victim",
    "victim_type",
    "date",
    "date_iso",
    "confidence",
    "evidence",
    "attacker_mention",
    "victim_mention",
    "rule",
];

/// The columns of the output, in order. `rule` is filled only with `--explain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TripleRecord {
    /// The article's id.
    pub doc_id: String,
    /// Canonical attacker name.
    pub attacker: String,
    /// `person`, `organization`, `country`, `location`, `threat_actor`, `misc` or `unnamed`.
    pub attacker_type: String,
    /// Canonical victim name.
    pub victim: String,
    /// Same values as `attacker_type`.
    pub victim_type: String,
    /// The date expression as written, or empty.
    #[serde(default)]
    pub date: String,
    /// The normalised date (TIMEX3 style), or empty.
    #[serde(default)]
    pub date_iso: String,
    /// Confidence in [0, 1], with two decimals.
    pub confidence: f32,
    /// The sentence(s) the triple was read from.
    #[serde(default)]
    pub evidence: String,
    /// The attacker as written in the article ("Pyongyang" for attacker "North Korea").
    #[serde(default)]
    pub attacker_mention: String,
    /// The victim as written in the article.
    #[serde(default)]
    pub victim_mention: String,
    /// The rule that produced the triple (only with `--explain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl TripleRecord {
    /// The record for `triple`; `explain` keeps the rule name.
    pub fn from_triple(triple: &Triple, text: &str, explain: bool) -> Self {
        TripleRecord {
            doc_id: triple.doc_id.clone(),
            attacker: triple.attacker.text.clone(),
            attacker_type: triple.attacker.kind.as_str().to_string(),
            victim: triple.victim.text.clone(),
            victim_type: triple.victim.kind.as_str().to_string(),
            date: triple.date.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
            date_iso: triple.date.as_ref().and_then(|d| d.value).map(|v| v.to_string()).unwrap_or_default(),
            confidence: (triple.confidence * 100.0).round() / 100.0,
            evidence: triple.evidence.clone(),
            attacker_mention: text[triple.attacker.span.range()].to_string(),
            victim_mention: text[triple.victim.span.range()].to_string(),
            rule: explain.then(|| triple.rule.clone()),
        }
    }
}

/// The output file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row (RFC 4180).
    #[default]
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Where the records go.
enum Sink {
    Csv(Box<csv::Writer<Box<dyn Write>>>),
    Jsonl(Box<dyn Write>),
}

/// Writes triple records to a file or stdout. A file is written under a
/// temporary name in the same directory and renamed into place by
/// [`TripleWriter::finish`], so readers never see a half-written file and an
/// interrupted run leaves any previous file untouched.
///
/// **Resuming** ([`TripleWriter::resume`]): the writer also keeps the list of
/// completed documents in a sidecar file, [`done_list_path`] (`OUT.done`, one
/// JSON string per line, the ids of every document whose triples are in `OUT`,
/// including documents that gave none). A resumed run copies the previous rows
/// into its temporary file, appends the new ones, and renames both files into
/// place at the end (the output first, then the list), so the pair is always a
/// complete, valid result of the documents it lists.
pub struct TripleWriter {
    sink: Sink,
    pending: Option<(tempfile::TempPath, PathBuf)>,
    neutralise: bool,
    done: Option<DoneList>,
}

/// The completed-documents sidecar being written.
struct DoneList {
    out: io::BufWriter<File>,
    temp: tempfile::TempPath,
    target: PathBuf,
}

/// Why an earlier output cannot be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// The output or its list cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The previous output is not one this run can append to.
    #[error("cannot resume {path}: {reason}")]
    Mismatch {
        /// The output file.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
}

/// The sidecar that lists the documents completed in `output`: `output` + `.done`.
pub fn done_list_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_os_string();
    name.push(".done");
    PathBuf::from(name)
}

/// What [`TripleWriter::resume`] found of an earlier run.
#[derive(Debug, Default)]
pub struct Resumed {
    /// Ids of the documents already done: those in the `.done` list and those
    /// with rows in the output (a run stopped between the two renames).
    pub done: HashSet<String>,
    /// Rows already in the output.
    pub rows: usize,
    /// True when there was an earlier output to continue.
    pub existed: bool,
}

impl TripleWriter {
    /// Writes to `path` (atomically) or, when `None`, to standard output.
    /// `neutralise` guards spreadsheet formulas in CSV fields (see [`neutralise_formula`]).
    /// `explain` adds the `rule` column.
    pub fn create(path: Option<&Path>, format: Format, neutralise: bool, explain: bool) -> io::Result<TripleWriter> {
        let (out, pending): (Box<dyn Write>, _) = match path {
            None => (Box::new(io::BufWriter::new(io::stdout())), None),
            Some(path) => {
                let (file, temp_path) = temp_beside(path)?;
                (Box::new(io::BufWriter::new(file)), Some((temp_path, path.to_path_buf())))
            }
        };
        Self::with_output(out, pending, format, neutralise, explain, true)
    }

    /// Continues the output at `path` left by an earlier run (interrupted or
    /// not): returns a writer whose file starts with the earlier rows, and the
    /// documents already done, which the caller skips. Without an earlier file
    /// it starts a new one. Either way the writer records completed documents
    /// ([`TripleWriter::document_done`]) in the `.done` list.
    pub fn resume(
        path: &Path,
        format: Format,
        neutralise: bool,
        explain: bool,
    ) -> Result<(TripleWriter, Resumed), ResumeError> {
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ResumeError::Io { path, source }
        };
        let list_path = done_list_path(path);
        let mut resumed = Resumed::default();
        if path.exists() {
            resumed.existed = true;
            resumed.done = read_done_list(&list_path).map_err(io_error(&list_path))?;
            let (ids, rows) = read_output_ids(path, format, neutralise, explain)?;
            resumed.rows = rows;
            resumed.done.extend(ids);
        }
        let (mut file, temp) = temp_beside(path).map_err(io_error(path))?;
        if resumed.existed {
            io::copy(&mut File::open(path).map_err(io_error(path))?, &mut file).map_err(io_error(path))?;
        }
        let (list_file, list_temp) = temp_beside(&list_path).map_err(io_error(&list_path))?;
        let mut list = io::BufWriter::new(list_file);
        let mut ids: Vec<&String> = resumed.done.iter().collect();
        ids.sort();
        for id in ids {
            writeln!(list, "{}", serde_json::Value::String(id.clone())).map_err(io_error(&list_path))?;
        }
        let out: Box<dyn Write> = Box::new(io::BufWriter::new(file));
        let mut writer =
            Self::with_output(out, Some((temp, path.to_path_buf())), format, neutralise, explain, !resumed.existed)
                .map_err(io_error(path))?;
        writer.done = Some(DoneList { out: list, temp: list_temp, target: list_path });
        Ok((writer, resumed))
    }

    fn with_output(
        out: Box<dyn Write>,
        pending: Option<(tempfile::TempPath, PathBuf)>,
        format: Format,
        neutralise: bool,
        explain: bool,
        header: bool,
    ) -> io::Result<TripleWriter> {
        let sink = match format {
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(out);
                if header {
                    writer.write_record(columns(explain))?;
                }
                Sink::Csv(Box::new(writer))
            }
            Format::Jsonl => Sink::Jsonl(out),
        };
        Ok(TripleWriter { sink, pending, neutralise: neutralise && format == Format::Csv, done: None })
    }

    /// Appends one record.
    pub fn write(&mut self, record: &TripleRecord) -> io::Result<()> {
        match &mut self.sink {
            Sink::Csv(w) => {
                if self.neutralise {
                    w.serialize(record.neutralised())?;
                } else {
                    w.serialize(record)?;
                }
                Ok(())
            }
            Sink::Jsonl(w) => {
                serde_json::to_writer(&mut *w, record)?;
                w.write_all(b"\n")
            }
        }
    }

    /// Appends one record followed by a `text` field holding `text`, the
    /// article's text as read (`extract --with-text`). JSON Lines only: a CSV
    /// writer writes the record without it.
    pub fn write_with_text(&mut self, record: &TripleRecord, text: &str) -> io::Result<()> {
        #[derive(Serialize)]
        struct WithText<'a> {
            #[serde(flatten)]
            record: &'a TripleRecord,
            text: &'a str,
        }
        match &mut self.sink {
            Sink::Jsonl(w) => {
                serde_json::to_writer(&mut *w, &WithText { record, text })?;
                w.write_all(b"\n")
            }
            Sink::Csv(_) => self.write(record),
        }
    }

    /// Records that every triple of document `id` has been written (only when
    /// resuming; otherwise does nothing).
    pub fn document_done(&mut self, id: &str) -> io::Result<()> {
        match &mut self.done {
            Some(list) => writeln!(list.out, "{}", serde_json::Value::String(id.to_string())),
            None => Ok(()),
        }
    }

    /// Flushes everything and moves a file output into place (then its `.done`
    /// list, when resuming). Dropping the writer instead removes the temporary
    /// files and leaves any earlier output as it was.
    pub fn finish(self) -> io::Result<()> {
        match self.sink {
            Sink::Csv(w) => w.into_inner().map_err(|e| e.into_error())?.flush()?,
            Sink::Jsonl(mut w) => w.flush()?,
        }
        if let Some((temp, target)) = self.pending {
            temp.persist(&target).map_err(|e| e.error)?;
        }
        if let Some(mut list) = self.done {
            list.out.flush()?;
            list.temp.persist(&list.target).map_err(|e| e.error)?;
        }
        Ok(())
    }
}

/// The header row: every column but `rule` unless `explain`.
fn columns(explain: bool) -> &'static [&'static str] {
    if explain {
        &COLUMNS
    } else {
        &COLUMNS[..COLUMNS.len() - 1]
    }
}

/// A temporary file in `path`'s directory, to be renamed to `path`.
fn temp_beside(path: &Path) -> io::Result<(File, tempfile::TempPath)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file = tempfile::Builder::new().prefix(".cyberie-").suffix(".partial").tempfile_in(&dir)?;
    Ok(file.into_parts())
}

/// The ids in a `.done` list (none when it does not exist).
fn read_done_list(path: &Path) -> io::Result<HashSet<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(e) => return Err(e),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str::<String>(line).map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("line {}: not a JSON string: {e}", n + 1))
            })
        })
        .collect()
}

/// The document ids of an earlier output's rows and how many rows it has,
/// checking that this run would write the same columns.
fn read_output_ids(
    path: &Path,
    format: Format,
    neutralise: bool,
    explain: bool,
) -> Result<(HashSet<String>, usize), ResumeError> {
    let mismatch = |reason: String| ResumeError::Mismatch { path: path.to_path_buf(), reason };
    let io_error = |source| ResumeError::Io { path: path.to_path_buf(), source };
    let file = File::open(path).map_err(io_error)?;
    let mut ids = HashSet::new();
    let mut rows = 0;
    match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(io::BufReader::new(file));
            let mut records = reader.records();
            let expected = columns(explain);
            match records.next() {
                None => return Err(mismatch("the file is empty (not a CSV output of cyberie extract)".into())),
                Some(header) => {
                    let header = header.map_err(|e| mismatch(format!("unreadable CSV header: {e}")))?;
                    if !header.iter().eq(expected.iter().copied()) {
                        return Err(mismatch(format!(
                            "it has the columns {:?}, this run writes {:?} (same --explain as before?)",
                            header.iter().collect::<Vec<_>>(),
                            expected
                        )));
                    }
                }
            }
            for record in records {
                let record = record.map_err(|e| mismatch(format!("malformed CSV: {e}")))?;
                let id = record.get(0).unwrap_or_default();
                ids.insert(if neutralise { unneutralise(id) } else { id }.to_string());
                rows += 1;
            }
        }
        Format::Jsonl => {
            #[derive(Deserialize)]
            struct Row {
                doc_id: String,
            }
            for (n, line) in io::BufReader::new(file).lines().enumerate() {
                let line = line.map_err(io_error)?;
                if line.trim().is_empty() {
                    continue;
                }
                let row: Row = serde_json::from_str(&line).map_err(|e| {
                    mismatch(format!("line {}: not a JSON Lines output of cyberie extract: {e}", n + 1))
                })?;
                ids.insert(row.doc_id);
                rows += 1;
            }
        }
    }
    Ok((ids, rows))
}

/// Undoes [`neutralise_formula`].
fn unneutralise(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => field,
    }
}

impl TripleRecord {
    /// A copy whose text fields are safe to open in a spreadsheet.
    fn neutralised(&self) -> TripleRecord {
        TripleRecord {
            doc_id: neutralise_formula(&self.doc_id),
            attacker: neutralise_formula(&self.attacker),
            victim: neutralise_formula(&self.victim),
            date: neutralise_formula(&self.date),
            evidence: neutralise_formula(&self.evidence),
            attacker_mention: neutralise_formula(&self.attacker_mention),
            victim_mention: neutralise_formula(&self.victim_mention),
            ..self.clone()
        }
    }
}

/// Guards a CSV field against formula injection (OWASP): a field starting
/// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, so a
/// spreadsheet shows it as text instead of evaluating it.
pub fn neutralise_formula(field: &str) -> String {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(doc_id: &str, attacker: &str) -> TripleRecord {
        TripleRecord {
            doc_id: doc_id.into(),
            attacker: attacker.into(),
            attacker_type: "threat_actor".into(),
            victim: "Acme".into(),
            victim_type: "organization".into(),
            date: String::new(),
            date_iso: String::new(),
            confidence: 0.5,
            evidence: "e".into(),
            attacker_mention: attacker.into(),
            victim_mention: "Acme".into(),
            rule: None,
        }
    }

    fn data_rows(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path).unwrap().lines().skip(1).map(str::to_string).collect()
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".partial"))
            .collect()
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines_and_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.csv");
        let mut row = record("a1", "LockBit");
        row.evidence = "He said: \"we were hit, badly\"\nThen, silence.".to_string();
        row.victim = "Acme, Inc.".to_string();
        let mut writer = TripleWriter::create(Some(&out), Format::Csv, true, false).unwrap();
        writer.write(&row).unwrap();
        writer.finish().unwrap();
        let raw = std::fs::read_to_string(&out).unwrap();
        assert!(raw.contains("\"He said: \"\"we were hit, badly\"\"\nThen, silence.\""), "{raw}");
        assert!(raw.contains("\"Acme, Inc.\""), "{raw}");
        let back: Vec<TripleRecord> =
            csv::Reader::from_path(&out).unwrap().deserialize().collect::<Result<_, _>>().unwrap();
        assert_eq!(back, [row]);
    }

    #[test]
    fn jsonl_rows_can_carry_the_article_text_and_read_back_as_records() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.jsonl");
        let mut writer = TripleWriter::create(Some(&out), Format::Jsonl, false, false).unwrap();
        writer.write_with_text(&record("a", "APT28"), "APT28 hit Acme.\n\nAcme said so.").unwrap();
        writer.finish().unwrap();
        let line = std::fs::read_to_string(&out).unwrap();
        let value: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(value["text"], "APT28 hit Acme.\n\nAcme said so.");
        assert_eq!(value["attacker"], "APT28");
        assert_eq!(serde_json::from_str::<TripleRecord>(line.trim()).unwrap(), record("a", "APT28"));

        let csv_out = dir.path().join("t.csv");
        let mut writer = TripleWriter::create(Some(&csv_out), Format::Csv, true, false).unwrap();
        writer.write_with_text(&record("a", "APT28"), "APT28 hit Acme.").unwrap();
        writer.finish().unwrap();
        assert!(!std::fs::read_to_string(&csv_out).unwrap().contains("APT28 hit Acme."));
    }

    #[test]
    fn resume_appends_and_lists_completed_documents() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.csv");
        let (mut w, resumed) = TripleWriter::resume(&out, Format::Csv, true, false).unwrap();
        assert!(!resumed.existed && resumed.done.is_empty());
        w.write(&record("a", "APT28")).unwrap();
        w.document_done("a").unwrap();
        w.document_done("quiet doc").unwrap(); // no triples, still completed
        w.finish().unwrap();

        let (mut w, resumed) = TripleWriter::resume(&out, Format::Csv, true, false).unwrap();
        assert!(resumed.existed);
        assert_eq!(resumed.rows, 1);
        assert_eq!(resumed.done, HashSet::from(["a".to_string(), "quiet doc".to_string()]));
        w.write(&record("b", "=cmd")).unwrap();
        w.document_done("b").unwrap();
        w.finish().unwrap();

        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().next().unwrap(), COLUMNS[..11].join(","));
        assert_eq!(data_rows(&out).len(), 2, "{text}");
        assert!(data_rows(&out)[1].starts_with("b,'=cmd,"), "{text}");
        let listed = read_done_list(&done_list_path(&out)).unwrap();
        assert_eq!(listed.len(), 3);
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn dropped_writer_leaves_the_previous_output_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.jsonl");
        let (mut w, _) = TripleWriter::resume(&out, Format::Jsonl, false, false).unwrap();
        w.write(&record("a", "APT28")).unwrap();
        w.document_done("a").unwrap();
        w.finish().unwrap();
        let before = std::fs::read(&out).unwrap();
        let list_before = std::fs::read(done_list_path(&out)).unwrap();

        let (mut w, resumed) = TripleWriter::resume(&out, Format::Jsonl, false, false).unwrap();
        assert_eq!(resumed.done, HashSet::from(["a".to_string()]));
        w.write(&record("b", "Lazarus")).unwrap();
        w.document_done("b").unwrap();
        drop(w);
        assert_eq!(std::fs::read(&out).unwrap(), before);
        assert_eq!(std::fs::read(done_list_path(&out)).unwrap(), list_before);
        assert!(leftovers(dir.path()).is_empty());

        let mut w = TripleWriter::create(Some(&out), Format::Jsonl, false, false).unwrap();
        w.write(&record("c", "X")).unwrap();
        drop(w);
        assert_eq!(std::fs::read(&out).unwrap(), before);
    }

    #[test]
    fn rows_count_as_done_without_a_list_and_ids_are_unneutralised() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.csv");
        let mut w = TripleWriter::create(Some(&out), Format::Csv, true, false).unwrap();
        w.write(&record("=x", "APT28")).unwrap();
        w.write(&record("y", "APT29")).unwrap();
        w.finish().unwrap();
        let (_, resumed) = TripleWriter::resume(&out, Format::Csv, true, false).unwrap();
        assert_eq!(resumed.done, HashSet::from(["=x".to_string(), "y".to_string()]));
        assert_eq!(resumed.rows, 2);
    }

    #[test]
    fn resume_refuses_other_columns_or_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.csv");
        TripleWriter::create(Some(&out), Format::Csv, true, false).unwrap().finish().unwrap();
        let err = TripleWriter::resume(&out, Format::Csv, true, true).err().unwrap();
        assert!(err.to_string().contains("same --explain"), "{err}");
        std::fs::write(&out, "").unwrap();
        assert!(TripleWriter::resume(&out, Format::Csv, true, false).is_err());
        std::fs::write(&out, "not json\n").unwrap();
        let err = TripleWriter::resume(&out, Format::Jsonl, true, false).err().unwrap();
        assert!(err.to_string().contains("line 1"), "{err}");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn done_list_sits_beside_the_output() {
        assert_eq!(done_list_path(Path::new("out/t.csv")), Path::new("out/t.csv.done"));
    }
}
