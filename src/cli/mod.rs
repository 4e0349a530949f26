//! Command-line arguments and the dispatch to each subcommand.

mod calibrate;
mod casie_import;
mod evaluate;
mod extract;
mod ner;
mod summary;
mod text;

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use cyberie::export::{AtomicFile, Destination};

/// Exit status when everything went well.
pub const EXIT_OK: u8 = 0;
/// Exit status for a run that could not complete (an I/O error, say).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status for a usage error: bad arguments, a missing input, an unusable model.
pub const EXIT_USAGE: u8 = 2;
/// Exit status when the run completed but some documents were skipped.
pub const EXIT_SKIPPED: u8 = 3;
/// Exit status when SIGINT, SIGTERM or SIGHUP stopped `extract` (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Reads cyber-security news and reports who attacked whom, and when.
///
/// cyberie runs a transformer NER model over each article, pairs the entities
/// it finds into attacker–victim–date triples with heuristics, and writes them
/// with the sentence they came from. It also scores such triples against
/// hand-labelled gold files.
///
/// Exit status: 0 success; 1 failure; 2 usage error (bad arguments, missing
/// input, unusable model); 3 finished, but some documents were skipped (each
/// is named on stderr); 130 `extract` stopped by SIGINT, SIGTERM or SIGHUP.
#[derive(Parser, Debug)]
#[command(name = "cyberie", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Extract attacker–victim–date triples from articles into CSV or JSON Lines.
    ///
    /// Writes one row per attack found, with the columns doc_id, attacker,
    /// attacker_type, victim, victim_type, date (as written), date_iso
    /// (normalised, TIMEX3 style), confidence (0-1), evidence (the sentence or
    /// sentences), attacker_mention and victim_mention (as written in the
    /// article) and, with --explain, rule. Documents that cannot be read are
    /// named on stderr and skipped (exit status 3); the output file appears only
    /// when the run completes.
    Extract(extract::ExtractArgs),
    /// Print the named entities and dates found in articles, as JSON Lines.
    ///
    /// One JSON object per entity: {"doc_id", "start", "end", "label", "score",
    /// "text"}, start/end in Unicode code points (end exclusive), label PER,
    /// ORG, LOC, MISC (from the model) or DATE (from the temporal tagger, with
    /// its normalised "value" when known). Documents that cannot be read are
    /// named on stderr and skipped (exit status 3).
    Ner(ner::NerArgs),
    /// Score predicted triples against gold events: precision, recall, F1.
    ///
    /// Reads gold events (JSON Lines) and the predictions `extract` wrote, and
    /// prints pair (attacker, victim) and triple (with date) precision, recall
    /// and F1, micro-averaged over documents, with 95% bootstrap intervals; the
    /// recall of each slot; the same for named events; per-document rows; and,
    /// with --errors N, the false positives and misses. A table by default, one
    /// JSON object with --json.
    ///
    /// Matching (relaxed, the default): mentions are lowercased, a possessive
    /// 's is dropped, punctuation becomes spaces, leading the/a/an/its/their
    /// are dropped; two mentions match when their words are equal, or when the
    /// shorter is a contiguous run of the longer's words holding a content word.
    /// A prediction's attacker may match by its canonical name or by the
    /// attacker_mention column (unless --no-mentions); likewise the victim.
    /// Predictions are deduplicated per document on (attacker, victim), keeping
    /// the most confident. A pair is right when attacker and victim match one
    /// gold event of the document; a triple also needs its date to match one of
    /// the event's times, by text or by normalised value (same year, overlapping
    /// months and the same day where both give them). Precision = right
    /// predictions / predictions; recall = gold events found / gold events. A
    /// prediction for a document without gold events is a false positive; a
    /// document without predictions still counts in recall. --strict requires
    /// equal normalised mentions and equal dates (text or value).
    ///
    /// Exit status 0 when the scores were printed; 2 when the gold, the
    /// predictions or the articles cannot be read (the message names the file,
    /// line and field).
    Evaluate(evaluate::EvaluateArgs),
    /// Score predicted entity spans (from `cyberie ner`) against gold spans.
    ///
    /// Exact typed spans, seqeval style: a prediction is right when its
    /// document, start, end and label all equal a gold entity's. Prints
    /// precision, recall and F1 per label, micro-averaged, and the macro F1; a
    /// table by default, one JSON object with --json. Exit status 2 when a file
    /// cannot be read or has malformed lines.
    EvaluateNer(evaluate::EvaluateNerArgs),
    /// Convert CASIE annotation files into gold events and an articles file.
    ///
    /// One gold event per attack hopper (a hopper with a Databreach, Phishing or
    /// Ransom event): the union of the Attacker, Victim and Time argument texts
    /// of its events, kept when it has an attacker and a victim. One article per
    /// file: id = file stem, text = content without a trailing </text>, title,
    /// date (YYYY-MM-DD). Prints the counts (files, articles, gold events, named
    /// events) and any skipped files or warnings on stderr. Exit status 0; 3
    /// when some files were skipped; 2 when DIR cannot be read or has no .json
    /// files; 1 when an output cannot be written.
    CasieImport(casie_import::CasieImportArgs),
    /// Fit the relation stage's merger on articles with gold events.
    ///
    /// Runs both readers (the rules and the argument tagger) over the
    /// articles, groups their readings by attacker–victim pair, labels each
    /// pair right or wrong against the gold events, fits a logistic model of
    /// the pairs' features (which readers, their confidences, agreement,
    /// context, hedges, names, position), and picks the threshold and the cap
    /// of triples per article that score best. Writes merger.json into the
    /// model directory (or --output), which extract then uses. Use articles
    /// that neither reader was trained or tuned on.
    Calibrate(calibrate::CalibrateArgs),
    /// Print the articles as cyberie reads them, as JSON Lines, without the model.
    ///
    /// One {"id", "title"?, "date"?, "text"} object per article, the JSON Lines
    /// input format: for HTML pages and WARC archives the main text taken from
    /// the page (what every offset refers to), its title and its publication
    /// date; other inputs as they are. To see what was taken from a page, or to
    /// convert pages or archives once and extract from the result. Documents
    /// that cannot be read are named on stderr and skipped (exit status 3).
    Text(text::TextArgs),
}

/// Where articles come from and which model reads them; shared by `extract`, `ner` and `calibrate`.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Articles to read: a `.txt` file (doc id = the name without `.txt`), an
    /// `.html`/`.htm` page (its main text, title and publication date; doc id =
    /// the name without the ending), a directory (its `.txt` and `.html`/`.htm`
    /// files, recursively, sorted; doc id = the path below the directory without
    /// the ending, e.g. `2024/acme`), a JSON Lines file (`.jsonl`, `.ndjson`,
    /// `.json`) of {"id", "text", "title"?, "date"?} objects where `date` is the
    /// publication date (YYYY-MM-DD), or a JSON array of them, a CSV file
    /// (`.csv`) with a header naming the columns id and text (title and date
    /// optional), each also gzipped (`.gz`); a WARC archive (`.warc`,
    /// `.warc.gz`: each HTML response with status 200 is an article, doc id = its
    /// URI, date from the page or the record); or `-` for JSON Lines on standard
    /// input. Other file names are refused.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,

    /// Process only shard K of N: the documents whose id hashes to K
    /// (FNV-1a 64 of the id, mod N, plus 1), so that N runs with 1/N ... N/N
    /// cover every document exactly once, e.g. on N machines or with GNU
    /// parallel: `parallel cyberie extract --shard {}/4 IN.jsonl -o out-{}.csv
    /// ::: 1 2 3 4`.
    #[arg(long, value_name = "K/N")]
    shard: Option<cyberie::read::Shard>,

    /// Model directory (Hugging Face layout: config.json, tokenizer.json,
    /// model.safetensors). [default: the bundled model, or $CYBERIE_MODEL]
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,

    /// Publication date for articles that do not give one (YYYY-MM-DD); used to
    /// resolve relative dates such as "last week".
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<chrono::NaiveDate>,

    /// Threads for the model and for the other stages, at least 1 [default: all cores].
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    threads: Option<usize>,

    /// Most sentence windows per model forward pass.
    #[arg(long, value_name = "N", value_parser = at_least_one, default_value_t = cyberie::ner::NerOptions::default().batch_size)]
    batch_size: usize,

    /// Most tokens per model forward pass, padding included (windows are sorted
    /// by length and packed up to this budget).
    #[arg(long, value_name = "N", value_parser = at_least_one, default_value_t = cyberie::ner::NerOptions::default().token_budget)]
    token_budget: usize,

    /// Numeric precision of the model: auto (the faster of fp32 and bf16 on
    /// this CPU, timed on the run's first batches; bf16 only when at least
    /// 1.1 times as fast), fp32 (the reference) or bf16 (bfloat16 weights and
    /// activations: faster on some CPUs, slower on others). The summary says
    /// which ran and why. Each process chooses for itself: where several runs
    /// must agree byte for byte (shards, resumed runs on other machines), force
    /// one, here or with $CYBERIE_PRECISION.
    #[arg(long, value_enum, env = "CYBERIE_PRECISION", default_value_t = cyberie::ner::Precision::default())]
    precision: cyberie::ner::Precision,

    /// Weigh the argument tagger's tags of a role by W when each word's tag is
    /// chosen (ROLE=W, repeatable; roles: trigger, attacker, victim, time):
    /// above 1 marks more spans of that role, less sure ones. Replaces the
    /// model's own weight (config.json `cyberie_role_weights`; the bundled
    /// model weighs attackers 3, the other roles 1). The merger was fitted
    /// with the model's weights, so other values are for experiments.
    #[arg(long, value_name = "ROLE=W", value_parser = cyberie::ner::parse_role_weight)]
    role_weight: Vec<(cyberie::doc::Role, f32)>,

    /// The relation stage's readers: `rules` (hand-written rules over attack
    /// cues), `tagger` (the triggers and arguments of the model's argument
    /// head), or both, comma-separated; their readings are merged.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "READERS", default_value = "rules,tagger")]
    readers: Vec<cyberie::relate::Reader>,

    /// Run the model and the other stages one after another instead of
    /// overlapping them (for measurements).
    #[arg(long, hide = true)]
    sequential: bool,

    /// Add where the time went to the summary: the model's forward pass and
    /// each other stage, as shares of the wall time.
    #[arg(long, short = 'v', visible_alias = "verbose")]
    timings: bool,

    /// No progress display or summary on stderr (errors are still shown).
    #[arg(short, long)]
    quiet: bool,
}

/// A JSON Lines output of `ner` or `text`: its name for messages, the writer,
/// and for a file the [`AtomicFile`] to commit once everything is written.
type LinesOutput = (String, Box<dyn Write>, Option<AtomicFile>);

/// Opens `destination`: standard output, or a file written aside and renamed
/// into place when the returned [`AtomicFile`] is committed.
fn open_lines(destination: &Destination) -> anyhow::Result<LinesOutput> {
    Ok(match destination {
        Destination::Stdout => ("standard output".to_string(), Box::new(BufWriter::new(io::stdout())), None),
        Destination::File(target) => {
            let name = target.given.display().to_string();
            let (mut file, _) = AtomicFile::create(target).with_context(|| format!("cannot create {name}"))?;
            let out = BufWriter::new(file.file().try_clone().with_context(|| format!("cannot create {name}"))?);
            (name, Box::new(out), Some(file))
        }
    })
}

/// A count of at least 1 (0 would mean no threads, no batch).
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

impl InputArgs {
    /// The inputs, checked and expanded ([`cyberie::read::expand`]).
    fn sources(&self) -> Result<Vec<cyberie::read::Source>, cyberie::read::InputError> {
        cyberie::read::expand(&self.inputs.iter().map(|i| cyberie::read::Input::parse(i)).collect::<Vec<_>>())
    }

    /// The model directory to use: `--model`, else `$CYBERIE_MODEL`, else the
    /// bundled model; with whether `$CYBERIE_MODEL` chose it. An empty
    /// `$CYBERIE_MODEL` is an error.
    fn model_dir(&self) -> Result<(PathBuf, bool), String> {
        if let Some(dir) = &self.model {
            return Ok((dir.clone(), false));
        }
        match std::env::var_os("CYBERIE_MODEL") {
            Some(value) if value.is_empty() => Err("$CYBERIE_MODEL is set but empty: set it to a model directory, \
                                                     or unset it (unset CYBERIE_MODEL) to use the bundled model"
                .to_string()),
            Some(value) => Ok((PathBuf::from(value), true)),
            None => Ok((cyberie::bundled_model_dir(), false)),
        }
    }

    /// Loads the pipeline, or says why the model directory cannot be used,
    /// naming `$CYBERIE_MODEL` when it chose the directory.
    fn load_pipeline(&self) -> Result<cyberie::pipeline::Pipeline, String> {
        let (dir, from_env) = self.model_dir()?;
        let origin = |message: String| {
            if from_env {
                format!(
                    "{message} (the directory is $CYBERIE_MODEL's: fix or unset CYBERIE_MODEL, or give --model DIR)"
                )
            } else {
                message
            }
        };
        if let Err(e) = std::fs::metadata(&dir) {
            if e.raw_os_error() == Some(libc::ELOOP) {
                return Err(origin(format!("model directory {}: a loop of symbolic links", dir.display())));
            }
        }
        cyberie::pipeline::Pipeline::new(self.pipeline_config(dir)).map_err(|e| origin(e.to_string()))
    }

    /// Keeps a record when it belongs to `--shard` (all of them without it).
    fn in_shard(&self, record: &cyberie::read::Record) -> bool {
        match (&self.shard, record) {
            (None, _) => true,
            (Some(shard), Ok(article)) => shard.holds(&article.id),
            (Some(shard), Err(error)) => shard.reports(error.doc_id.as_deref()),
        }
    }

    /// The pipeline settings these arguments ask for, with the model in `model_dir`.
    fn pipeline_config(&self, model_dir: PathBuf) -> cyberie::pipeline::PipelineConfig {
        let mut config = cyberie::pipeline::PipelineConfig::new(model_dir);
        config.default_published = self.date;
        config.ner.batch_size = self.batch_size;
        config.ner.token_budget = self.token_budget;
        config.ner.precision = self.precision;
        config.ner.role_weights = self.role_weight.clone();
        config.overlap = !self.sequential;
        config.relate.readers = self.readers.clone();
        config
    }

    /// Sets the thread counts of libtorch and rayon, and tunes the allocator
    /// for the model ([`cyberie::ner::tune_allocator`]).
    fn configure_threads(&self) {
        cyberie::ner::tune_allocator();
        let threads = self.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        tch::set_num_threads(threads as i32);
        // Ignore the error when the global pool was already built (tests).
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global();
    }
}

/// Runs the chosen subcommand and returns the exit status.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Extract(args) => extract::run(args),
        Command::Ner(args) => ner::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::EvaluateNer(args) => evaluate::run_ner(args),
        Command::CasieImport(args) => casie_import::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Text(args) => text::run(args),
    }
}
