//! Reading predictions back: the CSV that `extract` writes (with its header), or
//! the same rows as JSON Lines, into [`TripleRecord`]s, with errors that name the
//! file and line.
//!
//! The format is chosen by the file extension: `.jsonl` or `.json` is JSON Lines
//! (blank lines allowed), anything else is CSV. A row must have a `doc_id`, an
//! `attacker` and a `victim`; `attacker_type` and `victim_type` must be one of the
//! values `extract` writes (or empty, read as "named, kind unknown"). A `date_iso`
//! that is not a valid normalised value is not an error: it simply cannot match a
//! gold time by value. The spreadsheet guard of `extract`'s CSV (a `'` before a
//! leading `=`, `+`, `-`, `@`, tab or carriage return) is removed, so guarded ids
//! and names read back as they were.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::gold::is_name;
use crate::doc::ArgKind;
use crate::export::TripleRecord;

/// Why predictions could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PredictionError {
    /// The file could not be opened or read.
    #[error("cannot read predictions {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A row is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Row {
        /// The file.
        path: PathBuf,
        /// The line, counting from 1 (the CSV header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// Loads predictions from `path`: JSON Lines for `.jsonl`/`.json`, CSV otherwise.
pub fn load_predictions(path: impl AsRef<Path>) -> Result<Vec<TripleRecord>, PredictionError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| PredictionError::Io { path: path.to_path_buf(), source })?;
    let jsonl = path.extension().is_some_and(|e| e == "jsonl" || e == "json");
    if jsonl {
        read_predictions_jsonl(BufReader::new(file), path)
    } else {
        read_predictions_csv(file, path)
    }
}

/// Reads CSV predictions (with the header `extract` writes) from `reader`;
/// `path` names the source in errors.
pub fn read_predictions_csv(reader: impl Read, path: &Path) -> Result<Vec<TripleRecord>, PredictionError> {
    let mut csv = csv::ReaderBuilder::new().has_headers(true).from_reader(reader);
    let headers = csv.headers().map_err(|e| csv_error(e, path))?.clone();
    let mut raw = csv::StringRecord::new();
    let mut records = Vec::new();
    while csv.read_record(&mut raw).map_err(|e| csv_error(e, path))? {
        let line = raw.position().map(|p| p.line()).unwrap_or(0);
        let row = |message: String| PredictionError::Row { path: path.to_path_buf(), line, message };
        let record: TripleRecord = raw
            .deserialize::<TripleRecord>(Some(&headers))
            .map(TripleRecord::unneutralised)
            .map_err(|e| match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => match err.field().and_then(|i| headers.get(i as usize)) {
                    Some(column) => row(format!("bad prediction: column \"{column}\": {}", err.kind())),
                    None => row(format!("bad prediction: {}", err.kind())),
                },
                _ => row(format!("bad prediction: {e}")),
            })?;
        check(&record).map_err(row)?;
        records.push(record);
    }
    Ok(records)
}

/// Reads JSON Lines predictions (one [`TripleRecord`] object per line) from
/// `reader`; `path` names the source in errors.
pub fn read_predictions_jsonl(reader: impl BufRead, path: &Path) -> Result<Vec<TripleRecord>, PredictionError> {
    let mut records = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line_no = index as u64 + 1;
        let row = |message: String| PredictionError::Row { path: path.to_path_buf(), line: line_no, message };
        let line = line.map_err(|source| PredictionError::Io { path: path.to_path_buf(), source })?;
        if line.trim().is_empty() {
            continue;
        }
        let record: TripleRecord = serde_json::from_str(&line).map_err(|e| row(format!("bad prediction: {e}")))?;
        check(&record).map_err(row)?;
        records.push(record);
    }
    Ok(records)
}

fn csv_error(error: csv::Error, path: &Path) -> PredictionError {
    let line = error.position().map(|p| p.line()).unwrap_or(1);
    PredictionError::Row { path: path.to_path_buf(), line, message: format!("bad CSV: {error}") }
}

/// Checks the fields the scorer relies on.
fn check(record: &TripleRecord) -> Result<(), String> {
    for (field, value) in [("doc_id", &record.doc_id), ("attacker", &record.attacker), ("victim", &record.victim)] {
        if value.trim().is_empty() {
            return Err(format!("field \"{field}\": empty"));
        }
    }
    for (field, value) in [("attacker_type", &record.attacker_type), ("victim_type", &record.victim_type)] {
        if !value.is_empty() && ArgKind::parse(value).is_none() {
            return Err(format!(
                "field \"{field}\": unknown type {value:?} (expected person, organization, country, location, threat_actor, misc or unnamed)"
            ));
        }
    }
    Ok(())
}

/// True when the prediction's attacker and victim are both names by the rule
/// that makes a gold event named ([`is_name`]): the predictions counted in the
/// named-events view. ("North Korea" and "Japanese organisations" are names;
/// "hackers" and "customers" are not.)
pub fn is_named_prediction(record: &TripleRecord) -> bool {
    is_name(&record.attacker) && is_name(&record.victim)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "doc_id,attacker,attacker_type,victim,victim_type,date,date_iso,confidence,evidence\n";

    #[test]
    fn reads_the_csv_extract_writes() {
        let text = format!(
            "{HEADER}a1,North Korea,country,NPO Mash,organization,late 2021,2021-H2,0.9,\"Hackers, it said.\"\n"
        );
        let records = read_predictions_csv(text.as_bytes(), Path::new("p.csv")).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].date_iso, "2021-H2");
        assert_eq!(records[0].evidence, "Hackers, it said.");
        assert!(records[0].rule.is_none());
    }

    #[test]
    fn the_spreadsheet_guard_is_removed() {
        let text = format!("{HEADER}'=x,'-APT,threat_actor,'@Acme,organization,,,0.9,'+e\n");
        let records = read_predictions_csv(text.as_bytes(), Path::new("p.csv")).unwrap();
        let r = &records[0];
        assert_eq!([&r.doc_id, &r.attacker, &r.victim, &r.evidence], ["=x", "-APT", "@Acme", "+e"]);
    }

    #[test]
    fn csv_errors_name_file_and_line() {
        let text = format!("{HEADER}a1,X,country,Y,organization,,,0.9,e\na2,X,country,Y,organization,,,high,e\n");
        let err = read_predictions_csv(text.as_bytes(), Path::new("p.csv")).unwrap_err().to_string();
        assert!(err.starts_with("p.csv:3: bad prediction"), "{err}");
        let text = format!("{HEADER}a1,,country,Y,organization,,,0.9,e\n");
        let err = read_predictions_csv(text.as_bytes(), Path::new("p.csv")).unwrap_err().to_string();
        assert_eq!(err, "p.csv:2: field \"attacker\": empty");
    }

    #[test]
    fn reads_json_lines_and_rejects_unknown_types() {
        let good = r#"{"doc_id":"a1","attacker":"hackers","attacker_type":"unnamed","victim":"Y","victim_type":"person","confidence":0.5}"#;
        let bad = r#"{"doc_id":"a1","attacker":"X","attacker_type":"gang","victim":"Y","victim_type":"person","confidence":0.5}"#;
        let text = format!("{good}\n\n{bad}\n");
        let err = read_predictions_jsonl(text.as_bytes(), Path::new("p.jsonl")).unwrap_err().to_string();
        assert!(err.starts_with("p.jsonl:3: field \"attacker_type\": unknown type \"gang\""), "{err}");
        let records = read_predictions_jsonl(good.as_bytes(), Path::new("p.jsonl")).unwrap();
        assert!(!is_named_prediction(&records[0]));
    }
}
