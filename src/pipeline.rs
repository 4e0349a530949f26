//! The extraction pipeline: one config struct, one [`Pipeline`].
//!
//! Documents go through the stages in groups (bounded by
//! [`PipelineConfig::docs_per_batch`] and [`PipelineConfig::words_per_batch`],
//! so memory does not grow with the corpus): sentence and word splitting and
//! date tagging (in parallel, rayon), tokenization and the batch plan, NER (all sentences of
//! the group, length-sorted, through the model), then relations (in parallel).
//! Results come back in input order, one [`Outcome`] per document.
//!
//! [`Pipeline::run`] overlaps the stages: the model runs on a thread of its own
//! while the calling thread reads and prepares the next group and finishes the
//! previous one (relations, the caller's sink), so the model does not wait for
//! the CPU-side stages. At most three groups are alive at once. (The model gets
//! its own thread even without overlap: on the process's main thread the same
//! libtorch forward pass took about twice the CPU time here.)

use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::dates::tag_dates;
use crate::doc::{Doc, Triple};
use crate::ner::{
    panic_message, ModelError, NerError, NerModel, NerOptions, NerStats, Prepared, Tagged, Tagger, Tokenization,
};
use crate::read::{ReadError, Record};
use crate::relate::{self, RelateConfig};

/// Everything that shapes a run.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// The model directory.
    pub model_dir: PathBuf,
    /// Model batching knobs.
    pub ner: NerOptions,
    /// Publication date for articles that do not give one (resolves "last week").
    pub default_published: Option<NaiveDate>,
    /// Most documents processed together.
    pub docs_per_batch: usize,
    /// A group of documents closes once it holds this many words (bytes / 6,
    /// roughly): bounds memory whatever the document sizes, and gives the model
    /// enough sentences to sort by length (the default, 100,000 words, about
    /// 5,000 sentences, leaves 2-4% of the tokens to padding on news text; an
    /// interrupted run loses at most the groups in flight).
    pub words_per_batch: usize,
    /// Overlap the model with the other stages (otherwise each group is
    /// finished before the next is read; for measurements).
    pub overlap: bool,
    /// The relation stage's readers.
    pub relate: RelateConfig,
}

impl PipelineConfig {
    /// The defaults, with the given model directory.
    pub fn new(model_dir: PathBuf) -> Self {
        PipelineConfig {
            model_dir,
            ner: NerOptions::default(),
            default_published: None,
            docs_per_batch: 1000,
            words_per_batch: 100_000,
            overlap: true,
            relate: RelateConfig::default(),
        }
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

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Every record went through.
    Completed,
    /// The stop flag was raised; the documents handed to the sink are complete,
    /// the rest were not processed.
    Stopped,
    /// The sink asked to stop.
    SinkBroke,
}

/// Where the time of a run went (wall time on each thread).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PipelineStats {
    /// The model's counters, forward time included.
    pub ner: NerStats,
    /// Reading records (the reader's iterator).
    pub read: Duration,
    /// Sentence and word splitting, date tagging.
    pub annotate: Duration,
    /// Word pieces, windows, batch plan.
    pub tokenize: Duration,
    /// Relations.
    pub relate: Duration,
    /// The caller's sink (writing the output).
    pub sink: Duration,
    /// Time the calling thread waited for the model.
    pub wait_model: Duration,
    /// Time the model thread waited for work.
    pub model_idle: Duration,
}

/// A loaded pipeline.
pub struct Pipeline {
    ner: NerModel,
    config: PipelineConfig,
    stats: PipelineStats,
}

/// A group of documents between the stages.
struct Group {
    slots: Vec<Slot>,
    docs: Vec<Doc>,
}

enum Slot {
    Doc,
    Failed(ReadError),
}

/// What the model thread sends back: the group with what the model found in
/// each document, or `None` when it stopped before finishing it.
type FromModel = Option<(Group, Vec<Result<Tagged, NerError>>)>;

impl Pipeline {
    /// Loads the model and, when both readers run, their merger
    /// (`merger.json` in the model directory, see [`relate::Merger`]; a single
    /// reader scores its readings by their own confidence); fails before any
    /// work when the model directory is unusable.
    pub fn new(mut config: PipelineConfig) -> Result<Pipeline, ModelError> {
        let ner = NerModel::load(&config.model_dir, config.ner.clone())?;
        let both = [relate::Reader::Rules, relate::Reader::Tagger].iter().all(|r| config.relate.readers.contains(r));
        if both {
            config.relate.merger = relate::Merger::load(&config.model_dir)
                .map_err(|reason| ModelError::Invalid { file: config.model_dir.join("merger.json"), reason })?;
        }
        Ok(Pipeline { ner, config, stats: PipelineStats::default() })
    }

    /// The settings the pipeline runs with (the merger as loaded).
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Where the time went so far.
    pub fn stats(&self) -> PipelineStats {
        PipelineStats { ner: self.ner.stats(), ..self.stats }
    }

    /// Runs every record through the pipeline and hands each outcome to `sink`
    /// in input order. Memory is bounded by the group size.
    pub fn run<I, F>(&mut self, records: I, sink: F) -> RunEnd
    where
        I: Iterator<Item = Record>,
        F: FnMut(Outcome) -> ControlFlow<()>,
    {
        self.run_until(records, &AtomicBool::new(false), sink)
    }

    /// Like [`Pipeline::run`], but stops soon after `stop` is raised (from a
    /// signal handler, say): the model finishes its current forward pass, the
    /// groups it completed are handed to `sink`, and unfinished work is dropped,
    /// so every outcome the sink saw is complete and they form a prefix of the
    /// input. The sink stops the run by returning [`ControlFlow::Break`].
    pub fn run_until<I, F>(&mut self, records: I, stop: &AtomicBool, sink: F) -> RunEnd
    where
        I: Iterator<Item = Record>,
        F: FnMut(Outcome) -> ControlFlow<()>,
    {
        self.run_groups(records, stop, sink, || ControlFlow::Continue(()))
    }

    /// Like [`Pipeline::run_until`], and calls `group_done` after the outcomes
    /// of each group of documents went to `sink` (a point to flush or
    /// checkpoint the output); it stops the run like the sink does.
    pub fn run_groups<I, F, G>(&mut self, records: I, stop: &AtomicBool, mut sink: F, mut group_done: G) -> RunEnd
    where
        I: Iterator<Item = Record>,
        F: FnMut(Outcome) -> ControlFlow<()>,
        G: FnMut() -> ControlFlow<()>,
    {
        let mut reader = Reader { records, done: false };
        // With overlap, one group waits for the model while it runs another, and
        // the calling thread prepares and finishes groups meanwhile; without,
        // each group is finished before the next is read.
        let most_in_flight = if self.config.overlap { 2 } else { 1 };
        let config = &self.config;
        let stats = &mut self.stats;
        let (tokenization, tagger) = self.ner.split();
        let threads = tch::get_num_threads();
        // Raised when the sink breaks, to stop the model without touching `stop`.
        let halt = AtomicBool::new(false);
        let halted = || stop.load(Ordering::SeqCst) || halt.load(Ordering::SeqCst);
        std::thread::scope(|scope| {
            let (to_model, model_in) = sync_channel::<(Group, Prepared)>(1);
            let (model_out, from_model) = sync_channel::<FromModel>(2);
            let model = scope.spawn(move || model_loop(tagger, threads, model_in, model_out, &halted));
            let mut in_flight = 0usize;
            let mut end = RunEnd::Completed;
            loop {
                if stop.load(Ordering::SeqCst) {
                    end = RunEnd::Stopped;
                    break;
                }
                let Some(group) = next_group(&mut reader, config, stats) else { break };
                let prepared = prepare(tokenization, config, group, stats);
                if to_model.send(prepared).is_err() {
                    break; // the model thread ended (stopped)
                }
                in_flight += 1;
                if in_flight >= most_in_flight {
                    in_flight -= 1;
                    match receive(&from_model, stats) {
                        Some(tagged) => {
                            if finish(tagged, config, stats, &mut sink).is_break() || group_done().is_break() {
                                end = RunEnd::SinkBroke;
                                break;
                            }
                        }
                        None => {
                            end = RunEnd::Stopped;
                            break;
                        }
                    }
                }
            }
            drop(to_model);
            if end == RunEnd::SinkBroke {
                halt.store(true, Ordering::SeqCst);
            }
            // Hand over whatever the model completed; drop what it did not.
            while let Ok(tagged) = from_model.recv() {
                match tagged {
                    Some(tagged) if end != RunEnd::SinkBroke => {
                        if finish(tagged, config, stats, &mut sink).is_break() || group_done().is_break() {
                            end = RunEnd::SinkBroke;
                            halt.store(true, Ordering::SeqCst);
                        }
                    }
                    Some(_) => {}
                    None => {
                        if end == RunEnd::Completed {
                            end = RunEnd::Stopped;
                        }
                    }
                }
            }
            stats.model_idle += model.join().unwrap_or_default();
            if end == RunEnd::Completed && stop.load(Ordering::SeqCst) && !reader.done {
                end = RunEnd::Stopped;
            }
            end
        })
    }

    /// Processes one batch of records, keeping their order.
    pub fn process(&mut self, records: Vec<Record>) -> Vec<Outcome> {
        let mut outcomes = Vec::with_capacity(records.len());
        self.run_until(records.into_iter(), &AtomicBool::new(false), |o| {
            outcomes.push(o);
            ControlFlow::Continue(())
        });
        outcomes
    }
}

struct Reader<I> {
    records: I,
    done: bool,
}

/// Reads the next group of records: up to `docs_per_batch` documents or
/// `words_per_batch` words, whichever comes first.
fn next_group<I: Iterator<Item = Record>>(
    reader: &mut Reader<I>,
    config: &PipelineConfig,
    stats: &mut PipelineStats,
) -> Option<Group> {
    let started = Instant::now();
    let mut group = Group { slots: Vec::new(), docs: Vec::new() };
    let mut words = 0;
    while group.slots.len() < config.docs_per_batch.max(1) && words < config.words_per_batch.max(1) {
        match reader.records.next() {
            None => {
                reader.done = true;
                break;
            }
            Some(Ok(article)) => {
                words += article.text.len() / 6 + 1;
                group.slots.push(Slot::Doc);
                group.docs.push(Doc::new(article));
            }
            Some(Err(e)) => group.slots.push(Slot::Failed(e)),
        }
    }
    stats.read += started.elapsed();
    (!group.slots.is_empty()).then_some(group)
}

/// Sentences, words and dates (in parallel), then the model inputs.
fn prepare(
    tokenization: &Tokenization,
    config: &PipelineConfig,
    mut group: Group,
    stats: &mut PipelineStats,
) -> (Group, Prepared) {
    let started = Instant::now();
    let default_published = config.default_published;
    group.docs.par_iter_mut().for_each(|doc| {
        doc.article.published = doc.article.published.or(default_published);
        doc.segment();
        doc.dates = tag_dates(&doc.article.text, doc.article.published);
    });
    let annotated = Instant::now();
    stats.annotate += annotated - started;
    let prepared = tokenization.prepare(&group.docs);
    stats.tokenize += annotated.elapsed();
    (group, prepared)
}

/// The model thread: tags each group it receives, until the channel closes or
/// `stop` is raised. Returns the time it spent waiting for work.
fn model_loop(
    tagger: &mut Tagger,
    threads: i32,
    input: Receiver<(Group, Prepared)>,
    output: SyncSender<FromModel>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Duration {
    // libtorch keeps the intra-op thread count per thread: set it here too.
    tch::set_num_threads(threads);
    let mut idle = Duration::ZERO;
    loop {
        let waiting = Instant::now();
        let Ok((group, prepared)) = input.recv() else { break };
        idle += waiting.elapsed();
        let tagged = tagger.tag(&group.docs, prepared, stop).map(|found| (group, found));
        let stopped = tagged.is_none();
        if output.send(tagged).is_err() || stopped {
            break;
        }
    }
    idle
}

fn receive(from_model: &Receiver<FromModel>, stats: &mut PipelineStats) -> FromModel {
    let started = Instant::now();
    let tagged = from_model.recv().ok().flatten();
    stats.wait_model += started.elapsed();
    tagged
}

/// Relations (in parallel), then each outcome to the sink in input order.
fn finish<F>(
    (group, found): (Group, Vec<Result<Tagged, NerError>>),
    config: &PipelineConfig,
    stats: &mut PipelineStats,
    sink: &mut F,
) -> ControlFlow<()>
where
    F: FnMut(Outcome) -> ControlFlow<()>,
{
    let started = Instant::now();
    let docs = attach(group.docs, found);
    let relate_config = &config.relate;
    let outcomes: Vec<Outcome> = docs
        .into_par_iter()
        .map(|doc| match doc {
            // A bug the relation rules hit on one document's text skips that
            // document, named, rather than ending the whole run.
            Ok(doc) => match catch_unwind(AssertUnwindSafe(|| relate::extract_with(&doc, relate_config))) {
                Ok(triples) => Outcome::Done { doc, triples },
                Err(panic) => Outcome::Skipped(ReadError {
                    source: doc.article.id.clone(),
                    line: None,
                    doc_id: Some(doc.article.id.clone()),
                    reason: format!("internal error in the relation stage (please report): {}", panic_message(&*panic)),
                }),
            },
            Err(e) => Outcome::Skipped(e),
        })
        .collect();
    let related = Instant::now();
    stats.relate += related - started;
    let mut outcomes = outcomes.into_iter();
    let mut flow = ControlFlow::Continue(());
    for slot in group.slots {
        let outcome = match slot {
            Slot::Failed(e) => Outcome::Skipped(e),
            Slot::Doc => outcomes.next().expect("one outcome per document slot"),
        };
        flow = sink(outcome);
        if flow.is_break() {
            break;
        }
    }
    stats.sink += related.elapsed();
    flow
}

/// Sets each document's entities and roles, or turns it into a skip when the model failed on it.
fn attach(docs: Vec<Doc>, found: Vec<Result<Tagged, NerError>>) -> Vec<Result<Doc, ReadError>> {
    docs.into_iter()
        .zip(found)
        .map(|(mut doc, found)| match found {
            Ok(Tagged { entities, roles }) => {
                doc.entities = entities;
                doc.roles = roles;
                Ok(doc)
            }
            Err(e) => Err(ReadError {
                source: doc.article.id.clone(),
                line: None,
                doc_id: Some(doc.article.id.clone()),
                reason: e.to_string(),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Article;
    use crate::ner::Precision;

    fn pipeline(overlap: bool) -> Pipeline {
        // A forced precision: `auto` may choose differently in two runs.
        pipeline_in(overlap, Precision::Fp32)
    }

    fn pipeline_in(overlap: bool, precision: Precision) -> Pipeline {
        let mut config =
            PipelineConfig::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model"));
        // Small groups and batches, so that a few documents span many of each.
        config.docs_per_batch = 3;
        config.ner.batch_size = 4;
        config.ner.token_budget = 64;
        config.ner.precision = precision;
        config.overlap = overlap;
        Pipeline::new(config).expect("tiny model loads")
    }

    #[test]
    fn auto_precision_gives_the_output_of_the_precision_it_chose() {
        let mut auto = pipeline_in(true, Precision::Auto);
        let (found, end) = collect(&mut auto, records(40), None);
        assert_eq!(end, RunEnd::Completed);
        let choice = auto.stats().ner.precision.expect("a precision was chosen");
        assert!(matches!(choice.chosen, Precision::Fp32 | Precision::Bf16), "{choice:?}");
        assert!(choice.bf16_speedup.is_some_and(|s| s > 0.0), "the speed-up was measured: {choice:?}");
        let (forced, _) = collect(&mut pipeline_in(true, choice.chosen), records(40), None);
        assert_eq!(found, forced, "auto ({choice}) against a run forced to {}", choice.chosen.name());
    }

    fn records(n: usize) -> Vec<Record> {
        (0..n)
            .map(|i| {
                if i % 7 == 3 {
                    return Err(ReadError { source: "t".into(), line: Some(i), doc_id: None, reason: "bad".into() });
                }
                let text = format!(
                    "Article {i}. The Lazarus Group hacked Sony Pictures on 24 November 2014.{}",
                    " Officials said more was to come.".repeat(i % 5)
                );
                Ok(Article { id: format!("d{i}"), title: None, text, published: None })
            })
            .collect()
    }

    fn label(outcome: &Outcome) -> String {
        match outcome {
            Outcome::Done { doc, triples } => format!("{} {} {}", doc.article.id, doc.entities.len(), triples.len()),
            Outcome::Skipped(e) => format!("skip {:?}", e.line),
        }
    }

    fn collect(pipeline: &mut Pipeline, input: Vec<Record>, stop_after: Option<usize>) -> (Vec<String>, RunEnd) {
        let stop = AtomicBool::new(false);
        let mut seen = Vec::new();
        let end = pipeline.run_until(input.into_iter(), &stop, |outcome| {
            seen.push(label(&outcome));
            if Some(seen.len()) == stop_after {
                stop.store(true, Ordering::SeqCst);
            }
            ControlFlow::Continue(())
        });
        (seen, end)
    }

    #[test]
    fn outcomes_come_in_input_order_with_and_without_overlap() {
        let expected: Vec<String> =
            (0..40).map(|i| if i % 7 == 3 { format!("skip {:?}", Some(i)) } else { format!("d{i}") }).collect();
        let (overlapped, end) = collect(&mut pipeline(true), records(40), None);
        assert_eq!(end, RunEnd::Completed);
        let ids: Vec<String> = overlapped.iter().map(|l| l.split(' ').next().unwrap().to_string()).collect();
        let expected_ids: Vec<String> = expected.iter().map(|l| l.split(' ').next().unwrap().to_string()).collect();
        assert_eq!(ids, expected_ids);
        let (in_turn, end) = collect(&mut pipeline(false), records(40), None);
        assert_eq!(end, RunEnd::Completed);
        assert_eq!(overlapped, in_turn, "same results either way");
        assert_eq!(pipeline(true).process(records(40)).iter().map(label).collect::<Vec<_>>(), in_turn);
    }

    #[test]
    fn a_stopped_run_hands_over_a_prefix_of_complete_documents() {
        let (all, _) = collect(&mut pipeline(false), records(60), None);
        for overlap in [true, false] {
            let mut p = pipeline(overlap);
            let (seen, end) = collect(&mut p, records(60), Some(5));
            assert_eq!(end, RunEnd::Stopped, "overlap {overlap}");
            assert!(seen.len() >= 5 && seen.len() < 60, "overlap {overlap}: {} outcomes", seen.len());
            assert_eq!(seen[..], all[..seen.len()], "overlap {overlap}");
            assert!(p.stats().ner.batches > 0);
        }
    }

    #[test]
    fn a_breaking_sink_ends_the_run() {
        for overlap in [true, false] {
            let mut count = 0;
            let end = pipeline(overlap).run(records(30).into_iter(), |_| {
                count += 1;
                if count == 4 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
            assert_eq!((end, count), (RunEnd::SinkBroke, 4), "overlap {overlap}");
        }
    }

    #[test]
    fn groups_close_on_documents_or_words() {
        let config = PipelineConfig { docs_per_batch: 4, words_per_batch: 30, ..PipelineConfig::new(PathBuf::new()) };
        let long = "word ".repeat(60); // 300 bytes: about 50 words
        let input: Vec<Record> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let text = if i == 1 { long.clone() } else { "Short text.".to_string() };
                Ok(Article { id: id.to_string(), title: None, text, published: None })
            })
            .collect();
        let mut reader = Reader { records: input.into_iter(), done: false };
        let mut stats = PipelineStats::default();
        let sizes: Vec<usize> =
            std::iter::from_fn(|| next_group(&mut reader, &config, &mut stats)).map(|g| g.slots.len()).collect();
        assert_eq!(sizes, [2, 4], "the long document closes the first group; then four documents");
        assert!(reader.done);
    }
}
