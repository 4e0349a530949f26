//! `cyberie extract`: articles in, attacker–victim–date triples out.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use cyberie::export::{
    done_list_path, resolve_output, Destination, DocKey, Format, Resumed, TripleRecord, TripleWriter,
};
use cyberie::pipeline::{Outcome, RunEnd};
use cyberie::read::{ArchiveProgress, ReadAhead, ReadError};

use super::summary::{count_documents, RunReport};
use super::{InputArgs, EXIT_INTERRUPTED, EXIT_OK, EXIT_SKIPPED, EXIT_USAGE};

/// Arguments of `cyberie extract`.
///
/// Writes one row per attack found: doc_id, attacker, attacker_type, victim,
/// victim_type, date (as written), date_iso (normalised, TIMEX3 style),
/// confidence (0-1), evidence (the sentence or sentences), attacker_mention,
/// victim_mention (as written in the article) and, with --explain, rule.
/// Documents that cannot be read are named on stderr and skipped (exit
/// status 3); the output file appears only when the run completes.
///
/// SIGINT (Ctrl-C), SIGTERM or SIGHUP stops the run after the model's current
/// batch, with exit status 130: without --resume the output file is left as it
/// was before the run (or absent) and the temporary file removed; with --resume
/// the documents completed so far are kept (a complete, valid file). A second
/// signal quits at once.
///
/// To standard output (no -o, or -o -) the rows of each group of documents are
/// written and flushed as soon as the group is done, so `extract` can be one
/// stage of a pipe (JSON Lines in on `-`, --format jsonl out): this is how a
/// Spark job runs it (dist/spark/).
#[derive(Args, Debug)]
pub struct ExtractArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Output file, written atomically: a temporary file beside it, renamed
    /// over it at the end (a symbolic link is followed and its target written;
    /// the mode of a file replaced is kept). `-` (or /dev/stdout) is standard
    /// output. An input, a directory or a device is refused. [default: standard
    /// output]
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,

    /// Add a `rule` column naming the heuristic that produced each triple.
    #[arg(long)]
    explain: bool,

    /// With --format jsonl, add to each row a `text` field: the article's text
    /// as read, which `evidence` and the mentions come from (for HTML pages and
    /// WARC archives, the main text extracted from the page).
    #[arg(long)]
    with_text: bool,

    /// Write CSV fields as they are. By default a field starting with = + - @
    /// tab or carriage return gets a leading ' so spreadsheets do not run it
    /// as a formula (`evaluate` removes it again).
    #[arg(long)]
    raw_csv: bool,

    /// Also write each document that cannot be read or processed into the
    /// output, as a record {"error": REASON, "source", "line", "doc_id"} in the
    /// place of its triples (JSON Lines only), so that a program reading the
    /// output (a Spark job) collects them; they are still named on stderr.
    #[arg(long)]
    error_records: bool,

    /// Stop at the first document that cannot be read or processed, with exit
    /// status 1 and no output file.
    #[arg(long)]
    strict: bool,

    /// Continue an earlier run into the same --output file: skip the documents
    /// it completed and append the rest. As the run goes, its rows and the
    /// documents completed are checkpointed to disk after each group of
    /// documents (OUTPUT.partial, and the list OUTPUT.done), so that a run
    /// stopped in any way, even killed (SIGKILL, out of memory, power cut),
    /// loses at most the groups in flight: running the same command again
    /// continues from the last checkpoint and ends with the same file as one
    /// uninterrupted run. Documents are told apart by id and, for a repeated
    /// id, by how many documents with that id came before. The earlier run must
    /// have used the same --format, --explain, --raw-csv and --with-text.
    #[arg(long, requires = "output")]
    resume: bool,
}

/// A document that could not be read, as a record of the output (`--error-records`).
#[derive(Serialize)]
struct ErrorRecord<'a> {
    error: &'a str,
    source: &'a str,
    line: Option<usize>,
    doc_id: Option<&'a str>,
}

/// The keys of the documents in flight: which outcome belongs to which
/// document of the input, and how many documents of each id came before.
#[derive(Default)]
struct Keys {
    /// Documents seen per id.
    seen: HashMap<String, usize>,
    /// (position among the records sent on, key) of the readable documents in flight.
    queue: VecDeque<(u64, DocKey)>,
    /// Records sent on to the pipeline.
    sent: u64,
    /// Outcomes received.
    received: u64,
}

impl Keys {
    /// The key of the document an outcome belongs to (outcomes come one per
    /// record, in input order); `None` for a record that could not be read.
    fn next_outcome(&mut self) -> Option<DocKey> {
        let position = self.received;
        self.received += 1;
        match self.queue.front() {
            Some((p, _)) if *p == position => self.queue.pop_front().map(|(_, key)| key),
            _ => None,
        }
    }
}

/// Runs `extract`.
pub fn run(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let sources = match args.input.sources() {
        Ok(sources) => sources,
        Err(e) => return usage_error(e),
    };
    let inputs: Vec<PathBuf> = sources.iter().filter_map(|s| s.path().map(Path::to_path_buf)).collect();
    let destination = match resolve_output(args.output.as_deref(), &inputs) {
        Ok(destination) => destination,
        Err(e) => return usage_error(e),
    };
    if args.error_records && args.format != Format::Jsonl {
        return usage_error("--error-records needs --format jsonl");
    }
    let output_name = match &destination {
        Destination::Stdout => "standard output".to_string(),
        Destination::File(target) => target.given.display().to_string(),
    };
    if args.with_text && args.format != Format::Jsonl {
        return usage_error("--with-text needs --format jsonl (a CSV row does not carry the article's text)");
    }
    if args.resume && destination == Destination::Stdout {
        return usage_error("--resume needs an output file (-o FILE), not standard output");
    }
    // Before anything is created, so that no signal finds a temporary file unguarded.
    let interrupt = Interrupt::install().context("cannot install the SIGINT/SIGTERM/SIGHUP handler")?;
    args.input.configure_threads();
    let mut pipeline = match args.input.load_pipeline() {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let (writer, resumed) = match (&destination, args.resume) {
        (Destination::File(target), true) => {
            match TripleWriter::resume(target, args.format, !args.raw_csv, args.explain, args.with_text) {
                Ok(resumed) => resumed,
                Err(e) => return usage_error(e),
            }
        }
        _ => {
            let (writer, stale) = TripleWriter::create(&destination, args.format, !args.raw_csv, args.explain)
                .with_context(|| format!("cannot create output {output_name}"))?;
            let mut resumed = Resumed::default();
            if stale > 0 {
                resumed.notes.push(format!("removed {stale} temporary file(s) of {output_name} left by killed runs"));
            }
            (writer, resumed)
        }
    };

    let archives = Arc::new(ArchiveProgress::default());
    let report = RefCell::new(RunReport::start(args.input.quiet, count_documents(&sources)));
    report.borrow_mut().watch_archives(Arc::clone(&archives));
    report.borrow_mut().kept = resumed.rows;
    for note in &resumed.notes {
        report.borrow().info(&format!("cyberie: {note}"));
    }
    if resumed.existed {
        report.borrow().info(&format!(
            "cyberie: resuming {output_name}: {} documents already done, {} rows kept",
            resumed.done.len(),
            resumed.rows
        ));
    }
    let keys = RefCell::new(Keys::default());
    let mut ahead = ReadAhead::spawn(sources, archives, Arc::clone(&interrupt.raised));
    let records = ahead.by_ref().filter(|record| {
        if !args.input.in_shard(record) {
            return false;
        }
        let mut keys = keys.borrow_mut();
        let Ok(article) = record else {
            keys.sent += 1;
            return true;
        };
        let seen = keys.seen.entry(article.id.clone()).or_insert(0);
        let key = DocKey { id: article.id.clone(), dup: *seen };
        *seen += 1;
        if key.dup > 0 {
            report.borrow_mut().duplicate(&key.id, key.dup);
        }
        if resumed.done.contains(&key) {
            report.borrow_mut().already_done();
            return false;
        }
        let position = keys.sent;
        keys.queue.push_back((position, key));
        keys.sent += 1;
        true
    });
    let writer = RefCell::new(writer);
    let failure: RefCell<Option<anyhow::Error>> = RefCell::new(None);
    let fail = |error: anyhow::Error| {
        *failure.borrow_mut() = Some(error);
        ControlFlow::Break(())
    };
    let sink = |outcome| {
        let mut report = report.borrow_mut();
        let key = keys.borrow_mut().next_outcome();
        let mut writer = writer.borrow_mut();
        match outcome {
            Outcome::Done { doc, triples } => {
                let written = triples.iter().try_for_each(|t| {
                    let record = TripleRecord::from_triple(t, &doc.article.text, args.explain);
                    if args.with_text {
                        writer.write_with_text(&record, &doc.article.text)
                    } else {
                        writer.write(&record)
                    }
                });
                if let Err(e) = written {
                    return fail(anyhow::Error::new(e).context(format!("cannot write to {output_name}")));
                }
                writer.document_done(key.expect("every processed document has a key"), triples.len());
                report.processed(doc.article.text.split_whitespace().count(), triples.len());
            }
            Outcome::Skipped(error) => {
                if args.strict {
                    let what = match (&destination, args.resume) {
                        (Destination::Stdout, _) => {
                            "the rows of the documents before it went to standard output".to_string()
                        }
                        (Destination::File(_), true) => {
                            format!("{output_name} unchanged, the documents completed so far are checkpointed")
                        }
                        (Destination::File(_), false) => "no output written".to_string(),
                    };
                    return fail(anyhow::anyhow!("{error} (--strict: stopping; {what})"));
                }
                if args.error_records {
                    if let Err(e) = writer.write_json(&error_record(&error)) {
                        return fail(anyhow::Error::new(e).context(format!("cannot write to {output_name}")));
                    }
                }
                report.skip(error);
            }
        }
        ControlFlow::Continue(())
    };
    let group_done = || match writer.borrow_mut().commit() {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => fail(anyhow::Error::new(e).context(format!("cannot write to {output_name}"))),
    };
    let mut end = pipeline.run_groups(records, &interrupt.raised, sink, group_done);
    if end == RunEnd::Completed && interrupt.raised.load(Ordering::SeqCst) && !ahead.ended() {
        end = RunEnd::Stopped; // the signal came while waiting for input
    }
    let mut report = report.into_inner();
    report.precision = pipeline.stats().ner.precision;
    let writer = writer.into_inner();
    let timings = args.input.timings.then(|| pipeline.stats());
    match end {
        RunEnd::SinkBroke => Err(failure.into_inner().unwrap_or_else(|| anyhow::anyhow!("stopped"))),
        RunEnd::Completed => {
            writer.finish().with_context(|| format!("cannot write {output_name}"))?;
            report.finish("triples", Some(&output_name), timings.as_ref());
            Ok(ExitCode::from(if report.skipped.is_empty() { EXIT_OK } else { EXIT_SKIPPED }))
        }
        RunEnd::Stopped => {
            let signal = interrupt.name();
            let (what, kept) = match (&destination, args.resume) {
                (Destination::Stdout, _) => {
                    writer.finish().with_context(|| format!("cannot write {output_name}"))?;
                    ("the triples of the documents completed so far went to standard output".to_string(), true)
                }
                (Destination::File(target), true) => {
                    writer.finish().with_context(|| format!("cannot write {output_name}"))?;
                    let what = format!(
                        "{output_name} holds the triples of every document completed so far (listed in {}); \
                         run the same command again to continue",
                        done_list_path(&target.path).display()
                    );
                    (what, true)
                }
                (Destination::File(target), false) => {
                    drop(writer); // removes the temporary file
                    let what = if target.path.exists() {
                        format!("{output_name} was left as it was before this run (use --resume to keep partial work)")
                    } else {
                        format!("no output written, {output_name} not created (use --resume to keep partial work)")
                    };
                    (what, false)
                }
            };
            report.note(&format!("cyberie: interrupted by {signal}, stopped after the current batch: {what}"));
            report.finish("triples", kept.then_some(output_name.as_str()), timings.as_ref());
            Ok(ExitCode::from(EXIT_INTERRUPTED))
        }
    }
}

/// The `--error-records` record of a document that could not be read.
fn error_record(error: &ReadError) -> serde_json::Value {
    let record =
        ErrorRecord { error: &error.reason, source: &error.source, line: error.line, doc_id: error.doc_id.as_deref() };
    serde_json::to_value(record).expect("an error record serialises")
}

/// The SIGINT/SIGTERM/SIGHUP handler: the first signal raises a flag that
/// stops the run after the current batch; a second one exits at once.
struct Interrupt {
    raised: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl Interrupt {
    fn install() -> std::io::Result<Interrupt> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let raised = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicUsize::new(0));
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            // Registered first, so it sees the flag before this signal sets it.
            signal_hook::flag::register_conditional_shutdown(sig, EXIT_INTERRUPTED.into(), Arc::clone(&raised))?;
            signal_hook::flag::register(sig, Arc::clone(&raised))?;
            signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)?;
        }
        Ok(Interrupt { raised, signal })
    }

    fn name(&self) -> &'static str {
        match self.signal.load(Ordering::SeqCst) as i32 {
            signal_hook::consts::SIGINT => "SIGINT",
            signal_hook::consts::SIGTERM => "SIGTERM",
            signal_hook::consts::SIGHUP => "SIGHUP",
            _ => "a signal",
        }
    }
}

/// Prints a usage error and returns its exit status.
pub fn usage_error(error: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("cyberie: error: {error}");
    Ok(ExitCode::from(EXIT_USAGE))
}
