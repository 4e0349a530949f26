//! Evaluation: how good are the triples? Gold events and their validation,
//! mention matching, the scores, the reports, CASIE import, and entity-span
//! scoring for the NER stage.
//!
//! | module | one job |
//! | --- | --- |
//! | [`gold`] | the gold-event JSON Lines format, its validation, the "named" rule |
//! | [`predictions`] | reading `extract`'s CSV or JSON Lines back into [`TripleRecord`](crate::export::TripleRecord)s |
//! | [`matching`] | mention and date normalisation and matching (relaxed or strict) |
//! | [`metrics`] | deduplication, P/R/F1 of pairs and triples, slot recall, named view, bootstrap, error lists |
//! | [`report`] | the text table and the JSON object |
//! | [`casie`] | CASIE annotation files → gold events + articles |
//! | [`calibrate`] | fits the relation stage's merger on gold events neither reader was trained on |
//! | [`ner`] | seqeval-style scoring of entity spans |
//!
//! A typical run, as `cyberie evaluate` does it:
//!
//! ```no_run
//! use cyberie::eval::{evaluate, load_gold, load_predictions, render_table, EvalOptions};
//!
//! let gold = load_gold("evaluation/gold")?;
//! let preds = load_predictions("out.csv")?;
//! let scores = evaluate(&gold, &preds, &EvalOptions::default());
//! print!("{}", render_table(&scores));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The library never prints: it returns typed errors and strings.

pub mod calibrate;
pub mod casie;
pub mod gold;
pub mod matching;
pub mod metrics;
pub mod ner;
pub mod predictions;
pub mod report;

pub use casie::{
    import_casie, import_casie_part, write_articles_jsonl, write_gold_jsonl, write_tagging_jsonl, CasieArticle,
    CasieError, CasieImport, SkippedFile, StemDigits,
};
pub use gold::{
    event_is_named, is_name, load_gold, load_gold_for_articles, resolve_times, GoldError, GoldEvent, GoldProblem,
};
pub use matching::{date_matches, mentions_match, normalize, MatchMode};
pub use metrics::{evaluate, Bootstrap, EvalOptions, Scores};
pub use ner::{evaluate_ner, load_ner_gold, load_ner_predictions, render_ner_table, NerError, NerOptions, NerReport};
pub use predictions::{load_predictions, PredictionError};
pub use report::{render_json, render_table};

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::export::TripleRecord;

    /// The gold files bundled in `evaluation/` pass the validators.
    #[test]
    fn the_bundled_gold_files_are_valid() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("evaluation");
        let events = root.join("gold");
        if events.is_dir() {
            let gold = load_gold(&events).unwrap_or_else(|e| panic!("{e}"));
            assert!(!gold.is_empty());
        } else {
            eprintln!("skipped: {} is absent", events.display());
        }
        let ner = root.join("ner-gold/cyber-ner.jsonl");
        if ner.is_file() {
            let docs = load_ner_gold(&ner).unwrap_or_else(|e| panic!("{e}"));
            assert!(!docs.is_empty());
        } else {
            eprintln!("skipped: {} is absent", ner.display());
        }
    }

    /// End to end on the CASIE dev split (when `../shared` is there): the gold
    /// itself, turned into predictions (first attacker, victim and time of each
    /// event), scores a pair precision and recall of 1.
    #[test]
    fn casie_gold_scored_against_itself() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/casie-dev");
        if !dir.is_dir() {
            eprintln!("skipped: {} is absent (the CASIE dev split lives in ../shared)", dir.display());
            return;
        }
        let gold = import_casie(&dir).unwrap().gold;
        let preds: Vec<TripleRecord> = gold
            .iter()
            .map(|e| TripleRecord {
                doc_id: e.doc_id.clone(),
                attacker: e.attackers[0].clone(),
                attacker_type: "organization".into(),
                victim: e.victims[0].clone(),
                victim_type: "organization".into(),
                date: e.times.first().cloned().unwrap_or_default(),
                date_iso: String::new(),
                confidence: 1.0,
                evidence: String::new(),
                attacker_mention: String::new(),
                victim_mention: String::new(),
                rule: None,
            })
            .collect();
        let scores = evaluate(&gold, &preds, &EvalOptions::default());
        assert_eq!((scores.all.pair.precision, scores.all.pair.recall), (1.0, 1.0));
        // Every event is found with its own first time, or with no date when it has
        // none (an undated prediction matches an event without a time); only
        // records merged by deduplication can lose a date.
        let with_time = gold.iter().filter(|e| !e.times.is_empty()).count();
        assert!(scores.all.triple.found_gold > with_time && scores.all.triple.found_gold <= gold.len());
    }
}
