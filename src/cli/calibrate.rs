//! `cyberie calibrate`: fits the relation stage's merger on articles with gold
//! events and writes it into the model directory.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;

use cyberie::eval::calibrate::{calibrate, cross_validate, CrossValidation, DocProposals, Objective};
use cyberie::eval::{load_gold_for_articles, resolve_times};
use cyberie::pipeline::{Outcome, Pipeline};
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

    /// More calibration articles, read with another model that was not
    /// trained on them: MODEL_DIR=ARTICLES, repeatable. Their readings join
    /// the fit (cross-fitting), so the merger learns from more articles than
    /// the one part that the main model did not see; `make model` adds the
    /// training part read by two models trained on its halves. The gold file
    /// must hold their events too, and no article may be read twice.
    #[arg(long, value_name = "MODEL_DIR=ARTICLES", value_parser = parse_cross_fit)]
    cross_fit: Vec<CrossFit>,

    /// What the threshold and the cap of triples per article are chosen to
    /// maximise on these articles, by the blind judge's rules.
    #[arg(long, value_enum, default_value_t = Objective::default())]
    objective: Objective,

    /// Fit nothing: leave each input out in turn (the articles, then each
    /// --cross-fit input), fit the merger on the others, score it on the one
    /// left out, and print those scores and their pooled total. Tells how a
    /// change to the merger carries over to articles it was not fitted on.
    #[arg(long, requires = "cross_fit")]
    cross_validate: bool,

    /// Where to write the merger [default: merger.json in the model directory].
    #[arg(short, long, value_name = "FILE", conflicts_with = "cross_validate")]
    output: Option<PathBuf>,
}

/// Articles to calibrate on with the model that reads them (`--cross-fit`).
#[derive(Debug, Clone)]
struct CrossFit {
    model: PathBuf,
    input: String,
}

fn parse_cross_fit(value: &str) -> Result<CrossFit, String> {
    match value.split_once('=') {
        Some((model, input)) if !model.is_empty() && !input.is_empty() => {
            Ok(CrossFit { model: model.into(), input: input.to_string() })
        }
        _ => Err(format!("expected MODEL_DIR=ARTICLES, got {value:?}")),
    }
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
    // Every input and model is checked before the first one runs.
    let mut cross_fit = Vec::new();
    for extra in &args.cross_fit {
        let sources = match read::expand(&[read::Input::parse(&extra.input)]) {
            Ok(sources) => sources,
            Err(e) => return usage_error(format!("--cross-fit: {e}")),
        };
        match Pipeline::new(args.input.pipeline_config(extra.model.clone())) {
            Ok(other) => cross_fit.push((other, sources)),
            Err(e) => return usage_error(format!("--cross-fit {}: {e}", extra.model.display())),
        }
    }
    // One group of documents per input: the articles, then each --cross-fit input.
    let mut groups = vec![Vec::new()];
    let mut published = HashMap::new();
    read_proposals(&mut pipeline, sources, &args, &mut groups[0], &mut published);
    for (mut other, sources) in cross_fit {
        let mut group = Vec::new();
        read_proposals(&mut other, sources, &args, &mut group, &mut published);
        groups.push(group);
    }
    let mut seen = HashSet::new();
    if let Some(twice) = groups.iter().flatten().map(|d| d.doc_id.as_str()).find(|id| !seen.insert(*id)) {
        return usage_error(format!(
            "document {twice:?} is read twice (the articles and the --cross-fit inputs must not share an article)"
        ));
    }
    let ids: HashSet<String> = published.keys().cloned().collect();
    let mut gold = match load_gold_for_articles(&args.gold, &ids) {
        Ok(gold) => gold,
        Err(e) => return usage_error(e),
    };
    // Gold times as `evaluate --articles` resolves them ("last week" also its ISO week).
    resolve_times(&mut gold, &published);
    if args.cross_validate {
        let labels = std::iter::once(args.input.inputs.join(" "))
            .chain(args.cross_fit.iter().map(|c| format!("{}={}", c.model.display(), c.input)));
        print_cross_validation(labels, &cross_validate(&groups, &gold, args.objective));
        return Ok(ExitCode::from(EXIT_OK));
    }
    let docs: Vec<&DocProposals> = groups.iter().flatten().collect();
    let calibration = calibrate(&docs, &gold, args.objective);
    let path = args.output.unwrap_or_else(|| pipeline.config().model_dir.join("merger.json"));
    let json = serde_json::to_string_pretty(&calibration.merger)? + "\n";
    std::fs::write(&path, json).with_context(|| format!("cannot write {}", path.display()))?;
    let model = calibration.merger.model.as_ref().expect("calibration fits a model");
    eprintln!(
        "cyberie: merger fitted on {} pairs ({} right) of {} documents; threshold {:.2}, at most {} per article; \
         judge's pair F1 {:.3}, triple F1 {:.3}, named pair F1 {:.3} on these documents; written to {}",
        calibration.examples,
        calibration.positives,
        docs.len(),
        calibration.merger.threshold,
        calibration.merger.max_triples,
        calibration.pair_f1,
        calibration.triple_f1,
        calibration.named_pair_f1,
        path.display()
    );
    eprintln!("  bias {:+.3}", model.bias);
    for name in FEATURES {
        eprintln!("  {name:<24}{:+.3}", model.weights[name]);
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Prints a table of the held-out scores of `cv`, a row per input (named by `labels`).
fn print_cross_validation(labels: impl Iterator<Item = String>, cv: &CrossValidation) {
    println!("held out: merger fitted on the other inputs; judge's rules (pair, triple, named pair F1)");
    println!("{:>9} {:>9} {:>4} {:>7} {:>7} {:>7}  input", "documents", "threshold", "cap", "pair", "triple", "named");
    for (fold, label) in cv.folds.iter().zip(labels) {
        let s = &fold.scores;
        println!(
            "{:>9} {:>9.2} {:>4} {:>7.3} {:>7.3} {:>7.3}  {label}",
            fold.documents, fold.threshold, fold.max_triples, s.all.pair.f1, s.all.triple.f1, s.named.pair.f1
        );
    }
    let (p, documents) = (&cv.pooled, cv.folds.iter().map(|f| f.documents).sum::<usize>());
    println!(
        "{documents:>9} {:>9} {:>4} {:>7.3} {:>7.3} {:>7.3}  pooled (pair P {:.3} R {:.3}; named P {:.3} R {:.3})",
        "",
        "",
        p.all.pair.f1,
        p.all.triple.f1,
        p.named.pair.f1,
        p.all.pair.precision,
        p.all.pair.recall,
        p.named.pair.precision,
        p.named.pair.recall
    );
}

/// Runs `pipeline` over `sources` and adds each document's proposals to
/// `docs` and its publication date to `published`.
fn read_proposals(
    pipeline: &mut Pipeline,
    sources: Vec<read::Source>,
    args: &CalibrateArgs,
    docs: &mut Vec<DocProposals>,
    published: &mut HashMap<String, Option<NaiveDate>>,
) {
    let relate = pipeline.config().relate.clone();
    let mut report = RunReport::start(args.input.quiet, count_documents(&sources));
    let records = read::read_all(sources).filter(|record| args.input.in_shard(record));
    pipeline.run(records, |outcome| {
        match outcome {
            Outcome::Done { doc, .. } => {
                let (proposals, article) = propose(&doc, &relate);
                report.processed(doc.article.text.split_whitespace().count(), proposals.len());
                published.insert(doc.article.id.clone(), doc.article.published);
                docs.push(DocProposals { doc_id: doc.article.id, text: doc.article.text, proposals, article });
            }
            Outcome::Skipped(error) => report.skip(error),
        }
        ControlFlow::Continue(())
    });
    report.finish("proposals", None, None);
}
