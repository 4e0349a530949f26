//! Progress while a run goes, and the summary at its end (both on stderr).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cyberie::read::ReadError;

/// Counts what a run did and shows progress: an indicatif bar when stderr is a
/// terminal, else a one-line log every few seconds; nothing with `--quiet`.
pub struct RunReport {
    started: Instant,
    quiet: bool,
    bar: Option<ProgressBar>,
    last_log: Instant,
    /// Documents processed.
    pub done: usize,
    /// Documents skipped, with the reason.
    pub skipped: Vec<ReadError>,
    /// Records written (triples or entities).
    pub written: usize,
    /// Words in the processed documents.
    pub words: usize,
}

const LOG_EVERY: Duration = Duration::from_secs(10);

impl RunReport {
    /// Starts the clock.
    pub fn start(quiet: bool) -> RunReport {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {pos} documents, {msg}")
                    .expect("valid progress template"),
            );
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        RunReport {
            started: Instant::now(),
            quiet,
            bar,
            last_log: Instant::now(),
            done: 0,
            skipped: Vec::new(),
            written: 0,
            words: 0,
        }
    }

    /// Records one processed document of `words` words that produced `records` records.
    pub fn processed(&mut self, words: usize, records: usize) {
        self.done += 1;
        self.words += words;
        self.written += records;
        self.tick();
    }

    /// Records a skipped document and says so on stderr at once.
    pub fn skip(&mut self, error: ReadError) {
        let line = format!("cyberie: skipped {error}");
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
        self.skipped.push(error);
        self.tick();
    }

    fn tick(&mut self) {
        let rate = self.words_per_second();
        let message = format!("{} words/s, {} records, {} skipped", rate.round(), self.written, self.skipped.len());
        if let Some(bar) = &self.bar {
            bar.set_position((self.done + self.skipped.len()) as u64);
            bar.set_message(message);
        } else if !self.quiet && self.last_log.elapsed() >= LOG_EVERY {
            self.last_log = Instant::now();
            eprintln!("cyberie: {} documents, {message}", self.done + self.skipped.len());
        }
    }

    fn words_per_second(&self) -> f64 {
        self.words as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    /// Clears the progress display and prints the summary (unless quiet).
    pub fn finish(&self, what: &str, output: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.quiet {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        eprintln!(
            "cyberie: {} documents read: {} processed, {} skipped; {} {what} written to {output}; {} words in {:.1} s ({:.0} words/s)",
            self.done + self.skipped.len(),
            self.done,
            self.skipped.len(),
            self.written,
            self.words,
            elapsed,
            self.words_per_second()
        );
        if !self.skipped.is_empty() {
            eprintln!("cyberie: skipped documents:");
            for error in &self.skipped {
                eprintln!("  {error}");
            }
        }
    }
}
