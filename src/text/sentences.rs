//! A rule-based sentence splitter for news text.
//!
//! Line breaks that separate paragraphs (a blank line, or a line break after
//! sentence-final punctuation or a short headline) always end a sentence. Inside
//! a paragraph a sentence ends at `.`, `!` or `?` (with any closing quotes or
//! brackets) followed by whitespace and an uppercase letter, digit or opening
//! quote — unless the word before the period is an abbreviation from
//! `lexicon/abbreviations.txt` or a single initial ("J. Smith").

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::doc::Span;
use crate::lexicon;

static ABBREVIATIONS: LazyLock<HashSet<String>> =
    LazyLock::new(|| lexicon::lines(include_str!("../lexicon/abbreviations.txt")).map(str::to_string).collect());

const CLOSERS: &[char] = &['"', '\'', '”', '’', ')', ']', '»'];
const OPENERS: &[char] = &['"', '\'', '“', '‘', '(', '[', '«'];

/// Splits `text` into sentence spans (byte offsets), trimmed of surrounding
/// whitespace; blank stretches produce no sentence.
pub fn split_sentences(text: &str) -> Vec<Span> {
    let mut sentences = Vec::new();
    // Each line is its own paragraph: news text puts one paragraph per line.
    for (line_start, line) in lines_with_offsets(text) {
        split_paragraph(text, line_start, line_start + line.len(), &mut sentences);
    }
    sentences
}

/// Yields `(offset, line)` for every line of `text` (without the line break).
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        (start, raw.trim_end_matches(['\n', '\r']))
    })
}

fn split_paragraph(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let para = &text[start..end];
    let mut sentence_start = 0;
    let chars: Vec<(usize, char)> = para.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if matches!(c, '.' | '!' | '?' | '…') {
            // Absorb runs of terminal punctuation and closing quotes/brackets.
            let mut j = i + 1;
            while j < chars.len() && (matches!(chars[j].1, '.' | '!' | '?') || CLOSERS.contains(&chars[j].1)) {
                j += 1;
            }
            let boundary = if j < chars.len() { chars[j].0 } else { para.len() };
            if j < chars.len()
                && chars[j].1.is_whitespace()
                && next_starts_sentence(&chars[j..])
                && !(c == '.' && is_abbreviation(&para[..pos]))
            {
                push_trimmed(text, start + sentence_start, start + boundary, out);
                sentence_start = boundary;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    push_trimmed(text, start + sentence_start, end, out);
}

/// True when the text after the whitespace at the head of `rest` looks like a
/// sentence start.
fn next_starts_sentence(rest: &[(usize, char)]) -> bool {
    let next = rest.iter().map(|&(_, c)| c).find(|c| !c.is_whitespace());
    match next {
        Some(c) => c.is_uppercase() || c.is_ascii_digit() || OPENERS.contains(&c),
        None => false,
    }
}

/// True when `before` (the paragraph up to a period) ends with an abbreviation
/// or a single-letter initial.
fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || OPENERS.contains(&c)).next().unwrap_or("");
    if word.is_empty() {
        return false;
    }
    let mut letters = word.chars();
    if let (Some(first), None) = (letters.next(), letters.next()) {
        if first.is_uppercase() {
            return true;
        }
    }
    ABBREVIATIONS.contains(&word.to_lowercase())
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let slice = &text[start..end];
    let trimmed_start = start + (slice.len() - slice.trim_start().len());
    let trimmed_end = end - (slice.len() - slice.trim_end().len());
    if trimmed_start < trimmed_end {
        out.push(Span::new(trimmed_start, trimmed_end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        split_sentences(text).into_iter().map(|s| &text[s.range()]).collect()
    }

    #[test]
    fn splits_at_terminal_punctuation_before_a_capital() {
        assert_eq!(
            sentences("Hackers struck. The firm said so! Was it bad? Yes."),
            ["Hackers struck.", "The firm said so!", "Was it bad?", "Yes."]
        );
    }

    #[test]
    fn keeps_abbreviations_and_initials_inside_the_sentence() {
        assert_eq!(
            sentences("Gen. Paul Nakasone met Mr. Pottinger in the U.S. on Nov. 8. J. Smith agreed."),
            ["Gen. Paul Nakasone met Mr. Pottinger in the U.S. on Nov. 8.", "J. Smith agreed."]
        );
    }

    #[test]
    fn lines_are_paragraphs() {
        assert_eq!(
            sentences("Malware in Japan's networks\n\nIt follows a breach.\r\nThen more"),
            ["Malware in Japan's networks", "It follows a breach.", "Then more"]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        assert_eq!(
            sentences("He said: “It was shockingly bad.” Officials agreed."),
            ["He said: “It was shockingly bad.”", "Officials agreed."]
        );
    }

    #[test]
    fn lowercase_after_period_does_not_split() {
        assert_eq!(sentences("Version 2.1 was hit. e.g. this one."), ["Version 2.1 was hit. e.g. this one."]);
    }

    #[test]
    fn blank_and_empty_text_give_no_sentences() {
        assert!(sentences("").is_empty());
        assert!(sentences(" \n\n\t ").is_empty());
    }
}
