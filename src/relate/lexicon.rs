//! The relation stage's rule tables, parsed once from `src/lexicon/`:
//! attack cues, participant words, hedges, threat actors and countries.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::lexicon::rows;

/// How a cue's arguments are read (see `lexicon/cues.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueClass {
    /// A transitive attack verb.
    Verb,
    /// An attack noun.
    Noun,
    /// A verb whose subject is the victim of the attack that follows.
    Suffer,
    /// A verb whose subject is the attacker of the attack that follows.
    Claim,
    /// "pay": the subject is the victim, the attacker is who is paid.
    Pay,
    /// "send": the subject is the attacker, the victim who is sent messages.
    Send,
    /// "demand": the subject is the attacker, the victim who is asked to pay.
    Demand,
}

/// One form of a cue.
#[derive(Debug, Clone)]
pub struct CueForm {
    /// The words of the form, lowercase.
    pub words: Vec<String>,
    /// The cue's class.
    pub class: CueClass,
    /// The cue's base name.
    pub name: &'static str,
    /// True for past/participle forms (which may be passive).
    pub participle: bool,
    /// Words that must follow within [`GAP_WORDS`] words, after the object
    /// ("held ... hostage"); empty for most forms.
    pub then: Vec<String>,
}

/// How many words a cue form's `...` may stand for ("held the county's files hostage").
pub const GAP_WORDS: usize = 8;

/// A hedge: words that lower the confidence of a nearby cue.
#[derive(Debug, Clone)]
pub struct Hedge {
    /// The words of the phrase, lowercase.
    pub words: Vec<String>,
    /// `negation`, `denial`, `speculation`, `attempt` or `report`.
    pub kind: &'static str,
    /// Factor applied to the confidence.
    pub factor: f32,
    /// Whether the phrase counts anywhere in the sentence or only before the cue.
    pub sentence_wide: bool,
}

/// A named participant from the gazetteers.
#[derive(Debug, Clone)]
pub struct Named {
    /// The canonical name written to the output.
    pub canonical: &'static str,
    /// Threat actor or country.
    pub is_actor: bool,
    /// For a country: whether this form is a capital or other metonym.
    pub metonym: bool,
}

/// All the tables.
pub struct Tables {
    /// Cue forms, longest first.
    pub cues: Vec<CueForm>,
    /// Phrases that start like a cue but do not report an attack ("hit back").
    pub not_cues: Vec<Vec<String>>,
    /// Word lists of `roles.tsv` by class.
    pub roles: HashMap<&'static str, Vec<Vec<String>>>,
    /// Hedge phrases.
    pub hedges: Vec<Hedge>,
    /// Gazetteer forms (case-sensitive) and what they name.
    pub named: Vec<(&'static str, Named)>,
    /// Country canonical names (for NER locations that are countries).
    pub countries: HashSet<&'static str>,
    /// Malware, products and technical terms (`tools.tsv`): never attackers.
    pub tools: HashMap<&'static str, ToolKind>,
}

/// What a `tools.tsv` name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolKind {
    /// Malware or an exploit: neither attacker nor victim.
    Malware,
    /// A software product or platform: may be a victim.
    Product,
    /// A technical term a NER model mistakes for a name.
    Term,
}

impl Tables {
    /// True when `words` (lowercase) start with a phrase of `class` in `roles.tsv`; returns its length.
    pub fn role_phrase_at(&self, class: &str, words: &[String]) -> Option<usize> {
        self.roles.get(class)?.iter().filter(|p| words.starts_with(p)).map(Vec::len).max()
    }

    /// True when the word alone is a cue form ("hacking").
    pub fn is_cue_word(&self, word: &str) -> bool {
        self.cues.iter().any(|c| c.words.len() == 1 && c.words[0] == word)
    }

    /// True when the single word belongs to `class` in `roles.tsv`.
    pub fn is_role_word(&self, class: &str, word: &str) -> bool {
        self.roles.get(class).is_some_and(|ps| ps.iter().any(|p| p.len() == 1 && p[0] == word))
    }
}

fn split_forms(field: &str) -> impl Iterator<Item = &str> {
    field.split(", ").map(str::trim).filter(|f| !f.is_empty())
}

fn words_of(phrase: &str) -> Vec<String> {
    phrase.split_whitespace().map(str::to_lowercase).collect()
}

/// The tables, parsed on first use.
pub static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let (named, countries) = named_participants();
    let (cues, not_cues) = cues();
    Tables { cues, not_cues, roles: roles(), hedges: hedges(), named, countries, tools: tools() }
});

/// Field `i` of a row, empty when the row is shorter.
fn field<'r>(row: &[&'r str], i: usize) -> &'r str {
    row.get(i).copied().unwrap_or("")
}

/// `cues.tsv`: every form of every cue, longest first, and the phrases that are not cues.
fn cues() -> (Vec<CueForm>, Vec<Vec<String>>) {
    let mut cues = Vec::new();
    let mut not_cues = Vec::new();
    for row in rows(include_str!("../lexicon/cues.tsv")) {
        if row[0] == "not" {
            not_cues.extend(split_forms(field(&row, 2)).map(words_of));
            continue;
        }
        let class = match row[0] {
            "verb" => CueClass::Verb,
            "noun" => CueClass::Noun,
            "suffer" => CueClass::Suffer,
            "claim" => CueClass::Claim,
            "pay" => CueClass::Pay,
            "send" => CueClass::Send,
            "demand" => CueClass::Demand,
            other => panic!("cues.tsv: unknown class {other:?}"),
        };
        let name: &'static str = field(&row, 1);
        for (column, participle) in [(2, false), (3, true)] {
            for form in split_forms(field(&row, column)) {
                let (words, then) = form.split_once("...").unwrap_or((form, ""));
                cues.push(CueForm { words: words_of(words), class, name, participle, then: words_of(then) });
            }
        }
    }
    cues.sort_by_key(|c| std::cmp::Reverse(c.words.len()));
    (cues, not_cues)
}

/// `roles.tsv`: the word lists by class (punctuation such as ";" is a word of its own).
fn roles() -> HashMap<&'static str, Vec<Vec<String>>> {
    let mut roles: HashMap<&'static str, Vec<Vec<String>>> = HashMap::new();
    for row in rows(include_str!("../lexicon/roles.tsv")) {
        roles.entry(row[0]).or_default().extend(split_forms(field(&row, 1)).map(words_of));
    }
    roles
}

/// `hedges.tsv`: every hedge phrase with its factor.
fn hedges() -> Vec<Hedge> {
    let mut hedges = Vec::new();
    for row in rows(include_str!("../lexicon/hedges.tsv")) {
        let factor: f32 = field(&row, 1).parse().unwrap_or_else(|_| panic!("hedges.tsv: bad factor {:?}", row[1]));
        for phrase in split_forms(field(&row, 3)) {
            hedges.push(Hedge {
                words: words_of(phrase),
                kind: row[0],
                factor,
                sentence_wide: field(&row, 2) == "sentence",
            });
        }
    }
    hedges
}

/// `threat_actors.tsv` and `countries.tsv`: every form with what it names, and
/// the canonical country names.
fn named_participants() -> (Vec<(&'static str, Named)>, HashSet<&'static str>) {
    let mut named = Vec::new();
    let mut countries = HashSet::new();
    for row in rows(include_str!("../lexicon/threat_actors.tsv")) {
        let canonical: &'static str = row[0];
        for form in std::iter::once(canonical).chain(split_forms(field(&row, 1))) {
            named.push((form, Named { canonical, is_actor: true, metonym: false }));
        }
    }
    for row in rows(include_str!("../lexicon/countries.tsv")) {
        let canonical: &'static str = row[0];
        countries.insert(canonical);
        named.push((canonical, Named { canonical, is_actor: false, metonym: false }));
        // Columns: demonyms, capitals and metonyms, other names.
        for (column, metonym) in [(1, false), (2, true), (3, false)] {
            for form in split_forms(field(&row, column)) {
                named.push((form, Named { canonical, is_actor: false, metonym }));
            }
        }
    }
    (named, countries)
}

/// `tools.tsv`: malware, products and technical terms.
fn tools() -> HashMap<&'static str, ToolKind> {
    let mut tools = HashMap::new();
    for row in rows(include_str!("../lexicon/tools.tsv")) {
        let kind = match row[0] {
            "malware" => ToolKind::Malware,
            "product" => ToolKind::Product,
            "term" => ToolKind::Term,
            other => panic!("tools.tsv: unknown kind {other:?}"),
        };
        for form in split_forms(field(&row, 1)) {
            tools.insert(form, kind);
        }
    }
    tools
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_and_hold_the_documented_entries() {
        let t = &*TABLES;
        let hacked = t.cues.iter().find(|c| c.words == ["hacked"]).unwrap();
        assert!(hacked.participle && hacked.class == CueClass::Verb);
        assert!(t.cues.iter().any(|c| c.words == ["claimed", "responsibility", "for"] && c.class == CueClass::Claim));
        assert!(t.is_role_word("attacker-noun", "hackers"));
        assert!(t.is_role_word("victim-noun", "customers"));
        let lazarus = t.named.iter().find(|(form, _)| *form == "Hidden Cobra").unwrap();
        assert_eq!(lazarus.1.canonical, "Lazarus Group");
        let pyongyang = t.named.iter().find(|(form, _)| *form == "Pyongyang").unwrap();
        assert_eq!((pyongyang.1.canonical, pyongyang.1.metonym), ("North Korea", true));
        assert!(t.countries.contains("Japan"));
    }
}
