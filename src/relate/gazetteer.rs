//! Finds threat-actor and country names (with their aliases, demonyms and
//! capitals) in text: case-sensitive, longest match first, at word boundaries.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::doc::Span;

use super::lexicon::{Named, TABLES};

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(TABLES.named.iter().map(|(form, _)| *form))
        .expect("gazetteer forms build an automaton")
});

/// Every gazetteer name in `text`, in order, with what it names.
pub fn find_names(text: &str) -> Vec<(Span, &'static Named)> {
    MATCHER
        .find_iter(text)
        .filter(|m| at_word_boundaries(text, m.start(), m.end()))
        .map(|m| (Span::new(m.start(), m.end()), &TABLES.named[m.pattern().as_usize()].1))
        .collect()
}

/// True when the match is not part of a longer word on an alphanumeric edge.
fn at_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let matched = &text[start..end];
    let first_alnum = matched.chars().next().is_some_and(char::is_alphanumeric);
    let last_alnum = matched.chars().next_back().is_some_and(char::is_alphanumeric);
    let before_ok = !first_alnum || !text[..start].chars().next_back().is_some_and(char::is_alphanumeric);
    let after_ok = !last_alnum || !text[end..].chars().next().is_some_and(char::is_alphanumeric);
    before_ok && after_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(&str, &'static str)> {
        find_names(text).into_iter().map(|(s, n)| (&text[s.range()], n.canonical)).collect()
    }

    #[test]
    fn finds_actors_countries_demonyms_and_capitals() {
        assert_eq!(
            names("North Korean hackers of Hidden Cobra hit Pyongyang's rivals in the U.S. and USB"),
            [
                ("North Korean", "North Korea"),
                ("Hidden Cobra", "Lazarus Group"),
                ("Pyongyang", "North Korea"),
                ("U.S.", "United States")
            ]
        );
    }

    #[test]
    fn longest_match_wins_and_words_must_be_whole() {
        assert_eq!(names("Fancy Bearish APT28s"), Vec::<(&str, &str)>::new());
        assert_eq!(names("APT28 struck"), [("APT28", "Fancy Bear")]);
    }
}
