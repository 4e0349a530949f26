//! The JSON Lines reader over arbitrary bytes (with a small line limit, so
//! that the over-long-line path is reached too).
//!
//! Checks: reading ends; each record names a line that exists, in increasing
//! order, at most one record per line; every article it yields has a
//! non-blank id and text that passes the content checks.

#![no_main]

use cyberie::read::{check_content, JsonlReader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|&b| b == b'\n').count();
    let mut last = 0;
    for record in JsonlReader::with_line_limit(data, "fuzz.jsonl".to_string(), 512) {
        let line = match &record {
            Ok(_) => None,
            Err(e) => {
                assert!(!e.reason.is_empty());
                assert_eq!(e.source, "fuzz.jsonl");
                e.line
            }
        };
        if let Ok(article) = &record {
            assert!(!article.id.trim().is_empty());
            assert_eq!(check_content(&article.text), Ok(()));
        }
        if let Some(line) = line {
            assert!(line > last && line <= lines, "line {line} after {last}, of {lines}");
            last = line;
        }
    }
});
