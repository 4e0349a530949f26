//! `cyberie extract`: articles in, attacker–victim–date triples out.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use cyberie::export::{done_list_path, Format, Resumed, TripleRecord, TripleWriter};
use cyberie::pipeline::{Outcome, Pipeline, RunEnd};
use cyberie::read;

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
/// SIGINT (Ctrl-C) or SIGTERM stops the run after the model's current batch,
/// with exit status 130: without --resume the output file is left as it was
/// before the run (or absent) and the temporary file removed; with --resume the
/// documents completed so far are kept (a complete, valid file). A second
/// Ctrl-C quits at once.
#[derive(Args, Debug)]
pub struct ExtractArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Output file, written atomically (a temporary file renamed into place at
    /// the end) [default: standard output].
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
    /// as a formula.
    #[arg(long)]
    raw_csv: bool,

    /// Stop at the first document that cannot be read or processed, with exit
    /// status 1 and no output file.
    #[arg(long)]
    strict: bool,

    /// Continue an earlier run into the same --output file: skip the documents
    /// it completed and append the rest. Completed documents are listed in the
    /// sidecar file OUTPUT.done (one JSON string per line; a document with no
    /// triples has no row but is listed there); documents with rows in OUTPUT
    /// count as completed too. With --resume an interrupted run keeps what it
    /// completed, so running the same command again continues it; the result
    /// is the same as one uninterrupted run's (rows in input order of
    /// completion). The earlier output must have the same format and columns.
    #[arg(long, requires = "output")]
    resume: bool,
}

/// Runs `extract`.
pub fn run(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let sources = match read::expand(&args.input.inputs.iter().map(|i| read::Input::parse(i)).collect::<Vec<_>>()) {
        Ok(sources) => sources,
        Err(e) => return usage_error(e),
    };
    if args.with_text && args.format != Format::Jsonl {
        return usage_error("--with-text needs --format jsonl (a CSV row does not carry the article's text)");
    }
    // Before anything is created, so that no signal finds a temporary file unguarded.
    let interrupt = Interrupt::install().context("cannot install the SIGINT/SIGTERM handler")?;
    args.input.configure_threads();
    let mut pipeline = match Pipeline::new(args.input.pipeline_config()) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let output_name = args.output.as_ref().map_or("standard output".to_string(), |p| p.display().to_string());
    let (mut writer, resumed) = match (&args.output, args.resume) {
        (Some(path), true) => match TripleWriter::resume(path, args.format, !args.raw_csv, args.explain) {
            Ok(resumed) => resumed,
            Err(e) => return usage_error(e),
        },
        _ => (
            TripleWriter::create(args.output.as_deref(), args.format, !args.raw_csv, args.explain)
                .with_context(|| format!("cannot create output {output_name}"))?,
            Resumed::default(),
        ),
    };

    let archives = Arc::new(read::ArchiveProgress::default());
    let report = RefCell::new(RunReport::start(args.input.quiet, count_documents(&sources)));
    report.borrow_mut().watch_archives(Arc::clone(&archives));
    report.borrow_mut().kept = resumed.rows;
    if resumed.existed {
        report.borrow().info(&format!(
            "cyberie: resuming {output_name}: {} documents already done, {} rows kept",
            resumed.done.len(),
            resumed.rows
        ));
    }
    let records = read::read_all_counted(sources, archives).filter(|record| match record {
        Ok(article) if resumed.done.contains(&article.id) => {
            report.borrow_mut().already_done();
            false
        }
        _ => true,
    });
    let mut failure: Option<anyhow::Error> = None;
    let end = pipeline.run_until(records, &interrupt.raised, |outcome| {
        let mut report = report.borrow_mut();
        match outcome {
            Outcome::Done { doc, triples } => {
                let written = triples
                    .iter()
                    .try_for_each(|t| {
                        let record = TripleRecord::from_triple(t, &doc.article.text, args.explain);
                        if args.with_text {
                            writer.write_with_text(&record, &doc.article.text)
                        } else {
                            writer.write(&record)
                        }
                    })
                    .and_then(|()| writer.document_done(&doc.article.id));
                if let Err(e) = written {
                    failure = Some(anyhow::Error::new(e).context(format!("cannot write to {output_name}")));
                    return ControlFlow::Break(());
                }
                report.processed(doc.article.text.split_whitespace().count(), triples.len());
            }
            Outcome::Skipped(error) => {
                if args.strict {
                    failure = Some(anyhow::anyhow!("{error} (--strict: stopping, no output written)"));
                    return ControlFlow::Break(());
                }
                report.skip(error);
            }
        }
        ControlFlow::Continue(())
    });
    let report = report.into_inner();
    let timings = args.input.timings.then(|| pipeline.stats());
    match end {
        RunEnd::SinkBroke => Err(failure.unwrap_or_else(|| anyhow::anyhow!("stopped"))),
        RunEnd::Completed => {
            writer.finish().with_context(|| format!("cannot write {output_name}"))?;
            report.finish("triples", Some(&output_name), timings.as_ref());
            Ok(ExitCode::from(if report.skipped.is_empty() { EXIT_OK } else { EXIT_SKIPPED }))
        }
        RunEnd::Stopped => {
            let signal = interrupt.name();
            let (what, kept) = match (&args.output, args.resume) {
                (None, _) => {
                    writer.finish().with_context(|| format!("cannot write {output_name}"))?;
                    ("the triples of the documents completed so far went to standard output".to_string(), true)
                }
                (Some(path), true) => {
                    writer.finish().with_context(|| format!("cannot write {output_name}"))?;
                    let what = format!(
                        "{output_name} holds the triples of every document completed so far (listed in {}); \
                         run the same command again to continue",
                        done_list_path(path).display()
                    );
                    (what, true)
                }
                (Some(path), false) => {
                    drop(writer); // removes the temporary file
                    let what = if path.exists() {
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

/// The SIGINT/SIGTERM handler: the first signal raises a flag that stops the
/// run after the current batch; a second SIGINT or SIGTERM exits at once.
struct Interrupt {
    raised: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl Interrupt {
    fn install() -> std::io::Result<Interrupt> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let raised = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicUsize::new(0));
        for sig in [SIGINT, SIGTERM] {
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
            _ => "a signal",
        }
    }
}

/// Prints a usage error and returns its exit status.
pub fn usage_error(error: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("cyberie: error: {error}");
    Ok(ExitCode::from(EXIT_USAGE))
}
