//! Splits a sentence into words the way CoNLL-2003 tokenises English news,
//! which is how the NER model was trained: whitespace-separated tokens with
//! opening/closing quotes and brackets, trailing `, ; : ! ?`, a sentence-final
//! period and a possessive `'s` split off. Hyphenated words, abbreviations
//! ("U.S.", "Inc.") and numbers ("2.1", "4,000") stay whole.

use crate::doc::Span;

/// Characters split off the front of a token.
const LEADING: &[char] = &['"', '\'', '“', '‘', '(', '[', '{', '«', '`'];
/// Characters split off the end of a token.
const TRAILING: &[char] = &['"', '\'', '”', '’', ')', ']', '}', '»', ',', ';', ':', '!', '?'];

/// Splits the text inside `span` into word spans (byte offsets into `text`).
/// A period ending the span's last token is a word of its own (it ends the
/// sentence), unless the token is an abbreviation like "U.S.".
pub fn split_words(text: &str, span: Span) -> Vec<Span> {
    let runs = whitespace_separated(text, span);
    let mut words = Vec::with_capacity(runs.len() + 4);
    let last = runs.len().saturating_sub(1);
    for (i, run) in runs.into_iter().enumerate() {
        split_token(text, run, i == last, &mut words);
    }
    words
}

/// The maximal runs of non-whitespace characters inside `span`; an em or en
/// dash is a run of its own ("Apple—this" is three words).
fn whitespace_separated(text: &str, span: Span) -> Vec<Span> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text[span.range()].char_indices() {
        let at = span.start + i;
        if c == '—' || c == '–' {
            if let Some(s) = start.take() {
                runs.push(Span::new(s, at));
            }
            runs.push(Span::new(at, at + c.len_utf8()));
            continue;
        }
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(at),
            (true, Some(s)) => {
                runs.push(Span::new(s, at));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(Span::new(s, span.end));
    }
    runs
}

fn split_token(text: &str, token: Span, sentence_final: bool, out: &mut Vec<Span>) {
    let (mut start, mut end) = (token.start, token.end);
    while let Some(c) = text[start..end].chars().next() {
        if end - start > c.len_utf8() && LEADING.contains(&c) {
            out.push(Span::new(start, start + c.len_utf8()));
            start += c.len_utf8();
        } else {
            break;
        }
    }
    let mut tail = Vec::new();
    loop {
        let word = &text[start..end];
        let Some(c) = word.chars().next_back() else { break };
        let is_final_period = c == '.'
            && sentence_final
            && tail.iter().all(|s: &Span| text[s.range()] != *".")
            && !is_abbreviation_like(word);
        if word.len() > c.len_utf8() && (TRAILING.contains(&c) || is_final_period) {
            tail.push(Span::new(end - c.len_utf8(), end));
            end -= c.len_utf8();
        } else if let Some(suffix) = possessive_suffix(word) {
            tail.push(Span::new(end - suffix, end));
            end -= suffix;
        } else {
            break;
        }
    }
    if start < end {
        out.push(Span::new(start, end));
    }
    out.extend(tail.into_iter().rev());
}

/// The byte length of a possessive `'s`/`’s` ending `word`, if it has one.
fn possessive_suffix(word: &str) -> Option<usize> {
    ["'s", "’s", "'S", "’S"].iter().find(|s| word.len() > s.len() && word.ends_with(*s)).map(|s| s.len())
}

/// True for tokens like "U.S." or "e.g." whose final period belongs to them.
fn is_abbreviation_like(word: &str) -> bool {
    let stem = word.trim_end_matches('.');
    stem.contains('.') && stem.chars().all(|c| c.is_alphabetic() || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        split_words(text, Span::new(0, text.len())).into_iter().map(|s| &text[s.range()]).collect()
    }

    #[test]
    fn splits_punctuation_and_possessives_like_conll() {
        assert_eq!(
            words("Japan’s networks (and NPO Mash's) were hit, officials said."),
            [
                "Japan",
                "’s",
                "networks",
                "(",
                "and",
                "NPO",
                "Mash",
                "'s",
                ")",
                "were",
                "hit",
                ",",
                "officials",
                "said",
                "."
            ]
        );
    }

    #[test]
    fn keeps_abbreviations_numbers_and_hyphens_whole() {
        assert_eq!(
            words("The U.S. lost 4,000 files from North Korean-backed v2.1 in the U.S."),
            ["The", "U.S.", "lost", "4,000", "files", "from", "North", "Korean-backed", "v2.1", "in", "the", "U.S."]
        );
    }

    #[test]
    fn dashes_are_words() {
        assert_eq!(words("Apple—this year – again"), ["Apple", "—", "this", "year", "–", "again"]);
    }

    #[test]
    fn quotes_around_words_are_words() {
        assert_eq!(words("“Zircon” missile"), ["“", "Zircon", "”", "missile"]);
    }

    #[test]
    fn handles_unicode_whitespace_and_empty_text() {
        assert_eq!(words("a\u{a0}b\u{3000}c"), ["a", "b", "c"]);
        assert!(words("   ").is_empty());
    }
}
