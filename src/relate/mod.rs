//! Relations: from a document's entities and dates to attacker–victim–date triples.

use crate::doc::{Doc, Triple};

/// Finds the attacks `doc` reports.
pub fn extract(_doc: &Doc) -> Vec<Triple> {
    Vec::new()
}
