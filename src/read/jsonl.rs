//! JSON Lines articles: one `{"id", "text", "title"?, "date"?}` object per line
//! (`date` is the publication date, `YYYY-MM-DD`). Other fields are ignored.
//! A bad line becomes a [`ReadError`] with its line number; reading goes on.

use std::io::BufRead;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::doc::Article;

use super::textfile::check_content;
use super::{ReadError, Record};

/// The fields of one JSON Lines article.
#[derive(Deserialize)]
struct JsonArticle {
    id: IdValue,
    text: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

/// Ids may be strings or numbers in the wild.
#[derive(Deserialize)]
#[serde(untagged)]
enum IdValue {
    Text(String),
    Number(serde_json::Number),
}

/// Iterates over the articles of a JSON Lines stream, skipping blank lines.
pub struct JsonlReader<R> {
    lines: std::io::Split<R>,
    source: String,
    line: usize,
}

impl<R: BufRead> JsonlReader<R> {
    /// Reads `input`; `source` names it in errors.
    pub fn new(input: R, source: String) -> Self {
        JsonlReader { lines: input.split(b'\n'), source, line: 0 }
    }

    fn parse(&self, bytes: Vec<u8>) -> Record {
        let fail = |doc_id: Option<String>, reason: String| ReadError {
            source: self.source.clone(),
            line: Some(self.line),
            doc_id,
            reason,
        };
        let text = String::from_utf8(bytes)
            .map_err(|e| fail(None, format!("invalid UTF-8 at byte {} of the line", e.utf8_error().valid_up_to())))?;
        let raw: JsonArticle = serde_json::from_str(&text).map_err(|e| fail(None, format!("malformed JSON: {e}")))?;
        let id = match raw.id {
            IdValue::Text(s) => s,
            IdValue::Number(n) => n.to_string(),
        };
        if id.trim().is_empty() {
            return Err(fail(None, "empty \"id\"".to_string()));
        }
        check_content(&raw.text).map_err(|reason| fail(Some(id.clone()), reason))?;
        let published = match raw.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                fail(Some(id.clone()), format!("\"date\" must be YYYY-MM-DD, got {d:?}"))
            })?),
        };
        Ok(Article { id, title: raw.title.filter(|t| !t.trim().is_empty()), text: raw.text, published })
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            let bytes = match self.lines.next()? {
                Ok(bytes) => bytes,
                Err(e) => {
                    self.line += 1;
                    return Some(Err(ReadError {
                        source: self.source.clone(),
                        line: Some(self.line),
                        doc_id: None,
                        reason: format!("read error: {e}"),
                    }));
                }
            };
            self.line += 1;
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(self.parse(bytes));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &str) -> Vec<Record> {
        JsonlReader::new(data.as_bytes(), "test.jsonl".to_string()).collect()
    }

    #[test]
    fn reads_articles_with_optional_fields() {
        let records = read(concat!(
            r#"{"id": "a", "text": "Hackers struck.", "title": "T", "date": "2023-08-07", "url": "x"}"#,
            "\n\n",
            r#"{"id": 7, "text": "Quiet day."}"#,
            "\n"
        ));
        let a = records[0].as_ref().unwrap();
        assert_eq!((a.id.as_str(), a.title.as_deref()), ("a", Some("T")));
        assert_eq!(a.published, NaiveDate::from_ymd_opt(2023, 8, 7));
        assert_eq!(records[1].as_ref().unwrap().id, "7");
    }

    #[test]
    fn bad_lines_are_reported_with_line_numbers_and_reading_goes_on() {
        let records = read(concat!(
            "{\"id\": \"a\", \"text\": \"ok\"}\n",
            "{\"id\": \"b\", \"text\": \"truncated\n",
            "{\"id\": \"c\", \"text\": \"  \"}\n",
            "{\"id\": \"d\", \"text\": \"x\", \"date\": \"07/08/2023\"}\n",
            "{\"text\": \"no id\"}\n",
            "{\"id\": \"e\", \"text\": \"fine\"}\n",
        ));
        assert_eq!(records.len(), 6);
        let errors: Vec<String> = records.iter().filter_map(|r| r.as_ref().err()).map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("test.jsonl:2: malformed JSON"), "{}", errors[0]);
        assert_eq!(errors[1], "test.jsonl:3 (c): empty text");
        assert_eq!(errors[2], "test.jsonl:4 (d): \"date\" must be YYYY-MM-DD, got \"07/08/2023\"");
        assert!(errors[3].starts_with("test.jsonl:5: malformed JSON: missing field `id`"), "{}", errors[3]);
        assert_eq!(records[5].as_ref().unwrap().id, "e");
    }

    #[test]
    fn invalid_utf8_line_is_reported() {
        let data = b"{\"id\": \"a\", \"text\": \"caf\xe9\"}\n".to_vec();
        let records: Vec<_> = JsonlReader::new(&data[..], "x.jsonl".into()).collect();
        assert_eq!(records[0].as_ref().unwrap_err().reason, "invalid UTF-8 at byte 24 of the line");
    }
}
