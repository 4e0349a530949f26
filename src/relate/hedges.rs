//! Negation, denial and speculation around a cue (`lexicon/hedges.tsv`): the
//! factor by which they lower a reading's confidence (0 drops it).

use super::lexicon::{HedgeKind, TABLES};

/// The hedge factor for a cue at words `cue_start..` whose clause starts at
/// `clause_start`. Verb cues look back over the whole clause; noun cues over
/// the three words before them. The strongest hedge wins.
pub fn factor(lower: &[String], clause_start: usize, cue_start: usize, noun: bool) -> (f32, Option<HedgeKind>) {
    let window_start = if noun { cue_start.saturating_sub(3).max(clause_start) } else { clause_start };
    let mut best: (f32, Option<HedgeKind>) = (1.0, None);
    for hedge in &TABLES.hedges {
        let range = if hedge.sentence_wide { 0..lower.len() } else { window_start..cue_start };
        let found = range.clone().any(|i| lower[i..range.end].starts_with(&hedge.words));
        if found && hedge.factor < best.0 {
            best = (hedge.factor, Some(hedge.kind));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hedge(sentence: &str, cue: &str) -> f32 {
        let lower: Vec<String> = sentence.split_whitespace().map(str::to_lowercase).collect();
        let at = lower.iter().position(|w| w == cue).unwrap();
        factor(&lower, 0, at, false).0
    }

    #[test]
    fn negation_and_denial_drop_speculation_lowers() {
        assert_eq!(hedge("the company was not hacked", "hacked"), 0.0);
        assert_eq!(hedge("Moscow denied that it hacked the DNC", "hacked"), 0.0);
        assert!(hedge("allies could be targeted next", "targeted") < 0.5);
        assert!(hedge("phishing emails attempting to steal passwords", "steal") < 0.5);
        assert_eq!(hedge("hackers breached the bank", "breached"), 1.0);
    }
}
