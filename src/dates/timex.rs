//! Normalised date values in the style of TIMEX3: ISO 8601 where the text is exact
//! (`2018-11-06`, `2022-05`, `2021`), with `H1/H2`, `Q1..Q4`, ISO weeks and the
//! seasons `SP/SU/FA/WI` for the rest (`2021-H2`, `2019-Q1`, `2020-FA`).

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// A season of the year, as TIMEX3 writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Season {
    /// Spring (`SP`): March to May.
    Spring,
    /// Summer (`SU`): June to August.
    Summer,
    /// Autumn or fall (`FA`): September to November.
    Fall,
    /// Winter (`WI`): December to February.
    Winter,
}

impl Season {
    /// Every season with its TIMEX3 code.
    const ALL: [(Season, &'static str); 4] =
        [(Season::Spring, "SP"), (Season::Summer, "SU"), (Season::Fall, "FA"), (Season::Winter, "WI")];

    /// The TIMEX3 code: `SP`, `SU`, `FA` or `WI`.
    fn code(self) -> &'static str {
        Season::ALL.iter().find(|(s, _)| *s == self).map(|(_, c)| *c).unwrap_or("SP")
    }

    /// The months the season covers (winter is counted as December to February of
    /// the year it starts in, so only December counts within the year).
    fn months(self) -> RangeInclusive<u32> {
        match self {
            Season::Spring => 3..=5,
            Season::Summer => 6..=8,
            Season::Fall => 9..=11,
            Season::Winter => 12..=12,
        }
    }
}

/// A normalised date value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timex {
    /// A calendar day: `2018-11-06`.
    Day(NaiveDate),
    /// An ISO week: `2024-W05`.
    Week {
        /// ISO week-numbering year.
        year: i32,
        /// ISO week, 1 to 53.
        week: u32,
    },
    /// A month: `2022-05`.
    Month {
        /// The year.
        year: i32,
        /// The month, 1 to 12.
        month: u32,
    },
    /// A quarter: `2019-Q1`.
    Quarter {
        /// The year.
        year: i32,
        /// The quarter, 1 to 4.
        quarter: u32,
    },
    /// A half year: `2021-H2`.
    Half {
        /// The year.
        year: i32,
        /// The half, 1 or 2.
        half: u32,
    },
    /// A season: `2020-FA`.
    Season {
        /// The year.
        year: i32,
        /// The season.
        season: Season,
    },
    /// A year: `2021`.
    Year(i32),
}

impl Timex {
    /// The (first) year the value falls in.
    pub fn year(&self) -> i32 {
        match *self {
            Timex::Day(d) => d.year(),
            Timex::Week { year, week } => {
                NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).map(|d| d.year()).unwrap_or(year)
            }
            Timex::Month { year, .. }
            | Timex::Quarter { year, .. }
            | Timex::Half { year, .. }
            | Timex::Season { year, .. }
            | Timex::Year(year) => year,
        }
    }

    /// The months of the year the value covers; `None` for a whole year.
    pub fn months(&self) -> Option<RangeInclusive<u32>> {
        match *self {
            Timex::Day(d) => Some(d.month()..=d.month()),
            Timex::Week { year, week } => {
                let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)?;
                let sunday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Sun)?;
                Some(monday.month()..=sunday.month().max(monday.month()))
            }
            Timex::Month { month, .. } => Some(month..=month),
            Timex::Quarter { quarter, .. } => Some(quarter * 3 - 2..=quarter * 3),
            Timex::Half { half, .. } => Some(half * 6 - 5..=half * 6),
            Timex::Season { season, .. } => Some(season.months()),
            Timex::Year(_) => None,
        }
    }

    /// The day of the month, for a [`Timex::Day`].
    pub fn day(&self) -> Option<u32> {
        match self {
            Timex::Day(d) => Some(d.day()),
            _ => None,
        }
    }

    /// Relaxed agreement used by the scorer: the same year, overlapping months
    /// where both values give months, and the same day where both give a day.
    pub fn agrees_with(&self, other: &Timex) -> bool {
        if self.year() != other.year() {
            return false;
        }
        if let (Some(a), Some(b)) = (self.months(), other.months()) {
            if a.end() < b.start() || b.end() < a.start() {
                return false;
            }
        }
        match (self.day(), other.day()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

impl fmt::Display for Timex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Timex::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Timex::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            Timex::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Timex::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Timex::Half { year, half } => write!(f, "{year:04}-H{half}"),
            Timex::Season { year, season } => write!(f, "{year:04}-{}", season.code()),
            Timex::Year(year) => write!(f, "{year:04}"),
        }
    }
}

/// Why a string is not a TIMEX3-style value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a normalised date value: {0:?} (expected e.g. 2021, 2021-05, 2021-05-09, 2021-Q1, 2021-H2, 2021-W05, 2021-FA)"
)]
pub struct ParseTimexError(pub String);

impl FromStr for Timex {
    type Err = ParseTimexError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseTimexError(s.to_string());
        let s = s.trim();
        let (year_text, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = year_text.parse().map_err(|_| err())?;
        let Some(rest) = rest else {
            return Ok(Timex::Year(year));
        };
        let number = |t: &str, range: RangeInclusive<u32>| -> Result<u32, ParseTimexError> {
            t.parse::<u32>().ok().filter(|n| range.contains(n)).ok_or_else(err)
        };
        if let Some(q) = rest.strip_prefix('Q') {
            return Ok(Timex::Quarter { year, quarter: number(q, 1..=4)? });
        }
        if let Some(h) = rest.strip_prefix('H') {
            return Ok(Timex::Half { year, half: number(h, 1..=2)? });
        }
        // Seasons before weeks: winter's `WI` also starts with `W`.
        if let Some((season, _)) = Season::ALL.iter().find(|(_, code)| *code == rest) {
            return Ok(Timex::Season { year, season: *season });
        }
        if let Some(w) = rest.strip_prefix('W') {
            return Ok(Timex::Week { year, week: number(w, 1..=53)? });
        }
        match rest.split_once('-') {
            None => Ok(Timex::Month { year, month: number(rest, 1..=12)? }),
            Some(_) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Timex::Day).map_err(|_| err()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timex {
        s.parse().unwrap()
    }

    #[test]
    fn round_trips_every_form() {
        for s in ["2018-11-06", "2022-05", "2021", "2021-H2", "2019-Q1", "2020-FA", "2024-W05", "2020-WI"] {
            assert_eq!(t(s).to_string(), s);
        }
    }

    #[test]
    fn rejects_malformed_values() {
        for s in ["", "21", "2021-13", "2021-Q5", "2021-H3", "2021-02-30", "2021-XX", "late 2021"] {
            assert!(s.parse::<Timex>().is_err(), "{s} should not parse");
        }
    }

    #[test]
    fn relaxed_agreement_compares_year_then_months_then_day() {
        assert!(t("2021-11-09").agrees_with(&t("2021")));
        assert!(t("2021-11-09").agrees_with(&t("2021-11")));
        assert!(t("2021-11-09").agrees_with(&t("2021-H2")));
        assert!(t("2020-10").agrees_with(&t("2020-FA")));
        assert!(!t("2021-11-09").agrees_with(&t("2021-11-10")));
        assert!(!t("2021-03").agrees_with(&t("2021-H2")));
        assert!(!t("2021").agrees_with(&t("2020")));
    }
}
