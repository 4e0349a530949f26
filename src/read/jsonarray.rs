//! A JSON file holding one array of article objects (`[{"id", "text", ...},
//! ...]`, as many APIs and scrapers export them), told from JSON Lines by its
//! first character. The file is parsed whole (up to [`MAX_ARRAY_BYTES`]); each
//! element is an article as in JSON Lines, and a bad element is one skipped
//! document, named by its position.

use std::io::Read;

use serde_json::Value;

use super::jsonl::{article_from_json, json_kind};
use super::{ReadError, Record};

/// The largest JSON array file read: arrays are parsed whole, so bigger ones
/// are refused with the command that converts them to JSON Lines.
pub const MAX_ARRAY_BYTES: u64 = 1 << 30;

/// The articles of the JSON array in `input`; `source` names it in errors.
pub fn read_json_array(input: impl Read, source: String) -> Box<dyn Iterator<Item = Record>> {
    let whole = |reason: String| -> Box<dyn Iterator<Item = Record>> {
        Box::new(std::iter::once(Err(ReadError { source: source.clone(), line: None, doc_id: None, reason })))
    };
    let mut bytes = Vec::new();
    if let Err(e) = input.take(MAX_ARRAY_BYTES + 1).read_to_end(&mut bytes) {
        return whole(format!("read error: {e} (the file is skipped)"));
    }
    if bytes.len() as u64 > MAX_ARRAY_BYTES {
        return whole(format!(
            "too large: a JSON array over {} MB is not read whole; convert it to JSON Lines \
             (jq -c '.[]' FILE.json > FILE.jsonl)",
            MAX_ARRAY_BYTES >> 20
        ));
    }
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let elements = match serde_json::from_slice::<Value>(text) {
        Ok(Value::Array(elements)) => elements,
        Ok(other) => return whole(format!("malformed JSON: expected an array of articles, got {}", json_kind(&other))),
        Err(e) => return whole(format!("malformed JSON array: {e} (the file is skipped)")),
    };
    Box::new(elements.into_iter().enumerate().map(move |(i, element)| {
        article_from_json(element).map_err(|(doc_id, reason)| ReadError {
            source: format!("{source}[{i}]"),
            line: None,
            doc_id,
            reason,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_element_and_names_bad_ones_by_position() {
        let data = r#"[{"id": "a", "text": "Hackers struck.", "date": "2023-05-01"},
                       {"id": "b"}, 7, {"id": 3, "text": "Quiet."}]"#;
        let records: Vec<Record> = read_json_array(data.as_bytes(), "x.json".into()).collect();
        assert_eq!(records.len(), 4);
        assert_eq!(records[0].as_ref().unwrap().id, "a");
        assert_eq!(records[1].as_ref().unwrap_err().to_string(), "x.json[1] (b): missing \"text\"");
        assert!(records[2]
            .as_ref()
            .unwrap_err()
            .to_string()
            .starts_with("x.json[2]: malformed JSON: expected an object"));
        assert_eq!(records[3].as_ref().unwrap().id, "3");
    }

    #[test]
    fn a_broken_array_is_one_error() {
        let records: Vec<Record> = read_json_array(&b"[{\"id\": \"a\", "[..], "x.json".into()).collect();
        assert_eq!(records.len(), 1);
        assert!(records[0].as_ref().unwrap_err().reason.starts_with("malformed JSON array: EOF"), "{records:?}");
    }
}
