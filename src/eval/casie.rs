//! CASIE import: turns a directory of CASIE annotation files (Satyapanich, Ferraro
//! and Finin, AAAI 2020) into gold events and an articles file that `extract`
//! reads.
//!
//! - **Files.** `DIR/*.json`, or `DIR/annotation/*.json` when `DIR` has an
//!   `annotation` folder (so both `casie-dev` and `casie-dev/annotation` work),
//!   read in file-name order.
//! - **Articles.** One per file: `id` = the file stem, `text` = `content` without
//!   a trailing `</text>` and trailing whitespace, `title` = `info.title`, `date`
//!   = `info.date` (`YYYY_MM_DD`) written `YYYY-MM-DD`.
//! - **Gold events.** One per hopper that has at least one event of subtype
//!   `Databreach`, `Phishing` or `Ransom`: the union over the hopper's events of
//!   the `Attacker`, `Victim` and `Time` argument texts, in order of first
//!   appearance, without repeats (mentions that normalise alike, such as "a
//!   member of staff" and "the member of staff", are one; the first is kept).
//!   Kept only when it has an attacker and a victim; `named` is computed with
//!   [`event_is_named`]; `note` says which hopper it came from.
//! - **Tagging data** ([`tagged_sentences`]). The trigger (`nugget`) and the
//!   `Attacker`, `Victim` and `Time` arguments of every attack event, as word
//!   tags (`B-ATTACKER`, `I-TIME`, `O`...) over the sentences and words the
//!   pipeline itself splits the article into: the training data of the
//!   argument tagger, so that it learns on the very words it will see.
//! - **Problems.** A file that is not valid JSON or lacks `content` is skipped and
//!   listed in [`CasieImport::skipped`]; the import goes on with the others. A bad
//!   `info.date` only drops the date and adds a warning. Only an unreadable
//!   directory, or one without `.json` files, fails the import.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::gold::{event_is_named, GoldEvent};
use super::matching::normalized_key;
use crate::doc::{CharOffsets, Role, Span};
use crate::text::{split_sentences, split_words};

/// The event subtypes that make a hopper an attack.
pub const ATTACK_SUBTYPES: &[&str] = &["Databreach", "Phishing", "Ransom"];

/// One article, as the articles JSON Lines file holds it (`{"id","title","text","date"}`;
/// `title` and `date` are left out when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasieArticle {
    /// The file stem.
    pub id: String,
    /// The headline, when the file gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The article text; CASIE offsets index it (as code points).
    pub text: String,
    /// Publication date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// One annotated trigger or argument of an attack event, in code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnnotatedRole {
    /// Its role.
    pub role: Role,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
}

/// One sentence of tagging data: the pipeline's words and one tag per word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaggedSentence {
    /// The article.
    pub doc_id: String,
    /// The words, as the pipeline splits them.
    pub words: Vec<String>,
    /// `O`, or `B-`/`I-` and a role's tag name, for each word.
    pub tags: Vec<String>,
}

/// A file the import skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedFile {
    /// The file.
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: String,
}

/// What an import produced.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CasieImport {
    /// `.json` files found.
    pub files: usize,
    /// One article per file read.
    pub articles: Vec<CasieArticle>,
    /// The gold events, in file order, then hopper order.
    pub gold: Vec<GoldEvent>,
    /// The attack roles annotated in each article (parallel to `articles`).
    #[serde(skip)]
    pub roles: Vec<Vec<AnnotatedRole>>,
    /// Files that could not be read, with the reason.
    pub skipped: Vec<SkippedFile>,
    /// Problems that did not stop a file from being read (a bad date).
    pub warnings: Vec<String>,
}

impl CasieImport {
    /// How many gold events are named.
    pub fn named_events(&self) -> usize {
        self.gold.iter().filter(|e| e.is_named()).count()
    }
}

/// Why an import or a write failed.
#[derive(Debug, thiserror::Error)]
pub enum CasieError {
    /// The directory could not be listed.
    #[error("cannot read CASIE directory {}: {source}", path.display())]
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The directory holds no `.json` file.
    #[error("no CASIE annotation files (*.json) in {}", path.display())]
    NoFiles {
        /// The directory.
        path: PathBuf,
    },
    /// An output file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Which files of the split an import reads: those whose numeric stem ends in
/// one of the chosen digits (the development split is cut into a training, a
/// calibration and a validation part this way), or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StemDigits(u16);

impl StemDigits {
    /// Every file.
    pub const ALL: StemDigits = StemDigits(0x3ff);

    /// Parses a list of digits and ranges: `6`, `0-4`, `0-4,7`.
    pub fn parse(list: &str) -> Result<StemDigits, String> {
        let bad = || format!("{list:?} is not a list of digits such as 6, 0-4 or 0-4,7");
        let mut mask = 0u16;
        for part in list.split(',').map(str::trim) {
            let (from, to) = part.split_once('-').unwrap_or((part, part));
            let digit = |d: &str| d.trim().parse::<u8>().ok().filter(|&d| d <= 9).ok_or_else(bad);
            let (from, to) = (digit(from)?, digit(to)?);
            if from > to {
                return Err(bad());
            }
            (from..=to).for_each(|d| mask |= 1 << d);
        }
        Ok(StemDigits(mask))
    }

    /// True when the file's stem is chosen (a stem that does not end in a digit
    /// is chosen only by [`StemDigits::ALL`]).
    pub fn keeps(&self, path: &Path) -> bool {
        if *self == StemDigits::ALL {
            return true;
        }
        let last = path.file_stem().and_then(|s| s.to_str()).and_then(|s| s.chars().last());
        last.and_then(|c| c.to_digit(10)).is_some_and(|d| self.0 & (1 << d) != 0)
    }
}

/// Imports every CASIE annotation file of `dir` (see the module documentation).
pub fn import_casie(dir: impl AsRef<Path>) -> Result<CasieImport, CasieError> {
    import_casie_part(dir, StemDigits::ALL)
}

/// Imports the files of `dir` that `select` keeps.
pub fn import_casie_part(dir: impl AsRef<Path>, select: StemDigits) -> Result<CasieImport, CasieError> {
    let dir = dir.as_ref();
    let annotation = dir.join("annotation");
    let dir = if annotation.is_dir() { annotation.as_path() } else { dir };
    let read_dir = |source| CasieError::ReadDir { path: dir.to_path_buf(), source };
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(read_dir)? {
        let path = entry.map_err(read_dir)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(CasieError::NoFiles { path: dir.to_path_buf() });
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    files.retain(|path| select.keeps(path));
    let mut import = CasieImport { files: files.len(), ..CasieImport::default() };
    for path in files {
        let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let converted = fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|text| convert(&id, &text));
        match converted {
            Ok(file) => {
                if let Some(warning) = file.warning {
                    import.warnings.push(format!("{}: {warning}", path.display()));
                }
                import.articles.push(file.article);
                import.gold.extend(file.gold);
                import.roles.push(file.roles);
            }
            Err(reason) => import.skipped.push(SkippedFile { path, reason }),
        }
    }
    Ok(import)
}

/// Writes gold events as JSON Lines (replacing `path` only once all is written).
pub fn write_gold_jsonl(path: impl AsRef<Path>, gold: &[GoldEvent]) -> Result<(), CasieError> {
    write_jsonl(path.as_ref(), gold)
}

/// Writes articles as JSON Lines (replacing `path` only once all is written).
pub fn write_articles_jsonl(path: impl AsRef<Path>, articles: &[CasieArticle]) -> Result<(), CasieError> {
    write_jsonl(path.as_ref(), articles)
}

/// Writes the tagging data of every article of `import` as JSON Lines.
pub fn write_tagging_jsonl(path: impl AsRef<Path>, import: &CasieImport) -> Result<(), CasieError> {
    let sentences: Vec<TaggedSentence> =
        import.articles.iter().zip(&import.roles).flat_map(|(a, roles)| tagged_sentences(a, roles)).collect();
    write_jsonl(path.as_ref(), &sentences)
}

/// The article's sentences and words as the pipeline splits them, each word
/// tagged with the role of the annotated span it lies in. A word in several
/// spans takes the first role of [`Role::ALL`]; a span is cut at a sentence
/// end; spans outside the text are ignored.
pub fn tagged_sentences(article: &CasieArticle, roles: &[AnnotatedRole]) -> Vec<TaggedSentence> {
    let text = &article.text;
    let offsets = CharOffsets::new(text);
    let mut spans: Vec<(Role, Span)> = roles
        .iter()
        .filter_map(|r| {
            let (start, end) = (offsets.byte_offset(r.start)?, offsets.byte_offset(r.end)?);
            (start < end).then(|| (r.role, Span::new(start, end)))
        })
        .collect();
    spans.sort_by_key(|(role, span)| (Role::ALL.iter().position(|r| r == role), span.start));
    split_sentences(text)
        .into_iter()
        .map(|sentence| {
            let words = split_words(text, sentence);
            let mut tags = vec!["O".to_string(); words.len()];
            for (role, span) in &spans {
                let mut inside = false;
                for (word, tag) in words.iter().zip(tags.iter_mut()) {
                    if !word.overlaps(*span) {
                        inside = false;
                        continue;
                    }
                    if tag == "O" {
                        *tag = format!("{}-{}", if inside { "I" } else { "B" }, role.tag_name());
                    }
                    inside = true;
                }
            }
            TaggedSentence {
                doc_id: article.id.clone(),
                words: words.iter().map(|w| text[w.range()].to_string()).collect(),
                tags,
            }
        })
        .collect()
}

fn write_jsonl<T: Serialize>(path: &Path, items: &[T]) -> Result<(), CasieError> {
    let error = |source| CasieError::Write { path: path.to_path_buf(), source };
    let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
    temp_name.push(format!(".tmp{}", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let result = (|| {
        let mut out = BufWriter::new(fs::File::create(&temp)?);
        for item in items {
            serde_json::to_writer(&mut out, item)?;
            out.write_all(b"\n")?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(error)
}

// The parts of a CASIE file the import reads; everything else is ignored.

#[derive(Deserialize)]
struct CasieFile {
    content: String,
    #[serde(default)]
    info: Option<Info>,
    #[serde(default)]
    cyberevent: Option<CyberEvent>,
}

#[derive(Deserialize, Default)]
struct Info {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

#[derive(Deserialize)]
struct CyberEvent {
    #[serde(default)]
    hopper: Option<Vec<Hopper>>,
}

#[derive(Deserialize)]
struct Hopper {
    #[serde(default)]
    events: Option<Vec<Event>>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    subtype: Option<String>,
    #[serde(default)]
    nugget: Option<Nugget>,
    #[serde(default)]
    argument: Option<Vec<Argument>>,
}

#[derive(Deserialize)]
struct Nugget {
    #[serde(rename = "startOffset")]
    start: Option<usize>,
    #[serde(rename = "endOffset")]
    end: Option<usize>,
}

#[derive(Deserialize)]
struct Argument {
    role: ArgumentRole,
    text: String,
    #[serde(default, rename = "startOffset")]
    start: Option<usize>,
    #[serde(default, rename = "endOffset")]
    end: Option<usize>,
}

#[derive(Deserialize)]
struct ArgumentRole {
    #[serde(rename = "type")]
    kind: String,
}

/// One converted file.
struct Converted {
    article: CasieArticle,
    gold: Vec<GoldEvent>,
    roles: Vec<AnnotatedRole>,
    warning: Option<String>,
}

/// Converts the text of one CASIE file whose stem is `id`.
fn convert(id: &str, json: &str) -> Result<Converted, String> {
    let file: CasieFile = serde_json::from_str(json).map_err(|e| format!("not a CASIE annotation file: {e}"))?;
    let info = file.info.unwrap_or_default();
    let mut text = file.content.trim_end();
    if let Some(stripped) = text.strip_suffix("</text>") {
        text = stripped.trim_end();
    }
    let mut warning = None;
    let date = info.date.as_deref().map(str::trim).filter(|d| !d.is_empty()).and_then(|raw| {
        match NaiveDate::parse_from_str(raw, "%Y_%m_%d") {
            Ok(date) => Some(date.format("%Y-%m-%d").to_string()),
            Err(_) => {
                warning = Some(format!("info.date {raw:?} is not YYYY_MM_DD; the article has no date"));
                None
            }
        }
    });
    let title = info.title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let article = CasieArticle { id: id.to_string(), title, text: text.to_string(), date };
    let hoppers = file.cyberevent.and_then(|c| c.hopper).unwrap_or_default();
    let gold = hoppers.iter().enumerate().filter_map(|(index, hopper)| gold_event(id, index, hopper)).collect();
    let roles = hoppers.iter().flat_map(|h| h.events.as_deref().unwrap_or_default()).flat_map(attack_roles).collect();
    Ok(Converted { article, gold, roles, warning })
}

/// The trigger and the Attacker, Victim and Time arguments of an attack event.
fn attack_roles(event: &Event) -> Vec<AnnotatedRole> {
    if !event.subtype.as_deref().is_some_and(|s| ATTACK_SUBTYPES.contains(&s)) {
        return Vec::new();
    }
    let trigger = event.nugget.as_ref().and_then(|n| Some((Role::Trigger, n.start?, n.end?)));
    let arguments = event.argument.as_deref().unwrap_or_default().iter().filter_map(|a| {
        let role = match a.role.kind.as_str() {
            "Attacker" => Role::Attacker,
            "Victim" => Role::Victim,
            "Time" => Role::Time,
            _ => return None,
        };
        Some((role, a.start?, a.end?))
    });
    trigger.into_iter().chain(arguments).map(|(role, start, end)| AnnotatedRole { role, start, end }).collect()
}

/// The gold event of one hopper, when it is an attack with an attacker and a victim.
fn gold_event(id: &str, index: usize, hopper: &Hopper) -> Option<GoldEvent> {
    let events = hopper.events.as_deref().unwrap_or_default();
    let mut subtypes: Vec<&str> = Vec::new();
    for subtype in events.iter().filter_map(|e| e.subtype.as_deref()) {
        if ATTACK_SUBTYPES.contains(&subtype) && !subtypes.contains(&subtype) {
            subtypes.push(subtype);
        }
    }
    if subtypes.is_empty() {
        return None;
    }
    let arguments: Vec<&Argument> = events.iter().flat_map(|e| e.argument.as_deref().unwrap_or_default()).collect();
    let role = |name: &str| {
        let mut mentions: Vec<String> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for arg in arguments.iter().filter(|a| a.role.kind == name) {
            let mention = arg.text.trim();
            if mention.is_empty() {
                continue;
            }
            let key = match normalized_key(mention) {
                key if key.is_empty() => mention.to_lowercase(),
                key => key,
            };
            if !keys.contains(&key) {
                keys.push(key);
                mentions.push(mention.to_string());
            }
        }
        mentions
    };
    let (attackers, victims, times) = (role("Attacker"), role("Victim"), role("Time"));
    if attackers.is_empty() || victims.is_empty() {
        return None;
    }
    let named = event_is_named(&attackers, &victims);
    Some(GoldEvent {
        doc_id: id.to_string(),
        attackers,
        victims,
        times,
        named: Some(named),
        note: Some(format!("CASIE hopper {index} ({})", subtypes.join(", "))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::gold::load_gold;

    fn arg(role: &str, text: &str) -> serde_json::Value {
        serde_json::json!({"role": {"type": role}, "text": text, "type": "X", "startOffset": 0, "endOffset": 1})
    }

    fn synthetic() -> serde_json::Value {
        serde_json::json!({
            "sourcefile": "x.txt",
            "info": {"title": " Acme breached ", "date": "2019_03_04", "type": "text", "link": "http://x"},
            "content": "Hackers breached Acme Corp last week. APT28 phished the DNC.  </text>  ",
            "cyberevent": {"hopper": [
                {"index": 0, "events": [
                    {"type": "Attack", "subtype": "Databreach", "argument": [
                        arg("Attacker", "Hackers"), arg("Victim", "Acme Corp"), arg("Time", "last week"),
                        arg("Compromised-Data", "records")]},
                    {"type": "Attack", "subtype": "Databreach", "argument": [
                        arg("Attacker", "the hackers"), arg("Victim", "Acme Corp's"), arg("Victim", "its customers")]}
                ]},
                {"index": 1, "events": [
                    {"type": "Vulnerability", "subtype": "DiscoverVulnerability", "argument": [
                        arg("Discoverer", "researchers"), arg("Victim", "users")]}
                ]},
                {"index": 2, "events": [
                    {"type": "Attack", "subtype": "Ransom", "argument": [arg("Victim", "Acme Corp")]}
                ]},
                {"index": 3, "events": [
                    {"type": "Attack", "subtype": "Phishing", "argument": [arg("Attacker", "APT28"), arg("Victim", "the DNC")]},
                    {"type": "Attack", "subtype": "Phishing"}
                ]}
            ]}
        })
    }

    #[test]
    fn imports_a_synthetic_casie_directory() {
        let dir = tempfile::tempdir().unwrap();
        let annotation = dir.path().join("annotation");
        fs::create_dir(&annotation).unwrap();
        fs::write(annotation.join("20.json"), synthetic().to_string()).unwrap();
        fs::write(annotation.join("10.json"), r#"{"content": "No events here.", "info": {"date": "2019-03-04"}}"#)
            .unwrap();
        fs::write(annotation.join("30.json"), "{").unwrap();
        fs::write(annotation.join("README.md"), "not an annotation").unwrap();

        let import = import_casie(dir.path()).unwrap();
        assert_eq!(import.files, 3);
        assert_eq!(import.articles.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["10", "20"]);
        assert_eq!(import.skipped.len(), 1);
        assert!(import.skipped[0].path.ends_with("30.json"));
        assert!(
            import.skipped[0].reason.starts_with("not a CASIE annotation file: EOF"),
            "{}",
            import.skipped[0].reason
        );
        assert_eq!(import.warnings.len(), 1);
        assert!(import.warnings[0]
            .ends_with("10.json: info.date \"2019-03-04\" is not YYYY_MM_DD; the article has no date"));

        let article = &import.articles[1];
        assert_eq!(article.text, "Hackers breached Acme Corp last week. APT28 phished the DNC.");
        assert_eq!(article.title.as_deref(), Some("Acme breached"));
        assert_eq!(article.date.as_deref(), Some("2019-03-04"));
        assert_eq!(import.articles[0].date, None);

        // Hopper 0: union of both events, repeats (by normalised form) dropped, first kept.
        // Hopper 1 is not an attack; hopper 2 has no attacker; hopper 3 is named.
        let gold = &import.gold;
        assert_eq!(gold.len(), 2);
        assert_eq!(gold[0].attackers, ["Hackers"]);
        assert_eq!(gold[0].victims, ["Acme Corp", "its customers"]);
        assert_eq!(gold[0].times, ["last week"]);
        assert_eq!(gold[0].named, Some(false));
        assert_eq!(gold[0].note.as_deref(), Some("CASIE hopper 0 (Databreach)"));
        assert_eq!(
            (gold[1].attackers.as_slice(), gold[1].victims.as_slice()),
            (&["APT28".to_string()][..], &["the DNC".to_string()][..])
        );
        assert!(gold[1].times.is_empty());
        assert_eq!(gold[1].named, Some(true));
        assert_eq!(import.named_events(), 1);

        // What is written reads back: the gold through the validator, the articles as JSON.
        let gold_path = dir.path().join("gold.jsonl");
        let articles_path = dir.path().join("articles.jsonl");
        write_gold_jsonl(&gold_path, gold).unwrap();
        write_articles_jsonl(&articles_path, &import.articles).unwrap();
        assert_eq!(&load_gold(&gold_path).unwrap(), gold);
        let lines: Vec<String> = fs::read_to_string(&articles_path).unwrap().lines().map(str::to_string).collect();
        assert_eq!(lines[0], r#"{"id":"10","text":"No events here."}"#);
        assert!(lines[1].starts_with(r#"{"id":"20","title":"Acme breached","text":"Hackers breached"#));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3, "no temporary file left behind");
    }

    #[test]
    fn tagging_data_marks_triggers_and_arguments_on_the_pipeline_words() {
        let article = CasieArticle {
            id: "t".into(),
            title: None,
            text: "“Hackers” breached Acme Corp last week. Nothing else.".into(),
            date: None,
        };
        let at = |role, s: &str| {
            let start = article.text[..article.text.find(s).unwrap()].chars().count();
            AnnotatedRole { role, start, end: start + s.chars().count() }
        };
        let roles = [
            at(Role::Victim, "Acme Corp"),
            at(Role::Attacker, "Hackers"),
            at(Role::Trigger, "breached"),
            at(Role::Time, "last week"),
            // Overlaps the victim: the victim comes first in Role::ALL and keeps the word.
            at(Role::Time, "Corp"),
            AnnotatedRole { role: Role::Victim, start: 500, end: 510 },
        ];
        let sentences = tagged_sentences(&article, &roles);
        assert_eq!(sentences.len(), 2);
        assert_eq!(sentences[0].words, ["“", "Hackers", "”", "breached", "Acme", "Corp", "last", "week", "."]);
        assert_eq!(
            sentences[0].tags,
            ["O", "B-ATTACKER", "O", "B-TRIGGER", "B-VICTIM", "I-VICTIM", "B-TIME", "I-TIME", "O"]
        );
        assert_eq!(sentences[1].tags, ["O", "O", "O"]);
    }

    #[test]
    fn stem_digits_choose_parts_of_the_split() {
        let train = StemDigits::parse("0-4").unwrap();
        assert!(train.keeps(Path::new("a/10004.json")) && !train.keeps(Path::new("10006.json")));
        assert!(!train.keeps(Path::new("readme.json")));
        let held_out = StemDigits::parse("5, 6").unwrap();
        assert!(held_out.keeps(Path::new("10005.json")) && held_out.keeps(Path::new("10006.json")));
        assert!(StemDigits::ALL.keeps(Path::new("readme.json")));
        for bad in ["", "x", "4-2", "10", "1-"] {
            assert!(StemDigits::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_directory_without_annotation_files_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(import_casie(dir.path()), Err(CasieError::NoFiles { .. })));
        assert!(matches!(import_casie(dir.path().join("missing")), Err(CasieError::ReadDir { .. })));
    }

    /// The development split, when `../shared/casie-dev` is beside the checkout.
    #[test]
    fn imports_the_casie_dev_split() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/casie-dev");
        if !dir.is_dir() {
            eprintln!("skipped: {} is absent (the CASIE dev split lives in ../shared)", dir.display());
            return;
        }
        let import = import_casie(&dir).unwrap();
        eprintln!(
            "CASIE dev: {} files, {} articles, {} skipped, {} gold events ({} named, {} with a time) in {} documents",
            import.files,
            import.articles.len(),
            import.skipped.len(),
            import.gold.len(),
            import.named_events(),
            import.gold.iter().filter(|e| !e.times.is_empty()).count(),
            import.gold.iter().map(|e| e.doc_id.as_str()).collect::<std::collections::BTreeSet<_>>().len(),
        );
        assert!(import.skipped.is_empty(), "{:?}", import.skipped);
        assert!(import.warnings.is_empty(), "{:?}", import.warnings);
        assert_eq!(import.articles.len(), import.files);
        assert!(import.articles.iter().all(|a| !a.text.ends_with("</text>") && a.date.is_some()));
        assert!(!import.gold.is_empty());
        // Everything imported passes the gold validator.
        let out = tempfile::tempdir().unwrap();
        let path = out.path().join("gold.jsonl");
        write_gold_jsonl(&path, &import.gold).unwrap();
        assert_eq!(load_gold(&path).unwrap(), import.gold);
    }
}
