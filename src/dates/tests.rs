//! Tests of the tagger as a whole: example sentences for every row of the
//! pattern table (with and without a publication date), one test per row;
//! longest match, text order, the things that must not be tagged, and odd input.

use chrono::NaiveDate;

use super::patterns::PATTERNS;
use super::{find, tag_dates};

/// The publication date most cases use: Wednesday 10 March 2021 (ISO week 10).
const P: Option<&str> = Some("2021-03-10");

/// `(row, sentence, published, mention, value)`: the sentence holds exactly one
/// date, `mention`, found by `row`, whose value is `value`.
type Case = (&'static str, &'static str, Option<&'static str>, &'static str, Option<&'static str>);

#[rustfmt::skip]
const CASES: &[Case] = &[
    ("iso_date", "The breach began on 2018-11-09, officials said.", None, "2018-11-09", Some("2018-11-09")),
    ("iso_date", "Logs stamped 2020-02-29T04:13:00Z show the intrusion.", P, "2020-02-29", Some("2020-02-29")),
    ("day_month_year", "Hackers struck on 9 November 2018.", None, "9 November 2018", Some("2018-11-09")),
    ("day_month_year", "It came on Friday, the 9th of November 2018, at night.", P, "Friday, the 9th of November 2018", Some("2018-11-09")),
    ("month_day_year", "On November 9, 2018, the bank was hit.", None, "November 9, 2018", Some("2018-11-09")),
    ("month_day_year", "The leak surfaced Nov. 9, 2018 on a forum.", P, "Nov. 9, 2018", Some("2018-11-09")),
    ("month_day_year", "Posted Tuesday, SEPT 3rd 2019 by the gang.", P, "Tuesday, SEPT 3rd 2019", Some("2019-09-03")),
    ("month_day_range_year", "Attacks ran March 3-5, 2020 across Europe.", None, "March 3-5, 2020", Some("2020-03-03")),
    ("month_day_range_year", "Scans peaked between May 3 and 7, 2019.", P, "May 3 and 7, 2019", Some("2019-05-03")),
    ("day_range_month_year", "The outage lasted 3–5 March 2020.", None, "3–5 March 2020", Some("2020-03-03")),
    ("day_range_month_year", "The campaign ran 10 to 12 June 2019.", P, "10 to 12 June 2019", Some("2019-06-10")),
    ("numeric_date", "Updates dated 8/20/2018 were released.", None, "8/20/2018", Some("2018-08-20")),
    ("numeric_date", "Updates dated 20/8/2018 were released.", P, "20/8/2018", Some("2018-08-20")),
    ("day_month", "The ransomware hit on 8 November.", None, "8 November", None),
    ("day_month", "The ransomware hit on 8 November.", P, "8 November", Some("2020-11-08")),
    ("day_month", "Patches shipped on the 10th of March.", P, "the 10th of March", Some("2021-03-10")),
    ("month_day", "The gang posted the data on Nov. 8.", None, "Nov. 8", None),
    ("month_day", "The gang posted the data on Nov. 8.", P, "Nov. 8", Some("2020-11-08")),
    ("month_day", "Systems went dark on March 11 as well.", P, "March 11", Some("2020-03-11")),
    ("month_day", "Systems went dark on March 10 as well.", P, "March 10", Some("2021-03-10")),
    ("month_year", "Hackers breached the firm in May 2022.", None, "May 2022", Some("2022-05")),
    ("month_year", "The flaw was found in November of 2018.", P, "November of 2018", Some("2018-11")),
    ("month_year", "A patch followed in Dec. 2019.", P, "Dec. 2019", Some("2019-12")),
    ("part_of_month", "The intrusion was spotted in late May 2022.", None, "late May 2022", Some("2022-05")),
    ("part_of_month", "Early May saw a wave of phishing.", None, "Early May", None),
    ("part_of_month", "Phishing spiked in early May.", P, "early May", Some("2020-05")),
    ("part_of_month", "The botnet grew until mid-February.", P, "mid-February", Some("2021-02")),
    ("part_of_month", "Ransomware hit in the first week of September.", P, "the first week of September", Some("2020-09")),
    ("part_of_month", "It hit on the last weekend of November 2018.", None, "the last weekend of November 2018", Some("2018-11")),
    ("relative_month", "Systems were wiped last May.", None, "last May", None),
    ("relative_month", "Systems were wiped last May.", P, "last May", Some("2020-05")),
    ("relative_month", "Systems were wiped this March.", P, "this March", Some("2021-03")),
    ("month_after_word", "The attackers had been inside since March.", None, "March", None),
    ("month_after_word", "The attackers had been inside since March.", P, "March", Some("2021-03")),
    ("month_after_word", "The attackers had been inside since April.", P, "April", Some("2020-04")),
    ("month_after_word", "Victims of the September attack were told.", P, "September", Some("2020-09")),
    ("part_of_year", "Hackers breached the firm in late 2021.", None, "late 2021", Some("2021-H2")),
    ("part_of_year", "The group surfaced in early 2021.", P, "early 2021", Some("2021-H1")),
    ("part_of_year", "The group surfaced in mid-2017.", None, "mid-2017", Some("2017")),
    ("part_of_year", "The group surfaced in mid 2017.", None, "mid 2017", Some("2017")),
    ("part_of_year", "It went quiet in the middle of 2017.", P, "the middle of 2017", Some("2017")),
    ("part_of_year", "It went quiet at the end of 2021.", None, "the end of 2021", Some("2021-H2")),
    ("part_of_year", "Sales fell in the second half of 2021.", P, "the second half of 2021", Some("2021-H2")),
    ("part_of_year", "Sales fell in the first half of 2020.", None, "the first half of 2020", Some("2020-H1")),
    ("part_of_year", "Detections rose in H1 2021.", None, "H1 2021", Some("2021-H1")),
    ("part_of_year", "Detections rose in the last half of 2016.", P, "the last half of 2016", Some("2016-H2")),
    ("year_range", "The campaign ran from 2018 to 2020.", None, "2018 to 2020", Some("2018")),
    ("year_range", "Losses grew between 2018 and 2019.", P, "2018 and 2019", Some("2018")),
    ("year_range", "Losses grew in 2019–2020.", None, "2019–2020", Some("2019")),
    ("year_after_word", "The group has been active since 2019.", None, "2019", Some("2019")),
    ("year_after_word", "In 2019, the group changed tactics.", P, "2019", Some("2019")),
    ("year_after_word", "It was first seen in the year 2000.", None, "2000", Some("2000")),
    ("year_after_word", "They confirmed the 2014 breach.", P, "2014", Some("2014")),
    ("year_after_word", "It has been active since at least 2016.", None, "2016", Some("2016")),
    ("year_after_word", "It affects Windows from 2008 onward.", None, "2008", Some("2008")),
    ("year_subject", "2016 was the year of ransomware.", None, "2016", Some("2016")),
    ("year_subject", "Analysts say 2017 has already been worse.", P, "2017", Some("2017")),
    ("year_possessive", "2019's biggest breach hit a hotel chain.", None, "2019", Some("2019")),
    ("year_possessive", "Unlike 2020’s attacks, these were quiet.", P, "2020", Some("2020")),
    ("season_year", "The wiper appeared in autumn 2020.", None, "autumn 2020", Some("2020-FA")),
    ("season_year", "The wiper appeared in the fall of 2020.", P, "the fall of 2020", Some("2020-FA")),
    ("season_year", "The wiper appeared in early summer 2019.", None, "early summer 2019", Some("2019-SU")),
    ("season_year", "The wiper appeared in Winter 2020.", None, "Winter 2020", Some("2020-WI")),
    ("season_year", "The wiper appeared in spring of 2018.", P, "spring of 2018", Some("2018-SP")),
    ("relative_season", "The wiper appeared last summer.", None, "last summer", None),
    ("relative_season", "The wiper appeared last summer.", P, "last summer", Some("2020-SU")),
    ("relative_season", "The wiper appeared last winter.", P, "last winter", Some("2020-WI")),
    ("relative_season", "The wiper appeared earlier this spring.", P, "earlier this spring", Some("2021-SP")),
    ("quarter_year", "Ransomware doubled in the first quarter of 2019.", None, "the first quarter of 2019", Some("2019-Q1")),
    ("quarter_year", "Ransomware doubled in the last quarter of 2018.", P, "the last quarter of 2018", Some("2018-Q4")),
    ("quarter_year", "Third-quarter 2020 losses were high.", None, "Third-quarter 2020", Some("2020-Q3")),
    ("q_year", "Ransomware doubled in Q1 2019.", None, "Q1 2019", Some("2019-Q1")),
    ("q_year", "Ransomware doubled in Q1-2019.", P, "Q1-2019", Some("2019-Q1")),
    ("q_year", "Ransomware doubled in Q3 of 2020.", None, "Q3 of 2020", Some("2020-Q3")),
    ("year_q", "Ransomware doubled in 2019-Q1.", None, "2019-Q1", Some("2019-Q1")),
    ("year_q", "Ransomware doubled in 2020 Q4.", P, "2020 Q4", Some("2020-Q4")),
    ("day_word", "The site went down yesterday.", None, "yesterday", None),
    ("day_word", "The site went down yesterday.", P, "yesterday", Some("2021-03-09")),
    ("day_word", "Today the firm confirmed the breach.", P, "Today", Some("2021-03-10")),
    ("day_word", "It began the day before yesterday.", P, "the day before yesterday", Some("2021-03-08")),
    ("day_word", "The site went down last night.", P, "last night", Some("2021-03-09")),
    ("weekday", "The city was hit on Tuesday.", None, "Tuesday", None),
    ("weekday", "The city was hit on Tuesday.", P, "Tuesday", Some("2021-03-09")),
    ("weekday", "The city was hit on Wednesday.", P, "Wednesday", Some("2021-03-10")),
    ("weekday", "The city was hit on Thursday.", P, "Thursday", Some("2021-03-04")),
    ("weekday", "The city was hit last Wednesday.", P, "last Wednesday", Some("2021-03-03")),
    ("weekday", "The city was hit last Tuesday.", P, "last Tuesday", Some("2021-03-09")),
    ("weekday", "Talks resume next Monday.", P, "next Monday", Some("2021-03-15")),
    ("ago", "The gang struck two years ago.", None, "two years ago", None),
    ("ago", "The gang struck two years ago.", P, "two years ago", Some("2019")),
    ("ago", "The gang struck three months ago.", P, "three months ago", Some("2020-12")),
    ("ago", "The gang struck a week ago.", P, "a week ago", Some("2021-W09")),
    ("ago", "The gang struck 10 days ago.", P, "10 days ago", Some("2021-02-28")),
    ("ago", "The gang struck 48 hours ago.", P, "48 hours ago", Some("2021-03-08")),
    ("ago", "The gang struck a few days ago.", P, "a few days ago", Some("2021-W09")),
    ("ago", "The gang struck a few years ago.", P, "a few years ago", None),
    ("past_few", "Scans rose over the past few days.", None, "the past few days", None),
    ("past_few", "Scans rose over the past few days.", P, "the past few days", Some("2021-W09")),
    ("past_few", "Scans rose in the last couple of weeks.", P, "the last couple of weeks", Some("2021-W08")),
    ("relative_unit", "The firm was hacked earlier this month.", None, "earlier this month", None),
    ("relative_unit", "The firm was hacked earlier this month.", P, "earlier this month", Some("2021-03")),
    ("relative_unit", "The firm was hacked earlier this year.", P, "earlier this year", Some("2021")),
    ("relative_unit", "The firm was hacked this year.", P, "this year", Some("2021")),
    ("relative_unit", "The firm was hacked last year.", P, "last year", Some("2020")),
    ("relative_unit", "The firm was hacked late last year.", P, "late last year", Some("2020-H2")),
    ("relative_unit", "The firm was hacked last month.", P, "last month", Some("2021-02")),
    ("relative_unit", "The firm was hacked this week.", P, "this week", Some("2021-W10")),
    ("relative_unit", "The firm was hacked last week.", P, "last week", Some("2021-W09")),
    ("relative_unit", "The firm was hacked last weekend.", P, "last weekend", Some("2021-W09")),
    ("relative_unit", "The firm was hacked earlier this week.", P, "earlier this week", Some("2021-W10")),
    ("relative_unit", "Revenue fell last quarter.", P, "last quarter", Some("2020-Q4")),
    ("part_of_the_unit", "A fix is due at the end of the month.", None, "the end of the month", None),
    ("part_of_the_unit", "A fix is due at the end of the month.", P, "the end of the month", Some("2021-03")),
    ("part_of_the_unit", "Sales rose in the first half of the year.", P, "the first half of the year", Some("2021-H1")),
    ("the_weekend", "Servers went down over the weekend.", None, "the weekend", None),
    ("the_weekend", "Servers went down over the weekend.", P, "the weekend", Some("2021-W09")),
    ("the_weekend", "Servers went down over the weekend.", Some("2021-03-13"), "the weekend", Some("2021-W10")),
];

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Runs the cases of `row`: each must give exactly its one mention, found by
/// that row, with its value. The row must have cases with and without a
/// publication date.
fn check_row(row: &str) {
    let cases: Vec<_> = CASES.iter().filter(|case| case.0 == row).collect();
    for with in [false, true] {
        assert!(
            cases.iter().any(|case| case.2.is_some() == with),
            "row {row} has no case {} a publication date",
            if with { "with" } else { "without" }
        );
    }
    let mut failures = Vec::new();
    for &&(_, text, published, mention, value) in &cases {
        let found = find(text, published.map(date));
        let got: Vec<_> = found.iter().map(|(m, r)| (*r, m.text.as_str(), m.value.map(|v| v.to_string()))).collect();
        let want = vec![(row, mention, value.map(str::to_string))];
        if got != want {
            failures.push(format!("{text:?} (published {published:?}):\n   want {want:?}\n    got {got:?}"));
        }
        for (m, _) in &found {
            assert_eq!(&text[m.span.range()], m.text);
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// One test per row of the pattern table, named after it.
macro_rules! row_tests {
    ($($row:ident),* $(,)?) => {
        mod row {
            $(
                #[test]
                fn $row() {
                    super::check_row(stringify!($row));
                }
            )*
        }

        /// The rows that have a test.
        const ROWS_TESTED: &[&str] = &[$(stringify!($row)),*];
    };
}

row_tests! {
    iso_date, day_month_year, month_day_year, month_day_range_year, day_range_month_year, numeric_date, day_month,
    month_day, month_year, part_of_month, relative_month, month_after_word, part_of_year, year_range,
    year_after_word, year_subject, year_possessive, season_year, relative_season, quarter_year, q_year, year_q,
    day_word, weekday, ago, past_few, relative_unit, part_of_the_unit, the_weekend,
}

#[test]
fn every_row_has_a_test_and_every_case_a_row() {
    let rows: Vec<&str> = PATTERNS.iter().map(|(name, _, _)| *name).collect();
    assert_eq!(rows, ROWS_TESTED, "row_tests! must list the rows of PATTERNS, in order");
    for case in CASES {
        assert!(rows.contains(&case.0), "case for unknown row {}", case.0);
    }
}

/// The mentions as `(text, value)`.
fn tag(text: &str, published: Option<&str>) -> Vec<(String, Option<String>)> {
    tag_dates(text, published.map(date)).into_iter().map(|m| (m.text, m.value.map(|v| v.to_string()))).collect()
}

fn one(text: &str, value: &str) -> Vec<(String, Option<String>)> {
    vec![(text.to_string(), Some(value.to_string()))]
}

#[test]
fn the_longest_match_wins() {
    assert_eq!(tag("Losses grew in the first quarter of 2019.", None), one("the first quarter of 2019", "2019-Q1"));
    assert_eq!(tag("It was spotted in late May 2022.", None), one("late May 2022", "2022-05"));
    assert_eq!(tag("On Tuesday, November 9, 2018 it began.", P), one("Tuesday, November 9, 2018", "2018-11-09"));
    assert_eq!(tag("It began in early May 9, 2021.", P), one("May 9, 2021", "2021-05-09"));
    assert_eq!(tag("Active since the end of last year.", P), one("the end of last year", "2020-H2"));
}

#[test]
fn mentions_come_in_text_order_with_byte_spans() {
    let text = "“Déjà vu”: in 2019, again on 9 November 2020, and last week.";
    let found = tag_dates(text, P.map(date));
    let texts: Vec<_> = found.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["2019", "9 November 2020", "last week"]);
    for m in &found {
        assert_eq!(&text[m.span.range()], m.text);
    }
    assert_eq!(found[0].span.start, text.find("2019").unwrap());
}

#[test]
fn numbers_products_and_names_are_not_dates() {
    for text in [
        "Hackers stole 2,019 records.",
        "The breach hit 4,000 people in 2,019 cities.",
        "The worm spread through Windows 2000 machines.",
        "It targets Windows Server 2019 and Office 2016.",
        "Level 3 said 2019 servers were affected.",
        "Call +1 555 201 2019 or 555-2019 for help.",
        "The flaw, CVE-2019-0708, is wormable.",
        "Theresa May said the attack was serious.",
        "Users may 10 times a day see the prompt.",
        "Revenue rose by 2019 percent in 2,000.",
        "It cost $2019 in fees, up 2019% on the 1990s.",
        "Version 2019.1 of the tool and build 11-09-2018.",
        "Microsoft fixed it on Patch Tuesday.",
        "USA Today reported that Theresa May 2019 papers leaked.",
        "Between 2000 and 3000 devices in 2019/20 budgets.",
        "The Sun Microsystems team met at Mar-a-Lago.",
        "Cards used on 9/11/2018 and 3/4/2019 were hit.",
        "Up to 2000 users, for 2000 accounts, around 2000 machines, at least 2000 hosts.",
        "APT28 and COVID-19 and 9/11 and 3/4/2019.",
    ] {
        assert_eq!(tag(text, P), vec![], "{text}");
    }
}

#[test]
fn unresolved_mentions_are_still_tagged() {
    let found = tag_dates("Last week and on Monday the firm was hit.", None);
    let texts: Vec<_> = found.iter().map(|m| (m.text.as_str(), m.value)).collect();
    assert_eq!(texts, [("Last week", None), ("Monday", None)]);
}

#[test]
fn odd_input_never_panics() {
    let samples = [
        "",
        "\0\u{1}\u{7f}",
        "🔥🔥 in 2019 🔥 May 5 🔥",
        "攻击发生在2019年11月9日。 in 2019年",
        "הותקף ב-9 November 2018 بتاريخ 2019",
        "in\u{a0}2019 and 9\u{a0}November\u{a0}2018",
        "ǅ\u{301}\u{301} late\u{2028}2021 ﬀ",
        "9999-99-99 0000-00-00 2019-02-30 November 31, 2019 31 February",
        "in 2019's",
        "Q",
        "the the the of of of in in",
    ];
    for text in samples {
        for published in [None, Some(NaiveDate::MIN), Some(NaiveDate::MAX), Some(date("2020-02-29"))] {
            check_invariants(text, published);
        }
    }
    assert_eq!(tag("in\u{a0}2019 and 9\u{a0}November\u{a0}2018", None).len(), 2);
}

#[test]
fn random_input_never_panics() {
    const PIECES: &[&str] = &[
        " ",
        "\n",
        ",",
        ".",
        "-",
        "–",
        "'",
        "’",
        "$",
        "%",
        "/",
        "🔥",
        "年",
        "é",
        "\u{301}",
        "\0",
        "in",
        "the",
        "of",
        "last",
        "this",
        "early",
        "late",
        "mid",
        "May",
        "November",
        "Tuesday",
        "summer",
        "quarter",
        "Q2",
        "first",
        "ago",
        "a few",
        "days",
        "week",
        "year",
        "yesterday",
        "9",
        "29",
        "31",
        "2019",
        "1999",
        "2040",
        "th",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let len = (next() % 24) as usize;
        let text: String = (0..len).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
        let published =
            [None, Some(date("2021-03-10")), Some(NaiveDate::MIN), Some(NaiveDate::MAX)][(next() % 4) as usize];
        check_invariants(&text, published);
    }
}

#[test]
fn a_megabyte_of_text_is_handled() {
    let paragraph = "Hackers linked to APT28 struck on Nov. 8, 2019 and again last week; 4,000 people \
                     were affected in early 2020. “Ça va”, said the 攻击 team 🔥. ";
    let copies = (1 << 20) / paragraph.len() + 1;
    let text = paragraph.repeat(copies);
    let found = tag_dates(&text, P.map(date));
    assert_eq!(found.len(), 3 * copies);
}

/// Spans in order, disjoint, on char boundaries, and matching the text.
fn check_invariants(text: &str, published: Option<NaiveDate>) {
    let found = tag_dates(text, published);
    for pair in found.windows(2) {
        assert!(pair[0].span.end <= pair[1].span.start, "{text:?}: overlapping or out of order");
    }
    for m in &found {
        assert_eq!(text.get(m.span.range()), Some(m.text.as_str()), "{text:?}");
        assert!(!m.span.is_empty());
    }
}
