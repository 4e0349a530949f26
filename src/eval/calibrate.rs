//! Calibrating the merger: fits the relation stage's [`Merger`] on documents
//! with gold events that neither reader was trained on.
//!
//! Every group of proposals (one per attacker–victim pair and document, see
//! [`crate::relate::groups`]) is labelled right when its pair matches a gold
//! event of its document by the judge's rules (canonical names, relaxed
//! matching); a logistic model of the group's features is fitted to those
//! labels; then the threshold and the cap of triples per article are the ones
//! that give the best pair F1 plus triple F1 over the calibration documents,
//! scored by [`evaluate`] with [`EvalOptions::judge`] exactly as the
//! evaluation scores them (ties go to the higher threshold).

use std::collections::HashMap;

use serde::Serialize;

use crate::doc::Triple;
use crate::export::TripleRecord;
use crate::relate::{groups, LearnedWeights, Logistic, Merger, Proposal};

use super::gold::GoldEvent;
use super::matching::{matches_any, MatchMode};
use super::metrics::{evaluate, EvalOptions};

/// The L2 penalty of the fit: the calibration part is small (about a hundred
/// articles), so the weights are kept modest.
pub const L2: f64 = 1.0;
/// The caps of triples per article tried.
pub const CAPS: [usize; 4] = [3, 5, 8, 12];

/// The proposals of one document with the text they index.
pub struct DocProposals {
    /// The document's id.
    pub doc_id: String,
    /// The article text (for the CSV records' evidence).
    pub text: String,
    /// Every reading of both readers.
    pub proposals: Vec<Proposal>,
    /// The document's sentences (pieces), for the position feature.
    pub sentences: usize,
}

/// What a calibration found.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// The fitted merger.
    pub merger: Merger,
    /// Groups fitted on, and how many were right.
    pub examples: usize,
    /// Groups whose pair matches a gold event.
    pub positives: usize,
    /// The judge's pair F1 on the calibration documents with the fitted merger.
    pub pair_f1: f64,
    /// The judge's triple F1 likewise.
    pub triple_f1: f64,
}

/// Fits the merger to `docs` against `gold`.
pub fn calibrate(docs: &[DocProposals], gold: &[GoldEvent]) -> Calibration {
    let mut by_doc: HashMap<&str, Vec<&GoldEvent>> = HashMap::new();
    for event in gold {
        by_doc.entry(event.doc_id.as_str()).or_default().push(event);
    }
    let mut examples: Vec<(Vec<f64>, bool)> = Vec::new();
    for doc in docs {
        let events = by_doc.get(doc.doc_id.as_str()).map(Vec::as_slice).unwrap_or_default();
        for group in groups(&doc.proposals, doc.sentences) {
            let head = &group.proposals[0].triple;
            let right = events.iter().any(|e| {
                matches_any(&head.attacker.text, &e.attackers, MatchMode::Relaxed)
                    && matches_any(&head.victim.text, &e.victims, MatchMode::Relaxed)
            });
            examples.push((group.features.clone(), right));
        }
    }
    let model = LearnedWeights::new(&Logistic::fit(&examples, L2, 100));
    let mut best: Option<(f64, Calibration)> = None;
    let mut thresholds: Vec<f64> = (5..=80).map(|t| t as f64 / 100.0).collect();
    thresholds.reverse();
    for &max_triples in &CAPS {
        for &threshold in &thresholds {
            let merger = Merger { model: Some(model.clone()), threshold, max_triples, ..Merger::default() };
            let scores =
                evaluate(gold, &records(docs, &merger), &EvalOptions { bootstrap: None, ..EvalOptions::judge() });
            let objective = scores.all.pair.f1 + scores.all.triple.f1;
            if best.as_ref().is_none_or(|(b, _)| objective > *b + 1e-12) {
                let calibration = Calibration {
                    merger,
                    examples: examples.len(),
                    positives: examples.iter().filter(|(_, y)| *y).count(),
                    pair_f1: scores.all.pair.f1,
                    triple_f1: scores.all.triple.f1,
                };
                best = Some((objective, calibration));
            }
        }
    }
    best.map(|(_, c)| c).expect("at least one threshold is tried")
}

/// The records `merger` would write for `docs`.
fn records(docs: &[DocProposals], merger: &Merger) -> Vec<TripleRecord> {
    docs.iter()
        .flat_map(|doc| {
            let triples: Vec<Triple> = merger.merge(&doc.proposals, doc.sentences);
            triples.into_iter().map(|t| TripleRecord::from_triple(&t, &doc.text, false)).collect::<Vec<_>>()
        })
        .collect()
}
