//! End to end: `cyberie extract --resume`, and SIGINT/SIGTERM in the middle of a
//! run (with the tiny fixture model). An interrupted run must leave the previous
//! output (or none) without --resume, and a complete, valid CSV of the documents
//! it completed with --resume; a resumed run must end with the same file as one
//! uninterrupted run.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{arg, article, cyberie, file_names, tiny_model, write};

/// `n` articles; every third names a threat actor from the lexicon attacking
/// someone, so it gives a triple even with the random tiny model; the others
/// give none (and so leave no row).
fn corpus(n: usize) -> String {
    (0..n)
        .map(|i| {
            let text = if i.is_multiple_of(3) {
                format!(
                    "Report {i}. ScarCruft, a North Korean espionage group, targeted South Korean journalists \
                     with booby-trapped documents on 3 May 2021, researchers said. The campaign went on for weeks."
                )
            } else {
                format!("Article {i} is quiet. Nothing happened on Monday in Springfield, officials said. Rain fell.")
            };
            article(&format!("doc{i:05}"), None, None, &text) + "\n"
        })
        .collect()
}

fn extract(input: &Path, output: &Path, extra: &[&str]) -> common::Run {
    let model = tiny_model();
    let mut args = vec!["extract", "--model", &model, "--threads", "1", "-o", arg(output), arg(input)];
    args.extend_from_slice(extra);
    cyberie(&args)
}

/// The data rows of a CSV file, checked to parse with the header's width.
fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).expect("output opens");
    let width = reader.headers().expect("header").len();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{} is not valid CSV: {e}", path.display()));
            assert_eq!(r.len(), width);
            r
        })
        .collect()
}

/// The documents the checkpoint list `OUTPUT.done` records (ids, with `#N` for
/// the N+1-th document of a repeated id).
fn done_list(output: &Path) -> BTreeSet<String> {
    let mut name = output.as_os_str().to_os_string();
    name.push(".done");
    std::fs::read_to_string(PathBuf::from(name))
        .expect("the .done list exists")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON object per line"))
        .filter_map(|v| {
            let id = v["id"].as_str()?.to_string();
            Some(match v["dup"].as_u64() {
                Some(n) => format!("{id}#{n}"),
                None => id,
            })
        })
        .collect()
}

fn partial_files(dir: &Path) -> Vec<String> {
    file_names(dir).into_iter().filter(|n| n.ends_with(".partial")).collect()
}

#[test]
fn resume_continues_to_the_same_file_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let all = corpus(60);
    let full = write(dir.path(), "all.jsonl", &all);
    let first_half: String = all.lines().take(25).map(|l| format!("{l}\n")).collect();
    let half = write(dir.path(), "half.jsonl", first_half);
    let reference = dir.path().join("reference.csv");
    extract(&full, &reference, &[]).expect_code(0);

    let out = dir.path().join("resumed.csv");
    extract(&half, &out, &["--resume"]).expect_code(0);
    assert_eq!(done_list(&out).len(), 25, "documents without triples are listed too");
    let run = extract(&full, &out, &["--resume"]);
    run.expect_code(0);
    assert!(run.stderr.contains("25 documents already done"), "{}", run.stderr);
    assert!(run.stderr.contains("35 processed"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), std::fs::read_to_string(&reference).unwrap());
    assert_eq!(done_list(&out).len(), 60);

    // Nothing left to do: a third run changes nothing.
    let run = extract(&full, &out, &["--resume"]);
    run.expect_code(0);
    assert!(run.stderr.contains("0 processed"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), std::fs::read_to_string(&reference).unwrap());
    assert!(partial_files(dir.path()).is_empty());
}

#[test]
fn resume_refuses_an_output_with_other_columns() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "a.jsonl", corpus(3));
    let out = dir.path().join("t.csv");
    extract(&input, &out, &[]).expect_code(0);
    let run = extract(&input, &out, &["--resume", "--explain"]);
    run.expect_code(2);
    assert!(run.stderr.contains("cannot resume"), "{}", run.stderr);
}

#[test]
fn resume_needs_an_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "a.jsonl", corpus(3));
    let model = tiny_model();
    cyberie(&["extract", "--model", &model, "--resume", arg(&input)]).expect_code(2);
}

/// Starts `cyberie extract` on a corpus large enough to run for seconds, waits
/// until it is working (its temporary output exists, then `delay` more), and
/// sends `signal`. Returns the exit status and stderr.
fn interrupt(input: &Path, output: &Path, extra: &[&str], signal: &str, delay: Duration) -> (i32, String) {
    let dir = output.parent().unwrap();
    let before: HashSet<String> = partial_files(dir).into_iter().collect();
    let model = tiny_model();
    let mut child: Child = Command::new(env!("CARGO_BIN_EXE_cyberie"))
        .args(["extract", "--model", &model, "--threads", "1", "-o", arg(output), arg(input)])
        .args(extra)
        .env_remove("CYBERIE_MODEL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cyberie starts");
    let started = Instant::now();
    while partial_files(dir).iter().all(|n| before.contains(n)) {
        assert!(started.elapsed() < Duration::from_secs(60), "no temporary output appeared");
        assert!(child.try_wait().unwrap().is_none(), "cyberie ended before it was interrupted");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(delay);
    if extra.contains(&"--resume") {
        // Until a first group is checkpointed (the machine may be busy).
        let list = PathBuf::from(format!("{}.done", output.display()));
        while !std::fs::read_to_string(&list).is_ok_and(|t| t.contains("\"commit\"")) {
            assert!(started.elapsed() < Duration::from_secs(120), "no group was checkpointed");
            assert!(child.try_wait().unwrap().is_none(), "cyberie ended before it was interrupted");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    assert!(child.try_wait().unwrap().is_none(), "cyberie ended before it was interrupted: use a larger corpus");
    let status = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success(), "kill -{signal} failed");
    let output = child.wait_with_output().unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn sigint_without_resume_leaves_the_previous_output_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "big.jsonl", corpus(8000));

    let fresh = dir.path().join("fresh.csv");
    let (code, stderr) = interrupt(&input, &fresh, &[], "INT", Duration::from_millis(300));
    assert_eq!(code, 130, "{stderr}");
    assert!(stderr.contains("interrupted by SIGINT"), "{stderr}");
    assert!(stderr.contains("not created"), "{stderr}");
    assert!(!fresh.exists());

    let previous = write(dir.path(), "previous.csv", "doc_id,attacker\nold,row\n");
    let (code, stderr) = interrupt(&input, &previous, &[], "TERM", Duration::from_millis(300));
    assert_eq!(code, 130, "{stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    assert!(stderr.contains("left as it was"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&previous).unwrap(), "doc_id,attacker\nold,row\n");
    assert!(partial_files(dir.path()).is_empty(), "temporary files removed: {:?}", file_names(dir.path()));
}

#[test]
fn sigint_with_resume_keeps_a_complete_file_and_the_rerun_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let n = 20_000;
    let input = write(dir.path(), "big.jsonl", corpus(n));
    let out = dir.path().join("out.csv");
    let (code, stderr) = interrupt(&input, &out, &["--resume"], "INT", Duration::from_millis(1500));
    assert_eq!(code, 130, "{stderr}");
    assert!(stderr.contains("run the same command again"), "{stderr}");
    assert!(partial_files(dir.path()).is_empty(), "temporary files removed: {:?}", file_names(dir.path()));

    // A valid CSV whose rows all belong to completed documents, which form a
    // prefix of the input; every completed document with a triple has its rows.
    let rows = csv_rows(&out);
    let done = done_list(&out);
    assert!(!done.is_empty() && done.len() < n, "{} of {n} documents completed", done.len());
    let expected: BTreeSet<String> = (0..done.len()).map(|i| format!("doc{i:05}")).collect();
    assert_eq!(done, expected, "completed documents are a prefix of the input");
    let with_rows: BTreeSet<String> = rows.iter().map(|r| r[0].to_string()).collect();
    let should_have_rows: BTreeSet<String> =
        (0..done.len()).filter(|i| i.is_multiple_of(3)).map(|i| format!("doc{i:05}")).collect();
    assert_eq!(with_rows, should_have_rows);

    // Rerun: finishes the rest; no document is written twice.
    let run = extract(&input, &out, &["--resume"]);
    run.expect_code(0);
    let rows = csv_rows(&out);
    let mut per_doc = std::collections::BTreeMap::<String, usize>::new();
    for row in &rows {
        *per_doc.entry(row[0].to_string()).or_default() += 1;
    }
    assert_eq!(per_doc.len(), n.div_ceil(3));
    let counts: BTreeSet<usize> = per_doc.values().copied().collect();
    assert_eq!(counts.len(), 1, "every triple-bearing document has the same rows, once: {counts:?}");
    assert_eq!(done_list(&out).len(), n);
}
