//! When does a predicted mention count as a gold mention? Normalisation and the
//! matching rules of the scorer, in one place, so that every score and every test
//! uses the same definition.
//!
//! **Normalisation** ([`normalize`]): lowercase; drop a possessive `'s` / `’s` at
//! the end of a word; turn every character that is not a letter or digit into a
//! space; split into words; drop leading `the`, `a`, `an`, `its`, `their` (as many
//! as there are).
//!
//! **Relaxed matching** (the default, [`MatchMode::Relaxed`]): two mentions match
//! when their word sequences are equal, or when the shorter one is a contiguous
//! part of the longer one and holds at least one content word (a word that is not
//! in [`STOPWORDS`]). "hackers" matches "North Korean hackers"; "of" never matches
//! "Bank of America".
//!
//! **Strict matching** ([`MatchMode::Strict`]): the word sequences must be equal.
//!
//! **Dates** ([`date_matches`]): relaxed, a predicted date matches a gold time when
//! the texts match as mentions (above), or when the prediction's normalised value
//! (`date_iso`) and the gold time both parse as [`Timex`] values and
//! [`Timex::agrees_with`] holds (same year; overlapping months and the same day
//! where both give them). Strict, the normalised texts must be equal or the two
//! [`Timex`] values must be equal.

use std::str::FromStr;

use serde::Serialize;

use crate::dates::Timex;

/// Words dropped from the start of a mention before it is compared.
pub const LEADING_DETERMINERS: &[&str] = &["the", "a", "an", "its", "their"];

/// Function words: a contiguous part of a mention made only of these does not
/// match (so "of the" never matches "Bank of the West").
pub const STOPWORDS: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "its", "their", "his", "her", "our", "your", "my", "it",
    "they", "them", "he", "she", "we", "you", "i", "us", "who", "which", "what", "of", "in", "on", "at", "to", "for",
    "from", "by", "with", "and", "or", "as", "is", "are", "was", "were", "be", "been", "some", "any", "all", "no",
    "not", "s",
];

/// How closely mentions and dates must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// Equal word sequences, or a contiguous part holding a content word; dates by
    /// text or by agreeing normalised values. The default.
    #[default]
    Relaxed,
    /// Equal word sequences; dates by equal normalised text or equal values.
    Strict,
}

impl MatchMode {
    /// `"relaxed"` or `"strict"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            MatchMode::Relaxed => "relaxed",
            MatchMode::Strict => "strict",
        }
    }
}

/// The words of `mention` after normalisation (see the module documentation).
pub fn normalize(mention: &str) -> Vec<String> {
    let lower = mention.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut cleaned = String::with_capacity(lower.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let possessive = (c == '\'' || c == '’')
            && chars.get(i + 1) == Some(&'s')
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 2).is_none_or(|next| !next.is_alphanumeric());
        if possessive {
            cleaned.push(' ');
            i += 2;
            continue;
        }
        cleaned.push(if c.is_alphanumeric() { c } else { ' ' });
        i += 1;
    }
    let mut words: Vec<String> = cleaned.split_whitespace().map(str::to_string).collect();
    let leading = words.iter().take_while(|w| LEADING_DETERMINERS.contains(&w.as_str())).count();
    words.drain(..leading);
    words
}

/// The normalised mention as one string (words joined by single spaces); the key
/// used to deduplicate mentions and predictions.
pub fn normalized_key(mention: &str) -> String {
    normalize(mention).join(" ")
}

/// True when `word` is not a function word.
pub fn is_content_word(word: &str) -> bool {
    !STOPWORDS.contains(&word)
}

/// True when two already-normalised word sequences match under `mode`.
pub fn words_match(a: &[String], b: &[String], mode: MatchMode) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    if mode == MatchMode::Strict {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.iter().any(|w| is_content_word(w)) && long.windows(short.len()).any(|window| window == short)
}

/// True when two mentions match under `mode` (see the module documentation).
pub fn mentions_match(a: &str, b: &str, mode: MatchMode) -> bool {
    words_match(&normalize(a), &normalize(b), mode)
}

/// True when `mention` matches at least one of `candidates`.
pub fn matches_any(mention: &str, candidates: &[String], mode: MatchMode) -> bool {
    let words = normalize(mention);
    candidates.iter().any(|c| words_match(&words, &normalize(c), mode))
}

/// A date prepared for matching: its normalised words and, when the text is a
/// normalised value, that value.
#[derive(Debug, Clone, PartialEq)]
pub struct DateKey {
    words: Vec<String>,
    value: Option<Timex>,
}

impl DateKey {
    /// A predicted date: `text` as written and `iso`, its normalised value (either may be empty).
    pub fn predicted(text: &str, iso: &str) -> Self {
        DateKey { words: normalize(text), value: Timex::from_str(iso).ok() }
    }

    /// A gold time: a mention ("late 2021") or a normalised value ("2021-H2").
    pub fn gold(time: &str) -> Self {
        DateKey { words: normalize(time), value: Timex::from_str(time).ok() }
    }

    /// True when the prediction gives no date at all.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.value.is_none()
    }

    /// True when this predicted date matches the gold time `gold` under `mode`.
    pub fn matches(&self, gold: &DateKey, mode: MatchMode) -> bool {
        let by_value = match (self.value, gold.value) {
            (Some(pred), Some(gold)) => match mode {
                MatchMode::Relaxed => pred.agrees_with(&gold),
                MatchMode::Strict => pred == gold,
            },
            _ => false,
        };
        by_value || words_match(&self.words, &gold.words, mode)
    }
}

/// True when a predicted date (`text` as written, `iso` its normalised value;
/// either may be empty) matches at least one of the gold `times`. When the
/// gold gives no time, only a prediction without a date matches: both say
/// the article does not tell when.
pub fn date_matches(text: &str, iso: &str, times: &[String], mode: MatchMode) -> bool {
    let pred = DateKey::predicted(text, iso);
    if times.is_empty() {
        return pred.is_empty();
    }
    times.iter().any(|time| pred.matches(&DateKey::gold(time), mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    #[test]
    fn normalisation_lowercases_drops_possessives_punctuation_and_leading_articles() {
        assert_eq!(normalize("The Lazarus Group's"), words("lazarus group"));
        assert_eq!(normalize("Sony’s network"), words("sony network"));
        assert_eq!(normalize("an NPO-Mash  subsidiary."), words("npo mash subsidiary"));
        assert_eq!(normalize("their the hackers"), words("hackers"));
        assert_eq!(normalize("hackers'"), words("hackers"));
        // Only a leading article is dropped, and "'s" only at a word's end.
        assert_eq!(normalize("Bank of the West"), words("bank of the west"));
        assert_eq!(normalize("O'sullivan"), words("o sullivan"));
        assert!(normalize("the").is_empty());
    }

    #[test]
    fn equal_after_normalisation_matches_in_both_modes() {
        for mode in [MatchMode::Relaxed, MatchMode::Strict] {
            assert!(mentions_match("North Korea's", "north korea", mode));
            assert!(mentions_match("the company", "Company", mode));
            assert!(mentions_match("Its customers", "their customers", mode));
        }
    }

    #[test]
    fn a_contiguous_part_with_a_content_word_matches_only_when_relaxed() {
        assert!(mentions_match("hackers", "North Korean hackers", MatchMode::Relaxed));
        assert!(mentions_match(
            "NPO Mashinostroyeniya rocket design bureau",
            "NPO Mashinostroyeniya",
            MatchMode::Relaxed
        ));
        assert!(!mentions_match("hackers", "North Korean hackers", MatchMode::Strict));
        // Not contiguous: "north hackers" is not a run of words of the longer one.
        assert!(!mentions_match("North hackers", "North Korean hackers", MatchMode::Relaxed));
    }

    #[test]
    fn a_part_made_only_of_stopwords_does_not_match() {
        assert!(!mentions_match("of", "Bank of America", MatchMode::Relaxed));
        assert!(!mentions_match("of the", "Bank of the West", MatchMode::Relaxed));
        assert!(!mentions_match("the", "the hackers", MatchMode::Relaxed));
        assert!(mentions_match("of America", "Bank of America", MatchMode::Relaxed));
    }

    #[test]
    fn dates_match_by_text_or_by_value() {
        let times = vec!["late 2021".to_string(), "2021-H2".to_string()];
        // By text: "2021" is a content-word part of "late 2021".
        assert!(date_matches("2021", "", &times, MatchMode::Relaxed));
        // By value only: the texts share nothing, the values agree (Nov 2021 is in H2).
        assert!(date_matches("last November", "2021-11", &times, MatchMode::Relaxed));
        // Mismatch: another half of the year.
        assert!(!date_matches("in March", "2021-03", &times, MatchMode::Relaxed));
        // No date predicted.
        assert!(!date_matches("", "", &times, MatchMode::Relaxed));
    }

    #[test]
    fn strict_dates_need_equal_values_or_equal_texts() {
        let times = vec!["2021-H2".to_string(), "late 2021".to_string()];
        assert!(!date_matches("last November", "2021-11", &times, MatchMode::Strict));
        assert!(date_matches("the second half of 2021", "2021-H2", &times, MatchMode::Strict));
        assert!(date_matches("Late 2021", "", &times, MatchMode::Strict));
        assert!(!date_matches("2021", "", &times, MatchMode::Strict));
    }
}
