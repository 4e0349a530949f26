//! Token tagging with a transformer token-classification model: named
//! entities and, when the model has a second head, the triggers and
//! arguments of attacks (one forward pass gives both).
//!
//! [`NerModel::load`] reads a local Hugging Face-style model directory (see
//! [`model_dir`]); [`NerModel::tag_docs`] labels the entities and roles of many
//! documents at once. It runs in two halves that a caller may put on different threads:
//!
//! - [`Tokenization::prepare`] (CPU-side, cheap): the CoNLL-style words of each
//!   sentence (the document's words layer, [`Doc::words`]) are encoded as pre-tokenized
//!   input with the `tokenizers` crate's batch API, cut into windows that fit the
//!   model, and the windows of all documents are grouped into length-sorted
//!   batches under a token budget;
//! - [`Tagger::tag`] (the model): runs each batch through rust-bert's model and
//!   decodes, for each head, the BIO label of each word's first word piece back
//!   to byte spans.
//!
//! The tagger keeps [`NerStats`]: time spent in the forward pass, batches,
//! real and padded tokens.

mod batch;
mod decode;
mod encoder;
pub mod model_dir;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use tokenizers::Tokenizer;

use crate::doc::{Doc, Entity, Role, RoleSpan};

pub use batch::BatchLimits;
pub use decode::{parse_role_weight, RoleWeights, Tag};
pub use encoder::Precision;
pub use model_dir::{Head, Heads, ModelError};

use batch::{Segment, WordPrediction};
use encoder::Encoder;

/// Tuning knobs for inference.
#[derive(Debug, Clone)]
pub struct NerOptions {
    /// Most windows in one forward pass.
    pub batch_size: usize,
    /// Most tokens in one forward pass, padding included (windows × longest
    /// window); a single window longer than this still forms a batch of one.
    pub token_budget: usize,
    /// Most word pieces per window, special tokens included (capped by the model).
    pub max_window: usize,
    /// Numeric precision of the forward pass.
    pub precision: Precision,
    /// Role weights of the argument head that replace the model's own
    /// (`config.json`'s `cyberie_role_weights`), role by role.
    pub role_weights: Vec<(Role, f32)>,
}

impl Default for NerOptions {
    fn default() -> Self {
        NerOptions {
            batch_size: 128,
            token_budget: 2048,
            max_window: 512,
            precision: Precision::default(),
            role_weights: Vec::new(),
        }
    }
}

/// A document the model could not process (its batch failed even alone).
#[derive(Debug, Clone, thiserror::Error)]
#[error("NER failed: {0}")]
pub struct NerError(pub String);

/// The precision a run used, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionChoice {
    /// The precision the forward passes ran in.
    pub chosen: Precision,
    /// With `--precision auto`: how many times faster bf16 ran than fp32 on
    /// the run's first batches (`None` when a precision was forced).
    pub bf16_speedup: Option<f32>,
}

impl std::fmt::Display for PrecisionChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.bf16_speedup {
            Some(speedup) => write!(f, "{} (bf16 measured {speedup:.2}× fp32 on this CPU)", self.chosen.name()),
            None => write!(f, "{} (forced)", self.chosen.name()),
        }
    }
}

/// How many of a run's first batches `--precision auto` times in each precision.
pub const CALIBRATION_BATCHES: usize = 3;
/// bf16 is chosen only when it runs at least this many times as fast as fp32:
/// fp32 is the reference, and timings on a busy machine are noisy.
pub const BF16_MARGIN: f32 = 1.1;

/// Counters of the model's work, for the timing breakdown.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NerStats {
    /// Wall time inside the forward pass (input tensors, network, softmax, reading
    /// the best labels back).
    pub forward: Duration,
    /// Forward passes run.
    pub batches: usize,
    /// Windows (sentences or parts of sentences) run.
    pub windows: usize,
    /// Real tokens run.
    pub tokens: usize,
    /// Tokens run including padding.
    pub padded_tokens: usize,
    /// The precision used, once the first batch ran.
    pub precision: Option<PrecisionChoice>,
}

impl NerStats {
    /// Adds another set of counters to these.
    pub fn add(&mut self, other: &NerStats) {
        self.forward += other.forward;
        self.batches += other.batches;
        self.windows += other.windows;
        self.tokens += other.tokens;
        self.padded_tokens += other.padded_tokens;
        self.precision = self.precision.or(other.precision);
    }
}

/// A loaded token-classification model with its tokenizer and label map.
pub struct NerModel {
    tokenization: Tokenization,
    tagger: Tagger,
}

/// The CPU-side half: words, word pieces, windows and the batch plan.
pub struct Tokenization {
    tokenizer: Tokenizer,
    limits: BatchLimits,
    max_window: usize,
}

/// The model half: runs prepared batches and decodes the labels.
///
/// With [`Precision::Auto`] the first batches of the first group run twice,
/// in fp32 and in bf16 (each after one untimed warm-up pass), and the faster
/// precision (bf16 only with a [`BF16_MARGIN`]) stays for the run; its
/// results of those batches are kept, so the output is that of a run forced to
/// the chosen precision.
pub struct Tagger {
    encoder: Encoder,
    heads: Heads,
    /// The argument head's tag factors ([`decode::RoleWeights::factors`]).
    role_factors: Option<Vec<f32>>,
    pad_id: i64,
    precision: Precision,
    stats: NerStats,
}

/// What the model found in one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tagged {
    /// Named entities, in text order.
    pub entities: Vec<Entity>,
    /// Attack triggers and arguments, in text order (none without an argument head).
    pub roles: Vec<RoleSpan>,
}

/// One window's word predictions, for each head.
#[derive(Clone)]
struct WindowPredictions {
    entities: Vec<Option<WordPrediction>>,
    roles: Vec<Option<WordPrediction>>,
}

/// The model inputs of a group of documents, from [`Tokenization::prepare`].
pub struct Prepared {
    windows: Vec<Segment>,
    batches: Vec<Vec<usize>>,
    docs: usize,
    error: Option<String>,
}

impl Prepared {
    /// Windows (sentences or parts of them) to run.
    pub fn windows(&self) -> usize {
        self.windows.len()
    }
}

impl NerModel {
    /// Loads the model in `dir`; fails with a message naming what is missing or wrong.
    pub fn load(dir: &Path, options: NerOptions) -> Result<NerModel, ModelError> {
        let loaded = model_dir::load(dir, options.precision)?;
        let max_window = options.max_window.min(loaded.max_positions).max(8);
        let pad_id = ["[PAD]", "<pad>"].iter().find_map(|t| loaded.tokenizer.token_to_id(t)).unwrap_or(0) as i64;
        let mut role_weights = loaded.role_weights;
        for &(role, weight) in &options.role_weights {
            role_weights.set(role, weight).map_err(|reason| ModelError::Invalid {
                file: dir.join("config.json"),
                reason: format!("--role-weight: {reason}"),
            })?;
        }
        let role_factors = loaded.heads.arguments.as_ref().and_then(|head| role_weights.factors(&head.tags));
        Ok(NerModel {
            tokenization: Tokenization {
                tokenizer: loaded.tokenizer,
                limits: BatchLimits { max_windows: options.batch_size.max(1), max_tokens: options.token_budget.max(1) },
                max_window,
            },
            tagger: Tagger {
                encoder: loaded.encoder,
                heads: loaded.heads,
                role_factors,
                pad_id,
                precision: options.precision,
                stats: NerStats::default(),
            },
        })
    }

    /// The model's heads and their labels.
    pub fn heads(&self) -> &Heads {
        &self.tagger.heads
    }

    /// The counters of the work done so far.
    pub fn stats(&self) -> NerStats {
        self.tagger.stats
    }

    /// The two halves, to run on different threads.
    pub fn split(&mut self) -> (&Tokenization, &mut Tagger) {
        (&self.tokenization, &mut self.tagger)
    }

    /// Labels the entities and roles of every document in `docs` (whose
    /// `sentences` and `words` must be set, [`Doc::segment`]), batching all their sentences together. A
    /// document whose windows fail is reported as an error; the others are
    /// unaffected.
    pub fn tag_docs(&mut self, docs: &[Doc]) -> Vec<Result<Tagged, NerError>> {
        let prepared = self.tokenization.prepare(docs);
        self.tagger.tag(docs, prepared, &|| false).expect("never stopped")
    }
}

impl Tokenization {
    /// Tokenizes the sentences of `docs` (whose `sentences` and `words` must be set) and
    /// plans the forward passes. Never fails: a tokenizer error is carried to
    /// [`Tagger::tag`], which reports it for every document.
    pub fn prepare(&self, docs: &[Doc]) -> Prepared {
        let mut segments = Vec::new();
        for (doc_index, doc) in docs.iter().enumerate() {
            for sentence in &doc.sentences {
                let words = doc.words_of(sentence);
                if !words.is_empty() {
                    segments.push((doc_index, words.to_vec()));
                }
            }
        }
        match batch::encode_windows(&self.tokenizer, docs, segments, self.max_window) {
            Ok(windows) => {
                let batches = batch::plan_batches(&windows, self.limits);
                Prepared { windows, batches, docs: docs.len(), error: None }
            }
            Err(e) => Prepared {
                windows: Vec::new(),
                batches: Vec::new(),
                docs: docs.len(),
                error: Some(format!("tokenizer: {e}")),
            },
        }
    }
}

impl Tagger {
    /// The counters of the work done so far.
    pub fn stats(&self) -> NerStats {
        self.stats
    }

    /// Runs the prepared batches of `docs` and returns what each document
    /// holds, in text order, or why the model failed on it. Asks `stop` before
    /// each forward pass and returns `None` when it says so.
    pub fn tag(
        &mut self,
        docs: &[Doc],
        prepared: Prepared,
        stop: &dyn Fn() -> bool,
    ) -> Option<Vec<Result<Tagged, NerError>>> {
        debug_assert_eq!(prepared.docs, docs.len(), "prepared for other documents");
        if let Some(error) = prepared.error {
            return Some(docs.iter().map(|_| Err(NerError(error.clone()))).collect());
        }
        let mut failures: Vec<Option<String>> = vec![None; docs.len()];
        let predictions = self.run_batches(&prepared.windows, &prepared.batches, &mut failures, stop)?;
        let mut tagged: Vec<Tagged> = vec![Tagged::default(); docs.len()];
        for (window, words) in prepared.windows.iter().zip(predictions) {
            let Some(words) = words else { continue };
            let text = &docs[window.doc_index].article.text;
            let found = &mut tagged[window.doc_index];
            found.entities.extend(decode::entities(text, &window.words, &words.entities, &self.heads.entities.tags));
            if let Some(arguments) = &self.heads.arguments {
                found.roles.extend(decode::roles(&window.words, &words.roles, &arguments.tags));
            }
        }
        let tagged = tagged
            .into_iter()
            .zip(failures)
            .map(|(mut found, failure)| match failure {
                Some(reason) => Err(NerError(reason)),
                None => {
                    found.entities.sort_by_key(|e| e.span);
                    found.roles.sort_by_key(|r| r.span);
                    Ok(found)
                }
            })
            .collect();
        Some(tagged)
    }

    /// Runs every planned batch. A batch that fails (libtorch errors surface as
    /// panics in rust-bert) is retried one window at a time, so only the
    /// documents of the failing window lose.
    fn run_batches(
        &mut self,
        windows: &[Segment],
        batches: &[Vec<usize>],
        failures: &mut [Option<String>],
        stop: &dyn Fn() -> bool,
    ) -> Option<Vec<Option<WindowPredictions>>> {
        let mut results: Vec<Option<WindowPredictions>> = vec![None; windows.len()];
        let mut first = 0;
        if self.precision == Precision::Auto && !batches.is_empty() {
            let timed = &batches[..batches.len().min(CALIBRATION_BATCHES)];
            if let Some(predictions) = self.choose_precision(windows, timed) {
                for (batch, predictions) in timed.iter().zip(predictions) {
                    for (i, p) in batch.iter().zip(predictions) {
                        results[*i] = Some(p);
                    }
                }
                first = timed.len();
            }
        }
        if self.stats.precision.is_none() {
            self.stats.precision = Some(PrecisionChoice { chosen: self.precision, bf16_speedup: None });
        }
        for batch in &batches[first..] {
            if stop() {
                return None;
            }
            match self.forward(windows, batch) {
                Ok(predictions) => {
                    for (i, p) in batch.iter().zip(predictions) {
                        results[*i] = Some(p);
                    }
                }
                Err(_) if batch.len() > 1 => {
                    for &i in batch {
                        match self.forward(windows, &[i]) {
                            Ok(mut p) => results[i] = p.pop(),
                            Err(reason) => failures[windows[i].doc_index] = Some(reason),
                        }
                    }
                }
                Err(reason) => failures[windows[batch[0]].doc_index] = Some(reason),
            }
        }
        Some(results)
    }

    /// Times `batches` in fp32 and in bf16 and keeps the faster precision (see
    /// [`Tagger`]); returns the chosen precision's predictions of each batch.
    /// When a pass fails, the model goes back to fp32 and `None` is returned:
    /// the batches then run as any others, with their retries.
    fn choose_precision(&mut self, windows: &[Segment], batches: &[Vec<usize>]) -> Option<Vec<Vec<WindowPredictions>>> {
        fn timed(
            tagger: &mut Tagger,
            windows: &[Segment],
            batches: &[Vec<usize>],
        ) -> Option<(f32, Vec<Vec<WindowPredictions>>)> {
            tagger.forward(windows, &batches[0]).ok()?; // warm-up: one-off allocations and kernel set-up
            let started = Instant::now();
            let predictions = batches.iter().map(|b| tagger.forward(windows, b).ok()).collect::<Option<Vec<_>>>()?;
            Some((started.elapsed().as_secs_f32(), predictions))
        }
        let fp32_weights = self.encoder.snapshot();
        let fp32 = timed(self, windows, batches);
        self.encoder.convert(Precision::Bf16);
        let bf16 = timed(self, windows, batches);
        let (Some((fp32_time, fp32_predictions)), Some((bf16_time, bf16_predictions))) = (fp32, bf16) else {
            self.encoder.restore(&fp32_weights);
            self.precision = Precision::Fp32;
            return None;
        };
        let speedup = fp32_time / bf16_time.max(1e-9);
        let (chosen, predictions) = if speedup >= BF16_MARGIN {
            (Precision::Bf16, bf16_predictions)
        } else {
            self.encoder.restore(&fp32_weights);
            (Precision::Fp32, fp32_predictions)
        };
        self.precision = chosen;
        self.stats.precision = Some(PrecisionChoice { chosen, bf16_speedup: Some(speedup) });
        Some(predictions)
    }

    fn forward(&mut self, windows: &[Segment], batch: &[usize]) -> Result<Vec<WindowPredictions>, String> {
        let selected: Vec<&Segment> = batch.iter().map(|&i| &windows[i]).collect();
        let started = Instant::now();
        let heads = &self.heads;
        let role_factors = &self.role_factors;
        let encoder = &self.encoder;
        let result = catch_unwind(AssertUnwindSafe(|| {
            let inputs = batch::to_tensors(&selected, self.pad_id);
            tch::no_grad(|| {
                let logits = encoder.logits(&inputs)?;
                let entities = batch::word_predictions(&selected, &logits, &heads.entities.rows, None);
                let roles = match &heads.arguments {
                    Some(arguments) => {
                        batch::word_predictions(&selected, &logits, &arguments.rows, role_factors.as_deref())
                    }
                    None => vec![Vec::new(); selected.len()],
                };
                Ok(entities
                    .into_iter()
                    .zip(roles)
                    .map(|(entities, roles)| WindowPredictions { entities, roles })
                    .collect())
            })
        }))
        .unwrap_or_else(|panic| Err(format!("model panicked: {}", panic_message(&*panic))));
        let longest = selected.iter().map(|s| s.ids.len()).max().unwrap_or(0);
        self.stats.add(&NerStats {
            forward: started.elapsed(),
            batches: 1,
            windows: selected.len(),
            tokens: selected.iter().map(|s| s.ids.len()).sum(),
            padded_tokens: longest * selected.len(),
            precision: None,
        });
        result
    }
}

/// Tunes glibc's allocator for the model's pattern: every forward pass
/// allocates and frees activation buffers of several megabytes. By default
/// glibc serves those with fresh `mmap`s and hands freed memory back to the
/// kernel, so each pass page-faults its buffers in again (measured here: about
/// 5 s of system time on 93,000 words, 18% of the wall time). Keeping them in
/// the heap instead (mmap threshold 32 MiB, no trimming below 1 GiB) costs about
/// 90 MB more resident memory, which stays flat over a run. Process-wide: the
/// command line calls it once, before loading the model; a no-op off glibc.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before
    // the other threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}

/// The message a caught panic carried (a `String` or `&str` payload).
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "no message".to_string())
}
