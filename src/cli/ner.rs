//! `cyberie ner`: the entities and dates the pipeline sees, for inspection.

use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use cyberie::doc::{CharOffsets, Doc, Label};
use cyberie::export::resolve_output;
use cyberie::pipeline::Outcome;
use cyberie::read;

use super::extract::usage_error;
use super::summary::{count_documents, RunReport};
use super::{open_lines, InputArgs, EXIT_OK, EXIT_SKIPPED};

/// Arguments of `cyberie ner`.
///
/// Prints one JSON object per entity: {"doc_id", "start", "end", "label",
/// "score", "text"}, with start/end in Unicode code points (end exclusive) and
/// label PER, ORG, LOC, MISC (from the model), DATE (from the temporal
/// tagger, with its normalised "value" when known), or TRIGGER, ATTACKER,
/// VICTIM, TIME (the attack roles of the model's argument head, when it has one).
#[derive(Args, Debug)]
pub struct NerArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Output file, written atomically like `extract`'s (`-` is standard
    /// output) [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// One line of `ner` output.
#[derive(Serialize)]
struct EntityLine<'a> {
    doc_id: &'a str,
    start: usize,
    end: usize,
    label: &'static str,
    score: f32,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

/// Runs `ner`.
pub fn run(args: NerArgs) -> anyhow::Result<ExitCode> {
    let sources = match args.input.sources() {
        Ok(sources) => sources,
        Err(e) => return usage_error(e),
    };
    let inputs: Vec<PathBuf> = sources.iter().filter_map(|s| s.path().map(Path::to_path_buf)).collect();
    let destination = match resolve_output(args.output.as_deref(), &inputs) {
        Ok(destination) => destination,
        Err(e) => return usage_error(e),
    };
    args.input.configure_threads();
    let mut pipeline = match args.input.load_pipeline() {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let (output_name, mut out, file) = open_lines(&destination)?;
    let archives = Arc::new(read::ArchiveProgress::default());
    let mut report = RunReport::start(args.input.quiet, count_documents(&sources));
    report.watch_archives(Arc::clone(&archives));
    let mut result = Ok(());
    let records = read::read_all_counted(sources, archives).filter(|record| args.input.in_shard(record));
    pipeline.run(records, |outcome| {
        match outcome {
            Outcome::Done { doc, .. } => {
                result =
                    write_doc(&mut out, &doc).map(|n| report.processed(doc.article.text.split_whitespace().count(), n));
            }
            Outcome::Skipped(error) => report.skip(error),
        }
        if result.is_ok() {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    });
    result.and_then(|_| out.flush()).with_context(|| format!("cannot write {output_name}"))?;
    drop(out);
    if let Some(file) = file {
        file.commit().with_context(|| format!("cannot write {output_name}"))?;
    }
    report.precision = pipeline.stats().ner.precision;
    report.finish("entities", Some(&output_name), args.input.timings.then(|| pipeline.stats()).as_ref());
    Ok(ExitCode::from(if report.skipped.is_empty() { EXIT_OK } else { EXIT_SKIPPED }))
}

/// Writes a document's entities and dates in text order; returns how many.
fn write_doc(out: &mut dyn Write, doc: &Doc) -> io::Result<usize> {
    let offsets = CharOffsets::new(&doc.article.text);
    let mut lines: Vec<EntityLine> = doc
        .entities
        .iter()
        .map(|e| EntityLine {
            doc_id: &doc.article.id,
            start: offsets.char_offset(e.span.start),
            end: offsets.char_offset(e.span.end),
            label: e.label.as_str(),
            score: (e.score * 1000.0).round() / 1000.0,
            text: &e.text,
            value: None,
        })
        .chain(doc.roles.iter().map(|r| EntityLine {
            doc_id: &doc.article.id,
            start: offsets.char_offset(r.span.start),
            end: offsets.char_offset(r.span.end),
            label: r.role.tag_name(),
            score: (r.score * 1000.0).round() / 1000.0,
            text: doc.text(r.span),
            value: None,
        }))
        .chain(doc.dates.iter().map(|d| EntityLine {
            doc_id: &doc.article.id,
            start: offsets.char_offset(d.span.start),
            end: offsets.char_offset(d.span.end),
            label: Label::Date.as_str(),
            score: 1.0,
            text: &d.text,
            value: d.value.map(|v| v.to_string()),
        }))
        .collect();
    lines.sort_by_key(|l| (l.start, l.end));
    for line in &lines {
        serde_json::to_writer(&mut *out, line)?;
        out.write_all(b"\n")?;
    }
    Ok(lines.len())
}
