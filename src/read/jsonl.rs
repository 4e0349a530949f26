//! JSON Lines articles: one `{"id", "text", "title"?, "date"?}` object per line
//! (`date` is the publication date, `YYYY-MM-DD`, or an ISO 8601 date-time of
//! which the date is kept). Other fields are ignored.
//!
//! A bad line becomes a [`ReadError`] with its line number and reading goes on
//! with the next line. A line longer than the limit is skipped without being
//! held in memory. An I/O error (a corrupt or truncated gzip stream) ends the
//! file with one error, as does a UTF-16 byte-order mark on the first line.

use std::io::{self, BufRead};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

use crate::doc::Article;

use super::textfile::{check_content, too_large};
use super::{ReadError, Record, MAX_DOCUMENT_BYTES};

/// Iterates over the articles of a JSON Lines stream, skipping blank lines.
pub struct JsonlReader<R> {
    input: R,
    source: String,
    /// The number of the line last read (1-based).
    line: usize,
    max_line_bytes: usize,
    buffer: Vec<u8>,
    done: bool,
}

/// How a line read ended.
struct LineEnd {
    /// The line's length in bytes (it may not all be in the buffer).
    bytes: usize,
    /// Whether a newline ended it (else the end of the input did).
    newline: bool,
}

impl<R: BufRead> JsonlReader<R> {
    /// Reads `input`; `source` names it in errors. Lines may be up to
    /// [`MAX_DOCUMENT_BYTES`] long.
    pub fn new(input: R, source: String) -> Self {
        Self::with_line_limit(input, source, MAX_DOCUMENT_BYTES)
    }

    /// Like [`JsonlReader::new`], with another limit on the length of a line.
    pub fn with_line_limit(input: R, source: String, max_line_bytes: usize) -> Self {
        JsonlReader { input, source, line: 0, max_line_bytes, buffer: Vec::new(), done: false }
    }

    fn error(&self, doc_id: Option<String>, reason: String) -> ReadError {
        ReadError { source: self.source.clone(), line: Some(self.line), doc_id, reason }
    }

    /// Reads the next line into the buffer, keeping at most `max_line_bytes`
    /// of it; `None` at the end of the input.
    fn read_line(&mut self) -> io::Result<Option<LineEnd>> {
        self.buffer.clear();
        let mut bytes = 0usize;
        let mut started = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(started.then_some(LineEnd { bytes, newline: false }));
            }
            started = true;
            let newline = available.iter().position(|&b| b == b'\n');
            let chunk = &available[..newline.unwrap_or(available.len())];
            if bytes + chunk.len() <= self.max_line_bytes {
                self.buffer.extend_from_slice(chunk);
            }
            bytes += chunk.len();
            let used = chunk.len() + usize::from(newline.is_some());
            self.input.consume(used);
            if newline.is_some() {
                return Ok(Some(LineEnd { bytes, newline: true }));
            }
        }
    }

    fn parse(&self, bytes: &[u8], last_unterminated: bool) -> Record {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            self.error(
                None,
                format!("invalid UTF-8 at byte {} of the line (JSON Lines must be UTF-8)", e.valid_up_to()),
            )
        })?;
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let reason = if last_unterminated && e.is_eof() {
                format!("malformed JSON: the last line is cut short (a truncated file?): {e}")
            } else {
                format!("malformed JSON: {e}")
            };
            self.error(None, reason)
        })?;
        article_from_json(value).map_err(|(doc_id, reason)| self.error(doc_id, reason))
    }
}

/// The article in one JSON value, an object `{"id", "text", "title"?, "date"?}`,
/// or why it is not one (with the id when it was read).
pub(super) fn article_from_json(value: Value) -> Result<Article, (Option<String>, String)> {
    let Value::Object(fields) = value else {
        return Err((
            None,
            format!("malformed JSON: expected an object {{\"id\", \"text\", ...}}, got {}", json_kind(&value)),
        ));
    };
    let id = match fields.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => return Err((None, format!("\"id\" must be a string or a number, got {}", json_kind(other)))),
        None => return Err((None, "missing \"id\"".to_string())),
    };
    if id.trim().is_empty() {
        return Err((None, "empty \"id\"".to_string()));
    }
    let fail = |reason: String| (Some(id.clone()), reason);
    let text = match fields.get("text") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(fail(format!("\"text\" must be a string, got {}", json_kind(other)))),
        None => return Err(fail("missing \"text\"".to_string())),
    };
    check_content(&text).map_err(&fail)?;
    let published = publication_date(&fields).map_err(fail)?;
    let title = match fields.get("title") {
        Some(Value::String(t)) if !t.trim().is_empty() => Some(t.clone()),
        _ => None,
    };
    Ok(Article { id, title, text, published })
}

/// The `date` field: absent, null or blank is no date; `YYYY-MM-DD` or an ISO
/// 8601 date-time gives the date as written (no time-zone conversion).
fn publication_date(fields: &Map<String, Value>) -> Result<Option<NaiveDate>, String> {
    let date = match fields.get("date") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim(),
        Some(other) => return Err(format!("\"date\" must be a YYYY-MM-DD string, got {}", json_kind(other))),
    };
    parse_date(date).map(Some)
}

/// A publication date: `YYYY-MM-DD`, or an ISO 8601 date-time of which the date
/// is kept (as written, no time-zone conversion).
pub(super) fn parse_date(date: &str) -> Result<NaiveDate, String> {
    let parsed = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .or_else(|| DateTime::parse_from_rfc3339(date).ok().map(|d| d.date_naive()))
        .or_else(|| {
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|format| NaiveDateTime::parse_from_str(date, format).ok())
                .map(|d| d.date())
        });
    parsed.ok_or_else(|| format!("bad \"date\": must be YYYY-MM-DD (or an ISO 8601 date-time), got {date:?}"))
}

/// A JSON value's type, in words, for error messages ("a string", "a list").
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while !self.done {
            let end = match self.read_line() {
                Ok(Some(end)) => end,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    self.line += 1;
                    let reason = format!("read error: {e} (the rest of the file is skipped)");
                    return Some(Err(self.error(None, reason)));
                }
            };
            self.line += 1;
            if end.bytes > self.max_line_bytes {
                let reason = if self.max_line_bytes == MAX_DOCUMENT_BYTES {
                    too_large(end.bytes as u64)
                } else {
                    format!("too large: a line of {} bytes, the limit is {}", end.bytes, self.max_line_bytes)
                };
                return Some(Err(self.error(None, reason)));
            }
            let mut bytes = std::mem::take(&mut self.buffer);
            if self.line == 1 {
                if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
                    self.done = true;
                    let reason = "UTF-16 file: JSON Lines must be UTF-8, convert it \
                                  (iconv -f UTF-16 -t UTF-8); the rest of the file is skipped";
                    return Some(Err(self.error(None, reason.to_string())));
                }
                if bytes.starts_with("\u{feff}".as_bytes()) {
                    bytes.drain(..3);
                }
            }
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                self.buffer = bytes;
                continue;
            }
            let record = self.parse(&bytes, !end.newline);
            self.buffer = bytes;
            return Some(record);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &str) -> Vec<Record> {
        JsonlReader::new(data.as_bytes(), "test.jsonl".to_string()).collect()
    }

    fn errors(records: &[Record]) -> Vec<String> {
        records.iter().filter_map(|r| r.as_ref().err()).map(|e| e.to_string()).collect()
    }

    #[test]
    fn reads_articles_with_optional_fields() {
        let records = read(concat!(
            "\u{feff}",
            r#"{"id": "a", "text": "Hackers struck.", "title": "T", "date": "2023-08-07", "url": "x"}"#,
            "\r\n\n",
            r#"{"id": 7, "text": "Quiet day.", "title": 3, "date": null}"#,
            "\n",
            r#"{"id": "z", "text": "Later.", "date": "2023-08-07T23:30:00-05:00"}"#,
            "\n",
            r#"{"id": "y", "text": "Later.", "date": "2023-08-07 10:00:00"}"#,
        ));
        let a = records[0].as_ref().unwrap();
        assert_eq!((a.id.as_str(), a.title.as_deref()), ("a", Some("T")));
        assert_eq!(a.published, NaiveDate::from_ymd_opt(2023, 8, 7));
        let b = records[1].as_ref().unwrap();
        assert_eq!((b.id.as_str(), b.title.as_deref(), b.published), ("7", None, None));
        assert_eq!(records[2].as_ref().unwrap().published, NaiveDate::from_ymd_opt(2023, 8, 7));
        assert_eq!(records[3].as_ref().unwrap().published, NaiveDate::from_ymd_opt(2023, 8, 7));
        assert_eq!(records.len(), 4);
    }

    #[test]
    fn bad_lines_are_reported_with_line_numbers_and_reading_goes_on() {
        let records = read(concat!(
            "{\"id\": \"a\", \"text\": \"ok\"}\n",
            "{\"id\": \"b\", \"text\": \"truncated\n",
            "{\"id\": \"c\", \"text\": \"  \"}\n",
            "{\"id\": \"d\", \"text\": \"x\", \"date\": \"07/08/2023\"}\n",
            "{\"text\": \"no id\"}\n",
            "[1, 2]\n",
            "{\"id\": \"f\", \"text\": null}\n",
            "{\"id\": \"g\"}\n",
            "{\"id\": {}, \"text\": \"x\"}\n",
            "{\"id\": \"h\", \"text\": \"x\", \"date\": 20230807}\n",
            "{\"id\": \"e\", \"text\": \"fine\"}\n",
            "{\"id\": \"last\", \"text\": \"cut sho",
        ));
        assert_eq!(records.len(), 12);
        assert_eq!(
            errors(&records)[1..],
            [
                "test.jsonl:3 (c): empty text",
                "test.jsonl:4 (d): bad \"date\": must be YYYY-MM-DD (or an ISO 8601 date-time), got \"07/08/2023\"",
                "test.jsonl:5: missing \"id\"",
                "test.jsonl:6: malformed JSON: expected an object {\"id\", \"text\", ...}, got a list",
                "test.jsonl:7 (f): \"text\" must be a string, got null",
                "test.jsonl:8 (g): missing \"text\"",
                "test.jsonl:9: \"id\" must be a string or a number, got an object",
                "test.jsonl:10 (h): \"date\" must be a YYYY-MM-DD string, got a number",
                "test.jsonl:12: malformed JSON: the last line is cut short (a truncated file?): \
                 EOF while parsing a string at line 1 column 31",
            ]
        );
        let first = &errors(&records)[0];
        assert!(first.starts_with("test.jsonl:2: malformed JSON: EOF while parsing"), "{first}");
        assert_eq!(records[10].as_ref().unwrap().id, "e");
    }

    #[test]
    fn invalid_utf8_line_is_reported() {
        let data = b"{\"id\": \"a\", \"text\": \"caf\xe9\"}\n{\"id\": \"b\", \"text\": \"ok\"}".to_vec();
        let records: Vec<_> = JsonlReader::new(&data[..], "x.jsonl".into()).collect();
        assert_eq!(
            records[0].as_ref().unwrap_err().reason,
            "invalid UTF-8 at byte 24 of the line (JSON Lines must be UTF-8)"
        );
        assert_eq!(records[1].as_ref().unwrap().id, "b");
    }

    #[test]
    fn an_overlong_line_is_skipped_without_stopping() {
        let data = format!(
            "{}\n{}\n{}",
            r#"{"id": "a", "text": "short"}"#,
            serde_json::json!({"id": "big", "text": "x".repeat(5000)}),
            r#"{"id": "c", "text": "short"}"#
        );
        let records: Vec<_> = JsonlReader::with_line_limit(data.as_bytes(), "x.jsonl".into(), 1000).collect();
        assert_eq!(records.len(), 3);
        assert_eq!(
            records[1].as_ref().unwrap_err().to_string(),
            "x.jsonl:2: too large: a line of 5022 bytes, the limit is 1000"
        );
        assert_eq!(records[2].as_ref().unwrap().id, "c");
    }

    /// Fails every read after `good` bytes, as a corrupt gzip stream does.
    struct Failing {
        data: Vec<u8>,
        at: usize,
        good: usize,
    }

    impl io::Read for Failing {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.at >= self.good {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt deflate stream"));
            }
            let n = out.len().min(self.good - self.at).min(self.data.len() - self.at);
            out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_ends_the_file_with_one_error() {
        let data = b"{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": \"b\", \"text\": \"lost\"}\n".to_vec();
        let input = io::BufReader::with_capacity(8, Failing { data, at: 0, good: 40 });
        let records: Vec<_> = JsonlReader::new(input, "x.jsonl.gz".into()).collect();
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!(records[0].as_ref().unwrap().id, "a");
        assert_eq!(
            records[1].as_ref().unwrap_err().to_string(),
            "x.jsonl.gz:2: read error: corrupt deflate stream (the rest of the file is skipped)"
        );
    }

    #[test]
    fn a_utf16_file_is_refused_once() {
        let text = "{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": \"b\", \"text\": \"ok\"}\n";
        let data: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let records: Vec<_> = JsonlReader::new(&data[..], "w.jsonl".into()).collect();
        assert_eq!(records.len(), 1);
        assert!(records[0].as_ref().unwrap_err().reason.starts_with("UTF-16 file: JSON Lines must be UTF-8"));
    }
}
