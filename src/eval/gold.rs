//! Gold events: the hand-labelled attacks the scorer compares predictions with,
//! their JSON Lines format, and its validation.
//!
//! One gold event per line:
//!
//! ```json
//! {"doc_id": "a1", "attackers": ["North Korea", "Pyongyang"], "victims": ["NPO Mash"], "times": ["late 2021", "2021-H2"], "named": true, "note": "..."}
//! ```
//!
//! `doc_id`, `attackers`, `victims` and `times` are required; `attackers` and
//! `victims` hold at least one mention, `times` may be empty; every mention is a
//! non-empty string. Several surface forms per slot are alternatives: a prediction
//! needs to match one of them. `named` and `note` are optional; when `named` is
//! absent it is computed with [`event_is_named`]. Blank lines are allowed; any
//! other field is an error (so a typo such as `"attacker"` is caught).
//!
//! A file with any problem is rejected whole: the loader collects the problems
//! (the first [`MAX_PROBLEMS_PER_FILE`] of each file), each naming file, line and
//! field, and returns them together.
//!
//! With the articles at hand, [`resolve_times`] adds the normalised value of each
//! relative or absolute time ("last week" → `2024-W10`), anchored on the
//! article's publication date.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::dates::{tag_dates, Timex};
use crate::doc::DateMention;
use crate::read::json_kind;

/// One attack of one document: who attacked whom, and when, each slot with the
/// surface forms an analyst accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldEvent {
    /// The article's id.
    pub doc_id: String,
    /// Accepted mentions of the attacker (at least one).
    pub attackers: Vec<String>,
    /// Accepted mentions of the victim (at least one).
    pub victims: Vec<String>,
    /// Accepted date mentions or normalised values (`late 2021`, `2021-H2`); may be empty.
    pub times: Vec<String>,
    /// Whether the event has a named attacker and a named victim; computed with
    /// [`event_is_named`] when the file leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named: Option<bool>,
    /// A free comment for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl GoldEvent {
    /// `named` when given, otherwise the computed value (see [`event_is_named`]).
    pub fn is_named(&self) -> bool {
        self.named.unwrap_or_else(|| event_is_named(&self.attackers, &self.victims))
    }
}

/// Leading words that do not make a mention a name even when capitalised: they
/// are capitalised only because they open a sentence ("Hackers stole...", "The
/// company said..."). Compared in lowercase.
pub const GENERIC_WORDS: &[&str] = &[
    // determiners, pronouns, quantifiers
    "the",
    "a",
    "an",
    "its",
    "their",
    "his",
    "her",
    "our",
    "this",
    "these",
    "those",
    "that",
    "some",
    "several",
    "multiple",
    "many",
    "most",
    "one",
    "two",
    "three",
    "all",
    "any",
    "each",
    "other",
    "another",
    "both",
    "few",
    "major",
    "unknown",
    "unidentified",
    "anonymous",
    "he",
    "she",
    "it",
    "they",
    "we",
    "you",
    "i",
    "somebody",
    "someone",
    "anyone",
    // generic heads of unnamed attackers and victims
    "hacker",
    "hackers",
    "attacker",
    "attackers",
    "scammer",
    "scammers",
    "criminal",
    "criminals",
    "cybercriminal",
    "cybercriminals",
    "cyber",
    "crook",
    "crooks",
    "phisher",
    "phishers",
    "fraudster",
    "fraudsters",
    "scamsters",
    "conmen",
    "thieves",
    "intruders",
    "victim",
    "victims",
    "user",
    "users",
    "customer",
    "customers",
    "subscriber",
    "subscribers",
    "client",
    "clients",
    "guest",
    "guests",
    "official",
    "officials",
    "company",
    "companies",
    "organisation",
    "organisations",
    "organization",
    "organizations",
    "people",
    "individual",
    "individuals",
    "employee",
    "employees",
    "staff",
    "patient",
    "patients",
    "student",
    "students",
    "member",
    "members",
    "ransomware",
    "malware",
    "computer",
    "computers",
    "email",
    "web",
    "hospital",
    "hospitals",
    "hotel",
    "hotels",
    "government",
    "state",
    "businesses",
    "firms",
    "firm",
];

/// True when `mention` is a name, by this rule: split the mention into words at
/// every character that is not a letter or digit; skip the leading words found
/// in [`GENERIC_WORDS`]; the mention is a name when one of the remaining words
/// holds an uppercase letter, or mixes letters and digits.
///
/// So "Lazarus Group", "North Korean hackers", "APT28", "harak1r1" and "The
/// Shadow Brokers" are names; "hackers", "The company", "Hackers", "a member of
/// staff" and "2 million users" are not.
pub fn is_name(mention: &str) -> bool {
    let words: Vec<&str> = mention.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let generic = words.iter().take_while(|w| GENERIC_WORDS.contains(&w.to_lowercase().as_str())).count();
    words[generic..].iter().any(|w| {
        let upper = w.chars().any(char::is_uppercase);
        let mixed = w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic);
        upper || mixed
    })
}

/// True when at least one attacker mention and one victim mention are names
/// ([`is_name`]): the definition of a *named* event.
pub fn event_is_named(attackers: &[String], victims: &[String]) -> bool {
    attackers.iter().any(|m| is_name(m)) && victims.iter().any(|m| is_name(m))
}

/// Resolves gold times against publication dates, as `cyberie evaluate --articles`
/// does: for each event whose document is in `published`, each time that is not
/// already a normalised value ([`Timex`]) is run through the date tagger
/// ([`tag_dates`]) anchored on the article's publication date (`None`: absolute
/// dates only). When the tagger finds exactly one date expression in it, and
/// that expression has a value no time of the event already gives, the value is
/// appended to the event's `times` as one more accepted form. So "last week" in
/// an article published on 2024-03-13 also accepts `2024-W10`. Returns how many
/// values were added.
pub fn resolve_times(events: &mut [GoldEvent], published: &HashMap<String, Option<NaiveDate>>) -> usize {
    let mut added = 0;
    for event in events {
        let Some(&anchor) = published.get(&event.doc_id) else { continue };
        let mut values: Vec<Timex> = event.times.iter().filter_map(|t| Timex::from_str(t).ok()).collect();
        let mut new = Vec::new();
        for time in event.times.iter().filter(|t| Timex::from_str(t).is_err()) {
            let mentions = tag_dates(time, anchor);
            if let [DateMention { value: Some(value), .. }] = mentions.as_slice() {
                if !values.contains(value) {
                    values.push(*value);
                    new.push(value.to_string());
                }
            }
        }
        added += new.len();
        event.times.extend(new);
    }
    added
}

/// How many problems of one file are reported; the rest are counted.
pub const MAX_PROBLEMS_PER_FILE: usize = 5;

/// One problem in a gold file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldProblem {
    /// The file.
    pub path: PathBuf,
    /// The line, counting from 1.
    pub line: usize,
    /// The field concerned, when there is one.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for GoldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.path.display(), self.line)?;
        if let Some(field) = &self.field {
            write!(f, "field \"{field}\": ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why gold events could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum GoldError {
    /// A file or directory could not be read.
    #[error("cannot read gold {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A directory was given that holds no `.jsonl` file.
    #[error("no gold files (*.jsonl) in {}", path.display())]
    NoGoldFiles {
        /// The directory.
        path: PathBuf,
    },
    /// One or more files have problems; each such file is rejected whole.
    #[error("{}", format_invalid(problems, *omitted))]
    Invalid {
        /// The problems reported (at most [`MAX_PROBLEMS_PER_FILE`] per file).
        problems: Vec<GoldProblem>,
        /// How many further problems were found but not listed.
        omitted: usize,
    },
}

fn format_invalid(problems: &[GoldProblem], omitted: usize) -> String {
    let mut files: Vec<&Path> = problems.iter().map(|p| p.path.as_path()).collect();
    files.dedup();
    let total = problems.len() + omitted;
    let mut out = format!(
        "gold rejected: {total} problem{} in {} file{}",
        if total == 1 { "" } else { "s" },
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
    for problem in problems {
        out.push_str(&format!("\n  {problem}"));
    }
    if omitted > 0 {
        out.push_str(&format!("\n  ... and {omitted} more"));
    }
    out
}

/// Loads gold events from a JSON Lines file, or from every `*.jsonl` file of a
/// directory (in file-name order). `named` is filled in where a line leaves it out.
pub fn load_gold(path: impl AsRef<Path>) -> Result<Vec<GoldEvent>, GoldError> {
    load(path.as_ref(), None)
}

/// Like [`load_gold`], and also rejects events whose `doc_id` is not in
/// `known_docs` (the ids of the articles given with `--articles`).
pub fn load_gold_for_articles(
    path: impl AsRef<Path>,
    known_docs: &HashSet<String>,
) -> Result<Vec<GoldEvent>, GoldError> {
    load(path.as_ref(), Some(known_docs))
}

fn load(path: &Path, known_docs: Option<&HashSet<String>>) -> Result<Vec<GoldEvent>, GoldError> {
    let io = |source| GoldError::Io { path: path.to_path_buf(), source };
    let files = if path.is_dir() {
        let mut files = Vec::new();
        for entry in fs::read_dir(path).map_err(io)? {
            let file = entry.map_err(io)?.path();
            if file.is_file() && file.extension().is_some_and(|e| e == "jsonl") {
                files.push(file);
            }
        }
        files.sort();
        if files.is_empty() {
            return Err(GoldError::NoGoldFiles { path: path.to_path_buf() });
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let mut omitted = 0;
    for file in files {
        let text = fs::read_to_string(&file).map_err(|source| GoldError::Io { path: file.clone(), source })?;
        match parse_gold(&text, &file, known_docs) {
            Ok(mut file_events) => events.append(&mut file_events),
            Err(GoldError::Invalid { problems: mut p, omitted: o }) => {
                problems.append(&mut p);
                omitted += o;
            }
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        Ok(events)
    } else {
        Err(GoldError::Invalid { problems, omitted })
    }
}

/// Parses and validates gold JSON Lines `text`; `path` names the source in
/// problems. Checks doc ids against `known_docs` when given.
pub fn parse_gold(text: &str, path: &Path, known_docs: Option<&HashSet<String>>) -> Result<Vec<GoldEvent>, GoldError> {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut found = Problems::default();
        let event = validate_line(line, known_docs, &mut found);
        match event {
            Some(mut event) if found.0.is_empty() => {
                event.named.get_or_insert_with(|| event_is_named(&event.attackers, &event.victims));
                events.push(event);
            }
            _ => problems.extend(found.0.into_iter().map(|(field, message)| GoldProblem {
                path: path.to_path_buf(),
                line: index + 1,
                field,
                message,
            })),
        }
    }
    if problems.is_empty() {
        return Ok(events);
    }
    let omitted = problems.len().saturating_sub(MAX_PROBLEMS_PER_FILE);
    problems.truncate(MAX_PROBLEMS_PER_FILE);
    Err(GoldError::Invalid { problems, omitted })
}

const FIELDS: &[&str] = &["doc_id", "attackers", "victims", "times", "named", "note"];

/// The problems of one line: (field, message).
#[derive(Default)]
struct Problems(Vec<(Option<String>, String)>);

impl Problems {
    fn add(&mut self, field: Option<&str>, message: String) {
        self.0.push((field.map(str::to_string), message));
    }
}

/// Checks one line; records every problem in `problems` and returns the event
/// when its slots could be read (the caller drops it if any problem was found).
fn validate_line(line: &str, known_docs: Option<&HashSet<String>>, problems: &mut Problems) -> Option<GoldEvent> {
    let value: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => {
            problems.add(None, format!("bad JSON: {e}"));
            return None;
        }
    };
    let Value::Object(object) = value else {
        problems.add(None, format!("expected a JSON object, found {}", json_kind(&value)));
        return None;
    };
    for key in object.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
        let hint = closest_field(key).map(|f| format!(" (did you mean \"{f}\"?)")).unwrap_or_default();
        problems.add(Some(key), format!("unknown field{hint}; the fields are {}", FIELDS.join(", ")));
    }
    let doc_id = required_string(&object, "doc_id", problems);
    if let (Some(id), Some(known)) = (&doc_id, known_docs) {
        if !known.contains(id) {
            problems.add(Some("doc_id"), format!("unknown document {id:?} (not among the articles)"));
        }
    }
    let attackers = mention_list(&object, "attackers", false, problems);
    let victims = mention_list(&object, "victims", false, problems);
    let times = mention_list(&object, "times", true, problems);
    let named = match object.get("named") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            problems.add(Some("named"), format!("expected true or false, found {}", json_kind(other)));
            None
        }
    };
    let note = match object.get("note") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            problems.add(Some("note"), format!("expected a string, found {}", json_kind(other)));
            None
        }
    };
    Some(GoldEvent { doc_id: doc_id?, attackers: attackers?, victims: victims?, times: times?, named, note })
}

fn required_string(object: &Map<String, Value>, field: &str, problems: &mut Problems) -> Option<String> {
    match object.get(field) {
        None => {
            problems.add(None, format!("missing field \"{field}\""));
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            problems.add(Some(field), "empty string".to_string());
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            problems.add(Some(field), format!("expected a string, found {}", json_kind(other)));
            None
        }
    }
}

fn mention_list(
    object: &Map<String, Value>,
    field: &str,
    may_be_empty: bool,
    problems: &mut Problems,
) -> Option<Vec<String>> {
    let items = match object.get(field) {
        None => {
            let hint = if may_be_empty { " (use [] when the article gives no date)" } else { "" };
            problems.add(None, format!("missing field \"{field}\"{hint}"));
            return None;
        }
        Some(Value::Array(items)) => items,
        Some(other) => {
            problems.add(Some(field), format!("expected a list of strings, found {}", json_kind(other)));
            return None;
        }
    };
    if items.is_empty() && !may_be_empty {
        problems.add(Some(field), "empty list (give at least one mention)".to_string());
        return None;
    }
    let mut mentions = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if s.trim().is_empty() => {
                problems.add(Some(field), format!("item {}: empty mention", i + 1));
                ok = false;
            }
            Value::String(s) => mentions.push(s.trim().to_string()),
            other => {
                problems.add(Some(field), format!("item {}: expected a string, found {}", i + 1, json_kind(other)));
                ok = false;
            }
        }
    }
    ok.then_some(mentions)
}

/// The known field closest to a misspelt one (edit distance at most 2).
fn closest_field(key: &str) -> Option<&'static str> {
    FIELDS.iter().map(|f| (edit_distance(key, f), *f)).filter(|(d, _)| *d <= 2).min().map(|(_, f)| f)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"doc_id": "d1", "attackers": ["North Korea", "Pyongyang"], "victims": ["NPO Mash"], "times": ["late 2021"]}"#;

    fn problems(text: &str, known: Option<&HashSet<String>>) -> Vec<String> {
        match parse_gold(text, Path::new("g.jsonl"), known) {
            Err(GoldError::Invalid { problems, .. }) => problems.iter().map(ToString::to_string).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn reads_events_skips_blank_lines_and_computes_named() {
        let text = format!(
            "\n{GOOD}\n   \n{}\n",
            r#"{"doc_id": "d2", "attackers": ["hackers"], "victims": ["Acme"], "times": [], "note": "n"}"#
        );
        let events = parse_gold(&text, Path::new("g.jsonl"), None).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].times, ["late 2021"]);
        assert_eq!(events[0].named, Some(true));
        assert_eq!(events[1].named, Some(false));
        // A given `named` wins over the rule.
        let given = r#"{"doc_id": "d1", "attackers": ["hackers"], "victims": ["users"], "times": [], "named": true}"#;
        assert_eq!(parse_gold(given, Path::new("g.jsonl"), None).unwrap()[0].named, Some(true));
    }

    #[test]
    fn missing_slot() {
        let text = r#"{"doc_id": "d1", "attackers": ["X"], "victims": ["Y"]}"#;
        assert_eq!(
            problems(text, None),
            ["g.jsonl:1: missing field \"times\" (use [] when the article gives no date)"]
        );
    }

    #[test]
    fn empty_list_and_empty_mention() {
        let text = r#"{"doc_id": "d1", "attackers": [], "victims": ["Y", " "], "times": []}"#;
        assert_eq!(
            problems(text, None),
            [
                "g.jsonl:1: field \"attackers\": empty list (give at least one mention)",
                "g.jsonl:1: field \"victims\": item 2: empty mention",
            ]
        );
    }

    #[test]
    fn bad_json() {
        let text = format!("{GOOD}\n{{\"doc_id\": \"d1\", \"attackers\": [\n");
        let found = problems(&text, None);
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("g.jsonl:2: bad JSON: EOF while parsing"), "{}", found[0]);
        assert_eq!(problems("[1, 2]", None), ["g.jsonl:1: expected a JSON object, found a list"]);
    }

    #[test]
    fn unknown_field_with_a_suggestion() {
        let text = r#"{"doc_id": "d1", "attacker": ["X"], "victims": ["Y"], "times": []}"#;
        assert_eq!(
            problems(text, None),
            [
                "g.jsonl:1: field \"attacker\": unknown field (did you mean \"attackers\"?); the fields are doc_id, attackers, victims, times, named, note",
                "g.jsonl:1: missing field \"attackers\"",
            ]
        );
    }

    #[test]
    fn wrong_types() {
        let text = r#"{"doc_id": 7, "attackers": "X", "victims": ["Y", 3], "times": [], "named": "yes"}"#;
        assert_eq!(
            problems(text, None),
            [
                "g.jsonl:1: field \"doc_id\": expected a string, found a number",
                "g.jsonl:1: field \"attackers\": expected a list of strings, found a string",
                "g.jsonl:1: field \"victims\": item 2: expected a string, found a number",
                "g.jsonl:1: field \"named\": expected true or false, found a string",
            ]
        );
    }

    #[test]
    fn unknown_doc_id_when_articles_are_given() {
        let known: HashSet<String> = ["d1".to_string()].into();
        assert!(parse_gold(GOOD, Path::new("g.jsonl"), Some(&known)).is_ok());
        let text = GOOD.replace("\"d1\"", "\"d9\"");
        assert_eq!(
            problems(&text, Some(&known)),
            ["g.jsonl:1: field \"doc_id\": unknown document \"d9\" (not among the articles)"]
        );
    }

    #[test]
    fn a_file_with_errors_is_rejected_whole_with_a_few_problems_listed() {
        let bad = r#"{"doc_id": "d1", "attackers": [], "victims": ["Y"], "times": []}"#;
        let text = [GOOD, bad, bad, bad, bad, bad, bad, bad].join("\n");
        let err = parse_gold(&text, Path::new("g.jsonl"), None).unwrap_err();
        let GoldError::Invalid { problems, omitted } = &err else { panic!("{err:?}") };
        assert_eq!((problems.len(), *omitted), (MAX_PROBLEMS_PER_FILE, 2));
        let message = err.to_string();
        assert!(
            message.starts_with("gold rejected: 7 problems in 1 file\n  g.jsonl:2: field \"attackers\""),
            "{message}"
        );
        assert!(message.ends_with("\n  ... and 2 more"), "{message}");
    }

    #[test]
    fn a_directory_reports_every_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.jsonl"), GOOD).unwrap();
        fs::write(dir.path().join("b.jsonl"), "{").unwrap();
        fs::write(dir.path().join("c.jsonl"), r#"{"doc_id": "x"}"#).unwrap();
        fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let message = load_gold(dir.path()).unwrap_err().to_string();
        assert!(message.starts_with("gold rejected: 4 problems in 2 files\n"), "{message}");
        assert!(message.contains("b.jsonl:1: bad JSON"), "{message}");
        assert!(message.contains("c.jsonl:1: missing field \"victims\""), "{message}");
        fs::remove_file(dir.path().join("b.jsonl")).unwrap();
        fs::remove_file(dir.path().join("c.jsonl")).unwrap();
        assert_eq!(load_gold(dir.path()).unwrap().len(), 1);
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(load_gold(empty.path()), Err(GoldError::NoGoldFiles { .. })));
        assert!(matches!(load_gold(empty.path().join("missing.jsonl")), Err(GoldError::Io { .. })));
    }

    #[test]
    fn relative_gold_times_resolve_against_the_publication_date() {
        let text = concat!(
            r#"{"doc_id": "d1", "attackers": ["X"], "victims": ["Y"], "times": ["last week", "in 2019"]}"#,
            "\n",
            r#"{"doc_id": "d2", "attackers": ["X"], "victims": ["Y"], "times": ["last week", "2024-W10", "soon"]}"#,
            "\n",
            r#"{"doc_id": "d3", "attackers": ["X"], "victims": ["Y"], "times": ["last week", "3 May 2023"]}"#,
            "\n",
            r#"{"doc_id": "d4", "attackers": ["X"], "victims": ["Y"], "times": ["last week"]}"#,
        );
        let mut events = parse_gold(text, Path::new("g.jsonl"), None).unwrap();
        let wednesday = NaiveDate::from_ymd_opt(2024, 3, 13);
        // d3's article has no date: only absolute times get a value; d4 is not among the articles.
        let published: HashMap<String, Option<NaiveDate>> =
            [("d1".into(), wednesday), ("d2".into(), wednesday), ("d3".into(), None)].into();
        assert_eq!(resolve_times(&mut events, &published), 3);
        assert_eq!(events[0].times, ["last week", "in 2019", "2024-W10", "2019"]);
        // The value is given already; "soon" is no date expression.
        assert_eq!(events[1].times, ["last week", "2024-W10", "soon"]);
        assert_eq!(events[2].times, ["last week", "3 May 2023", "2023-05-03"]);
        assert_eq!(events[3].times, ["last week"]);
    }

    #[test]
    fn the_name_rule() {
        for name in [
            "Lazarus Group",
            "North Korean hackers",
            "APT28",
            "harak1r1",
            "The Shadow Brokers",
            "NPO Mash",
            "Sony's network",
        ] {
            assert!(is_name(name), "{name} should be a name");
        }
        for generic in
            ["hackers", "The company", "Hackers", "a member of staff", "2 million users", "They", "Unknown Hackers"]
        {
            assert!(!is_name(generic), "{generic} should not be a name");
        }
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(event_is_named(&strings(&["hackers", "Lazarus"]), &strings(&["Sony"])));
        assert!(!event_is_named(&strings(&["hackers"]), &strings(&["Sony"])));
    }
}
