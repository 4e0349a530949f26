//! One article per text file; the document id is the file stem. Also the text
//! checks every reader applies (empty, binary, invalid UTF-8).

use std::path::Path;

use crate::doc::Article;

use super::{ReadError, Record};

/// Reads one `.txt` article.
pub fn read_text_file(path: &Path) -> Record {
    let source = path.display().to_string();
    let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| source.clone());
    let fail = |reason: String| ReadError { source: source.clone(), line: None, doc_id: Some(id.clone()), reason };
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let text = checked_text(bytes).map_err(fail)?;
    Ok(Article { id, title: None, text, published: None })
}

/// Turns raw bytes into article text, or says why they are not one: invalid
/// UTF-8 (with the byte offset), binary content (NUL bytes or mostly control
/// characters), or no text at all. A leading byte-order mark is dropped.
pub fn checked_text(bytes: Vec<u8>) -> Result<String, String> {
    let text = String::from_utf8(bytes).map_err(|e| {
        format!("invalid UTF-8 at byte {} (convert the file to UTF-8)", e.utf8_error().valid_up_to())
    })?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    check_content(&text)?;
    Ok(text)
}

/// Rejects text that is empty, whitespace only, or binary.
pub fn check_content(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("empty text".to_string());
    }
    let mut control = 0usize;
    let mut total = 0usize;
    for c in text.chars() {
        if c == '\0' {
            return Err("binary content (NUL bytes)".to_string());
        }
        total += 1;
        if c.is_control() && !c.is_whitespace() {
            control += 1;
        }
    }
    if control * 10 > total {
        return Err(format!("binary content ({control} control characters in {total})"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_file_id_is_the_stem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seed-article.txt");
        std::fs::write(&path, "\u{feff}Hackers breached “Café Corp”.").unwrap();
        let article = read_text_file(&path).unwrap();
        assert_eq!(article.id, "seed-article");
        assert_eq!(article.text, "Hackers breached “Café Corp”.");
    }

    #[test]
    fn bad_text_is_refused_with_a_reason() {
        assert_eq!(checked_text(b"caf\xe9 hacked".to_vec()).unwrap_err(), "invalid UTF-8 at byte 3 (convert the file to UTF-8)");
        assert_eq!(checked_text(b" \n\t".to_vec()).unwrap_err(), "empty text");
        assert!(checked_text(b"PK\x03\x04\0\0".to_vec()).unwrap_err().starts_with("binary content"));
        assert!(checked_text(vec![1, 2, 3, 4, 5, 6, 7, 8, b'a']).unwrap_err().starts_with("binary content"));
    }

    #[test]
    fn unreadable_file_names_the_file() {
        let err = read_text_file(Path::new("/no/such/dir/x.txt")).unwrap_err();
        assert_eq!(err.source, "/no/such/dir/x.txt");
        assert!(err.reason.starts_with("cannot read"), "{}", err.reason);
    }
}
