//! Finding attack cues in a sentence: the longest cue form at each word, left
//! to right, skipping words inside participant mentions ("Hacking Team",
//! "a hacking group") and adjectival participles ("the hacked accounts").

use super::lexicon::{CueClass, CueForm, WordClass, GAP_WORDS, TABLES};
use super::mentions::{Mention, SentenceWords};

/// A cue found in a sentence.
#[derive(Debug, Clone, Copy)]
pub struct Cue {
    /// First word.
    pub start: usize,
    /// One past the last word.
    pub end: usize,
    /// The matched form.
    pub form: &'static CueForm,
}

/// The cues of one sentence, in order, not overlapping.
pub fn find_cues(sentence: &SentenceWords, mentions: &[Mention]) -> Vec<Cue> {
    let mut cues = Vec::new();
    let mut i = 0;
    while i < sentence.lower.len() {
        let inside_mention = mentions.iter().any(|m| m.words.contains(&i));
        let form = if inside_mention { None } else { best_form(sentence, mentions, i) };
        match form {
            Some(form) => {
                cues.push(Cue { start: i, end: i + form.words.len(), form });
                i += form.words.len();
            }
            _ => i += 1,
        }
    }
    cues
}

/// The longest cue form at word `i`. Where a form is both verb and noun
/// ("attack", "breach"), a determiner, possessive or modifier before it, or
/// "on"/"against"/"of" after it, makes it the noun.
fn best_form(sentence: &SentenceWords, mentions: &[Mention], i: usize) -> Option<&'static CueForm> {
    let mut matching = TABLES.cues.iter().filter(|c| {
        let rest = &sentence.lower[i..];
        rest.starts_with(&c.words) && (c.then.is_empty() || follows(&rest[c.words.len()..], &c.then))
    });
    let first = matching.next()?;
    // "hit back at", "hacking tools": a longer phrase that is not a cue.
    if TABLES.not_cues.iter().any(|p| p.len() >= first.words.len() && sentence.lower[i..].starts_with(p)) {
        return None;
    }
    let longest: Vec<&CueForm> =
        std::iter::once(first).chain(matching.filter(|c| c.words.len() == first.words.len())).collect();
    let previous = if i > 0 { sentence.lower[i - 1].as_str() } else { "" };
    let next = sentence.lower.get(i + first.words.len()).map_or("", String::as_str);
    // "the Yahoo breach": a name right before, itself after a determiner.
    let after_determined_name = mentions.iter().any(|m| {
        m.words.end == i
            && m.words.start > 0
            && TABLES.is_role_word(WordClass::Determiner, &sentence.lower[m.words.start - 1])
    });
    // A verb takes an object: punctuation or a function word next means a noun.
    let no_object =
        next.is_empty() || next.chars().all(|c| !c.is_alphanumeric()) || TABLES.is_role_word(WordClass::NoObject, next);
    let noun_context = previous == "'s"
        || TABLES.is_role_word(WordClass::Determiner, previous)
        || TABLES.is_role_word(WordClass::Modifier, previous)
        || after_determined_name
        || no_object
        || TABLES.is_role_word(WordClass::NounPreposition, next);
    let preferred = longest.iter().find(|c| (c.class == CueClass::Noun) == noun_context).or(longest.first())?;
    (!is_adjectival(sentence, i, preferred)).then_some(*preferred)
}

/// A verb form right after a determiner or an amount, or a participle right
/// after a preposition, is an adjective or a noun ("the hacked server", "a
/// $17,000 ransom", "2 million stolen records", "data from compromised systems").
fn is_adjectival(sentence: &SentenceWords, i: usize, form: &CueForm) -> bool {
    let Some(previous) = i.checked_sub(1).map(|p| sentence.lower[p].as_str()) else { return false };
    let after_preposition = form.participle && TABLES.is_role_word(WordClass::AdjectivePreposition, previous);
    form.class == CueClass::Verb
        && (TABLES.is_role_word(WordClass::AdjectiveBefore, previous) || is_amount(previous) || after_preposition)
}

/// True when `then` starts within [`GAP_WORDS`] words of `words` ("held [the
/// county's files] hostage").
fn follows(words: &[String], then: &[String]) -> bool {
    (0..=GAP_WORDS.min(words.len())).any(|skip| words[skip..].starts_with(then))
}

/// "$17,000", "€5m", "36", "million" (but not a year such as "2014").
fn is_amount(word: &str) -> bool {
    let year = word.len() == 4 && word.chars().all(|c| c.is_ascii_digit());
    TABLES.is_role_word(WordClass::Amount, word)
        || TABLES.role_words(WordClass::Currency).any(|sign| word.starts_with(sign))
        || (word.chars().next().is_some_and(|c| c.is_ascii_digit()) && !year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Span;

    fn sentence(text: &str) -> SentenceWords {
        let words = crate::text::split_words(text, Span::new(0, text.len()));
        let lower = words.iter().map(|w| text[w.range()].to_lowercase()).collect();
        SentenceWords { span: Span::new(0, text.len()), words, lower }
    }

    fn cues(text: &str) -> Vec<&'static str> {
        find_cues(&sentence(text), &[]).into_iter().map(|c| c.form.name).collect()
    }

    #[test]
    fn finds_longest_forms() {
        assert_eq!(cues("North Korea broke into the network"), ["break into"]);
        assert_eq!(
            cues("LockBit claimed responsibility for the ransomware attack"),
            ["claim responsibility", "attack"]
        );
        assert_eq!(cues("Hackers gained access to its servers"), ["gain access to"]);
    }

    #[test]
    fn a_form_with_a_gap_holds_its_object() {
        assert_eq!(cues("Hackers held the county's computer files hostage"), ["hold to ransom"]);
        assert_eq!(cues("Hackers took the police department's server for ransom"), ["hold to ransom", "ransom"]);
        assert!(!cues("The board held a long meeting, then paid the ransom").contains(&"hold to ransom"));
        // Companies take their own systems offline: not an attack.
        assert!(cues("The company took certain systems offline").is_empty());
        assert_eq!(cues("Attackers locked staff out of their email"), ["lock"]);
    }

    #[test]
    fn phrases_that_are_not_cues() {
        assert!(cues("Contoso hit back at Fabrikam's claims").is_empty());
        assert!(cues("The files describe CIA hacking tools").is_empty());
        assert!(cues("Firewalls shrink the attack surface").is_empty());
        // The cue word alone still counts.
        assert_eq!(cues("Ransomware hit the hospital"), ["hit"]);
    }

    #[test]
    fn skips_adjectival_participles() {
        assert!(cues("They sold the hacked accounts").is_empty());
        assert!(cues("They sold 2 million stolen records").is_empty());
        assert!(cues("The malware lifts passwords from infected computers").is_empty());
        assert_eq!(cues("The city paid a $50,000 ransom"), ["pay"]);
        // A year is not an amount: "in 2014 attacked" keeps its verb.
        assert_eq!(cues("Hackers in 2014 attacked the exchange"), ["attack"]);
    }
}
