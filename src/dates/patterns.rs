//! The pattern table: every date expression the tagger knows, one row each, with
//! the rule that normalises it, and the code that compiles the rows once.
//!
//! How to read a pattern:
//! - it is case-insensitive, except month and weekday names (see [`super::words`]);
//! - a space stands for any run of whitespace (line breaks and no-break spaces too);
//! - `\b` is an ASCII word boundary (so the DFA engine can run on any text);
//! - `{NAME}` is a capture group filled from a word table or a number shape
//!   (`{MONTH}` and `{FULL_MONTH}` both capture `month`), see [`PLACEHOLDERS`];
//! - a group named `mention` marks the date inside a longer match ("in 2019" is
//!   matched, "2019" is the mention); without one the whole match is the mention.
//!
//! The rule column says which captures the row fills and how they become a
//! [`super::Timex`] (see [`Rule`] and `normalise.rs`).

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use super::words::{
    AGO_UNITS, DAY_WORDS, FULL_MONTHS, MONTHS, MONTH_LEADS, NUMBERS, ORDINALS, PARTS, RELS, REL_UNITS, SEASONS,
    WEEKDAYS, YEAR_LEADS, YEAR_VERBS,
};

/// How a row's captures become a normalised value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A day: `day`, `month` (a name or a number), `year`; without a year, the
    /// most recent such day not after publication.
    Date,
    /// A numeric day, `first/second/year`, read as day/month or month/day only
    /// when one of the two is over 12 (or both are equal); "9/11/2018" is skipped.
    NumericDate,
    /// A month: `month` with `year`, or with an optional `rel` ("last May") and
    /// otherwise the most recent such month not after publication; `part` is
    /// ignored ("late May 2022" is `2022-05`).
    Month,
    /// A year, or the half of it that `part` names (`2021-H2`); a range of
    /// years ("2018 to 2020") is valued by its first year.
    Year,
    /// A season: `season` with `year` or `rel`.
    Season,
    /// A quarter: `ordinal` or `quarter` (a digit) with `year`.
    Quarter,
    /// A day word ("yesterday"): `day_word`.
    DayWord,
    /// A weekday: `weekday`, optional `rel`; "Tuesday" is the most recent one on
    /// or before publication, "last Tuesday" the most recent one before it.
    Weekday,
    /// "N units ago": `count`, `unit`.
    Ago,
    /// "this/last/next unit": `rel` (without one, the current unit: "the end of
    /// the month"), `unit`, optional `part`.
    RelativeUnit,
    /// "over the weekend": the most recent weekend on or before publication.
    Weekend,
}

/// The rows: `(name, pattern, rule)`. Order does not matter for the result: every
/// row runs, and the longest match wins where matches overlap (ties go to the
/// row listed first).
#[rustfmt::skip]
pub const PATTERNS: &[(&str, &str, Rule)] = &[
    // Calendar days.
    ("iso_date", r"\b(?P<mention>{YEAR}[-/](?P<month>0[1-9]|1[0-2])[-/](?P<day>0[1-9]|[12][0-9]|3[01]))(?:\b|T[0-9])", Rule::Date),
    ("day_month_year", r"\b(?:{WEEKDAY},? )?(?:the )?{DAY}(?: of)? {MONTH}\.?,? {YEAR}\b", Rule::Date),
    ("month_day_year", r"\b(?:{WEEKDAY},? )?{MONTH}\.? {DAY}(?:,\s*| ){YEAR}\b", Rule::Date),
    ("month_day_range_year", r"\b{MONTH}\.? {DAY}(?:\s*[-–]\s*| (?:to|and|through) )[0-9]{1,2}(?:st|nd|rd|th)?,? {YEAR}\b", Rule::Date),
    ("day_range_month_year", r"\b{DAY}(?:\s*[-–]\s*| (?:to|and) )[0-9]{1,2}(?:st|nd|rd|th)? {MONTH}\.?,? {YEAR}\b", Rule::Date),
    ("numeric_date", r"\b(?P<first>[0-9]{1,2})/(?P<second>[0-9]{1,2})/{YEAR}\b", Rule::NumericDate),
    ("day_month", r"\b(?:{WEEKDAY},? )?(?:the )?{DAY}(?: of)? {MONTH}\b", Rule::Date),
    ("month_day", r"\b(?:{WEEKDAY},? )?{MONTH}\.? {DAY}\b", Rule::Date),
    // Months.
    ("month_year", r"\b{MONTH}\.?,? (?:of )?{YEAR}\b", Rule::Month),
    ("part_of_month", r"\b{PART}(?:-| )(?:in )?{FULL_MONTH}\b(?:,? (?:of )?{YEAR}\b)?", Rule::Month),
    ("relative_month", r"\b{REL} {FULL_MONTH}\b", Rule::Month),
    ("month_after_word", r"\b{MONTH_LEAD} (?P<mention>{FULL_MONTH})\b", Rule::Month),
    // Years and parts of years.
    ("part_of_year", r"\b{PART}(?:-| )(?:in )?{YEAR}\b", Rule::Year),
    ("year_range", r"\b(?:{YEAR_LEAD}|between) (?P<mention>{BARE_YEAR}(?:\s*[-–/]\s*| (?:and|to|through|until) )(?:19|20)[0-9]{2})\b", Rule::Year),
    ("year_after_word", r"\b{YEAR_LEAD} (?:the year )?(?P<mention>{BARE_YEAR})\b", Rule::Year),
    ("year_subject", r"\b(?P<mention>{BARE_YEAR}) {YEAR_VERB}\b", Rule::Year),
    ("year_possessive", r"\b(?P<mention>{BARE_YEAR})['’]s\b", Rule::Year),
    // Seasons and quarters.
    ("season_year", r"\b(?:{PART}(?:-| ))?(?:the )?{SEASON}(?: of)?,? {YEAR}\b", Rule::Season),
    ("relative_season", r"\b(?:{PART}(?:-| ))?{REL} {SEASON}\b", Rule::Season),
    ("quarter_year", r"\b(?:the )?{ORDINAL}(?:-| )quarter(?: of)?,? {YEAR}\b", Rule::Quarter),
    ("q_year", r"\bQ(?P<quarter>[1-4])(?:\s*-\s*| of | |/){YEAR}\b", Rule::Quarter),
    ("year_q", r"\b{YEAR}(?:-| |/)Q(?P<quarter>[1-4])\b", Rule::Quarter),
    // Relative to publication.
    ("day_word", r"\b{DAY_WORD}\b", Rule::DayWord),
    ("weekday", r"\b(?:{REL} )?{WEEKDAY}\b", Rule::Weekday),
    ("ago", r"\b{COUNT} {AGO_UNIT}s? ago\b", Rule::Ago),
    ("past_few", r"\b(?:the )?(?:past|last) (?P<count>few|couple of|several) {AGO_UNIT}s\b", Rule::Ago),
    ("relative_unit", r"\b(?:{PART}(?:-| ))?{REL} {REL_UNIT}\b", Rule::RelativeUnit),
    ("part_of_the_unit", r"\b{PART} the {REL_UNIT}\b", Rule::RelativeUnit),
    ("the_weekend", r"\b(?:over|during|at|on|before|after|through) (?P<mention>the weekend)\b", Rule::Weekend),
];

/// What a `{NAME}` placeholder stands for.
enum Fill {
    /// A regex, as is.
    Regex(&'static str),
    /// The words of a table, in any case.
    Words(&'static [&'static str]),
    /// The words of a table, as written or in capitals only.
    Names(&'static [&'static str]),
}

/// The first column of a `(word, value)` table, as a `&'static [&str]` built at
/// compile time (placeholders need the words alone).
macro_rules! firsts {
    ($table:expr) => {{
        const N: usize = $table.len();
        const WORDS: [&str; N] = {
            let mut out = [""; N];
            let mut i = 0;
            while i < N {
                out[i] = $table[i].0;
                i += 1;
            }
            out
        };
        &WORDS
    }};
}

/// The placeholders a pattern may use: `(placeholder, capture name, what it
/// matches)`.
const PLACEHOLDERS: &[(&str, &str, Fill)] = &[
    ("YEAR", "year", Fill::Regex("(?:19|20)[0-9]{2}")),
    ("BARE_YEAR", "year", Fill::Regex("199[0-9]|20[0-3][0-9]")),
    ("DAY", "day", Fill::Regex("[0-9]{1,2}(?:st|nd|rd|th)?")),
    ("COUNT", "count", Fill::Regex("[0-9]{1,3}|{NUMBERS}")),
    ("NUMBERS", "number", Fill::Words(firsts!(NUMBERS))),
    ("MONTH", "month", Fill::Names(firsts!(MONTHS))),
    ("FULL_MONTH", "month", Fill::Names(firsts!(FULL_MONTHS))),
    ("WEEKDAY", "weekday", Fill::Names(firsts!(WEEKDAYS))),
    ("SEASON", "season", Fill::Words(firsts!(SEASONS))),
    ("PART", "part", Fill::Words(firsts!(PARTS))),
    ("ORDINAL", "ordinal", Fill::Words(firsts!(ORDINALS))),
    ("AGO_UNIT", "unit", Fill::Words(firsts!(AGO_UNITS))),
    ("REL_UNIT", "unit", Fill::Words(firsts!(REL_UNITS))),
    ("REL", "rel", Fill::Words(firsts!(RELS))),
    ("DAY_WORD", "day_word", Fill::Words(firsts!(DAY_WORDS))),
    ("YEAR_LEAD", "lead", Fill::Words(YEAR_LEADS)),
    ("YEAR_VERB", "verb", Fill::Words(YEAR_VERBS)),
    ("MONTH_LEAD", "lead", Fill::Words(MONTH_LEADS)),
];

/// A row of [`PATTERNS`], compiled.
pub struct Compiled {
    /// The row's name.
    pub name: &'static str,
    /// Its rule.
    pub rule: Rule,
    /// Its regex.
    pub regex: Regex,
}

/// Every row, compiled on first use.
pub static COMPILED: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
    PATTERNS.iter().map(|&(name, pattern, rule)| Compiled { name, rule, regex: compile(pattern) }).collect()
});

/// Compiles one pattern; a malformed pattern is a bug in the table, which the
/// tests catch, so it panics with the row's text.
fn compile(pattern: &str) -> Regex {
    let expanded = expand(pattern, true);
    RegexBuilder::new(&expanded)
        .case_insensitive(true)
        .build()
        .unwrap_or_else(|e| panic!("date pattern {pattern:?} does not compile: {e}"))
}

/// Rewrites a pattern into regex syntax: spaces, `\b` and placeholders (a
/// placeholder inside a `Fill::Regex` is expanded without a capture of its own).
fn expand(pattern: &str, capture: bool) -> String {
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix(r"\b") {
            out.push_str(r"(?-u:\b)");
            rest = after;
        } else if let Some(after) = rest.strip_prefix('\\') {
            // Any other escape passes through whole (`\.`, `\s`), so that an
            // escaped space or brace is not rewritten.
            out.push('\\');
            let next = after.chars().next().map_or(0, char::len_utf8);
            out.push_str(&after[..next]);
            rest = &after[next..];
        } else if c == ' ' {
            out.push_str(r"\s+");
            rest = &rest[1..];
        } else if let Some((name, fill, after)) = placeholder(rest) {
            let body = match fill {
                Fill::Regex(re) => expand(re, false),
                Fill::Words(words) => alternation(words),
                Fill::Names(words) => format!("(?-i:{})", alternation(&with_capitals(words))),
            };
            if capture {
                out.push_str(&format!("(?P<{name}>{body})"));
            } else {
                out.push_str(&format!("(?:{body})"));
            }
            rest = after;
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The placeholder at the start of `text` (`{MONTH}...`), with what follows it.
fn placeholder(text: &str) -> Option<(&'static str, &'static Fill, &str)> {
    let inner = text.strip_prefix('{')?;
    let (name, after) = inner.split_once('}')?;
    PLACEHOLDERS.iter().find(|(n, _, _)| *n == name).map(|(_, capture, fill)| (*capture, fill, after))
}

/// The words as written and in capitals.
fn with_capitals(words: &[&str]) -> Vec<String> {
    words.iter().flat_map(|w| [w.to_string(), w.to_uppercase()]).collect()
}

/// A regex alternation of the words, longest first, spaces as whitespace runs.
fn alternation<S: AsRef<str>>(words: &[S]) -> String {
    let mut words: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    words.iter().map(|w| regex::escape(w).replace(' ', r"\s+")).collect::<Vec<_>>().join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_compiles_and_names_are_unique() {
        assert_eq!(COMPILED.len(), PATTERNS.len());
        for (i, (name, _, _)) in PATTERNS.iter().enumerate() {
            assert!(!PATTERNS[..i].iter().any(|(n, _, _)| n == name), "duplicate row name {name}");
        }
    }

    #[test]
    fn every_placeholder_in_a_row_is_known() {
        for (name, pattern, _) in PATTERNS {
            let expanded = expand(pattern, true);
            assert!(!expanded.contains("{Y") && !expanded.contains("{M"), "{name}: unexpanded placeholder");
            let unknown = pattern
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n))
                .filter(|n| n.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
                .find(|n| !PLACEHOLDERS.iter().any(|(p, _, _)| p == n));
            assert_eq!(unknown, None, "{name}: unknown placeholder");
        }
    }

    #[test]
    fn expansion_rewrites_spaces_boundaries_and_names() {
        assert_eq!(expand(r"\bQ [1-4]\.", true), r"(?-u:\b)Q\s+[1-4]\.");
        let months = expand("{FULL_MONTH}", true);
        assert!(months.starts_with("(?P<month>(?-i:"), "{months}");
        assert!(months.contains("|May|MAY)"), "{months}");
        let count = expand("{COUNT}", true);
        assert!(count.starts_with(r"(?P<count>[0-9]{1,3}|(?:a\s+couple\s+of|"), "{count}");
    }
}
