//! Accuracy of the whole pipeline with the bundled model: the seed article, the
//! bundled corpus against its hand-labelled gold, and the CASIE development
//! split. Each test is skipped, with the reason on stderr, when the model or
//! `../shared` is absent. The thresholds guard against regressions; the
//! figures themselves are printed on stderr (`cargo test -- --nocapture`).

mod common;

use common::{arg, bundled_model, cyberie, json_lines, shared};
use serde_json::Value;

/// Runs `evaluate --json` and returns the scores.
fn evaluate(gold: &str, pred: &str, articles: &str) -> Value {
    let run =
        cyberie(&["evaluate", "--json", "--bootstrap", "0", "--gold", gold, "--pred", pred, "--articles", articles]);
    run.expect_code(0);
    serde_json::from_str(&run.stdout).expect("one JSON object")
}

fn f1(scores: &Value, view: &str, level: &str) -> f64 {
    scores[view][level]["f1"].as_f64().expect("an F1")
}

#[test]
fn the_seed_article_yields_both_attacks_with_their_dates() {
    let (Some(model), Some(seed)) = (bundled_model(), shared("seeds/000_45fc11b0a2ba47a7.txt")) else { return };
    let run = cyberie(&["extract", "--quiet", "--model", &model, "--format", "jsonl", arg(&seed)]);
    run.expect_code(0);
    let rows = json_lines(&run.stdout);
    let found = |attacker: &str, victim: &str, date: &str| {
        rows.iter().any(|r| {
            r["attacker"] == attacker && r["victim"].as_str().unwrap().contains(victim) && r["date_iso"] == date
        })
    };
    assert!(
        found("North Korea", "NPO Mash", "2021-H2"),
        "North Korea → NPO Mashinostroyeniya, late 2021 not in {rows:#?}"
    );
    assert!(found("China", "Japan", "2020-FA"), "China → Japan, autumn 2020 not in {rows:#?}");
    assert!(rows.len() <= 4, "at most two other pairs, got {rows:#?}");
}

/// One row of `tests/fixtures/plain-reports.tsv`.
struct PlainReport<'a> {
    sentence: &'a str,
    attackers: Vec<&'a str>,
    victim: &'a str,
    date: &'a str,
}

#[test]
fn plain_one_sentence_reports_give_attacker_victim_and_date() {
    let Some(model) = bundled_model() else { return };
    let table = std::fs::read_to_string("tests/fixtures/plain-reports.tsv").unwrap();
    let reports: Vec<PlainReport> = table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            PlainReport { sentence: f[0], attackers: f[1].split('|').collect(), victim: f[2], date: f[3] }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("reports.jsonl");
    let lines: Vec<String> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| serde_json::json!({"id": format!("r{i:02}"), "text": r.sentence}).to_string())
        .collect();
    std::fs::write(&articles, lines.join("\n") + "\n").unwrap();
    let run = cyberie(&["extract", "--quiet", "--model", &model, "--format", "jsonl", arg(&articles)]);
    run.expect_code(0);
    let rows = json_lines(&run.stdout);
    let mut wrong = Vec::new();
    for (i, report) in reports.iter().enumerate() {
        let id = format!("r{i:02}");
        let mine: Vec<&Value> = rows.iter().filter(|r| r["doc_id"] == id.as_str()).collect();
        let right = mine.iter().any(|r| {
            report.attackers.contains(&r["attacker"].as_str().unwrap_or(""))
                && r["victim"] == report.victim
                && r["date_iso"] == report.date
        });
        if !right {
            let got: Vec<String> =
                mine.iter().map(|r| format!("{} → {} ({})", r["attacker"], r["victim"], r["date_iso"])).collect();
            wrong.push(format!("{:?}: got {got:?}", report.sentence));
        }
    }
    eprintln!("plain reports: {} of {} right", reports.len() - wrong.len(), reports.len());
    assert!(wrong.is_empty(), "{} of {} plain reports wrong:\n{}", wrong.len(), reports.len(), wrong.join("\n"));
}

#[test]
fn the_bundled_corpus_scores_against_its_gold() {
    let Some(model) = bundled_model() else { return };
    let dir = tempfile::tempdir().unwrap();
    let pred = dir.path().join("corpus.csv");
    cyberie(&["extract", "--quiet", "--model", &model, "corpus/articles.jsonl", "-o", arg(&pred)]).expect_code(0);
    let scores = evaluate("evaluation/gold/corpus.jsonl", arg(&pred), "corpus/articles.jsonl");
    let (pair, triple) = (f1(&scores, "all", "pair"), f1(&scores, "all", "triple"));
    eprintln!("bundled corpus: pair F1 {pair:.3}, triple F1 {triple:.3}");
    assert!(pair >= 0.5, "pair F1 {pair:.3} on the bundled corpus");
    assert!(triple >= 0.25, "triple F1 {triple:.3} on the bundled corpus");
}

#[test]
fn the_casie_development_split_scores() {
    let (Some(model), Some(casie)) = (bundled_model(), shared("casie-dev")) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (gold, articles, pred) =
        (dir.path().join("gold.jsonl"), dir.path().join("articles.jsonl"), dir.path().join("pred.csv"));
    cyberie(&["casie-import", arg(&casie), "-o", arg(&gold), "--articles", arg(&articles)]).expect_code(0);
    cyberie(&["extract", "--quiet", "--model", &model, arg(&articles), "-o", arg(&pred)]).expect_code(0);
    let scores = evaluate(arg(&gold), arg(&pred), arg(&articles));
    let (pair, named, triple) =
        (f1(&scores, "all", "pair"), f1(&scores, "named", "pair"), f1(&scores, "all", "triple"));
    eprintln!("CASIE dev: pair F1 {pair:.3}, named pair F1 {named:.3}, triple F1 {triple:.3}");
    // Issue 3 asks for pair >= 0.30, named pair >= 0.35 and triple >= 0.15;
    // the pair and triple floors sit just below what `main` scores (0.399, 0.321).
    assert!(pair >= 0.38, "pair F1 {pair:.3} on CASIE dev");
    assert!(named >= 0.35, "named pair F1 {named:.3} on CASIE dev");
    assert!(triple >= 0.30, "triple F1 {triple:.3} on CASIE dev");
}
