//! Choosing when an attack happened: the date mention nearest the cue in its
//! sentence, preferring dates of the attack over dates of its discovery or
//! report ("discovered in May 2022"); when the sentence has none, a date from
//! the next sentence that carries the story on ("The hackers, ... in autumn 2020").

use crate::doc::{DateMention, Span};

use super::lexicon::{WordClass, TABLES};
use super::mentions::SentenceWords;

/// The chosen date and the sentence it came from.
pub struct Chosen<'d> {
    /// The date mention.
    pub date: &'d DateMention,
    /// Index of the sentence holding it.
    pub sentence: usize,
}

/// Picks the date for a cue at word `cue_word` of sentence `s`.
pub fn choose<'d>(
    dates: &'d [DateMention],
    sentences: &[SentenceWords],
    s: usize,
    cue_word: usize,
) -> Option<Chosen<'d>> {
    let cue_at = sentences[s].words.get(cue_word).map_or(sentences[s].span.start, |w| w.start);
    if let Some(date) = best_in(dates, &sentences[s], cue_at) {
        return Some(Chosen { date, sentence: s });
    }
    let next = sentences.get(s + 1)?;
    let continues =
        (0..next.lower.len()).any(|i| TABLES.role_phrase_at(WordClass::Anaphor, &next.lower[i..]).is_some());
    if continues {
        return best_in(dates, next, next.span.start).map(|date| Chosen { date, sentence: s + 1 });
    }
    None
}

/// The best date inside `sentence`: nearest to `cue_at`, with discovery and
/// report dates counted three times as far.
/// (`dates` are in text order and do not overlap: the sentence's dates are
/// found by binary search, as this runs once per reading.)
fn best_in<'d>(dates: &'d [DateMention], sentence: &SentenceWords, cue_at: usize) -> Option<&'d DateMention> {
    let first = dates.partition_point(|d| d.span.start < sentence.span.start);
    let inside = dates[first..].iter().take_while(|d| d.span.start < sentence.span.end);
    inside.filter(|d| sentence.span.contains(d.span)).min_by_key(|d| {
        let distance = d.span.start.abs_diff(cue_at);
        if is_discovery(sentence, d.span) {
            distance * 3 + 200
        } else {
            distance
        }
    })
}

/// True when a discovery or report word is among the six words before the date.
fn is_discovery(sentence: &SentenceWords, date: Span) -> bool {
    let first = sentence.words.iter().position(|w| w.start >= date.start).unwrap_or(sentence.words.len());
    (first.saturating_sub(6)..first).any(|i| TABLES.is_role_word(WordClass::Discovery, &sentence.lower[i]))
}
