//! Writing triples: CSV (RFC 4180, with a header) and JSON Lines, with the same
//! columns in the same order: `doc_id,attacker,attacker_type,victim,victim_type,
//! date,date_iso,confidence,evidence,attacker_mention,victim_mention[,rule]`. [`TripleRecord`] is the row; the evaluator reads the
//! same struct back. Where the rows go is decided by [`target`] (standard
//! output, or a file replaced atomically); `--resume` checkpoints are
//! [`checkpoint`]'s.

pub mod checkpoint;
pub mod target;

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::doc::Triple;

pub use checkpoint::{done_list_path, partial_path, DocKey, ResumeError, Resumed};
pub use target::{resolve_output, AtomicFile, Destination, FileTarget, OutputError};

use checkpoint::Checkpoint;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values with a header row (RFC 4180).
    #[default]
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// The stream the rows are written to.
enum Out {
    Stdout(io::BufWriter<io::Stdout>),
    File(io::BufWriter<File>),
}

impl Write for Out {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Out::Stdout(w) => w.write(bytes),
            Out::File(w) => w.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Stdout(w) => w.flush(),
            Out::File(w) => w.flush(),
        }
    }
}

/// Where the records go.
enum Sink {
    Csv(Box<csv::Writer<Out>>),
    Jsonl(Out),
}

impl Sink {
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Csv(w) => w.flush(),
            Sink::Jsonl(w) => w.flush(),
        }
    }
}

/// How the output is completed.
enum Completion {
    /// Standard output: flushed after each group.
    Stdout,
    /// A file written aside and renamed over the target at the end.
    Atomic(AtomicFile, PathBuf),
    /// A `--resume` checkpoint (see [`checkpoint`]).
    Checkpoint(Checkpoint),
}

/// Writes triple records to standard output or a file.
///
/// - Standard output: rows are flushed after each group of documents
///   ([`TripleWriter::commit`]), so a consumer reading a pipe gets each
///   document's rows as soon as its group is done.
/// - A file: written under a temporary name beside the target and renamed into
///   place by [`TripleWriter::finish`] ([`AtomicFile`]), so readers never see a
///   half-written file and an interrupted run leaves any previous file untouched.
/// - A resumed file ([`TripleWriter::resume`]): rows and the completed documents
///   are checkpointed to disk at each commit (see [`checkpoint`]).
pub struct TripleWriter {
    sink: Sink,
    neutralise: bool,
    completion: Completion,
}

impl TripleWriter {
    /// Writes to `destination` (a file atomically). `neutralise` guards
    /// spreadsheet formulas in CSV fields (see [`neutralise_formula`]);
    /// `explain` adds the `rule` column. Returns the writer and how many stale
    /// temporary files of the same output (left by killed runs) were removed.
    pub fn create(
        destination: &Destination,
        format: Format,
        neutralise: bool,
        explain: bool,
    ) -> io::Result<(TripleWriter, usize)> {
        let (out, completion, stale) = match destination {
            Destination::Stdout => (Out::Stdout(io::BufWriter::new(io::stdout())), Completion::Stdout, 0),
            Destination::File(target) => {
                let (mut file, stale) = AtomicFile::create(target)?;
                let out = Out::File(io::BufWriter::new(file.file().try_clone()?));
                (out, Completion::Atomic(file, target.path.clone()), stale)
            }
        };
        Ok((Self::with_output(out, completion, format, neutralise, explain, true)?, stale))
    }

    /// Continues the output at `target` left by an earlier `--resume` run
    /// (interrupted or not), or starts one: returns a writer that appends to
    /// the earlier rows, and the documents already done, which the caller
    /// skips. The writer checkpoints at each [`TripleWriter::commit`].
    /// `with_text` says the rows carry the article text
    /// ([`TripleWriter::write_with_text`]): the earlier run must have said the same.
    pub fn resume(
        target: &FileTarget,
        format: Format,
        neutralise: bool,
        explain: bool,
        with_text: bool,
    ) -> Result<(TripleWriter, Resumed), ResumeError> {
        let settings = checkpoint::Settings { format, explain, raw_csv: !neutralise, with_text };
        let (checkpoint, file, resumed) = Checkpoint::open(target, settings)?;
        let out = Out::File(io::BufWriter::new(file));
        let writer =
            Self::with_output(out, Completion::Checkpoint(checkpoint), format, neutralise, explain, resumed.fresh)
                .map_err(|source| ResumeError::Io { path: target.path.clone(), source })?;
        Ok((writer, resumed))
    }

    fn with_output(
        out: Out,
        completion: Completion,
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
        Ok(TripleWriter { sink, neutralise: neutralise && format == Format::Csv, completion })
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

    /// Appends one JSON value as a line (JSON Lines output only: the
    /// `--error-records` of documents that could not be read).
    pub fn write_json(&mut self, value: &serde_json::Value) -> io::Result<()> {
        match &mut self.sink {
            Sink::Jsonl(w) => {
                serde_json::to_writer(&mut *w, value)?;
                w.write_all(b"\n")
            }
            Sink::Csv(_) => Err(io::Error::other("JSON records need --format jsonl")),
        }
    }

    /// Records that every triple of document `key` (`rows` of them) has been
    /// written; a checkpoint lists it at the next commit.
    pub fn document_done(&mut self, key: DocKey, rows: usize) {
        if let Completion::Checkpoint(checkpoint) = &mut self.completion {
            checkpoint.document_done(key, rows);
        }
    }

    /// Ends a group of documents: flushes standard output, or writes a
    /// checkpoint to disk; does nothing for a plain file (it is renamed into
    /// place at the end).
    pub fn commit(&mut self) -> io::Result<()> {
        match &mut self.completion {
            Completion::Stdout => self.sink.flush(),
            Completion::Atomic(..) => Ok(()),
            Completion::Checkpoint(checkpoint) => {
                self.sink.flush()?;
                checkpoint.commit()
            }
        }
    }

    /// Flushes everything and moves a file output into place. Dropping the
    /// writer instead removes a plain file's temporary file and leaves any
    /// earlier output as it was (a checkpoint stays on disk for the next run).
    pub fn finish(mut self) -> io::Result<()> {
        self.sink.flush()?;
        match self.completion {
            Completion::Stdout => Ok(()),
            Completion::Atomic(file, target) => {
                drop(self.sink);
                file.commit()?;
                checkpoint::discard(&target);
                Ok(())
            }
            Completion::Checkpoint(checkpoint) => checkpoint.finish(),
        }
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

/// Undoes [`neutralise_formula`]: a leading `'` before `=`, `+`, `-`, `@`, tab
/// or carriage return is removed.
pub fn unneutralise(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => field,
    }
}

impl TripleRecord {
    /// The record as written before [`TripleRecord::neutralised`]: what
    /// `evaluate` reads back from a guarded CSV.
    pub fn unneutralised(mut self) -> TripleRecord {
        for field in [
            &mut self.doc_id,
            &mut self.attacker,
            &mut self.victim,
            &mut self.date,
            &mut self.evidence,
            &mut self.attacker_mention,
            &mut self.victim_mention,
        ] {
            let plain = unneutralise(field).len();
            if plain < field.len() {
                field.remove(0);
            }
        }
        self
    }

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
    use std::collections::HashSet;
    use std::path::Path;

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

    fn file(path: &Path) -> FileTarget {
        match resolve_output(Some(path), &[]).unwrap() {
            Destination::File(target) => target,
            Destination::Stdout => panic!("not a file"),
        }
    }

    fn key(id: &str) -> DocKey {
        DocKey { id: id.into(), dup: 0 }
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines_and_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.csv");
        let mut row = record("a1", "LockBit");
        row.evidence = "He said: \"we were hit, badly\"\nThen, silence.".to_string();
        row.victim = "Acme, Inc.".to_string();
        let (mut writer, _) = TripleWriter::create(&Destination::File(file(&out)), Format::Csv, true, false).unwrap();
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
        let (mut writer, _) =
            TripleWriter::create(&Destination::File(file(&out)), Format::Jsonl, false, false).unwrap();
        writer.write_with_text(&record("a", "APT28"), "APT28 hit Acme.\n\nAcme said so.").unwrap();
        writer.finish().unwrap();
        let line = std::fs::read_to_string(&out).unwrap();
        let value: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(value["text"], "APT28 hit Acme.\n\nAcme said so.");
        assert_eq!(value["attacker"], "APT28");
        assert_eq!(serde_json::from_str::<TripleRecord>(line.trim()).unwrap(), record("a", "APT28"));

        let csv_out = dir.path().join("t.csv");
        let (mut writer, _) =
            TripleWriter::create(&Destination::File(file(&csv_out)), Format::Csv, true, false).unwrap();
        writer.write_with_text(&record("a", "APT28"), "APT28 hit Acme.").unwrap();
        writer.finish().unwrap();
        assert!(!std::fs::read_to_string(&csv_out).unwrap().contains("APT28 hit Acme."));
    }

    #[test]
    fn resume_appends_and_lists_completed_documents() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.csv");
        let (mut w, resumed) = TripleWriter::resume(&file(&out), Format::Csv, true, false, false).unwrap();
        assert!(!resumed.existed && resumed.done.is_empty() && resumed.fresh);
        w.write(&record("a", "APT28")).unwrap();
        w.document_done(key("a"), 1);
        w.document_done(key("quiet doc"), 0); // no triples, still completed
        w.commit().unwrap();
        w.finish().unwrap();

        let (mut w, resumed) = TripleWriter::resume(&file(&out), Format::Csv, true, false, false).unwrap();
        assert!(resumed.existed && !resumed.fresh);
        assert_eq!(resumed.rows, 1);
        assert_eq!(resumed.done, HashSet::from([key("a"), key("quiet doc")]));
        w.write(&record("b", "=cmd")).unwrap();
        w.document_done(key("b"), 1);
        w.finish().unwrap();

        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().next().unwrap(), COLUMNS[..11].join(","));
        assert_eq!(data_rows(&out).len(), 2, "{text}");
        assert!(data_rows(&out)[1].starts_with("b,'=cmd,"), "{text}");
        assert!(leftovers(dir.path()).is_empty());
        let (_, resumed) = TripleWriter::resume(&file(&out), Format::Csv, true, false, false).unwrap();
        assert_eq!((resumed.done.len(), resumed.rows), (3, 2));
    }

    #[test]
    fn a_killed_resume_keeps_its_committed_groups_only() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.jsonl");
        let (mut w, _) = TripleWriter::resume(&file(&out), Format::Jsonl, false, false, false).unwrap();
        w.write(&record("a", "APT28")).unwrap();
        w.document_done(key("a"), 1);
        w.commit().unwrap();
        w.write(&record("b", "Lazarus")).unwrap();
        w.document_done(key("b"), 1);
        drop(w); // rows flushed to the file, but no commit: as if killed now
        assert!(!out.exists());

        let (mut w, resumed) = TripleWriter::resume(&file(&out), Format::Jsonl, false, false, false).unwrap();
        assert_eq!((resumed.done, resumed.rows), (HashSet::from([key("a")]), 1));
        assert_eq!(resumed.notes.len(), 1, "{:?}", resumed.notes);
        w.write(&record("b", "Lazarus")).unwrap();
        w.document_done(key("b"), 1);
        w.finish().unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.lines().nth(1).unwrap().contains("Lazarus"));
    }

    #[test]
    fn a_plain_run_leaves_the_previous_output_until_it_finishes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.jsonl");
        std::fs::write(&out, "before\n").unwrap();
        let (mut w, _) = TripleWriter::create(&Destination::File(file(&out)), Format::Jsonl, false, false).unwrap();
        w.write(&record("c", "X")).unwrap();
        drop(w);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "before\n");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn resume_refuses_other_settings_and_outputs_without_a_list() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.csv");
        TripleWriter::resume(&file(&out), Format::Csv, true, false, false).unwrap().0.finish().unwrap();
        let err = TripleWriter::resume(&file(&out), Format::Csv, true, true, false).err().unwrap();
        assert!(err.to_string().contains("same --format, --explain, --raw-csv and --with-text"), "{err}");
        let rows = dir.path().join("t.jsonl");
        TripleWriter::resume(&file(&rows), Format::Jsonl, true, false, true).unwrap().0.finish().unwrap();
        let err = TripleWriter::resume(&file(&rows), Format::Jsonl, true, false, false).err().unwrap();
        assert!(err.to_string().contains("written with --format jsonl --with-text"), "{err}");
        let plain = dir.path().join("plain.csv");
        TripleWriter::create(&Destination::File(file(&plain)), Format::Csv, true, false).unwrap().0.finish().unwrap();
        let err = TripleWriter::resume(&file(&plain), Format::Csv, true, false, false).err().unwrap();
        assert!(err.to_string().contains("plain.csv.done"), "{err}");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn guarded_fields_read_back_as_written() {
        let mut row = record("=x", "+y");
        row.evidence = "-z".into();
        assert_eq!(row.neutralised().unneutralised(), row);
        let odd = record("'plain", "'=kept once");
        assert_eq!(odd.clone().unneutralised().attacker, "=kept once");
        assert_eq!(odd.unneutralised().doc_id, "'plain");
    }

    #[test]
    fn side_files_sit_beside_the_output() {
        assert_eq!(done_list_path(Path::new("out/t.csv")), Path::new("out/t.csv.done"));
        assert_eq!(partial_path(Path::new("out/t.csv")), Path::new("out/t.csv.partial"));
    }
}
