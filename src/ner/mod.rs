//! Named-entity recognition with a transformer token-classification model.
//!
//! [`NerModel::load`] reads a local Hugging Face-style model directory (see
//! [`model_dir`]); [`NerModel::tag_docs`] labels the entities of many documents
//! at once. Each sentence is split into CoNLL-style words
//! ([`crate::text::split_words`]), encoded as pre-tokenized input with the
//! `tokenizers` crate, cut into windows that fit the model, batched across
//! documents by length, run through rust-bert's model, and decoded from the
//! BIO label of each word's first word piece back to byte spans.

mod batch;
mod decode;
mod encoder;
pub mod model_dir;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use tokenizers::Tokenizer;

use crate::doc::{Doc, Entity};
use crate::text::split_words;

pub use decode::Tag;
pub use model_dir::ModelError;

use batch::{Segment, WordPrediction};
use encoder::Encoder;

/// Tuning knobs for inference.
#[derive(Debug, Clone)]
pub struct NerOptions {
    /// Most windows in one forward pass.
    pub batch_size: usize,
    /// Most word pieces per window, special tokens included (capped by the model).
    pub max_window: usize,
}

impl Default for NerOptions {
    fn default() -> Self {
        NerOptions { batch_size: 32, max_window: 512 }
    }
}

/// A document the model could not process (its batch failed even alone).
#[derive(Debug, Clone, thiserror::Error)]
#[error("NER failed: {0}")]
pub struct NerError(pub String);

/// A loaded token-classification model with its tokenizer and label map.
pub struct NerModel {
    encoder: Encoder,
    tokenizer: Tokenizer,
    tags: Vec<Tag>,
    options: NerOptions,
}

impl NerModel {
    /// Loads the model in `dir`; fails with a message naming what is missing or wrong.
    pub fn load(dir: &Path, options: NerOptions) -> Result<NerModel, ModelError> {
        let loaded = model_dir::load(dir)?;
        let max_window = options.max_window.min(loaded.max_positions).max(8);
        Ok(NerModel {
            encoder: loaded.encoder,
            tokenizer: loaded.tokenizer,
            tags: loaded.tags,
            options: NerOptions { max_window, ..options },
        })
    }

    /// The model's labels, in id order.
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    /// Labels the entities of every document in `docs` (whose `sentences` must be
    /// set), batching all their sentences together. A document whose windows
    /// fail is reported as an error; the others are unaffected.
    pub fn tag_docs(&self, docs: &[Doc]) -> Vec<Result<Vec<Entity>, NerError>> {
        let mut segments = Vec::new();
        for (doc_index, doc) in docs.iter().enumerate() {
            for &sentence in &doc.sentences {
                let words = split_words(&doc.article.text, sentence);
                if !words.is_empty() {
                    segments.push((doc_index, words));
                }
            }
        }
        let mut failures: Vec<Option<String>> = vec![None; docs.len()];
        let windows = match batch::encode_windows(&self.tokenizer, docs, segments, self.options.max_window) {
            Ok(windows) => windows,
            Err(e) => return docs.iter().map(|_| Err(NerError(format!("tokenizer: {e}")))).collect(),
        };
        let predictions = self.run_batches(&windows, &mut failures);
        let mut entities: Vec<Vec<Entity>> = vec![Vec::new(); docs.len()];
        for (window, words) in windows.iter().zip(predictions) {
            let Some(words) = words else { continue };
            let doc = &docs[window.doc_index];
            entities[window.doc_index].extend(decode::entities(&doc.article.text, &window.words, &words, &self.tags));
        }
        entities
            .into_iter()
            .zip(failures)
            .map(|(mut found, failure)| match failure {
                Some(reason) => Err(NerError(reason)),
                None => {
                    found.sort_by_key(|e| e.span);
                    Ok(found)
                }
            })
            .collect()
    }

    /// Runs every window through the model in length-sorted batches. A batch
    /// that fails (libtorch errors surface as panics in rust-bert) is retried
    /// one window at a time, so only the documents of the failing window lose.
    fn run_batches(&self, windows: &[Segment], failures: &mut [Option<String>]) -> Vec<Option<Vec<Option<WordPrediction>>>> {
        let mut results: Vec<Option<Vec<Option<WordPrediction>>>> = vec![None; windows.len()];
        for batch in batch::plan_batches(windows, self.options.batch_size) {
            match self.forward(windows, &batch) {
                Ok(predictions) => {
                    for (i, p) in batch.iter().zip(predictions) {
                        results[*i] = Some(p);
                    }
                }
                Err(_) if batch.len() > 1 => {
                    for &i in &batch {
                        match self.forward(windows, &[i]) {
                            Ok(mut p) => results[i] = p.pop(),
                            Err(reason) => failures[windows[i].doc_index] = Some(reason),
                        }
                    }
                }
                Err(reason) => failures[windows[batch[0]].doc_index] = Some(reason),
            }
        }
        results
    }

    fn forward(&self, windows: &[Segment], batch: &[usize]) -> Result<Vec<Vec<Option<WordPrediction>>>, String> {
        let selected: Vec<&Segment> = batch.iter().map(|&i| &windows[i]).collect();
        catch_unwind(AssertUnwindSafe(|| {
            let inputs = batch::to_tensors(&selected, self.pad_id());
            let probabilities = tch::no_grad(|| self.encoder.probabilities(&inputs))?;
            Ok(batch::word_predictions(&selected, &probabilities, self.tags.len()))
        }))
        .unwrap_or_else(|panic| Err(panic_message(panic)))
    }

    fn pad_id(&self) -> i64 {
        ["[PAD]", "<pad>"].iter().find_map(|t| self.tokenizer.token_to_id(t)).unwrap_or(0) as i64
    }
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "model panicked".to_string())
}
