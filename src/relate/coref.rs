//! Within-document coreference, kept simple and visible:
//!
//! - **aliases**: two names of the same kind are one participant when the
//!   shorter's words are prefixes of the longer's ("NPO Mash" = "NPO
//!   Mashinostroyeniya"), when it is the acronym in brackets after the longer
//!   ("National Security Agency (NSA)"), or, for people, the surname; the
//!   canonical name is the longest;
//! - **anaphors**: "they", "the hackers", "the company", "it" stand for the
//!   nearest earlier participant that fits the role.

use std::collections::HashMap;

use crate::doc::ArgKind;

use super::mentions::{Mention, Reference};

/// Maps each name to the canonical (longest) name of its alias group.
pub fn alias_map(mentions: &[Vec<Mention>], text: &str) -> HashMap<String, String> {
    let mut names: Vec<(ArgKind, &str)> = Vec::new();
    for m in mentions.iter().flatten() {
        if matches!(m.kind, ArgKind::Organization | ArgKind::Person | ArgKind::Misc) && m.reference == Reference::Itself
        {
            if !names.iter().any(|(_, n)| *n == m.canonical) {
                names.push((m.kind, &m.canonical));
            }
        }
    }
    let mut map = HashMap::new();
    for &(kind, short) in &names {
        let longer = names
            .iter()
            .filter(|(k, long)| *k == kind && long.len() > short.len() && same_participant(kind, short, long, text))
            .max_by_key(|(_, long)| long.len());
        if let Some((_, long)) = longer {
            map.insert(short.to_string(), long.to_string());
        }
    }
    map
}

/// True when `short` names the same participant as `long` by the alias rules.
fn same_participant(kind: ArgKind, short: &str, long: &str, text: &str) -> bool {
    let short_words: Vec<&str> = short.split_whitespace().collect();
    let long_words: Vec<&str> = long.split_whitespace().collect();
    let prefixes = short_words.len() == long_words.len()
        && short_words.iter().zip(&long_words).all(|(s, l)| l.starts_with(s))
        && short_words.iter().zip(&long_words).any(|(s, l)| s != l);
    let acronym = short.len() >= 2
        && short.chars().all(|c| c.is_ascii_uppercase())
        && long_words.len() >= 2
        && (text.contains(&format!("{long} ({short})"))
            || long_words.iter().filter_map(|w| w.chars().next()).filter(|c| c.is_uppercase()).collect::<String>()
                == short);
    let surname = kind == ArgKind::Person
        && short_words.len() == 1
        && long_words.len() > 1
        && long_words.last() == short_words.first();
    let known_as = text.contains(&format!("known as {short}")) && text.contains(long);
    prefixes || acronym || surname || (known_as && kind == ArgKind::Organization && long_words.len() >= 1)
}

/// Where to look for an antecedent: mentions before word `word` of sentence
/// `sentence`, nearest first, up to `back` sentences back.
pub fn earlier<'m>(
    mentions: &'m [Vec<Mention>],
    sentence: usize,
    word: usize,
    back: usize,
) -> impl Iterator<Item = &'m Mention> {
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

    #[test]
    fn alias_rules() {
        let text = "NPO Mashinostroyeniya, known as NPO Mash; the National Security Agency (NSA); Paul Nakasone";
        assert!(same_participant(ArgKind::Organization, "NPO Mash", "NPO Mashinostroyeniya", text));
        assert!(same_participant(ArgKind::Organization, "NSA", "National Security Agency", text));
        assert!(same_participant(ArgKind::Person, "Nakasone", "Paul Nakasone", text));
        assert!(!same_participant(ArgKind::Organization, "Microsoft", "Microsoft Azure", text));
    }
}
