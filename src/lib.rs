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
pub mod read;
pub mod relate;
pub mod text;
