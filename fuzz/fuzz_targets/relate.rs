//! The relation stage (and sentence and word splitting) on arbitrary text
//! with synthetic entities, no model.
//!
//! Input: byte 0 is the number of entities (mod 32) and whether there is a
//! publication date; then 5 bytes per entity (start: 2 bytes, length: 1 byte,
//! label: 1 byte, score: 1 byte); then the text (decoded lossily). Entity
//! spans are snapped to char boundaries, made non-empty, sorted and freed of
//! overlaps: what the NER stage guarantees. Dates come from the real tagger.
//!
//! Checks: sentences and words are non-empty, trimmed, in order, disjoint, on
//! char boundaries and (words) inside their sentence, whose word ranges cover
//! the document's words in turn; triples are at most
//! MAX_TRIPLES, sorted by confidence in [0, 1], with attacker and victim spans
//! that slice the text, a date that is one of the document's, and evidence;
//! and each triple becomes an output record (which slices the text again).

#![no_main]

use chrono::NaiveDate;
use cyberie::dates::tag_dates;
use cyberie::doc::{Article, Doc, Entity, Label, Span};
use cyberie::export::{neutralise_formula, TripleRecord};
use cyberie::relate::{extract, MAX_TRIPLES};
use libfuzzer_sys::fuzz_target;

const LABELS: [Label; 5] = [Label::Person, Label::Organization, Label::Location, Label::Misc, Label::Date];

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

fn check_spans(text: &str, spans: &[Span], within: Span) {
    let mut end = within.start;
    for s in spans {
        assert!(s.start < s.end && s.start >= end && s.end <= within.end, "{s:?} after {end} within {within:?}");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        let slice = &text[s.range()];
        assert_eq!(slice.trim(), slice, "untrimmed span {s:?}");
        end = s.end;
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else { return };
    let count = usize::from(head & 31);
    if rest.len() < count * 5 {
        return;
    }
    let (specs, text) = rest.split_at(count * 5);
    let text = String::from_utf8_lossy(text).into_owned();
    let published = (head & 32 != 0).then(|| NaiveDate::from_ymd_opt(2023, 8, 7)).flatten();

    let mut entities: Vec<Entity> = Vec::new();
    for spec in specs.chunks_exact(5) {
        let start = floor_boundary(&text, usize::from(u16::from_le_bytes([spec[0], spec[1]])));
        let end = ceil_boundary(&text, start + 1 + usize::from(spec[2] % 64));
        if start >= end {
            continue;
        }
        let label = LABELS[usize::from(spec[3]) % LABELS.len()];
        let span = Span::new(start, end);
        entities.push(Entity { span, label, score: f32::from(spec[4]) / 255.0, text: text[span.range()].to_string() });
    }
    entities.sort_by_key(|e| e.span);
    let mut disjoint: Vec<Entity> = Vec::new();
    for e in entities {
        if disjoint.last().is_none_or(|last| last.span.end <= e.span.start) {
            disjoint.push(e);
        }
    }

    let mut doc = Doc::new(Article { id: "fuzz".into(), title: None, text: text.clone(), published });
    doc.segment();
    let whole = Span::new(0, text.len());
    let spans: Vec<Span> = doc.sentences.iter().map(|s| s.span).collect();
    check_spans(&text, &spans, whole);
    let mut next_word = 0;
    for sentence in &doc.sentences {
        assert_eq!(sentence.words.start, next_word, "{sentence:?}");
        next_word = sentence.words.end;
        let words = doc.words_of(sentence);
        check_spans(&text, words, sentence.span);
        assert!(words.iter().all(|w| !text[w.range()].chars().any(char::is_whitespace)));
    }
    assert_eq!(next_word, doc.words.len());

    doc.dates = tag_dates(&text, published);
    doc.entities = disjoint;
    let triples = extract(&doc);
    assert!(triples.len() <= MAX_TRIPLES);
    let mut previous = f32::INFINITY;
    for t in &triples {
        assert!((0.0..=1.0).contains(&t.confidence) && t.confidence <= previous, "{t:?}");
        previous = t.confidence;
        for arg in [&t.attacker, &t.victim] {
            assert!(text.get(arg.span.range()).is_some(), "{arg:?} does not slice the text");
        }
        if let Some(date) = &t.date {
            assert!(doc.dates.contains(date), "{date:?} is not one of the document's dates");
        }
        assert!(!t.evidence.is_empty());
        let record = TripleRecord::from_triple(t, &text, true);
        for field in [&record.attacker, &record.victim, &record.evidence] {
            let safe = neutralise_formula(field);
            assert!(safe == *field || safe.starts_with('\''));
        }
    }
});
