//! Text segmentation: sentences and words, as byte spans into the article text.
//!
//! Sentences are what the model and the relation heuristics see one at a time;
//! words are the units the NER model labels (split the way CoNLL-2003 tokenises,
//! which is how the shipped model was trained).

mod sentences;
mod words;

pub use sentences::split_sentences;
pub use words::split_words;
