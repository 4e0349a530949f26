//! The extraction pipeline: one config struct, one [`Pipeline`].
//!
//! Documents go through the stages in batches: sentence splitting and date
//! tagging (in parallel), NER (all sentences of the batch batched together
//! through the model), then relations (in parallel). Results come back in
//! input order, one [`Outcome`] per document.

use std::path::PathBuf;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::dates::tag_dates;
use crate::doc::{Article, Doc, Triple};
use crate::ner::{ModelError, NerModel, NerOptions};
use crate::read::{ReadError, Record};
use crate::relate;
use crate::text::split_sentences;

/// Everything that shapes a run.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// The model directory.
    pub model_dir: PathBuf,
    /// Model batching knobs.
    pub ner: NerOptions,
    /// Publication date for articles that do not give one (resolves "last week").
    pub default_published: Option<NaiveDate>,
    /// Documents processed together (bounds memory; larger batches pad less).
    pub docs_per_batch: usize,
}

impl PipelineConfig {
    /// The defaults, with the given model directory.
    pub fn new(model_dir: PathBuf) -> Self {
        PipelineConfig { model_dir, ner: NerOptions::default(), default_published: None, docs_per_batch: 64 }
    }
}

/// What happened to one document.
#[derive(Debug)]
pub enum Outcome {
    /// Processed: the annotated document and the attacks found in it.
    Done {
        /// The document with its layers.
        doc: Doc,
        /// The triples, strongest first.
        triples: Vec<Triple>,
    },
    /// Could not be read or processed; skipped.
    Skipped(ReadError),
}

/// A loaded pipeline.
pub struct Pipeline {
    ner: NerModel,
    config: PipelineConfig,
}

impl Pipeline {
    /// Loads the model; fails before any work when the model directory is unusable.
    pub fn new(config: PipelineConfig) -> Result<Pipeline, ModelError> {
        let ner = NerModel::load(&config.model_dir, config.ner.clone())?;
        Ok(Pipeline { ner, config })
    }

    /// Runs every record through the pipeline, batch by batch, and hands each
    /// outcome to `sink` in input order. Memory is bounded by the batch size.
    pub fn run<I, F>(&self, records: I, mut sink: F)
    where
        I: Iterator<Item = Record>,
        F: FnMut(Outcome),
    {
        let mut records = records.peekable();
        while records.peek().is_some() {
            let batch: Vec<Record> = records.by_ref().take(self.config.docs_per_batch.max(1)).collect();
            for outcome in self.process(batch) {
                sink(outcome);
            }
        }
    }

    /// Processes one batch of records, keeping their order.
    pub fn process(&self, records: Vec<Record>) -> Vec<Outcome> {
        let (docs, slots) = self.annotate_batch(records);
        let mut outcomes = docs
            .into_par_iter()
            .map(|doc| match doc {
                Ok(doc) => {
                    let triples = relate::extract(&doc);
                    Outcome::Done { doc, triples }
                }
                Err(e) => Outcome::Skipped(e),
            })
            .collect::<Vec<_>>()
            .into_iter();
        slots
            .into_iter()
            .map(|slot| match slot {
                Slot::Failed(e) => Outcome::Skipped(e),
                Slot::Doc => outcomes.next().expect("one outcome per document slot"),
            })
            .collect()
    }

    /// Adds sentences, dates and entities to each article of a batch.
    pub fn annotate(&self, articles: Vec<Article>) -> Vec<Result<Doc, ReadError>> {
        self.annotate_batch(articles.into_iter().map(Ok).collect()).0
    }

    fn annotate_batch(&self, records: Vec<Record>) -> (Vec<Result<Doc, ReadError>>, Vec<Slot>) {
        let mut slots = Vec::with_capacity(records.len());
        let mut articles = Vec::with_capacity(records.len());
        for record in records {
            match record {
                Ok(article) => {
                    slots.push(Slot::Doc);
                    articles.push(article);
                }
                Err(e) => slots.push(Slot::Failed(e)),
            }
        }
        let default_published = self.config.default_published;
        let docs: Vec<Doc> = articles
            .into_par_iter()
            .map(|mut article| {
                article.published = article.published.or(default_published);
                let mut doc = Doc::new(article);
                doc.sentences = split_sentences(&doc.article.text);
                doc.dates = tag_dates(&doc.article.text, doc.article.published);
                doc
            })
            .collect();
        let entities = self.ner.tag_docs(&docs);
        let annotated = docs
            .into_iter()
            .zip(entities)
            .map(|(mut doc, entities)| match entities {
                Ok(entities) => {
                    doc.entities = entities;
                    Ok(doc)
                }
                Err(e) => Err(ReadError {
                    source: doc.article.id.clone(),
                    line: None,
                    doc_id: Some(doc.article.id.clone()),
                    reason: e.to_string(),
                }),
            })
            .collect();
        (annotated, slots)
    }
}

enum Slot {
    Doc,
    Failed(ReadError),
}
