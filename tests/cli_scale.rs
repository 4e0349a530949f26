//! Scaling out (issue 14), with the tiny model: `--shard K/N` splits the
//! documents so that N runs together give exactly one full run's rows, and
//! `extract -` streams JSON Lines from stdin to JSON Lines on stdout with the
//! same records, in the same order, as a run over the file, the documents that
//! cannot be read as `--error-records` in their place.

mod common;

use std::collections::BTreeMap;

use common::{arg, article, cyberie, cyberie_with_stdin, json_lines, tiny_model, write};

/// `n` articles; every other one gives a triple with the tiny model.
fn corpus(n: usize) -> String {
    (0..n)
        .map(|i| {
            let text = if i % 2 == 0 {
                format!("Sandworm targeted Ukraine in 2016. Report {i} said so on Monday.")
            } else {
                format!("Report {i} was quiet. Nothing happened in Springfield.")
            };
            article(&format!("doc-{i}"), None, None, &text) + "\n"
        })
        .collect()
}

fn extract(args: &[&str]) -> common::Run {
    let model = tiny_model();
    let mut all = vec!["extract", "--model", &model, "--threads", "1", "--batch-size", "1", "--format", "jsonl"];
    all.extend_from_slice(args);
    cyberie(&all)
}

/// "N processed" from a run's summary.
fn processed(stderr: &str) -> usize {
    let at = stderr.find(" processed").unwrap_or_else(|| panic!("no summary: {stderr}"));
    stderr[..at].rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn shard_runs_together_equal_one_full_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "news.jsonl", corpus(90) + "{\"text\": \"no id\"}\n");
    let full = extract(&[arg(&input)]);
    full.expect_code(3);
    let mut lines: Vec<&str> = full.stdout.lines().collect();
    lines.sort();
    let mut union: Vec<String> = Vec::new();
    let mut documents = 0;
    let mut skips = 0;
    for k in 1..=4 {
        let shard = format!("{k}/4");
        let run = extract(&["--shard", &shard, arg(&input)]);
        assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
        documents += processed(&run.stderr);
        skips += usize::from(run.code == 3);
        let rows = json_lines(&run.stdout);
        assert!(!rows.is_empty() && rows.len() < 45, "shard {shard} has {} rows", rows.len());
        union.extend(run.stdout.lines().map(str::to_string));
    }
    union.sort();
    assert_eq!(union, lines, "the shards' rows are not the full run's");
    assert_eq!(documents, 90, "every document in exactly one shard");
    assert_eq!(skips, 1, "the line without an id is reported by one shard (1/4)");
    extract(&["--shard", "5/4", arg(&input)]).expect_code(2);
}

#[test]
fn stdin_streams_the_same_records_as_a_file_run_with_errors_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = corpus(30).lines().map(str::to_string).collect();
    lines.insert(3, r#"{"id": "bad", "date": "soon", "text": "x"}"#.to_string());
    let data = lines.join("\n") + "\n";
    let input = write(dir.path(), "news.jsonl", &data);
    let file_run = extract(&["--error-records", arg(&input), "-o", "-"]);
    file_run.expect_code(3);
    let model = tiny_model();
    let args = [
        "extract",
        "--model",
        &model,
        "--threads",
        "1",
        "--batch-size",
        "1",
        "--format",
        "jsonl",
        "--error-records",
        "-",
        "-o",
        "-",
    ];
    let piped = cyberie_with_stdin(&args, data.as_bytes());
    piped.expect_code(3);
    let records = json_lines(&piped.stdout);
    let kinds: BTreeMap<bool, usize> = records.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r.get("error").is_some()).or_default() += 1;
        m
    });
    assert_eq!(kinds.get(&true), Some(&1), "{}", piped.stdout);
    assert_eq!(kinds.get(&false), Some(&15), "{}", piped.stdout);
    let error = records.iter().find(|r| r.get("error").is_some()).unwrap();
    assert_eq!(error["doc_id"], "bad");
    assert!(error["error"].as_str().unwrap().starts_with("bad \"date\""), "{error}");
    // The same records as the file run, in the same order (the source differs).
    let strip = |text: &str| -> Vec<serde_json::Value> {
        json_lines(text)
            .into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("source");
                r
            })
            .collect()
    };
    assert_eq!(strip(&piped.stdout), strip(&file_run.stdout));
    let run = cyberie(&["extract", "--model", &model, "--error-records", arg(&input)]);
    run.expect_code(2);
    assert!(run.stderr.contains("--error-records needs --format jsonl"), "{}", run.stderr);
}
