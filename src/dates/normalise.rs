//! Turns one pattern match into a value: reads the captured words back through
//! the word tables, applies the row's [`Rule`], and rejects matches that are not
//! dates after all (part of a bigger number, part of a name like "Patch
//! Tuesday", a day that does not exist like 31 November).

use std::ops::Range;

use chrono::{NaiveDate, Weekday};
use regex::Captures;

use super::patterns::Rule;
use super::resolve;
use super::timex::Timex;
use super::words::{
    lookup, Count, Rel, AGO_UNITS, DAY_WORDS, MONTHS, NAME_WORDS, NUMBERS, ORDINALS, PARTS, RELS, REL_UNITS, SEASONS,
    WEEKDAYS,
};

/// What a match turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A date with this value.
    Value(Timex),
    /// A date whose value needs the publication date (or lies off the calendar).
    Unresolved,
    /// Not a date.
    NotADate,
}

impl From<Option<Timex>> for Outcome {
    fn from(value: Option<Timex>) -> Self {
        value.map_or(Outcome::Unresolved, Outcome::Value)
    }
}

/// Normalises the match `caps` of a row with `rule`, whose mention covers
/// `mention` (bytes) of `text`.
pub fn normalise(
    text: &str,
    mention: Range<usize>,
    rule: Rule,
    caps: &Captures<'_>,
    published: Option<NaiveDate>,
) -> Outcome {
    if inside_number(text.as_bytes(), mention.clone()) {
        return Outcome::NotADate;
    }
    if word_before(text, mention.start).is_some_and(|w| NAME_WORDS.contains(&w)) {
        return Outcome::NotADate;
    }
    let word = |name: &str| caps.name(name).map(|m| m.as_str());
    let number = |name: &str| word(name).and_then(leading_number);
    let year = number("year").and_then(|y| i32::try_from(y).ok());
    let part = word("part").and_then(|p| lookup(PARTS, p));
    let rel = word("rel").and_then(|r| lookup(RELS, r));
    let read = || -> Option<Outcome> {
        Some(match rule {
            Rule::Date => {
                let month = number("month").or_else(|| lookup(MONTHS, word("month")?))?;
                let day = number("day")?;
                match year {
                    Some(year) => Outcome::Value(Timex::Day(NaiveDate::from_ymd_opt(year, month, day)?)),
                    // A day that exists in a leap year, found in the years before publication.
                    None if NaiveDate::from_ymd_opt(2000, month, day).is_some() => {
                        published.and_then(|p| resolve::day_not_after(p, month, day)).map(Timex::Day).into()
                    }
                    None => return None,
                }
            }
            Rule::NumericDate => {
                let (first, second) = (number("first")?, number("second")?);
                let (month, day) = match (first, second) {
                    (a, b) if a == b || b > 12 => (a, b),
                    (a, b) if a > 12 => (b, a),
                    _ => return None,
                };
                Outcome::Value(Timex::Day(NaiveDate::from_ymd_opt(year?, month, day)?))
            }
            Rule::Month => {
                let month = lookup(MONTHS, word("month")?)?;
                match year {
                    Some(year) => Outcome::Value(Timex::Month { year, month }),
                    None => published.and_then(|p| resolve::month_near(p, month, rel)).into(),
                }
            }
            Rule::Year => Outcome::Value(resolve::year_part(year?, part)),
            Rule::Season => {
                let season = lookup(SEASONS, word("season")?)?;
                match (year, rel) {
                    (Some(year), _) => Outcome::Value(Timex::Season { year, season }),
                    (None, Some(rel)) => published.and_then(|p| resolve::season_near(p, season, rel)).into(),
                    (None, None) => return None,
                }
            }
            Rule::Quarter => {
                let quarter = number("quarter").or_else(|| lookup(ORDINALS, word("ordinal")?))?;
                Outcome::Value(Timex::Quarter { year: year?, quarter })
            }
            Rule::DayWord => {
                let offset = lookup(DAY_WORDS, word("day_word")?)?;
                published.and_then(|p| resolve::day_offset(p, offset)).into()
            }
            Rule::Weekday => {
                let weekday = lookup(WEEKDAYS, word("weekday")?)?;
                published.and_then(|p| resolve::weekday_near(p, weekday, rel)).map(Timex::Day).into()
            }
            Rule::Ago => {
                let count = match number("count") {
                    Some(n) => Count::Exact(n),
                    None => lookup(NUMBERS, word("count")?)?,
                };
                let unit = lookup(AGO_UNITS, word("unit")?)?;
                published.and_then(|p| resolve::ago(p, count, unit)).into()
            }
            Rule::RelativeUnit => {
                let unit = lookup(REL_UNITS, word("unit")?)?;
                let rel = rel.unwrap_or(Rel::Current);
                published.and_then(|p| resolve::relative_unit(p, rel, unit, part)).into()
            }
            Rule::Weekend => {
                published.and_then(|p| resolve::weekday_near(p, Weekday::Sat, None)).map(resolve::week_of).into()
            }
        })
    };
    read().unwrap_or(Outcome::NotADate)
}

/// The number a capture starts with ("9th" is 9); `None` for words.
fn leading_number(text: &str) -> Option<u32> {
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    text[..digits].parse().ok()
}

/// The word (ASCII letters) just before byte `at`, across whitespace.
fn word_before(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?.trim_end();
    let start = before.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    Some(&before[start..]).filter(|w| !w.is_empty())
}

/// True when the mention is glued to a bigger number or is an amount: "2,019",
/// "12.2019", "2019-2020", "$2019", "2019%", "2019 percent", "555-2019".
fn inside_number(bytes: &[u8], mention: Range<usize>) -> bool {
    const JOINERS: &[u8] = b",./-:";
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let before = mention.start.checked_sub(1).and_then(|i| bytes.get(i).copied());
    let after = bytes.get(mention.end).copied();
    let glued_before = match before {
        Some(b'$' | b'#') => true,
        Some(b) if b.is_ascii_digit() => true,
        Some(b) if JOINERS.contains(&b) => mention.start >= 2 && digit(mention.start - 2),
        // The last byte of "£", "€", "¥".
        Some(0xA3 | 0xAC | 0xA5) => {
            let head = &bytes[..mention.start];
            head.ends_with("£".as_bytes()) || head.ends_with("€".as_bytes()) || head.ends_with("¥".as_bytes())
        }
        _ => false,
    };
    let glued_after = match after {
        Some(b'%') => true,
        Some(b) if b.is_ascii_digit() => true,
        Some(b) if JOINERS.contains(&b) => digit(mention.end + 1),
        _ => false,
    };
    let rest = bytes.get(mention.end..).unwrap_or_default().trim_ascii_start();
    let percent = [b"percent".as_slice(), b"per cent"]
        .iter()
        .any(|w| rest.get(..w.len()).is_some_and(|r| r.eq_ignore_ascii_case(w)));
    glued_before || glued_after || percent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_glued_to_a_mention_reject_it() {
        let check = |text: &str, mention: &str| {
            let start = text.find(mention).unwrap();
            inside_number(text.as_bytes(), start..start + mention.len())
        };
        assert!(check("a total of 12,2019 files", "2019"));
        assert!(check("in 2019.5 million", "2019"));
        assert!(check("call 555-2019", "2019"));
        assert!(check("paid $2019 in", "2019"));
        assert!(check("paid €2019 in", "2019"));
        assert!(check("up 2019% on", "2019"));
        assert!(check("up 2019 Percent on", "2019"));
        assert!(check("in 2019-2020 the", "2019"));
        assert!(!check("in 2019, the", "2019"));
        assert!(!check("in 2019.", "2019"));
        assert!(!check("(in 2019)", "2019"));
    }

    #[test]
    fn word_before_skips_whitespace() {
        assert_eq!(word_before("on Patch  Tuesday", 10), Some("Patch"));
        assert_eq!(word_before("Tuesday", 0), None);
        assert_eq!(word_before("“ Tuesday", 4), None);
    }

    #[test]
    fn leading_numbers_drop_ordinal_suffixes() {
        assert_eq!(leading_number("9th"), Some(9));
        assert_eq!(leading_number("2019"), Some(2019));
        assert_eq!(leading_number("few"), None);
    }
}
