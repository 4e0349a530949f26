//! The temporal tagger: finds date expressions in an article and normalises them
//! to TIMEX3-style values, resolving relative ones ("last week") against the
//! publication date.
//!
//! - `patterns.rs` holds the table of patterns, one row per kind of expression;
//! - `words.rs` the word tables the patterns are built from;
//! - `normalise.rs` turns a match into a [`Timex`] (or rejects it);
//! - `resolve.rs` does the calendar arithmetic for relative dates;
//! - `timex.rs` defines the normalised value.
//!
//! Every row runs once over the text; where matches overlap the longest wins, so
//! "the first quarter of 2019" is one mention, not "2019".

mod normalise;
mod patterns;
mod resolve;
mod timex;
mod words;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::doc::{DateMention, Span};
use normalise::Outcome;
use patterns::COMPILED;

pub use timex::{ParseTimexError, Season, Timex};

/// Finds date expressions in `text` and normalises them; relative ones are
/// resolved against `published` when given, else their `value` is None.
///
/// The mentions do not overlap and come in text order; spans are byte offsets
/// into `text`.
pub fn tag_dates(text: &str, published: Option<NaiveDate>) -> Vec<DateMention> {
    find(text, published).into_iter().map(|(mention, _)| mention).collect()
}

/// A match that may become a mention.
struct Candidate {
    /// The mention's bytes.
    span: Span,
    /// The index of the row that found it.
    row: usize,
    /// Its value, when resolved.
    value: Option<Timex>,
}

/// Like [`tag_dates`], with the name of the pattern row behind each mention.
fn find(text: &str, published: Option<NaiveDate>) -> Vec<(DateMention, &'static str)> {
    let mut candidates = Vec::new();
    for (row, pattern) in COMPILED.iter().enumerate() {
        for caps in pattern.regex.captures_iter(text) {
            let Some(m) = caps.name("mention").or_else(|| caps.get(0)) else { continue };
            if m.is_empty() {
                continue;
            }
            let value = match normalise::normalise(text, m.range(), pattern.rule, &caps, published) {
                Outcome::Value(value) => Some(value),
                Outcome::Unresolved => None,
                Outcome::NotADate => continue,
            };
            candidates.push(Candidate { span: Span::new(m.start(), m.end()), row, value });
        }
    }
    longest_first(candidates)
        .into_values()
        .map(|c| {
            let mention = DateMention { span: c.span, text: text[c.span.range()].to_string(), value: c.value };
            (mention, COMPILED[c.row].name)
        })
        .collect()
}

/// Keeps the longest candidates that do not overlap (ties: the earlier one, then
/// the row listed first), keyed by start.
fn longest_first(mut candidates: Vec<Candidate>) -> BTreeMap<usize, Candidate> {
    candidates.sort_by_key(|c| (std::cmp::Reverse(c.span.len()), c.span.start, c.row));
    let mut kept: BTreeMap<usize, Candidate> = BTreeMap::new();
    for c in candidates {
        // Kept spans are disjoint, so only the last one starting before this
        // one ends can overlap it.
        let clash = kept.range(..c.span.end).next_back().is_some_and(|(_, k)| k.span.overlaps(c.span));
        if !clash {
            kept.insert(c.span.start, c);
        }
    }
    kept
}
