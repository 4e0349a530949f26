//! `cyberie extract`: articles in, attacker–victim–date triples out.

use std::cell::Cell;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use cyberie::export::{Format, TripleRecord, TripleWriter};
use cyberie::pipeline::{Outcome, Pipeline, PipelineConfig};
use cyberie::read;

use super::summary::RunReport;
use super::{InputArgs, EXIT_OK, EXIT_SKIPPED, EXIT_USAGE};

/// Arguments of `cyberie extract`.
///
/// Writes one row per attack found: doc_id, attacker, attacker_type, victim,
/// victim_type, date (as written), date_iso (normalised, TIMEX3 style),
/// confidence (0-1), evidence (the sentence or sentences), attacker_mention,
/// victim_mention (as written in the article) and, with --explain, rule.
/// Documents that cannot be read are named on stderr and skipped (exit
/// status 3); the output file appears only when the run completes.
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

    /// Write CSV fields as they are. By default a field starting with = + - @
    /// tab or carriage return gets a leading ' so spreadsheets do not run it
    /// as a formula.
    #[arg(long)]
    raw_csv: bool,

    /// Stop at the first document that cannot be read or processed, with exit
    /// status 1 and no output file.
    #[arg(long)]
    strict: bool,
}

/// Runs `extract`.
pub fn run(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let sources = match read::expand(&args.input.inputs.iter().map(|i| read::Input::parse(i)).collect::<Vec<_>>()) {
        Ok(sources) => sources,
        Err(e) => return usage_error(e),
    };
    args.input.configure_threads();
    let mut config = PipelineConfig::new(args.input.model_dir());
    config.default_published = args.input.date;
    config.ner.batch_size = args.input.batch_size;
    let pipeline = match Pipeline::new(config) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let output_name = args.output.as_ref().map_or("standard output".to_string(), |p| p.display().to_string());
    let mut writer = TripleWriter::create(args.output.as_deref(), args.format, !args.raw_csv, args.explain)
        .with_context(|| format!("cannot create output {output_name}"))?;

    let mut report = RunReport::start(args.input.quiet);
    let mut failure: Option<anyhow::Error> = None;
    let stop = Cell::new(false);
    pipeline.run(read::read_all(sources).take_while(|_| !stop.get()), |outcome| {
        if stop.get() {
            return;
        }
        match outcome {
            Outcome::Done { doc, triples } => {
                for triple in &triples {
                    if let Err(e) = writer.write(&TripleRecord::from_triple(triple, &doc.article.text, args.explain)) {
                        failure = Some(anyhow::Error::new(e).context(format!("cannot write to {output_name}")));
                        stop.set(true);
                        return;
                    }
                }
                report.processed(doc.article.text.split_whitespace().count(), triples.len());
            }
            Outcome::Skipped(error) => {
                if args.strict {
                    failure = Some(anyhow::anyhow!("{error} (--strict: stopping, no output written)"));
                    stop.set(true);
                } else {
                    report.skip(error);
                }
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    writer.finish().with_context(|| format!("cannot write {output_name}"))?;
    report.finish("triples", &output_name);
    Ok(ExitCode::from(if report.skipped.is_empty() { EXIT_OK } else { EXIT_SKIPPED }))
}

/// Prints a usage error and returns its exit status.
pub fn usage_error(error: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("cyberie: error: {error}");
    Ok(ExitCode::from(EXIT_USAGE))
}
