//! One article per text file (`.txt`, or gzipped `.txt.gz`), under the id
//! [`super::expand`] gave it. Also the text checks every reader applies: too
//! large, binary, not UTF-8, empty.
//!
//! What is decoded and what is refused (README, "Robustness"):
//!
//! - UTF-8, with or without a byte-order mark: read as is;
//! - UTF-16 with a byte-order mark (Windows "Unicode" files): decoded, losslessly;
//! - anything else that is not valid UTF-8 (Latin-1, Windows-1252, Shift-JIS...):
//!   refused, naming the line and byte, never decoded lossily: a guessed or
//!   replaced character would end up, wrong, in the names the tool reports;
//! - binary content (NUL bytes, mostly invalid or control bytes): refused;
//! - empty or whitespace-only text: refused;
//! - control characters in otherwise sound text: kept (offsets must stay those
//!   of the file; the tokenizer ignores them).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::doc::Article;

use super::{decoded, ReadError, Record, MAX_DOCUMENT_BYTES};

/// Reads one text article as document `id`, decompressing it when `gzip`.
pub fn read_text_file(path: &Path, id: String, gzip: bool) -> Record {
    let source = path.display().to_string();
    let fail = |reason: String| ReadError { source: source.clone(), line: None, doc_id: Some(id.clone()), reason };
    let file = File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if let Ok(meta) = file.metadata() {
        if !gzip && meta.is_file() && meta.len() > MAX_DOCUMENT_BYTES as u64 {
            return Err(fail(too_large(meta.len())));
        }
    }
    // Bounded even for what is not a regular file (a pipe, /dev/zero) or a gzip bomb.
    let mut bytes = Vec::new();
    decoded(file, gzip)
        .take(MAX_DOCUMENT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(fail(too_large(bytes.len() as u64)));
    }
    let text = checked_text(bytes).map_err(fail)?;
    Ok(Article { id, title: None, text, published: None })
}

/// The reason for a document over [`MAX_DOCUMENT_BYTES`].
pub(super) fn too_large(bytes: u64) -> String {
    format!(
        "too large: {:.1} MB, the limit is {} MB per article (split it into articles)",
        bytes as f64 / 1e6,
        MAX_DOCUMENT_BYTES >> 20
    )
}

/// Turns raw bytes into article text, or says why they are not one (see the
/// module documentation): binary content, invalid UTF-8 (with its line and
/// byte), invalid UTF-16, or no text at all. A leading byte-order mark is
/// dropped. On success the text is non-empty and has no NUL character.
pub fn checked_text(bytes: Vec<u8>) -> Result<String, String> {
    let text = decode(bytes)?;
    check_content(&text)?;
    Ok(text)
}

fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(e) => Err(not_utf8(e.as_bytes(), e.utf8_error().valid_up_to())),
    }
}

/// Decodes UTF-16 (after its byte-order mark) with `unit` reading each code unit.
fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("invalid UTF-16: an odd number of bytes (convert the file to UTF-8)".to_string());
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut text = String::with_capacity(bytes.len());
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(format!(
                    "invalid UTF-16: an unpaired surrogate at byte {} (convert the file to UTF-8)",
                    2 + 2 * i
                ))
            }
        }
    }
    Ok(text)
}

/// Why `bytes`, valid UTF-8 up to `valid_up_to`, are refused: binary content
/// when they hold NUL bytes or are mostly not text, else invalid UTF-8 with the
/// line and byte of the first bad sequence and how to convert the file.
fn not_utf8(bytes: &[u8], valid_up_to: usize) -> String {
    if bytes.contains(&0) {
        return "binary content: NUL bytes (not a text file)".to_string();
    }
    let invalid: usize = bytes.utf8_chunks().map(|chunk| chunk.invalid().len()).sum();
    if invalid * 4 > bytes.len() {
        return format!("binary content: {invalid} of {} bytes are not UTF-8 text", bytes.len());
    }
    let line = 1 + bytes[..valid_up_to].iter().filter(|&&b| b == b'\n').count();
    format!(
        "invalid UTF-8 at byte {valid_up_to} (line {line}); the file is probably Latin-1 or Windows-1252: \
         convert it to UTF-8 (iconv -f WINDOWS-1252 -t UTF-8)"
    )
}

/// Rejects text that is empty, whitespace only, or binary (NUL characters, or
/// more than one character in ten a control character other than whitespace).
pub fn check_content(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("empty text".to_string());
    }
    let mut control = 0usize;
    let mut total = 0usize;
    for c in text.chars() {
        if c == '\0' {
            return Err("binary content: NUL characters (not text)".to_string());
        }
        total += 1;
        if c.is_control() && !c.is_whitespace() {
            control += 1;
        }
    }
    if control * 10 > total {
        return Err(format!("binary content: {control} control characters in {total}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_text_file_under_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seed-article.txt");
        std::fs::write(&path, "\u{feff}Hackers breached “Café Corp”.").unwrap();
        let article = read_text_file(&path, "seed-article".into(), false).unwrap();
        assert_eq!(article.id, "seed-article");
        assert_eq!(article.text, "Hackers breached “Café Corp”.");
    }

    #[test]
    fn bad_text_is_refused_with_a_reason() {
        let latin1 = checked_text(b"Hackers\ncaf\xe9 hacked".to_vec()).unwrap_err();
        assert!(latin1.starts_with("invalid UTF-8 at byte 11 (line 2); "), "{latin1}");
        assert!(latin1.contains("iconv"), "{latin1}");
        assert_eq!(checked_text(b" \n\t".to_vec()).unwrap_err(), "empty text");
        assert_eq!(checked_text(b"\xef\xbb\xbf \n".to_vec()).unwrap_err(), "empty text");
        assert_eq!(checked_text(b"PK\x03\x04\0\0".to_vec()).unwrap_err(), "binary content: NUL characters (not text)");
        assert_eq!(
            checked_text(b"PK\x03\x04\0\0\xff".to_vec()).unwrap_err(),
            "binary content: NUL bytes (not a text file)"
        );
        assert_eq!(
            checked_text(b"\x89PNG\xff\xd8\xc3\xa9".to_vec()).unwrap_err(),
            "binary content: 3 of 8 bytes are not UTF-8 text"
        );
        assert!(checked_text(vec![1, 2, 3, 4, 5, 6, 7, 8, b'a']).unwrap_err().starts_with("binary content"));
    }

    #[test]
    fn control_characters_in_sound_text_are_kept() {
        let text = "Hackers\u{7} breached\u{1b}[0m Acme Corp\u{c} on 3 March 2020, the firm said.";
        assert_eq!(checked_text(text.as_bytes().to_vec()).unwrap(), text);
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "Hackers hit Café Corp — 😀";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(checked_text(le.clone()).unwrap(), text);
        assert_eq!(checked_text(be).unwrap(), text);
        assert!(checked_text(le[..le.len() - 1].to_vec()).unwrap_err().starts_with("invalid UTF-16: an odd number"));
        let lone = [0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0];
        assert_eq!(
            checked_text(lone.to_vec()).unwrap_err(),
            "invalid UTF-16: an unpaired surrogate at byte 4 (convert the file to UTF-8)"
        );
    }

    #[test]
    fn unreadable_and_oversized_files_name_the_file() {
        let err = read_text_file(Path::new("/no/such/dir/x.txt"), "x".into(), false).unwrap_err();
        assert_eq!(err.source, "/no/such/dir/x.txt");
        assert!(err.reason.starts_with("cannot read"), "{}", err.reason);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.txt");
        let file = File::create(&path).unwrap();
        file.set_len(MAX_DOCUMENT_BYTES as u64 + 1).unwrap(); // sparse: no disk used
        let err = read_text_file(&path, "huge".into(), false).unwrap_err();
        assert_eq!(err.doc_id.as_deref(), Some("huge"));
        assert!(err.reason.starts_with("too large: 33.6 MB, the limit is 32 MB"), "{}", err.reason);
    }
}
