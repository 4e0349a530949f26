//! `cyberie text`: the articles as cyberie reads them, without the model.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use cyberie::export::resolve_output;
use cyberie::read;

use super::extract::usage_error;
use super::summary::{count_documents, RunReport};
use super::{open_lines, EXIT_OK, EXIT_SKIPPED};

/// Arguments of `cyberie text`.
#[derive(Args, Debug)]
pub struct TextArgs {
    /// Articles to read, as for `extract`: text files, HTML pages, directories of
    /// them, JSON Lines, JSON arrays, CSV files, WARC archives, or `-` for JSON
    /// Lines on stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,

    /// Output file, written atomically like `extract`'s (`-` is standard
    /// output) [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// No progress display or summary on stderr (errors are still shown).
    #[arg(short, long)]
    quiet: bool,
}

/// One line of `text` output: the JSON Lines input format.
#[derive(Serialize)]
struct ArticleLine<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    text: &'a str,
}

/// Runs `text`.
pub fn run(args: TextArgs) -> anyhow::Result<ExitCode> {
    let sources = match read::expand(&args.inputs.iter().map(|i| read::Input::parse(i)).collect::<Vec<_>>()) {
        Ok(sources) => sources,
        Err(e) => return usage_error(e),
    };
    let inputs: Vec<PathBuf> = sources.iter().filter_map(|s| s.path().map(Path::to_path_buf)).collect();
    let destination = match resolve_output(args.output.as_deref(), &inputs) {
        Ok(destination) => destination,
        Err(e) => return usage_error(e),
    };
    let (output_name, mut out, file) = open_lines(&destination)?;
    let archives = Arc::new(read::ArchiveProgress::default());
    let mut report = RunReport::start(args.quiet, count_documents(&sources));
    report.watch_archives(Arc::clone(&archives));
    for record in read::read_all_counted(sources, archives) {
        match record {
            Ok(article) => {
                let line = ArticleLine {
                    id: &article.id,
                    title: article.title.as_deref(),
                    date: article.published.map(|d| d.format("%Y-%m-%d").to_string()),
                    text: &article.text,
                };
                serde_json::to_writer(&mut out, &line)
                    .map_err(io::Error::from)
                    .and_then(|()| out.write_all(b"\n"))
                    .with_context(|| format!("cannot write to {output_name}"))?;
                report.processed(article.text.split_whitespace().count(), 1);
            }
            Err(error) => report.skip(error),
        }
    }
    out.flush().with_context(|| format!("cannot write {output_name}"))?;
    drop(out);
    if let Some(file) = file {
        file.commit().with_context(|| format!("cannot write {output_name}"))?;
    }
    report.finish("articles", Some(&output_name), None);
    Ok(ExitCode::from(if report.skipped.is_empty() { EXIT_OK } else { EXIT_SKIPPED }))
}
