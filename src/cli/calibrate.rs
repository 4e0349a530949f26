//! `cyberie calibrate`: fits the relation stage's merger on articles with gold
//! events and writes it into the model directory.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use cyberie::eval::calibrate::{calibrate, DocProposals};
use cyberie::eval::{load_gold_for_articles, resolve_times};
use cyberie::pipeline::Outcome;
use cyberie::read;
use cyberie::relate::{propose, FEATURES};

use super::extract::usage_error;
use super::summary::{count_documents, RunReport};
use super::{InputArgs, EXIT_OK};

/// Arguments of `cyberie calibrate`.
#[derive(Args, Debug)]
pub struct CalibrateArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Gold events of the articles (JSON Lines, as `evaluate --gold`), from a
    /// part of the data that neither the tagger nor the rules were tuned on.
    #[arg(long, value_name = "GOLD")]
    gold: PathBuf,

    /// Where to write the merger [default: merger.json in the model directory].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `calibrate`.
pub fn run(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let sources = match args.input.sources() {
        Ok(sources) => sources,
        Err(e) => return usage_error(e),
    };
    args.input.configure_threads();
    let mut pipeline = match args.input.load_pipeline() {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let relate = pipeline.config().relate.clone();
    let mut docs = Vec::new();
    let mut published = HashMap::new();
    let mut report = RunReport::start(args.input.quiet, count_documents(&sources));
    let records = read::read_all(sources).filter(|record| args.input.in_shard(record));
    pipeline.run(records, |outcome| {
        match outcome {
            Outcome::Done { doc, .. } => {
                let (proposals, sentences) = propose(&doc, &relate);
                report.processed(doc.article.text.split_whitespace().count(), proposals.len());
                published.insert(doc.article.id.clone(), doc.article.published);
                docs.push(DocProposals { doc_id: doc.article.id, text: doc.article.text, proposals, sentences });
            }
            Outcome::Skipped(error) => report.skip(error),
        }
        ControlFlow::Continue(())
    });
    report.finish("proposals", None, None);
    let ids: HashSet<String> = published.keys().cloned().collect();
    let mut gold = match load_gold_for_articles(&args.gold, &ids) {
        Ok(gold) => gold,
        Err(e) => return usage_error(e),
    };
    // Gold times as `evaluate --articles` resolves them ("last week" also its ISO week).
    resolve_times(&mut gold, &published);
    let calibration = calibrate(&docs, &gold);
    let path = args.output.unwrap_or_else(|| pipeline.config().model_dir.join("merger.json"));
    let json = serde_json::to_string_pretty(&calibration.merger)? + "\n";
    std::fs::write(&path, json).with_context(|| format!("cannot write {}", path.display()))?;
    let model = calibration.merger.model.as_ref().expect("calibration fits a model");
    eprintln!(
        "cyberie: merger fitted on {} pairs ({} right) of {} documents; threshold {:.2}, at most {} per article; \
         judge's pair F1 {:.3}, triple F1 {:.3} on these documents; written to {}",
        calibration.examples,
        calibration.positives,
        docs.len(),
        calibration.merger.threshold,
        calibration.merger.max_triples,
        calibration.pair_f1,
        calibration.triple_f1,
        path.display()
    );
    eprintln!("  bias {:+.3}", model.bias);
    for name in FEATURES {
        eprintln!("  {name:<24}{:+.3}", model.weights[name]);
    }
    Ok(ExitCode::from(EXIT_OK))
}
