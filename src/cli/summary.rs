//! Progress while a run goes, and the summary at its end (both on stderr).
//!
//! Progress: an indicatif bar when stderr is a terminal (documents, words/s,
//! records, skips, WARC records and bytes, and a bar with ETA when the number
//! of documents is known), a one-line log every [`LOG_EVERY`] otherwise,
//! nothing with `--quiet`. The summary: documents read, processed, skipped
//! (counted by reason, then named), records written, words/s and wall time;
//! what WARC archives held; with `--timings`, where the time went.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cyberie::ner::PrecisionChoice;
use cyberie::pipeline::PipelineStats;
use cyberie::read::{ArchiveCounts, ArchiveProgress, ReadError, Source};

/// Counts what a run did and shows progress.
pub struct RunReport {
    started: Instant,
    quiet: bool,
    bar: Option<ProgressBar>,
    total: Option<u64>,
    last_log: Instant,
    /// Documents processed.
    pub done: usize,
    /// Documents skipped, with the reason.
    pub skipped: Vec<ReadError>,
    /// Documents passed over because an earlier run completed them (`--resume`).
    pub resumed: usize,
    /// Records written (triples or entities).
    pub written: usize,
    /// Records an earlier run left in the output (`--resume`).
    pub kept: usize,
    /// Words in the processed documents.
    pub words: usize,
    /// Documents whose id an earlier document of the run already had.
    pub duplicates: usize,
    /// What the WARC archives read so far held.
    archives: Option<Arc<ArchiveProgress>>,
    /// The precision the model ran in, and why (set before [`RunReport::finish`]).
    pub precision: Option<PrecisionChoice>,
}

/// How often the log line is written when stderr is not a terminal.
pub const LOG_EVERY: Duration = Duration::from_secs(10);

/// Skipped documents named one by one in the summary; the rest are counted.
const SKIPS_LISTED: usize = 20;

/// Repeated document ids warned about one by one; the rest are counted.
const DUPLICATES_LISTED: usize = 10;

impl RunReport {
    /// Starts the clock. `total` is the number of documents when known (it gives
    /// the bar a length and an ETA).
    pub fn start(quiet: bool, total: Option<u64>) -> RunReport {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr_with_hz(4));
            let template = if total.is_some() {
                "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} documents ({percent}%), {msg}, ETA {eta}"
            } else {
                "{spinner} {elapsed_precise} {pos} documents, {msg}"
            };
            bar.set_style(
                ProgressStyle::with_template(template).expect("valid progress template").progress_chars("=> "),
            );
            bar.set_message("starting");
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        RunReport {
            started: Instant::now(),
            quiet,
            bar,
            total,
            last_log: Instant::now(),
            done: 0,
            skipped: Vec::new(),
            resumed: 0,
            written: 0,
            kept: 0,
            words: 0,
            duplicates: 0,
            archives: None,
            precision: None,
        }
    }

    /// Shows what WARC archives hold (records, bytes) in the progress and the summary.
    pub fn watch_archives(&mut self, archives: Arc<ArchiveProgress>) {
        self.archives = Some(archives);
    }

    /// The archive counts, when archives were read.
    fn archive_counts(&self) -> Option<ArchiveCounts> {
        self.archives.as_ref().map(|a| a.counts()).filter(|c| c.records > 0)
    }

    /// Records one processed document of `words` words that produced `records` records.
    pub fn processed(&mut self, words: usize, records: usize) {
        self.done += 1;
        self.words += words;
        self.written += records;
        self.tick();
    }

    /// Records a document an earlier run completed (`--resume`).
    pub fn already_done(&mut self) {
        self.resumed += 1;
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

    /// Records a document whose id `earlier` documents of the run already had,
    /// with a warning (the first few are named, even with `--quiet`).
    pub fn duplicate(&mut self, id: &str, earlier: usize) {
        self.duplicates += 1;
        if self.duplicates <= DUPLICATES_LISTED {
            self.note(&format!(
                "cyberie: warning: document id {id:?} is used again (document {} with this id): its rows share the \
                 id; --resume keeps such documents apart by their order{}",
                earlier + 1,
                if self.duplicates == DUPLICATES_LISTED { " (further repeated ids are only counted)" } else { "" }
            ));
        }
    }

    /// Prints an informational line without disturbing the bar (not with `--quiet`).
    pub fn info(&self, line: &str) {
        if !self.quiet {
            self.note(line);
        }
    }

    /// Prints a line without disturbing the bar, even with `--quiet`.
    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn seen(&self) -> usize {
        self.done + self.skipped.len() + self.resumed
    }

    fn tick(&mut self) {
        let mut message = format!(
            "{} words/s, {} records, {} skipped",
            self.words_per_second().round(),
            self.written,
            self.skipped.len()
        );
        if let Some(c) = self.archive_counts() {
            message += &format!(
                ", WARC {} records, {:.1} of {:.1} MB",
                c.records,
                megabytes(c.bytes),
                megabytes(c.total_bytes)
            );
        }
        if let Some(bar) = &self.bar {
            bar.set_position(self.seen() as u64);
            bar.set_message(message);
        } else if !self.quiet && self.last_log.elapsed() >= LOG_EVERY {
            self.last_log = Instant::now();
            eprintln!("cyberie: {}, {message}{}", self.position(), self.eta());
        }
    }

    /// "120 documents" or "120/703 documents (17%)".
    fn position(&self) -> String {
        match self.total {
            Some(total) if total > 0 => {
                format!("{}/{total} documents ({:.0}%)", self.seen(), 100.0 * self.seen() as f64 / total as f64)
            }
            _ => format!("{} documents", self.seen()),
        }
    }

    fn eta(&self) -> String {
        let (Some(total), seen) = (self.total, self.seen()) else { return String::new() };
        let work = seen - self.resumed;
        if work == 0 || seen as u64 >= total {
            return String::new();
        }
        let per_doc = self.started.elapsed().as_secs_f64() / work as f64;
        format!(", ETA {}", clock((total - seen as u64) as f64 * per_doc))
    }

    fn words_per_second(&self) -> f64 {
        self.words as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    /// Clears the progress display and prints the summary (unless quiet):
    /// counts, skips by reason, speed, and with `timings` where the time went.
    /// `output` is where the records went, `None` when they were discarded.
    pub fn finish(&self, what: &str, output: Option<&str>, timings: Option<&PipelineStats>) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.quiet {
            return;
        }
        let wall = self.started.elapsed();
        let mut counts = format!(
            "cyberie: {} documents read: {} processed, {} skipped",
            self.done + self.skipped.len(),
            self.done,
            self.skipped.len()
        );
        if !self.skipped.is_empty() {
            let reasons: Vec<String> = skip_reasons(&self.skipped).iter().map(|(r, n)| format!("{n} {r}")).collect();
            counts += &format!(" ({})", reasons.join(", "));
        }
        if self.resumed > 0 {
            counts += &format!("; {} already done in an earlier run (--resume)", self.resumed);
        }
        if self.duplicates > 0 {
            counts += &format!("; {} with a repeated id", self.duplicates);
        }
        match output {
            Some(output) if self.kept > 0 => eprintln!(
                "{counts}; {} {what} written to {output} ({} in all with the earlier run's)",
                self.written,
                self.written + self.kept
            ),
            Some(output) => eprintln!("{counts}; {} {what} written to {output}", self.written),
            None => eprintln!("{counts}; {} {what} found, not written", self.written),
        }
        if let Some(c) = self.archive_counts() {
            eprintln!(
                "cyberie: WARC: {} records ({:.1} MB) read: {} HTML pages; passed over {} other records \
                 (requests, metadata...), {} responses not HTTP 200, {} not HTML",
                c.records,
                megabytes(c.bytes),
                c.pages,
                c.other,
                c.not_ok,
                c.not_html
            );
        }
        eprintln!(
            "cyberie: {} words in {}: {:.0} words/s{}",
            self.words,
            clock(wall.as_secs_f64()),
            self.words as f64 / wall.as_secs_f64().max(1e-9),
            self.precision.map(|p| format!("; precision: {p}")).unwrap_or_default()
        );
        if let Some(stats) = timings {
            for line in timing_lines(stats, wall) {
                eprintln!("cyberie: {line}");
            }
        }
        if !self.skipped.is_empty() {
            eprintln!("cyberie: skipped documents:");
            for error in self.skipped.iter().take(SKIPS_LISTED) {
                eprintln!("  {error}");
            }
            if self.skipped.len() > SKIPS_LISTED {
                eprintln!("  ... and {} more (each was named above as it happened)", self.skipped.len() - SKIPS_LISTED);
            }
        }
    }
}

/// The skips counted by reason: the reason's words before any `:` and before
/// the first number ("invalid UTF-8 at byte 24" and "... at byte 7" count
/// together as "invalid UTF-8").
fn skip_reasons(skipped: &[ReadError]) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for error in skipped {
        let head = error.reason.split(':').next().unwrap_or_default();
        let words: Vec<&str> =
            head.split_whitespace().take_while(|w| !w.starts_with(|c: char| c.is_ascii_digit())).collect();
        let key = words.join(" ");
        let key = ["at byte", "at line", "at", "got"]
            .iter()
            .fold(key.as_str(), |k, end| k.strip_suffix(end).unwrap_or(k).trim_end());
        let key = key.trim_end_matches([',', '(']).trim_end().to_string();
        *counts.entry(key).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

/// The timing breakdown: the model's forward pass against everything else,
/// as shares of the wall time, then the work of the other stages (mostly done
/// while the model runs) and the batches.
fn timing_lines(stats: &PipelineStats, wall: Duration) -> Vec<String> {
    let wall_s = wall.as_secs_f64().max(1e-9);
    let forward = stats.ner.forward.as_secs_f64();
    let share = |d: f64| 100.0 * d / wall_s;
    let other = (wall_s - forward).max(0.0);
    let s = |d: Duration| format!("{:.1} s", d.as_secs_f64());
    let padding = if stats.ner.padded_tokens > 0 {
        100.0 * (stats.ner.padded_tokens - stats.ner.tokens) as f64 / stats.ner.padded_tokens as f64
    } else {
        0.0
    };
    vec![
        format!(
            "time: wall {wall_s:.1} s = model forward {forward:.1} s ({:.1}%) + everything else {other:.1} s ({:.1}%)",
            share(forward),
            share(other)
        ),
        format!(
            "time: other stages (overlapped with the model): reading {}, sentences, words and dates {}, tokenizing {}, \
             relations {}, writing {}; waited for the model {}, model waited {}",
            s(stats.read),
            s(stats.annotate),
            s(stats.tokenize),
            s(stats.relate),
            s(stats.sink),
            s(stats.wait_model),
            s(stats.model_idle)
        ),
        format!(
            "model: {} forward passes, {} windows, {} tokens ({:.1}% padding), {:.0} tokens/s in the forward pass",
            stats.ner.batches,
            stats.ner.windows,
            stats.ner.tokens,
            padding,
            stats.ner.padded_tokens as f64 / forward.max(1e-9)
        ),
    ]
}

/// Bytes in megabytes (10^6).
fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Seconds as `1h02m03s`, `2m03s` or `3.2 s`.
fn clock(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    if whole >= 3600 {
        format!("{}h{:02}m{:02}s", whole / 3600, whole / 60 % 60, whole % 60)
    } else if whole >= 60 {
        format!("{}m{:02}s", whole / 60, whole % 60)
    } else {
        format!("{seconds:.1} s")
    }
}

/// The number of documents in `sources` when it can be known cheaply: text
/// files, HTML pages and unreadable entries count one each, plain JSON Lines
/// files their non-blank lines; `None` for standard input, gzipped, CSV and
/// JSON array files, WARC archives (their progress is counted in bytes as they
/// are read, see [`RunReport::watch_archives`]), and anything that is not a
/// regular file (a FIFO is read only once, by the reader).
pub fn count_documents(sources: &[Source]) -> Option<u64> {
    let mut total = 0u64;
    for source in sources {
        total += match source {
            Source::TextFile { .. } | Source::HtmlFile { .. } | Source::Unreadable { .. } => 1,
            Source::JsonFile { path, gzip: false } => count_lines(path)?,
            _ => return None,
        };
    }
    Some(total)
}

/// Non-blank lines of a regular file of JSON Lines (`None` for a JSON array).
fn count_lines(path: &std::path::Path) -> Option<u64> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let (lines, first) = read_lines(path).ok()?;
    (first != Some(b'[')).then_some(lines)
}

/// Non-blank lines of a file, and its first byte other than white space.
fn read_lines(path: &std::path::Path) -> std::io::Result<(u64, Option<u8>)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 1 << 20];
    let (mut lines, mut blank, mut first) = (0u64, true, None);
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        for &b in &buffer[..n] {
            if b == b'\n' {
                lines += u64::from(!blank);
                blank = true;
            } else if !b.is_ascii_whitespace() {
                blank = false;
                first = first.or(Some(b));
            }
        }
    }
    Ok((lines + u64::from(!blank), first))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(reason: &str) -> ReadError {
        ReadError { source: "x.jsonl".into(), line: Some(1), doc_id: None, reason: reason.into() }
    }

    #[test]
    fn skips_are_counted_by_reason() {
        let skipped = [
            error("malformed JSON: EOF while parsing a string at line 1 column 30"),
            error("empty text"),
            error("malformed JSON: expected value at line 1 column 1"),
            error("invalid UTF-8 at byte 24 of the line"),
            error("invalid UTF-8 at byte 3 of the line"),
        ];
        assert_eq!(
            skip_reasons(&skipped),
            [("invalid UTF-8".to_string(), 2), ("malformed JSON".to_string(), 2), ("empty text".to_string(), 1)]
        );
    }

    #[test]
    fn counts_documents_when_cheap() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("a.jsonl");
        std::fs::write(&jsonl, "{\"id\":1}\n\n  \n{\"id\":2}\n{\"id\":3}").unwrap();
        let json = |path: &std::path::Path, gzip| Source::JsonFile { path: path.to_path_buf(), gzip };
        let sources =
            [json(&jsonl, false), Source::TextFile { path: dir.path().join("b.txt"), id: "b".into(), gzip: false }];
        assert_eq!(count_documents(&sources), Some(4));
        assert_eq!(count_documents(&[json(&jsonl, false), Source::Stdin]), None);
        assert_eq!(count_documents(&[json(&dir.path().join("c.jsonl.gz"), true)]), None);
        let array = dir.path().join("d.json");
        std::fs::write(&array, " [{\"id\": 1},\n{\"id\": 2}]").unwrap();
        assert_eq!(count_documents(&[json(&array, false)]), None);
        let page = Source::HtmlFile { path: dir.path().join("e.html"), id: "e".into(), gzip: false };
        assert_eq!(count_documents(&[page, json(&jsonl, false)]), Some(4));
        assert_eq!(count_documents(&[Source::WarcFile { path: dir.path().join("f.warc") }]), None);
    }

    #[test]
    fn clock_reads_naturally() {
        assert_eq!(clock(3.24), "3.2 s");
        assert_eq!(clock(125.0), "2m05s");
        assert_eq!(clock(3723.0), "1h02m03s");
    }
}
