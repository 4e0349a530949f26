//! `cyberie evaluate` and `cyberie evaluate-ner`: score predictions against gold
//! files and print the report.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;

use cyberie::eval::predictions::read_predictions_csv;
use cyberie::eval::{
    evaluate, evaluate_ner, load_gold, load_gold_for_articles, load_ner_gold, load_predictions, render_json,
    render_ner_table, render_table, resolve_times, Bootstrap, EvalOptions, MatchMode, NerOptions,
};
use cyberie::read;

use super::extract::usage_error;
use super::EXIT_OK;

/// Arguments of `cyberie evaluate`.
#[derive(Args, Debug)]
pub struct EvaluateArgs {
    /// Gold events: a JSON Lines file, or a directory whose `*.jsonl` files are
    /// all read. One event per line: {"doc_id", "attackers": [...], "victims":
    /// [...], "times": [...], "named"?, "note"?} (see evaluation/README.md). A
    /// file with any error is rejected whole.
    #[arg(long, value_name = "GOLD")]
    gold: PathBuf,

    /// Predictions: the CSV that `cyberie extract` writes (by its header), or
    /// the same records as JSON Lines (`.jsonl`, `.json`); `-` reads CSV from
    /// standard input.
    #[arg(long, value_name = "PRED")]
    pred: String,

    /// The articles the gold labels, in any form `extract` reads (a `.txt`
    /// file, a directory, JSON Lines, `.gz`). Gold events whose doc_id is not
    /// among them are errors, and gold times that are not normalised values are
    /// resolved against each article's publication date ("last week" also
    /// accepts its ISO week). An article that cannot be read is an error.
    /// [default: no check, times compared as written]
    #[arg(long, value_name = "ARTICLES")]
    articles: Option<PathBuf>,

    /// Per-document rows and error lists for named events and named
    /// predictions only (the headline scores show the named view only).
    #[arg(long)]
    named_only: bool,

    /// Strict matching: mentions must be equal after normalisation (no
    /// contiguous parts), dates must have equal text or equal values.
    /// [default: relaxed]
    #[arg(long)]
    strict: bool,

    /// List up to N false positives, missed gold events and right pairs with a
    /// wrong date, with their evidence.
    #[arg(long, value_name = "N", default_value_t = 0)]
    errors: usize,

    /// Match predictions by their canonical attacker and victim only, not also
    /// by the attacker_mention and victim_mention columns (the text as written).
    #[arg(long)]
    no_mentions: bool,

    /// Score by the rules of the blind CASIE judge: canonical attacker and
    /// victim only (implies --no-mentions); triples counted only for
    /// predictions that give a date, against gold events that give a time; and
    /// a named view whose precision counts every prediction, named or not,
    /// except those that match only unnamed gold events.
    #[arg(long)]
    judge: bool,

    /// Bootstrap resamples (over documents) for the 95% confidence interval of
    /// each F1; 0 turns the intervals off.
    #[arg(long, value_name = "N", default_value_t = Bootstrap::default().resamples)]
    bootstrap: usize,

    /// Print one JSON object (options, counts, scores, per-document rows,
    /// errors) instead of the table.
    #[arg(long)]
    json: bool,
}

/// Runs `evaluate`.
pub fn run(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let gold = match &args.articles {
        None => load_gold(&args.gold),
        Some(path) => {
            let published = match read_article_dates(path) {
                Ok(published) => published,
                Err(e) => return usage_error(e),
            };
            let known: HashSet<String> = published.keys().cloned().collect();
            load_gold_for_articles(&args.gold, &known).map(|mut gold| {
                resolve_times(&mut gold, &published);
                gold
            })
        }
    };
    let gold = match gold {
        Ok(gold) => gold,
        Err(e) => return usage_error(e),
    };
    let preds = if args.pred == "-" {
        let mut text = String::new();
        io::stdin().read_to_string(&mut text).context("cannot read predictions from standard input")?;
        read_predictions_csv(text.as_bytes(), Path::new("<stdin>"))
    } else {
        load_predictions(&args.pred)
    };
    let preds = match preds {
        Ok(preds) => preds,
        Err(e) => return usage_error(e),
    };
    let options = EvalOptions {
        mode: if args.strict { MatchMode::Strict } else { MatchMode::Relaxed },
        named_only: args.named_only,
        errors: args.errors,
        match_mentions: !args.no_mentions && !args.judge,
        judge: args.judge,
        bootstrap: (args.bootstrap > 0).then(|| Bootstrap { resamples: args.bootstrap, ..Bootstrap::default() }),
    };
    let scores = evaluate(&gold, &preds, &options);
    if args.json {
        println!("{}", render_json(&scores));
    } else {
        print!("{}", render_table(&scores));
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// The ids and publication dates of the articles at `path`; the first record
/// that cannot be read is an error naming its file and line.
fn read_article_dates(path: &Path) -> anyhow::Result<HashMap<String, Option<NaiveDate>>> {
    let sources = read::expand(&[read::Input::Path(path.to_path_buf())])?;
    let mut published = HashMap::new();
    for record in read::read_all(sources) {
        let article = record.map_err(|e| anyhow::anyhow!("cannot read the articles: {e}"))?;
        published.insert(article.id, article.published);
    }
    Ok(published)
}

/// Arguments of `cyberie evaluate-ner`.
#[derive(Args, Debug)]
pub struct EvaluateNerArgs {
    /// Gold entity spans, JSON Lines, one document per line: {"id", "text",
    /// "entities": [[start, end, "LABEL"], ...]} with Unicode code-point
    /// offsets, end exclusive.
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,

    /// Predicted entities, JSON Lines, one entity per line, as `cyberie ner`
    /// prints them: {"doc_id", "start", "end", "label", ...}, code-point
    /// offsets. Predictions for documents not in the gold, and with labels not
    /// scored (such as DATE against a gold without DATE), are ignored and
    /// counted.
    #[arg(long, value_name = "FILE")]
    pred: PathBuf,

    /// The labels to score, comma-separated (synonyms such as PERSON or GPE are
    /// mapped to PER and LOC). [default: the labels that occur in the gold]
    #[arg(long, value_name = "LABELS", value_delimiter = ',')]
    labels: Option<Vec<String>>,

    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// Runs `evaluate-ner`.
pub fn run_ner(args: EvaluateNerArgs) -> anyhow::Result<ExitCode> {
    let gold = match load_ner_gold(&args.gold) {
        Ok(gold) => gold,
        Err(e) => return usage_error(e),
    };
    let preds = match cyberie::eval::load_ner_predictions(&args.pred) {
        Ok(preds) => preds,
        Err(e) => return usage_error(e),
    };
    let labels =
        args.labels.map(|labels| labels.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect());
    let report = evaluate_ner(&gold, &preds, &NerOptions { labels });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).context("cannot serialise the report")?);
    } else {
        print!("{}", render_ner_table(&report));
    }
    Ok(ExitCode::from(EXIT_OK))
}
