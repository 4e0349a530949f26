//! The date tagger on arbitrary text, with or without a publication date.
//!
//! Input: byte 0 says whether there is a publication date, bytes 1-2 pick it
//! (1950-01-01 plus up to about 100 years), the rest is the text (decoded
//! lossily, so every input is used).
//!
//! Checks: mentions are non-empty, on char boundaries, in text order, do not
//! overlap, their `text` is the slice of their span, and every value survives
//! a round trip through its TIMEX3 string.

#![no_main]

use chrono::{Days, NaiveDate};
use cyberie::dates::{tag_dates, Timex};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let offset = u64::from(u16::from_le_bytes([data[1], data[2]])) % 36_600;
    let published = (data[0] & 1 == 1)
        .then(|| NaiveDate::from_ymd_opt(1950, 1, 1).and_then(|d| d.checked_add_days(Days::new(offset))))
        .flatten();
    let text = String::from_utf8_lossy(&data[3..]);
    let mentions = tag_dates(&text, published);
    let mut end = 0;
    for m in &mentions {
        assert!(m.span.start < m.span.end, "empty mention {m:?}");
        assert!(m.span.start >= end, "mentions overlap or are out of order: {mentions:?}");
        assert!(text.is_char_boundary(m.span.start) && text.is_char_boundary(m.span.end), "{m:?}");
        assert!(m.span.end <= text.len());
        assert_eq!(m.text, &text[m.span.range()]);
        end = m.span.end;
        if let Some(value) = m.value {
            if (0..=9999).contains(&value.year()) {
                let written = value.to_string();
                assert_eq!(written.parse::<Timex>(), Ok(value), "{written} for {m:?}");
            }
        }
    }
});
