//! Writing triples: CSV (RFC 4180, with a header) and JSON Lines, with the same
//! columns in the same order. [`TripleRecord`] is the row; the evaluator reads the
//! same struct back.

use serde::{Deserialize, Serialize};

use crate::doc::Triple;

/// The columns of the output, in order. `rule` is filled only with `--explain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TripleRecord {
    /// The article's id.
    pub doc_id: String,
    /// Canonical attacker name.
    pub attacker: String,
    /// `person`, `organization`, `country`, `location`, `threat_actor`, `misc` or `unnamed`.
    pub attacker_type: String,
    /// Canonical victim name.
    pub victim: String,
    /// Same values as `attacker_type`.
    pub victim_type: String,
    /// The date expression as written, or empty.
    #[serde(default)]
    pub date: String,
    /// The normalised date (TIMEX3 style), or empty.
    #[serde(default)]
    pub date_iso: String,
    /// Confidence in [0, 1], with two decimals.
    pub confidence: f32,
    /// The sentence(s) the triple was read from.
    #[serde(default)]
    pub evidence: String,
    /// The rule that produced the triple (only with `--explain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl TripleRecord {
    /// The record for `triple`; `explain` keeps the rule name.
    pub fn from_triple(triple: &Triple, explain: bool) -> Self {
        TripleRecord {
            doc_id: triple.doc_id.clone(),
            attacker: triple.attacker.text.clone(),
            attacker_type: triple.attacker.kind.as_str().to_string(),
            victim: triple.victim.text.clone(),
            victim_type: triple.victim.kind.as_str().to_string(),
            date: triple.date.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
            date_iso: triple
                .date
                .as_ref()
                .and_then(|d| d.value)
                .map(|v| v.to_string())
                .unwrap_or_default(),
            confidence: (triple.confidence * 100.0).round() / 100.0,
            evidence: triple.evidence.clone(),
            rule: explain.then(|| triple.rule.clone()),
        }
    }
}
