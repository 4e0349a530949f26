//! Writing triples: CSV (RFC 4180, with a header) and JSON Lines, with the same
//! columns in the same order: `doc_id,attacker,attacker_type,victim,victim_type,
//! date,date_iso,confidence,evidence,attacker_mention,victim_mention[,rule]`. [`TripleRecord`] is the row; the evaluator reads the
//! same struct back. File output is atomic: written aside, renamed into place.

use std::io::{self, Write};
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
pub struct TripleWriter {
    sink: Sink,
    pending: Option<(tempfile::TempPath, PathBuf)>,
    neutralise: bool,
}

impl TripleWriter {
    /// Writes to `path` (atomically) or, when `None`, to standard output.
    /// `neutralise` guards spreadsheet formulas in CSV fields (see [`neutralise_formula`]).
    /// `explain` adds the `rule` column.
    pub fn create(path: Option<&Path>, format: Format, neutralise: bool, explain: bool) -> io::Result<TripleWriter> {
        let (out, pending): (Box<dyn Write>, _) = match path {
            None => (Box::new(io::BufWriter::new(io::stdout())), None),
            Some(path) => {
                let dir = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let file = tempfile::Builder::new().prefix(".cyberie-").suffix(".partial").tempfile_in(&dir)?;
                let (file, temp_path) = file.into_parts();
                (Box::new(io::BufWriter::new(file)), Some((temp_path, path.to_path_buf())))
            }
        };
        let sink = match format {
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(out);
                let columns = if explain { COLUMNS.len() } else { COLUMNS.len() - 1 };
                writer.write_record(&COLUMNS[..columns])?;
                Sink::Csv(Box::new(writer))
            }
            Format::Jsonl => Sink::Jsonl(out),
        };
        Ok(TripleWriter { sink, pending, neutralise: neutralise && format == Format::Csv })
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

    /// Flushes everything and moves a file output into place.
    pub fn finish(self) -> io::Result<()> {
        match self.sink {
            Sink::Csv(w) => w.into_inner().map_err(|e| e.into_error())?.flush()?,
            Sink::Jsonl(mut w) => w.flush()?,
        }
        if let Some((temp, target)) = self.pending {
            temp.persist(&target).map_err(|e| e.error)?;
        }
        Ok(())
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
