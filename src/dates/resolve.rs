//! Calendar arithmetic for relative dates: the weekday, month, season or day
//! nearest the publication date, "N units ago", "this/last/next unit".
//!
//! Every function is total: arithmetic past the ends of the calendar gives
//! `None`, never a panic.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::timex::{Season, Timex};
use super::words::{Count, Part, Rel, Unit};

/// The ISO week `date` falls in.
pub fn week_of(date: NaiveDate) -> Timex {
    let week = date.iso_week();
    Timex::Week { year: week.year(), week: week.week() }
}

/// The month `date` falls in.
pub fn month_of(date: NaiveDate) -> Timex {
    Timex::Month { year: date.year(), month: date.month() }
}

/// The year, or the half of it that `part` names.
pub fn year_part(year: i32, part: Option<Part>) -> Timex {
    match part {
        Some(Part::FirstHalf) => Timex::Half { year, half: 1 },
        Some(Part::SecondHalf) => Timex::Half { year, half: 2 },
        Some(Part::Whole) | None => Timex::Year(year),
    }
}

/// `date` moved by `days` (negative: back).
fn shift_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    let n = Days::new(days.unsigned_abs());
    if days < 0 {
        date.checked_sub_days(n)
    } else {
        date.checked_add_days(n)
    }
}

/// `date` moved by `months` (negative: back), clamped to the month's last day.
fn shift_months(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let n = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months < 0 {
        date.checked_sub_months(n)
    } else {
        date.checked_add_months(n)
    }
}

/// The day `offset` days from publication ("yesterday" is -1).
pub fn day_offset(published: NaiveDate, offset: i64) -> Option<Timex> {
    shift_days(published, offset).map(Timex::Day)
}

/// The most recent `month`/`day` not after publication ("Nov. 8" published in
/// March 2021 is 2020-11-08); looks back far enough to find a 29 February.
pub fn day_not_after(published: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let year = published.year();
    (0..=8)
        .filter_map(|back| NaiveDate::from_ymd_opt(year.checked_sub(back)?, month, day))
        .find(|date| *date <= published)
}

/// The `weekday` nearest publication: on or before it for a plain weekday or
/// "this", strictly before for "last", strictly after for "next".
pub fn weekday_near(published: NaiveDate, weekday: Weekday, rel: Option<Rel>) -> Option<NaiveDate> {
    let from = i64::from(published.weekday().num_days_from_monday());
    let to = i64::from(weekday.num_days_from_monday());
    match rel {
        None | Some(Rel::Current) => shift_days(published, -(from - to).rem_euclid(7)),
        Some(Rel::Previous) => shift_days(published, -((from - to - 1).rem_euclid(7) + 1)),
        Some(Rel::Next) => shift_days(published, (to - from - 1).rem_euclid(7) + 1),
    }
}

/// The `month` nearest publication: the most recent one that has begun for a
/// plain month ("in May"), strictly before or after the publication month for
/// "last"/"next", the publication year's for "this".
pub fn month_near(published: NaiveDate, month: u32, rel: Option<Rel>) -> Option<Timex> {
    let (year, now) = (published.year(), published.month());
    let year = match rel {
        None => year - i32::from(month > now),
        Some(Rel::Previous) => year - i32::from(month >= now),
        Some(Rel::Current) => year,
        Some(Rel::Next) => year + i32::from(month <= now),
    };
    Some(Timex::Month { year, month })
}

/// A season as a count of seasons since year 0, winter counted in the year of
/// its December.
fn season_index(year: i32, season: Season) -> i64 {
    let s = match season {
        Season::Spring => 0,
        Season::Summer => 1,
        Season::Fall => 2,
        Season::Winter => 3,
    };
    i64::from(year) * 4 + s
}

/// The season a count from [`season_index`] stands for.
fn season_at(index: i64) -> Option<Timex> {
    let year = i32::try_from(index.div_euclid(4)).ok()?;
    let season = [Season::Spring, Season::Summer, Season::Fall, Season::Winter][index.rem_euclid(4) as usize];
    Some(Timex::Season { year, season })
}

/// The season publication falls in (January and February belong to the winter
/// that began the December before).
fn season_now(published: NaiveDate) -> i64 {
    let (year, month) = (published.year(), published.month());
    match month {
        3..=5 => season_index(year, Season::Spring),
        6..=8 => season_index(year, Season::Summer),
        9..=11 => season_index(year, Season::Fall),
        12 => season_index(year, Season::Winter),
        _ => season_index(year - 1, Season::Winter),
    }
}

/// "last summer", "this winter", "next spring": the season before, at or after
/// publication's (for "this", the current season if it is the one named, else
/// the one of the publication year).
pub fn season_near(published: NaiveDate, season: Season, rel: Rel) -> Option<Timex> {
    let now = season_now(published);
    let wanted = season_index(0, season);
    let index = match rel {
        Rel::Previous => (1..=4).map(|back| now - back).find(|i| i.rem_euclid(4) == wanted)?,
        Rel::Next => (1..=4).map(|ahead| now + ahead).find(|i| i.rem_euclid(4) == wanted)?,
        Rel::Current if now.rem_euclid(4) == wanted => now,
        Rel::Current => season_index(published.year(), season),
    };
    season_at(index)
}

/// "N units ago". A vague count ("a few days ago") is taken as three and the
/// result given one unit coarser (a week for days, a month for weeks, a year for
/// months); "a few years ago" stays unresolved.
pub fn ago(published: NaiveDate, count: Count, unit: Unit) -> Option<Timex> {
    let n = match count {
        Count::Exact(n) => i64::from(n),
        Count::Few => 3,
    };
    let vague = count == Count::Few;
    match unit {
        Unit::Hour => shift_days(published, -(n / 24)).map(Timex::Day),
        Unit::Day if vague => shift_days(published, -n).map(week_of),
        Unit::Day => shift_days(published, -n).map(Timex::Day),
        Unit::Week if vague => shift_days(published, -7 * n).map(month_of),
        Unit::Week => shift_days(published, -7 * n).map(week_of),
        Unit::Month if vague => shift_months(published, -n).map(|d| Timex::Year(d.year())),
        Unit::Month => shift_months(published, -n).map(month_of),
        Unit::Quarter => shift_months(published, -3 * n).map(quarter_of),
        Unit::Year if vague => None,
        Unit::Year => Some(Timex::Year(published.year().checked_sub(i32::try_from(n).ok()?)?)),
    }
}

/// The quarter `date` falls in.
fn quarter_of(date: NaiveDate) -> Timex {
    Timex::Quarter { year: date.year(), quarter: (date.month() - 1) / 3 + 1 }
}

/// "this week", "last month", "next quarter", "late last year": the unit before,
/// at or after publication's; `part` narrows a year to a half.
pub fn relative_unit(published: NaiveDate, rel: Rel, unit: Unit, part: Option<Part>) -> Option<Timex> {
    let k: i64 = match rel {
        Rel::Previous => -1,
        Rel::Current => 0,
        Rel::Next => 1,
    };
    match unit {
        Unit::Hour | Unit::Day => shift_days(published, k).map(Timex::Day),
        Unit::Week => shift_days(published, 7 * k).map(week_of),
        Unit::Month => shift_months(published, k).map(month_of),
        Unit::Quarter => shift_months(published, 3 * k).map(quarter_of),
        Unit::Year => Some(year_part(published.year().checked_add(k as i32)?, part)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weekdays_count_back_from_publication() {
        let wed = d("2021-03-10");
        assert_eq!(weekday_near(wed, Weekday::Wed, None), Some(wed));
        assert_eq!(weekday_near(wed, Weekday::Wed, Some(Rel::Previous)), Some(d("2021-03-03")));
        assert_eq!(weekday_near(wed, Weekday::Tue, None), Some(d("2021-03-09")));
        assert_eq!(weekday_near(wed, Weekday::Thu, None), Some(d("2021-03-04")));
        assert_eq!(weekday_near(wed, Weekday::Thu, Some(Rel::Next)), Some(d("2021-03-11")));
        assert_eq!(weekday_near(wed, Weekday::Wed, Some(Rel::Next)), Some(d("2021-03-17")));
    }

    #[test]
    fn days_without_a_year_take_the_latest_year_not_after_publication() {
        assert_eq!(day_not_after(d("2021-03-10"), 11, 8), Some(d("2020-11-08")));
        assert_eq!(day_not_after(d("2021-03-10"), 3, 10), Some(d("2021-03-10")));
        assert_eq!(day_not_after(d("2021-03-10"), 2, 29), Some(d("2020-02-29")));
        assert_eq!(day_not_after(d("2021-03-10"), 2, 30), None);
    }

    #[test]
    fn seasons_wrap_round_the_year() {
        let jan = d("2021-01-15");
        assert_eq!(season_near(jan, Season::Winter, Rel::Current).unwrap().to_string(), "2020-WI");
        assert_eq!(season_near(jan, Season::Winter, Rel::Previous).unwrap().to_string(), "2019-WI");
        assert_eq!(season_near(jan, Season::Summer, Rel::Previous).unwrap().to_string(), "2020-SU");
        assert_eq!(season_near(jan, Season::Spring, Rel::Next).unwrap().to_string(), "2021-SP");
        assert_eq!(season_near(jan, Season::Summer, Rel::Current).unwrap().to_string(), "2021-SU");
    }

    #[test]
    fn arithmetic_at_the_ends_of_the_calendar_gives_none() {
        for date in [NaiveDate::MAX, NaiveDate::MIN] {
            for unit in [Unit::Hour, Unit::Day, Unit::Week, Unit::Month, Unit::Quarter, Unit::Year] {
                let _ = ago(date, Count::Exact(999), unit);
                let _ = ago(date, Count::Few, unit);
                for rel in [Rel::Previous, Rel::Current, Rel::Next] {
                    let _ = relative_unit(date, rel, unit, Some(Part::SecondHalf));
                    let _ = weekday_near(date, Weekday::Sun, Some(rel));
                    let _ = season_near(date, Season::Winter, rel);
                    let _ = month_near(date, 12, Some(rel));
                }
            }
            let _ = day_not_after(date, 2, 29);
        }
        assert_eq!(ago(NaiveDate::MIN, Count::Exact(3), Unit::Day), None);
        assert_eq!(relative_unit(NaiveDate::MAX, Rel::Next, Unit::Week, None), None);
    }
}
