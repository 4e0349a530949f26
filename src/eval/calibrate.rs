//! Calibrating the merger: fits the relation stage's [`Merger`] on documents
//! with gold events that neither reader was trained on.
//!
//! Every group of proposals (one per attacker–victim pair and document, see
//! [`crate::relate::groups`]) is labelled right when its pair matches a gold
//! event of its document by the judge's rules (canonical names, relaxed
//! matching); a logistic model of the group's features is fitted to those
//! labels; then the threshold and the cap of triples per article are the ones
//! that score best by an [`Objective`] over the calibration documents, scored
//! by [`evaluate`] with [`EvalOptions::judge`] exactly as the evaluation scores
//! them (ties go to the higher threshold). [`cross_validate`] tells how well
//! such a fit carries over to articles it did not see.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::doc::Triple;
use crate::export::TripleRecord;
use crate::relate::{groups, ArticleStats, LearnedWeights, Logistic, Merger, Proposal};

use super::gold::GoldEvent;
use super::matching::{matches_any, MatchMode};
use super::metrics::{evaluate, EvalOptions, Scores};

/// The L2 penalty of the fit, which keeps the weights modest: the merger is
/// fitted on a few hundred articles (the calibration part and the cross-fit
/// inputs), and a weaker penalty (0.1) did no better held out (models/README.md).
pub const L2: f64 = 1.0;
/// The caps of triples per article tried.
pub const CAPS: [usize; 4] = [3, 5, 8, 12];

/// What the threshold and the cap are chosen to maximise, by the judge's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Objective {
    /// Pair F1 plus triple F1.
    PairTriple,
    /// Pair F1 plus triple F1 plus named pair F1: the named view counts every
    /// unmatched prediction against precision, so this objective keeps fewer
    /// doubtful triples. Better than `pair-triple` held out in all three
    /// views when it was adopted (models/README.md).
    #[default]
    PairTripleNamed,
}

impl Objective {
    /// The value of `scores` to maximise.
    pub fn value(self, scores: &Scores) -> f64 {
        let base = scores.all.pair.f1 + scores.all.triple.f1;
        match self {
            Objective::PairTriple => base,
            Objective::PairTripleNamed => base + scores.named.pair.f1,
        }
    }
}

/// The proposals of one document with the text they index.
pub struct DocProposals {
    /// The document's id.
    pub doc_id: String,
    /// The article text (for the CSV records' evidence).
    pub text: String,
    /// Every reading of both readers.
    pub proposals: Vec<Proposal>,
    /// What the merger weighs of the document as a whole.
    pub article: ArticleStats,
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
    /// The judge's named pair F1 likewise.
    pub named_pair_f1: f64,
}

/// One held-out group of a [`cross_validate`].
#[derive(Debug, Clone)]
pub struct Fold {
    /// The threshold fitted on the other groups.
    pub threshold: f64,
    /// The cap of triples per article fitted on the other groups.
    pub max_triples: usize,
    /// The group's documents.
    pub documents: usize,
    /// The judge's scores of the group against its own gold events.
    pub scores: Scores,
}

/// What [`cross_validate`] found.
#[derive(Debug, Clone)]
pub struct CrossValidation {
    /// One fold per group, in the groups' order.
    pub folds: Vec<Fold>,
    /// The judge's scores of every group's held-out triples together.
    pub pooled: Scores,
}

/// Leave one group out: for each group of documents, fits the merger on the
/// others and scores it on this one. The groups should be read by models
/// that did not train on them (the calibration part and the cross-fit
/// halves), so the pooled scores estimate what a merger fitted on all of them
/// does on unseen articles.
pub fn cross_validate(groups: &[Vec<DocProposals>], gold: &[GoldEvent], objective: Objective) -> CrossValidation {
    let options = EvalOptions { bootstrap: None, ..EvalOptions::judge() };
    let mut folds = Vec::new();
    let mut pooled = Vec::new();
    for (held_out, group) in groups.iter().enumerate() {
        let others: Vec<&DocProposals> =
            groups.iter().enumerate().filter(|(i, _)| *i != held_out).flat_map(|(_, g)| g.iter()).collect();
        let merger = calibrate(&others, gold, objective).merger;
        let records = records(&group.iter().collect::<Vec<_>>(), &merger);
        let ids: HashSet<&str> = group.iter().map(|d| d.doc_id.as_str()).collect();
        let own_gold: Vec<GoldEvent> = gold.iter().filter(|e| ids.contains(e.doc_id.as_str())).cloned().collect();
        folds.push(Fold {
            threshold: merger.threshold,
            max_triples: merger.max_triples,
            documents: group.len(),
            scores: evaluate(&own_gold, &records, &options),
        });
        pooled.extend(records);
    }
    CrossValidation { folds, pooled: evaluate(gold, &pooled, &options) }
}

/// Fits the merger to `docs` against `gold`, choosing the threshold and the
/// cap by `objective`.
pub fn calibrate(docs: &[&DocProposals], gold: &[GoldEvent], objective: Objective) -> Calibration {
    let mut by_doc: HashMap<&str, Vec<&GoldEvent>> = HashMap::new();
    for event in gold {
        by_doc.entry(event.doc_id.as_str()).or_default().push(event);
    }
    let mut examples: Vec<(Vec<f64>, bool)> = Vec::new();
    for doc in docs {
        let events = by_doc.get(doc.doc_id.as_str()).map(Vec::as_slice).unwrap_or_default();
        for group in groups(&doc.proposals, &doc.article) {
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
            let value = objective.value(&scores);
            if best.as_ref().is_none_or(|(b, _)| value > *b + 1e-12) {
                let calibration = Calibration {
                    merger,
                    examples: examples.len(),
                    positives: examples.iter().filter(|(_, y)| *y).count(),
                    pair_f1: scores.all.pair.f1,
                    triple_f1: scores.all.triple.f1,
                    named_pair_f1: scores.named.pair.f1,
                };
                best = Some((value, calibration));
            }
        }
    }
    best.map(|(_, c)| c).expect("at least one threshold is tried")
}

/// The records `merger` would write for `docs`.
fn records(docs: &[&DocProposals], merger: &Merger) -> Vec<TripleRecord> {
    docs.iter()
        .flat_map(|doc| {
            let triples: Vec<Triple> = merger.merge(&doc.proposals, &doc.article);
            triples.into_iter().map(|t| TripleRecord::from_triple(&t, &doc.text, false)).collect::<Vec<_>>()
        })
        .collect()
}
