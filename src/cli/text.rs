//! `cyberie text`: the articles as cyberie reads them, without the model.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use cyberie::read;

use super::extract::usage_error;
use super::summary::{count_documents, RunReport};
use super::{EXIT_OK, EXIT_SKIPPED};

/// Arguments of `cyberie text`.
#[derive(Args, Debug)]
pub struct TextArgs {
    /// Articles to read, as for `extract`: text files, directories, JSON Lines,
    /// HTML pages, WARC archives, or `-` for JSON Lines on stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,

    /// Output file, written atomically [default: standard output].
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
    let output_name = args.output.as_ref().map_or("standard output".to_string(), |p| p.display().to_string());
    // A file is written aside and renamed into place at the end.
    let (mut out, pending): (Box<dyn Write>, _) = match &args.output {
        Some(path) => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let temp = tempfile::Builder::new()
                .prefix(".cyberie-")
                .suffix(".partial")
                .tempfile_in(dir)
                .with_context(|| format!("cannot create {output_name}"))?;
            let (file, temp) = temp.into_parts();
            (Box::new(BufWriter::new(file)), Some((temp, path)))
        }
        None => (Box::new(BufWriter::new(io::stdout())), None),
    };
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
    if let Some((temp, path)) = pending {
        temp.persist(path).map_err(|e| e.error).with_context(|| format!("cannot write {output_name}"))?;
    }
    report.finish("articles", Some(&output_name), None);
    Ok(ExitCode::from(if report.skipped.is_empty() { EXIT_OK } else { EXIT_SKIPPED }))
}
