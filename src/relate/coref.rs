//! Within-document coreference, kept simple and visible:
//!
//! - **aliases**: two names of the same kind are one participant when the
//!   shorter's words are prefixes of the longer's ("NPO Mash" = "NPO
//!   Mashinostroyeniya"), when it is the acronym in brackets after the longer
//!   ("National Security Agency (NSA)"), or, for people, the surname; the
//!   canonical name is the longest;
//! - **roles** ([`Resolver`]): the attacker or victim a reading gives, or
//!   lacks, stands for a participant named elsewhere: "he"/"she" for the person
//!   named before; "they", "the hackers" for the name an attacker goes by or
//!   the nearest named attacker of the article; "it", "the company", "its
//!   systems" for the nearest earlier participant that fits the role; "the
//!   servers of X" for X; a missing attacker is taken from the sentence or the
//!   sentences before.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::doc::ArgKind;

use super::lexicon::{WordClass, TABLES};
use super::mentions::{is_acronym, Mention, Reference, SentenceWords};
use super::roles;

/// At most this many distinct names per article take part in alias merging
/// (the first ones): the comparison is between every pair of names, and only a
/// document far longer than a news article has more.
pub const MAX_ALIAS_NAMES: usize = 1000;

/// Maps each name to the canonical (longest) name of its alias group.
pub fn alias_map(mentions: &[Vec<Mention>], text: &str) -> HashMap<String, String> {
    let mut names: Vec<(ArgKind, Name)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for m in mentions.iter().flatten() {
        if names.len() == MAX_ALIAS_NAMES {
            break;
        }
        if matches!(m.kind, ArgKind::Organization | ArgKind::Person | ArgKind::Misc)
            && m.reference == Reference::Itself
            && seen.insert(&m.canonical)
        {
            names.push((m.kind, Name::new(&m.canonical)));
        }
    }
    // The text is searched once for all names, not once per pair.
    let facts = TextFacts::new(text, names.iter().map(|(_, n)| n.text));
    let mut map = HashMap::new();
    for (kind, short) in &names {
        let longer = names
            .iter()
            .filter(|(k, long)| {
                k == kind && long.text.len() > short.text.len() && same_participant(*kind, short, long, &facts)
            })
            .max_by_key(|(_, long)| long.text.len());
        if let Some((_, long)) = longer {
            map.insert(short.text.to_string(), long.text.to_string());
        }
    }
    map
}

/// A name with its words.
struct Name<'n> {
    text: &'n str,
    words: Vec<&'n str>,
}

impl<'n> Name<'n> {
    fn new(text: &'n str) -> Self {
        Name { text, words: text.split_whitespace().collect() }
    }
}

/// What the alias rules need to know about the text, found in one pass each.
struct TextFacts<'t, 'n> {
    text: &'t str,
    /// Every name that follows "known as " somewhere in the text, with the byte
    /// offsets of those "known as".
    known_as: HashMap<&'n str, Vec<usize>>,
    /// For each bracketed acronym, the byte offsets of its "(" in the text.
    brackets: HashMap<&'t str, Vec<usize>>,
}

impl<'t, 'n> TextFacts<'t, 'n> {
    fn new(text: &'t str, names: impl Iterator<Item = &'n str>) -> Self {
        let names: Vec<&'n str> = names.collect();
        let set: HashSet<&str> = names.iter().copied().collect();
        let lengths: BTreeSet<usize> = names.iter().map(|n| n.len()).collect();
        let mut known_as: HashMap<&str, Vec<usize>> = HashMap::new();
        for (at, marker) in text.match_indices("known as ") {
            let tail = &text[at + marker.len()..];
            for &len in &lengths {
                if let Some(name) = tail.get(..len).and_then(|head| set.get(head)) {
                    known_as.entry(*name).or_default().push(at);
                }
            }
        }
        let mut brackets: HashMap<&str, Vec<usize>> = HashMap::new();
        let bytes = text.as_bytes();
        for (open, _) in text.match_indices('(') {
            let run = bytes[open + 1..].iter().take_while(|b| b.is_ascii_uppercase()).count();
            if run >= 2 && bytes.get(open + 1 + run) == Some(&b')') {
                brackets.entry(&text[open + 1..open + 1 + run]).or_default().push(open);
            }
        }
        TextFacts { text, known_as, brackets }
    }

    /// True when `long` comes before a "known as `short`" in the same sentence
    /// ("NPO Mashinostroyeniya, a rocket design bureau known as NPO Mash").
    fn introduces(&self, long: &str, short: &str) -> bool {
        self.known_as.get(short).is_some_and(|positions| {
            positions.iter().any(|&at| {
                let sentence_start = self.text[..at].rfind(['.', '\n']).map_or(0, |i| i + 1);
                self.text[sentence_start..at].contains(long)
            })
        })
    }

    /// `text.contains("{long} ({acronym})")`.
    fn bracketed(&self, long: &str, acronym: &str) -> bool {
        self.brackets.get(acronym).is_some_and(|opens| {
            opens.iter().any(|&open| self.text[..open].strip_suffix(' ').is_some_and(|before| before.ends_with(long)))
        })
    }
}

/// True when `short` names the same participant as `long` by the alias rules.
fn same_participant(kind: ArgKind, short: &Name, long: &Name, facts: &TextFacts) -> bool {
    let (short_words, long_words) = (&short.words, &long.words);
    let prefixes = short_words.len() == long_words.len()
        && short_words.iter().zip(long_words).all(|(s, l)| l.starts_with(s))
        && short_words.iter().zip(long_words).any(|(s, l)| s != l);
    let acronym = is_acronym(short.text)
        && long_words.len() >= 2
        && (facts.bracketed(long.text, short.text)
            || long_words.iter().filter_map(|w| w.chars().next()).filter(|c| c.is_uppercase()).collect::<String>()
                == short.text);
    let surname = kind == ArgKind::Person
        && short_words.len() == 1
        && long_words.len() > 1
        && long_words.last() == short_words.first();
    let known_as = kind == ArgKind::Organization && facts.introduces(long.text, short.text);
    prefixes || acronym || surname || known_as
}

/// Where to look for an antecedent: mentions before word `word` of sentence
/// `sentence`, nearest first, up to `back` sentences back.
fn earlier(mentions: &[Vec<Mention>], sentence: usize, word: usize, back: usize) -> impl Iterator<Item = &Mention> {
    (sentence.saturating_sub(back)..=sentence)
        .rev()
        .flat_map(move |s| mentions[s].iter().rev().filter(move |m| s < sentence || m.words.end <= word))
}

/// True for a mention that names its participant (not a pronoun or unnamed phrase).
pub fn is_named(m: &Mention) -> bool {
    m.kind != ArgKind::Unnamed && m.reference == Reference::Itself
}

/// How many words may come between an unnamed attacker and "known as", and
/// between that and the name.
const NAMING_GAP: usize = 4;
/// How many words after an asset ("the servers") its owner's "of" may come.
const OWNER_GAP: usize = 6;
/// How many words after that "of" (or "belonging to") the owner may start.
const OWNER_WORDS: usize = 3;
/// How many sentences back an unnamed attacker may find its named antecedent.
const ANTECEDENT_WINDOW: usize = 3;
/// How many sentences back "they" may find the attacker phrase it stands for,
/// and a victim's pronoun or description ("it", "the company") its name.
const PRONOUN_WINDOW: usize = 3;
/// How many sentences back a missing attacker may be an unnamed attacker phrase.
const FILL_WINDOW: usize = 2;

/// Resolves the roles of readings: what an unnamed, anaphoric or missing
/// attacker or victim stands for.
pub struct Resolver<'a> {
    /// The sentences of the document, in words.
    pub sentences: &'a [SentenceWords],
    /// Their mentions.
    pub mentions: &'a [Vec<Mention>],
    /// The named attackers of the readings, with their sentence and word, in text order.
    pub named_readings: &'a [((usize, usize), &'a Mention)],
}

/// A resolved role: the participant and the mention it was read from.
pub struct Role<'a> {
    /// Who the role stands for (a name, when it was resolved to one).
    pub participant: &'a Mention,
    /// The mention it was read from.
    pub mention: &'a Mention,
    /// Taken from outside the cue's clause (a missing role filled from context).
    pub filled: bool,
}

impl<'a> Resolver<'a> {
    /// Resolves the attacker: a name stands; "he"/"she" becomes the person
    /// named before; an unnamed or anaphoric attacker becomes the name it goes
    /// by, else the nearest named attacker of the article when there is one; a
    /// missing attacker (of a cue at word `cue_start` of sentence `sentence`)
    /// is taken from the sentence or the article.
    pub fn attacker(&self, sentence: usize, cue_start: usize, read: Option<&'a Mention>) -> Option<Role<'a>> {
        if let Some(m) = read {
            if is_named(m) {
                return Some(Role { participant: m, mention: m, filled: false });
            }
            // "he", "she": the nearest person named before.
            if is_personal_pronoun(m) {
                let person = earlier(self.mentions, m.sentence, m.words.start, ANTECEDENT_WINDOW)
                    .find(|a| a.kind == ArgKind::Person && is_named(a) && a.attacker_ok);
                if let Some(person) = person {
                    return Some(Role { participant: person, mention: m, filled: false });
                }
            }
            if let Some(named) = self.named_after(m).or_else(|| self.named_attacker(sentence, m.words.start)) {
                return Some(Role { participant: named, mention: m, filled: false });
            }
            if m.kind == ArgKind::Unnamed && m.reference == Reference::Anaphor && has_content(m) {
                return Some(Role { participant: m, mention: m, filled: false });
            }
            // "they": the nearest earlier unnamed attacker phrase.
            return earlier(self.mentions, m.sentence, m.words.start, PRONOUN_WINDOW)
                .find(|a| a.attacker_ok && !a.victim_ok && has_content(a))
                .map(|a| Role { participant: a, mention: m, filled: false });
        }
        let in_sentence = self.mentions[sentence].iter().find(|m| m.attacker_ok && !m.victim_ok);
        if let Some(m) = in_sentence {
            let participant = if is_named(m) { m } else { self.named_attacker(sentence, m.words.start).unwrap_or(m) };
            return Some(Role { participant, mention: m, filled: true });
        }
        if let Some(named) = self.named_attacker(sentence, cue_start) {
            return Some(Role { participant: named, mention: named, filled: true });
        }
        earlier(self.mentions, sentence, 0, FILL_WINDOW)
            .find(|a| a.attacker_ok && !a.victim_ok && has_content(a))
            .map(|a| Role { participant: a, mention: a, filled: true })
    }

    /// The name an unnamed attacker is given right after it: "a hacker going by
    /// the pseudonym Buba", "a group calling itself the Shadow Brokers".
    fn named_after(&self, m: &Mention) -> Option<&'a Mention> {
        let sentence = &self.sentences[m.sentence];
        let end = (m.words.end + NAMING_GAP).min(sentence.lower.len());
        let naming = (m.words.end..end)
            .find_map(|i| Some(i + TABLES.role_phrase_at(WordClass::Naming, &sentence.lower[i..])?))?;
        self.mentions[m.sentence]
            .iter()
            .find(|n| n.words.start >= naming && n.words.start <= naming + NAMING_GAP && is_named(n) && n.attacker_ok)
    }

    /// The named attacker an unnamed or missing attacker of sentence `s` stands
    /// for: the attacker of the latest reading at most [`ANTECEDENT_WINDOW`]
    /// sentences before, else a threat actor mentioned in that window, else
    /// one named in the next [`ANTECEDENT_WINDOW`] sentences ("A hacker tried
    /// to extort Apple. The hackers, who call themselves ...").
    /// (A binary search over `named_readings`: this runs once per reading.)
    fn named_attacker(&self, s: usize, at: usize) -> Option<&'a Mention> {
        let readings = self.named_readings;
        let first = s.saturating_sub(ANTECEDENT_WINDOW);
        let after = readings.partition_point(|(key, _)| *key < (s, at));
        let from_readings = after.checked_sub(1).map(|i| readings[i]).filter(|((sentence, _), _)| *sentence >= first);
        let last = (s + ANTECEDENT_WINDOW).min(self.mentions.len() - 1);
        from_readings
            .map(|(_, m)| m)
            .or_else(|| {
                (first..=s).rev().flat_map(|i| self.mentions[i].iter().rev()).find(|m| m.kind == ArgKind::ThreatActor)
            })
            .or_else(|| (s + 1..=last).flat_map(|i| self.mentions[i].iter()).find(|m| m.kind == ArgKind::ThreatActor))
    }

    /// Resolves the victim: a name or unnamed group stands; "it", "the
    /// company", "its systems" become the nearest earlier fitting name.
    pub fn victim(&self, read: Option<&'a Mention>, attacker: &Mention) -> Option<Role<'a>> {
        let m = read?;
        if let Some(owner) = self.owner(m) {
            return self.victim(Some(owner), attacker).map(|role| Role { mention: m, ..role });
        }
        let possessive = m.kind == ArgKind::Unnamed && self.starts_with_possessive(m);
        if m.reference == Reference::Itself && !possessive {
            return Some(Role { participant: m, mention: m, filled: false });
        }
        // "the city of Atlanta": the description names itself.
        if let Some(named) = self.named_by_of(m) {
            return Some(Role { participant: named, mention: m, filled: false });
        }
        // "the company", "its systems" stand for an organisation; "it" may also
        // be a place; "he" and "she" only for a person.
        let organisation_only = has_content(m);
        let personal = is_personal_pronoun(m);
        let antecedent = earlier(self.mentions, m.sentence, m.words.start, PRONOUN_WINDOW).find(|a| {
            is_named(a)
                && a.victim_ok
                && a.canonical != attacker.canonical
                && match a.kind {
                    ArgKind::Person => personal,
                    ArgKind::Organization => !personal,
                    ArgKind::Country | ArgKind::Location => !organisation_only && !personal,
                    _ => false,
                }
        });
        match antecedent {
            Some(a) => Some(Role { participant: a, mention: m, filled: false }),
            None if has_content(m) => Some(Role { participant: m, mention: m, filled: false }),
            None => None,
        }
    }

    /// The owner of an asset: "networks and systems of North American
    /// companies", "the servers at Contoso" stand for whom they belong to.
    fn owner(&self, m: &Mention) -> Option<&'a Mention> {
        let sentence = &self.sentences[m.sentence];
        let mentions = &self.mentions[m.sentence];
        let is_asset = |m: &Mention| {
            m.kind == ArgKind::Unnamed && TABLES.is_role_word(WordClass::Asset, &sentence.lower[m.words.end - 1])
        };
        if !is_asset(m) {
            return None;
        }
        let mut i = m.words.end;
        while i < sentence.lower.len() && i < m.words.end + OWNER_GAP {
            let word = sentence.lower[i].as_str();
            let belonging = TABLES.is_role_word(WordClass::OwnerBelonging, word);
            if belonging || TABLES.is_role_word(WordClass::OwnerOf, word) {
                let from = if belonging { i + 2 } else { i + 1 };
                let owner = roles::first_within(mentions, from, OWNER_WORDS, |o| o.victim_ok && !is_asset(o));
                return owner.map(|o| &mentions[o]);
            }
            // "networks and systems of ...": other assets may come between.
            let in_asset = mentions.iter().any(|o| o.words.contains(&i) && is_asset(o));
            if !(in_asset || TABLES.is_role_word(WordClass::Joiner, word)) {
                return None;
            }
            i += 1;
        }
        None
    }

    /// The name right after "of" that a description stands for ("the city of Atlanta").
    fn named_by_of(&self, m: &Mention) -> Option<&'a Mention> {
        self.sentences[m.sentence].lower.get(m.words.end).filter(|w| *w == "of")?;
        self.mentions[m.sentence].iter().find(|n| n.words.start == m.words.end + 1 && is_named(n) && n.victim_ok)
    }

    /// True when `m` opens with a possessive that stands for an earlier name ("its systems").
    fn starts_with_possessive(&self, m: &Mention) -> bool {
        TABLES.is_role_word(WordClass::GroupPossessive, &self.sentences[m.sentence].lower[m.words.start])
    }
}

/// True for "he" and "she", which stand for people only.
fn is_personal_pronoun(m: &Mention) -> bool {
    TABLES.is_role_word(WordClass::PersonalPronoun, &m.canonical.to_lowercase())
}

/// True when an unnamed mention has a content word ("the company", not "it").
fn has_content(m: &Mention) -> bool {
    !TABLES.is_role_word(WordClass::BarePronoun, &m.canonical.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(kind: ArgKind, short: &str, long: &str, text: &str) -> bool {
        let facts = TextFacts::new(text, [short, long].into_iter());
        same_participant(kind, &Name::new(short), &Name::new(long), &facts)
    }

    #[test]
    fn alias_rules() {
        let text = "NPO Mashinostroyeniya, known as NPO Mash; the National Security Agency (NSA); Paul Nakasone";
        assert!(same(ArgKind::Organization, "NPO Mash", "NPO Mashinostroyeniya", text));
        assert!(same(ArgKind::Organization, "NSA", "National Security Agency", text));
        assert!(same(ArgKind::Person, "Nakasone", "Paul Nakasone", text));
        assert!(!same(ArgKind::Organization, "Microsoft", "Microsoft Azure", text));
        // "known as" ties the name to the one before it in its sentence only.
        assert!(!same(ArgKind::Organization, "NPO Mash", "National Security Agency", text));
    }

    #[test]
    fn text_facts_agree_with_plain_searches() {
        let text = "Fancy Bear, known as APT28 (APT), hit the National Security Agency (NSA) and (NS) (NSA";
        let names = ["APT28", "APT2", "Fancy Bear", "Agency", "National Security Agency", "Absent", "NSA", "NS", ""];
        let facts = TextFacts::new(text, names.into_iter());
        for name in names {
            for long in names {
                if is_acronym(name) {
                    assert_eq!(
                        facts.bracketed(long, name),
                        text.contains(&format!("{long} ({name})")),
                        "{long} ({name})"
                    );
                }
            }
        }
    }
}
