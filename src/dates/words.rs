//! The small word tables the date patterns are built from: month, weekday and
//! season names, the "early/late" parts of a period, ordinal and number words,
//! units of time, and the words that make a bare year or month a date.
//!
//! Each table is plain data. [`super::patterns`] turns a table into a regex
//! alternation (for a `{PLACEHOLDER}` in a pattern), and the normaliser reads the
//! matched word back through [`lookup`], so a word added here is both found and
//! understood.

use chrono::Weekday;

use super::timex::Season;

/// Month names and abbreviations with their numbers. Matched case-sensitively as
/// written or in capitals ("May", "MAY", not "may"), so that the modal verb and
/// most names stay out.
pub const MONTHS: &[(&str, u32)] = &[
    ("January", 1),
    ("Jan", 1),
    ("February", 2),
    ("Feb", 2),
    ("March", 3),
    ("Mar", 3),
    ("April", 4),
    ("Apr", 4),
    ("May", 5),
    ("June", 6),
    ("Jun", 6),
    ("July", 7),
    ("Jul", 7),
    ("August", 8),
    ("Aug", 8),
    ("September", 9),
    ("Sept", 9),
    ("Sep", 9),
    ("October", 10),
    ("Oct", 10),
    ("November", 11),
    ("Nov", 11),
    ("December", 12),
    ("Dec", 12),
];

/// Full month names only, for patterns where a month stands without a day or
/// year ("in March"): "Jan" or "Mar" alone is too often something else.
pub const FULL_MONTHS: &[(&str, u32)] = &[
    ("January", 1),
    ("February", 2),
    ("March", 3),
    ("April", 4),
    ("May", 5),
    ("June", 6),
    ("July", 7),
    ("August", 8),
    ("September", 9),
    ("October", 10),
    ("November", 11),
    ("December", 12),
];

/// Weekday names (full names only: "Sun" and "Sat" are too often not days).
/// Matched case-sensitively, like months.
pub const WEEKDAYS: &[(&str, Weekday)] = &[
    ("Monday", Weekday::Mon),
    ("Tuesday", Weekday::Tue),
    ("Wednesday", Weekday::Wed),
    ("Thursday", Weekday::Thu),
    ("Friday", Weekday::Fri),
    ("Saturday", Weekday::Sat),
    ("Sunday", Weekday::Sun),
];

/// Capitalised words that, just before a match, make it part of a name rather
/// than a date: "Patch Tuesday", "Black Friday", "USA Today", "Theresa May 2019",
/// "Windows 10 April 2018 Update".
pub const NAME_WORDS: &[&str] = &[
    "Patch", "Exploit", "Cyber", "Black", "Good", "Easter", "Ash", "Super", "USA", "Theresa", "Brian", "Mr", "Mrs",
    "Ms", "Dr", "Windows",
];

/// Season words.
pub const SEASONS: &[(&str, Season)] = &[
    ("spring", Season::Spring),
    ("summer", Season::Summer),
    ("autumn", Season::Fall),
    ("fall", Season::Fall),
    ("winter", Season::Winter),
];

/// Which part of a period a phrase like "late" or "the first half of" points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The first half ("early 2021" is `2021-H1`).
    FirstHalf,
    /// The second half ("late 2021", "the end of 2021" are `2021-H2`).
    SecondHalf,
    /// No narrower than the period itself ("mid-2017" stays `2017`).
    Whole,
}

/// Phrases that narrow a year (or month, or season) to a part of it.
pub const PARTS: &[(&str, Part)] = &[
    ("early", Part::FirstHalf),
    ("the early part of", Part::FirstHalf),
    ("the beginning of", Part::FirstHalf),
    ("beginning of", Part::FirstHalf),
    ("the start of", Part::FirstHalf),
    ("start of", Part::FirstHalf),
    ("the first half of", Part::FirstHalf),
    ("first half of", Part::FirstHalf),
    ("the first part of", Part::FirstHalf),
    ("the first week of", Part::FirstHalf),
    ("the second week of", Part::FirstHalf),
    ("the first weekend of", Part::FirstHalf),
    ("the first days of", Part::FirstHalf),
    ("H1", Part::FirstHalf),
    ("1H", Part::FirstHalf),
    ("late", Part::SecondHalf),
    ("the late part of", Part::SecondHalf),
    ("the latter part of", Part::SecondHalf),
    ("the end of", Part::SecondHalf),
    ("end of", Part::SecondHalf),
    ("the second half of", Part::SecondHalf),
    ("second half of", Part::SecondHalf),
    ("the latter half of", Part::SecondHalf),
    ("the last half of", Part::SecondHalf),
    ("the last part of", Part::SecondHalf),
    ("the last week of", Part::SecondHalf),
    ("the final week of", Part::SecondHalf),
    ("the last weekend of", Part::SecondHalf),
    ("the last days of", Part::SecondHalf),
    ("the final days of", Part::SecondHalf),
    ("the closing days of", Part::SecondHalf),
    ("H2", Part::SecondHalf),
    ("2H", Part::SecondHalf),
    ("mid", Part::Whole),
    ("the middle of", Part::Whole),
    ("middle of", Part::Whole),
    ("earlier", Part::Whole),
    ("later", Part::Whole),
];

/// Ordinal words for quarters ("the first quarter", "the last quarter of 2019").
pub const ORDINALS: &[(&str, u32)] = &[
    ("first", 1),
    ("1st", 1),
    ("second", 2),
    ("2nd", 2),
    ("third", 3),
    ("3rd", 3),
    ("fourth", 4),
    ("4th", 4),
    ("last", 4),
    ("final", 4),
];

/// How many units back "N units ago" counts: exact, or vague ("a few").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// An exact number.
    Exact(u32),
    /// "a few", "several": about three, so the result is one unit coarser.
    Few,
}

/// Number words for counts ("two years ago", "a few days ago"). Digits are
/// matched by the patterns themselves.
pub const NUMBERS: &[(&str, Count)] = &[
    ("a", Count::Exact(1)),
    ("an", Count::Exact(1)),
    ("one", Count::Exact(1)),
    ("two", Count::Exact(2)),
    ("three", Count::Exact(3)),
    ("four", Count::Exact(4)),
    ("five", Count::Exact(5)),
    ("six", Count::Exact(6)),
    ("seven", Count::Exact(7)),
    ("eight", Count::Exact(8)),
    ("nine", Count::Exact(9)),
    ("ten", Count::Exact(10)),
    ("eleven", Count::Exact(11)),
    ("twelve", Count::Exact(12)),
    ("fifteen", Count::Exact(15)),
    ("twenty", Count::Exact(20)),
    ("thirty", Count::Exact(30)),
    ("a couple of", Count::Exact(2)),
    ("couple of", Count::Exact(2)),
    ("a couple", Count::Exact(2)),
    ("a few", Count::Few),
    ("few", Count::Few),
    ("several", Count::Few),
];

/// A unit of time, as counted by "ago" or named by "last week".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// An hour (resolved to the day it falls on).
    Hour,
    /// A day.
    Day,
    /// A week (ISO, Monday to Sunday); a weekend is the end of one.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
}

/// Units that "N units ago" counts in (the plural `s` is in the pattern).
pub const AGO_UNITS: &[(&str, Unit)] =
    &[("hour", Unit::Hour), ("day", Unit::Day), ("week", Unit::Week), ("month", Unit::Month), ("year", Unit::Year)];

/// Units that "this/last/next ..." names.
pub const REL_UNITS: &[(&str, Unit)] = &[
    ("week", Unit::Week),
    ("weekend", Unit::Week),
    ("month", Unit::Month),
    ("quarter", Unit::Quarter),
    ("year", Unit::Year),
];

/// Which way "this/last/next" points from the publication date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// The one before ("last week", "last Tuesday": strictly before).
    Previous,
    /// The current one ("this week"; "this Tuesday": on or before).
    Current,
    /// The one after ("next week").
    Next,
}

/// Words that point a unit, weekday, month or season relative to publication.
pub const RELS: &[(&str, Rel)] = &[
    ("last", Rel::Previous),
    ("the last", Rel::Previous),
    ("past", Rel::Previous),
    ("the past", Rel::Previous),
    ("this past", Rel::Previous),
    ("previous", Rel::Previous),
    ("the previous", Rel::Previous),
    ("this", Rel::Current),
    ("the current", Rel::Current),
    ("next", Rel::Next),
    ("the next", Rel::Next),
    ("this coming", Rel::Next),
    ("the coming", Rel::Next),
    ("coming", Rel::Next),
];

/// Words for a single day, with its offset in days from publication.
pub const DAY_WORDS: &[(&str, i64)] = &[
    ("today", 0),
    ("earlier today", 0),
    ("this morning", 0),
    ("this afternoon", 0),
    ("tonight", 0),
    ("yesterday", -1),
    ("last night", -1),
    ("the day before yesterday", -2),
    ("tomorrow", 1),
];

/// Words that make a following bare year a date ("in 2019", "since 2019", "the
/// 2014 breach"). "to", "for", "around" and "at least" are left out: "up to 2000
/// users", "for 2000 accounts", "around 2000 machines".
pub const YEAR_LEADS: &[&str] = &[
    "in",
    "since",
    "since at least",
    "of",
    "during",
    "throughout",
    "until",
    "till",
    "before",
    "after",
    "from",
    "by",
    "year",
    "circa",
    "back to",
    "as far back as",
    "as early as",
    "as of",
    "the",
    "a",
    "an",
];

/// Verbs that make a bare year before them a date ("2016 was the year of ...").
pub const YEAR_VERBS: &[&str] = &["was", "is", "has", "had", "saw", "will", "brought", "marked", "began", "ended"];

/// Words that make a following bare full month name a date ("in March", "the
/// September attack").
pub const MONTH_LEADS: &[&str] = &[
    "in",
    "since",
    "since at least",
    "during",
    "throughout",
    "until",
    "till",
    "before",
    "after",
    "by",
    "from",
    "to",
    "between",
    "back to",
    "as of",
    "the",
];

/// The table value for `word`, compared case-insensitively and with any run of
/// whitespace read as one space (the patterns allow line breaks inside phrases).
pub fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    table
        .iter()
        .find(|(name, _)| {
            let mut got = word.split_whitespace();
            name.split(' ').all(|w| got.next().is_some_and(|g| g.eq_ignore_ascii_case(w))) && got.next().is_none()
        })
        .map(|&(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case_and_whitespace_runs() {
        assert_eq!(lookup(MONTHS, "NOV"), Some(11));
        assert_eq!(lookup(PARTS, "The  end\nof"), Some(Part::SecondHalf));
        assert_eq!(lookup(NUMBERS, "a few"), Some(Count::Few));
        assert_eq!(lookup(MONTHS, "Novembre"), None);
    }

    #[test]
    fn tables_have_no_duplicate_words() {
        fn check<T>(table: &[(&str, T)]) {
            for (i, (a, _)) in table.iter().enumerate() {
                assert!(!table[..i].iter().any(|(b, _)| a.eq_ignore_ascii_case(b)), "duplicate {a}");
            }
        }
        check(MONTHS);
        check(FULL_MONTHS);
        check(WEEKDAYS);
        check(SEASONS);
        check(PARTS);
        check(ORDINALS);
        check(NUMBERS);
        check(AGO_UNITS);
        check(REL_UNITS);
        check(RELS);
        check(DAY_WORDS);
    }
}
