//! The text-file checks (`checked_text`) over arbitrary bytes.
//!
//! Checks: accepted text is non-blank and free of NUL; UTF-8 input without a
//! byte-order mark comes back unchanged; UTF-8 input that passes the content
//! checks is never refused; every refusal has a reason.

#![no_main]

use cyberie::read::{check_content, checked_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match checked_text(data.to_vec()) {
        Ok(text) => {
            assert!(!text.trim().is_empty());
            assert!(!text.contains('\0'));
            assert_eq!(check_content(&text), Ok(()));
            if let Ok(original) = std::str::from_utf8(data) {
                if !original.starts_with('\u{feff}')
                    && !data.starts_with(&[0xFF, 0xFE])
                    && !data.starts_with(&[0xFE, 0xFF])
                {
                    assert_eq!(text, original);
                }
            }
        }
        Err(reason) => {
            assert!(!reason.is_empty());
            if let Ok(original) = std::str::from_utf8(data) {
                let utf16 = data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]);
                let body = original.strip_prefix('\u{feff}').unwrap_or(original);
                assert!(utf16 || check_content(body).is_err(), "refused sound UTF-8: {reason}");
            }
        }
    }
});
