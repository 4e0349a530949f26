//! `cyberie`: reads cyber-security news and reports who attacked whom, and when.
//!
//! The pipeline, one stage per module, data flowing one way:
//!
//! ```text
//! read ──► Article ──► text (sentences) ──► ner ──► dates ──► relate ──► Triple ──► export
//!                                                                          │
//!                                                      gold ──► eval ◄─────┘
//! ```

pub mod dates;
pub mod doc;
pub mod eval;
pub mod export;
pub mod lexicon;
pub mod ner;
pub mod pipeline;
pub mod read;
pub mod relate;
pub mod text;

use std::path::PathBuf;

/// The directory of the model shipped with cyberie.
pub fn bundled_model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models").join("cyberie-ner-minilm")
}
