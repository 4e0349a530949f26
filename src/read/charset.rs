//! Decoding web pages into text, by the charset the page or its server
//! declares, never by a guess.
//!
//! The order is the HTML standard's: a byte-order mark; else the `charset` of
//! the HTTP `Content-Type` header (for pages from a WARC archive); else a
//! `<meta charset>` or `<meta http-equiv="Content-Type">` in the page's head;
//! else UTF-8 when the bytes are valid UTF-8. Labels are those of the
//! Encoding Standard (`encoding_rs`): `latin1` and `iso-8859-1` mean
//! windows-1252, as in browsers.
//!
//! Refused, with the reason: a charset no one knows; bytes that are not valid
//! in the declared charset; a page that is not UTF-8 and declares nothing,
//! where a browser would guess (windows-1252, usually) and a wrong guess would
//! put wrong characters into the names the tool reports.

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
use regex::bytes::Regex;

/// How far into a page a `<meta>` charset declaration is looked for (the
/// standard's pre-scan reads 1,024 bytes; browsers also honour a later one in
/// the head by re-parsing, so a whole large head is searched).
const META_SCAN_BYTES: usize = 16 << 10;

/// `<meta charset=...>` and `<meta http-equiv="Content-Type" content="...; charset=...">`.
static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta\s[^>]*?charset\s*=\s*["']?\s*([^"'\s;>/]+)"#).expect("valid charset pattern")
});

/// Where a page's charset came from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    Http,
    Meta,
}

impl Declared {
    fn name(self) -> &'static str {
        match self {
            Declared::Http => "the HTTP Content-Type header",
            Declared::Meta => "the page's <meta charset>",
        }
    }
}

/// Decodes a page's `bytes`; `http_charset` is the `charset` parameter of the
/// HTTP `Content-Type` header, when there is one. Returns the text, without a
/// byte-order mark, or why it cannot be decoded without guessing.
pub fn decode_page(bytes: &[u8], http_charset: Option<&str>) -> Result<String, String> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return decode_with(encoding, &bytes[bom..], "its byte-order mark");
    }
    let declared = match http_charset {
        Some(label) => Some((label.to_string(), Declared::Http)),
        None => meta_charset(bytes).map(|label| (label, Declared::Meta)),
    };
    match declared {
        Some((label, from)) => {
            let encoding = Encoding::for_label(label.trim().as_bytes())
                .ok_or_else(|| format!("unknown encoding: {label:?} in {}, cannot decode the page", from.name()))?;
            // A page cannot declare UTF-16 in ASCII; the standard reads that as UTF-8.
            let encoding =
                if from == Declared::Meta && (encoding == UTF_16LE || encoding == UTF_16BE) { UTF_8 } else { encoding };
            decode_with(encoding, bytes, from.name())
        }
        None => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_string()),
            Err(e) => Err(format!(
                "unknown encoding: not UTF-8 (invalid byte at {}) and no charset declared in <meta charset> \
                 or the HTTP header; decoding would be a guess (convert the page to UTF-8, or declare its charset)",
                e.valid_up_to()
            )),
        },
    }
}

/// The charset label of the first `<meta>` declaration in the page's head.
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(META_SCAN_BYTES)];
    let head = match find_ignore_case(head, b"</head") {
        Some(end) => &head[..end],
        None => head,
    };
    let label = META_CHARSET.captures(head)?.get(1)?.as_bytes();
    Some(String::from_utf8_lossy(label).into_owned())
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

/// Decodes `bytes` as `encoding` (declared by `from`), refusing malformed input.
fn decode_with(encoding: &'static Encoding, bytes: &[u8], from: &str) -> Result<String, String> {
    if encoding == UTF_8 {
        return std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| format!("invalid UTF-8 at byte {}, though {from} declares UTF-8", e.valid_up_to()));
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or_else(|| format!("invalid {} bytes, though {from} declares {}", encoding.name(), encoding.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAFE_1252: &[u8] = b"<p>Caf\xe9 \x93quoted\x94</p>";

    fn page(meta: &str, body: &[u8]) -> Vec<u8> {
        [format!("<html><head>{meta}<title>t</title></head><body>").as_bytes(), body, b"</body></html>"].concat()
    }

    #[test]
    fn utf8_without_a_declaration_is_read() {
        let text = decode_page("<p>Café Corp — “hit”</p>".as_bytes(), None).unwrap();
        assert_eq!(text, "<p>Café Corp — “hit”</p>");
    }

    #[test]
    fn meta_charset_is_honoured_in_both_forms() {
        let text = decode_page(&page(r#"<meta charset="windows-1252">"#, CAFE_1252), None).unwrap();
        assert!(text.contains("<p>Café “quoted”</p>"), "{text}");
        let http_equiv = r#"<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">"#;
        let text = decode_page(&page(http_equiv, b"<p>\xa4 5</p>"), None).unwrap();
        assert!(text.contains("<p>€ 5</p>"), "{text}");
        // Unquoted, upper case, after other attributes.
        let text = decode_page(&page("<META NAME=x CHARSET=latin1>", CAFE_1252), None).unwrap();
        assert!(text.contains("Café"), "{text}");
    }

    #[test]
    fn the_http_header_beats_the_meta_and_a_bom_beats_both() {
        let bytes = page(r#"<meta charset="utf-8">"#, CAFE_1252);
        assert!(decode_page(&bytes, None).unwrap_err().starts_with("invalid UTF-8 at byte"));
        assert!(decode_page(&bytes, Some("iso-8859-1")).unwrap().contains("Café"));
        let bom = ["\u{feff}".as_bytes(), "<p>Café</p>".as_bytes()].concat();
        assert_eq!(decode_page(&bom, Some("windows-1252")).unwrap(), "<p>Café</p>");
    }

    #[test]
    fn a_meta_declaring_utf16_means_utf8() {
        let text = decode_page(&page(r#"<meta charset="utf-16">"#, "<p>Café</p>".as_bytes()), None).unwrap();
        assert!(text.contains("<p>Café</p>"), "{text}");
    }

    #[test]
    fn guesses_and_unknown_charsets_are_refused_with_a_reason() {
        let err = decode_page(&page("", CAFE_1252), None).unwrap_err();
        assert!(err.starts_with("unknown encoding: not UTF-8 (invalid byte at 47) and no charset declared"), "{err}");
        let err = decode_page(&page(r#"<meta charset="x-klingon">"#, CAFE_1252), None).unwrap_err();
        assert_eq!(err, "unknown encoding: \"x-klingon\" in the page's <meta charset>, cannot decode the page");
        let err = decode_page(b"<p>ok</p>", Some("x-klingon")).unwrap_err();
        assert_eq!(err, "unknown encoding: \"x-klingon\" in the HTTP Content-Type header, cannot decode the page");
        let err = decode_page(b"<p>\x82\x20</p>", Some("shift_jis")).unwrap_err();
        assert_eq!(err, "invalid Shift_JIS bytes, though the HTTP Content-Type header declares Shift_JIS");
    }

    #[test]
    fn a_meta_in_the_body_does_not_count() {
        let bytes = b"<html><head><title>t</title></head><body><meta charset=windows-1252><p>Caf\xe9</p></body></html>";
        assert!(decode_page(bytes, None).unwrap_err().starts_with("unknown encoding: not UTF-8"));
    }
}
