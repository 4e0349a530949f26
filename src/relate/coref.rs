//! Within-document coreference, kept simple and visible:
//!
//! - **aliases**: two names of the same kind are one participant when the
//!   shorter's words are prefixes of the longer's ("NPO Mash" = "NPO
//!   Mashinostroyeniya"), when it is the acronym in brackets after the longer
//!   ("National Security Agency (NSA)"), or, for people, the surname; the
//!   canonical name is the longest;
//! - **anaphors**: "they", "the hackers", "the company", "it" stand for the
//!   nearest earlier participant that fits the role.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::doc::ArgKind;

use super::mentions::{is_acronym, Mention, Reference};

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
pub fn earlier(mentions: &[Vec<Mention>], sentence: usize, word: usize, back: usize) -> impl Iterator<Item = &Mention> {
    (sentence.saturating_sub(back)..=sentence)
        .rev()
        .flat_map(move |s| mentions[s].iter().rev().filter(move |m| s < sentence || m.words.end <= word))
}

/// True for a mention that names its participant (not a pronoun or unnamed phrase).
pub fn is_named(m: &Mention) -> bool {
    m.kind != ArgKind::Unnamed && m.reference == Reference::Itself
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
