//! Command-line arguments and the dispatch to each subcommand.

mod extract;
mod ner;
mod summary;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Exit status when everything went well.
pub const EXIT_OK: u8 = 0;
/// Exit status for a run that could not complete (an I/O error, say).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status for a usage error: bad arguments, a missing input, an unusable model.
pub const EXIT_USAGE: u8 = 2;
/// Exit status when the run completed but some documents were skipped.
pub const EXIT_SKIPPED: u8 = 3;

/// Reads cyber-security news and reports who attacked whom, and when.
///
/// cyberie runs a transformer NER model over each article, pairs the entities
/// it finds into attacker–victim–date triples with heuristics, and writes them
/// with the sentence they came from. It also scores such triples against
/// hand-labelled gold files.
///
/// Exit status: 0 success; 1 failure; 2 usage error (bad arguments, missing
/// input, unusable model); 3 finished, but some documents were skipped (each
/// is named on stderr).
#[derive(Parser, Debug)]
#[command(name = "cyberie", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Extract attacker–victim–date triples from articles into CSV or JSON Lines.
    Extract(extract::ExtractArgs),
    /// Print the named entities and dates found in articles, as JSON Lines.
    Ner(ner::NerArgs),
}

/// Where articles come from and which model reads them; shared by `extract` and `ner`.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Articles to read: a `.txt` file (doc id = file stem), a directory (its
    /// `.txt` files, recursively, sorted), a JSON Lines file (`.jsonl`, `.json`,
    /// optionally `.gz`) of {"id", "text", "title"?, "date"?} objects where
    /// `date` is the publication date (YYYY-MM-DD), or `-` for JSON Lines on stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,

    /// Model directory (Hugging Face layout: config.json, tokenizer.json,
    /// model.safetensors). [default: the bundled model, or $CYBERIE_MODEL]
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,

    /// Publication date for articles that do not give one (YYYY-MM-DD); used to
    /// resolve relative dates such as "last week".
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<chrono::NaiveDate>,

    /// Threads for the model and for the other stages [default: all cores].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Sentence windows per model forward pass.
    #[arg(long, value_name = "N", default_value_t = 32)]
    batch_size: usize,

    /// No progress display or summary on stderr (errors are still shown).
    #[arg(short, long)]
    quiet: bool,
}

impl InputArgs {
    /// The model directory to use: `--model`, else `$CYBERIE_MODEL`, else the bundled model.
    fn model_dir(&self) -> PathBuf {
        self.model
            .clone()
            .or_else(|| std::env::var_os("CYBERIE_MODEL").map(PathBuf::from))
            .unwrap_or_else(cyberie::bundled_model_dir)
    }

    /// Sets the thread counts of libtorch and rayon.
    fn configure_threads(&self) {
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
    }
}
