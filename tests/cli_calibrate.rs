//! End to end: `cyberie calibrate` fits the merger on articles with gold
//! events, also on articles that other models read (`--cross-fit`). The tiny
//! fixture model has no argument head, so the rules alone read these articles:
//! the tests check what is fitted on and what is refused, not accuracy.

mod common;

use std::path::Path;

use common::{arg, article, cyberie, tiny_model, write};

/// Two small calibration sets, `a` and `b`, with their gold events; `ab` holds both.
fn calibration_sets(dir: &Path) {
    let a = [
        article("a1", None, None, "North Korean hackers breached Sony Pictures in November 2014."),
        article("a2", None, None, "Russian hackers hit the Ukrainian power grid in December 2015."),
    ];
    let b = [
        article("b1", None, None, "Chinese hackers compromised Equifax in May 2017."),
        article("b2", None, None, "Iranian hackers attacked Saudi Aramco in August 2012."),
    ];
    let gold_a = r#"{"doc_id": "a1", "attackers": ["North Korea"], "victims": ["Sony Pictures"], "times": ["November 2014"]}
{"doc_id": "a2", "attackers": ["Russia"], "victims": ["Ukrainian power grid"], "times": ["December 2015"]}
"#;
    let gold_b = r#"{"doc_id": "b1", "attackers": ["China"], "victims": ["Equifax"], "times": ["May 2017"]}
{"doc_id": "b2", "attackers": ["Iran"], "victims": ["Saudi Aramco"], "times": ["August 2012"]}
"#;
    write(dir, "a.jsonl", a.join("\n") + "\n");
    write(dir, "b.jsonl", b.join("\n") + "\n");
    write(dir, "gold-a.jsonl", gold_a);
    write(dir, "gold-b.jsonl", gold_b);
    write(dir, "gold-ab.jsonl", format!("{gold_a}{gold_b}"));
}

/// Runs `calibrate` in `dir` and returns (pairs fitted on, documents) from its report.
fn fitted(dir: &Path, args: &[&str]) -> (usize, usize) {
    let out = dir.join("merger.json");
    let mut all = vec!["calibrate", "--model", &tiny_model()].into_iter().map(String::from).collect::<Vec<_>>();
    all.extend(args.iter().map(|a| a.to_string()));
    all.extend(["-q".to_string(), "-o".to_string(), arg(&out).to_string()]);
    let run = cyberie(&all.iter().map(String::as_str).collect::<Vec<_>>());
    run.expect_code(0);
    let merger: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(merger["model"]["weights"].is_object(), "no fitted model in {merger}");
    std::fs::remove_file(&out).unwrap();
    let line = run.stderr.lines().find(|l| l.contains("merger fitted on")).expect("the fit is reported");
    let number_before = |word: &str| -> usize {
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words.iter().position(|w| *w == word).unwrap_or_else(|| panic!("no {word:?} in {line}"));
        words[at - 1].parse().unwrap_or_else(|_| panic!("no number before {word:?} in {line}"))
    };
    (number_before("pairs"), number_before("documents;"))
}

#[test]
fn cross_fit_articles_join_the_fit() {
    let dir = tempfile::tempdir().unwrap();
    calibration_sets(dir.path());
    let p = |name: &str| dir.path().join(name).display().to_string();
    let (pairs_a, docs_a) = fitted(dir.path(), &[&p("a.jsonl"), "--gold", &p("gold-a.jsonl")]);
    let (pairs_b, docs_b) = fitted(dir.path(), &[&p("b.jsonl"), "--gold", &p("gold-b.jsonl")]);
    assert_eq!((docs_a, docs_b), (2, 2));
    assert!(pairs_a + pairs_b > 0, "the rules read no pair at all");
    let cross_fit = format!("{}={}", tiny_model(), p("b.jsonl"));
    let both = fitted(dir.path(), &[&p("a.jsonl"), "--gold", &p("gold-ab.jsonl"), "--cross-fit", &cross_fit]);
    assert_eq!(both, (pairs_a + pairs_b, 4));
}

#[test]
fn cross_fit_refuses_a_bad_value_a_missing_model_and_an_article_read_twice() {
    let dir = tempfile::tempdir().unwrap();
    calibration_sets(dir.path());
    let p = |name: &str| dir.path().join(name).display().to_string();
    let out = p("merger.json");
    let missing = dir.path().join("no-model").display().to_string();
    let cases = [
        (tiny_model(), "MODEL_DIR=ARTICLES"),
        (format!("{missing}={}", p("b.jsonl")), missing.as_str()),
        (format!("{}={}", tiny_model(), p("nothing.jsonl")), "nothing.jsonl"),
        (format!("{}={}", tiny_model(), p("a.jsonl")), "\"a1\" is read twice"),
    ];
    for (value, said) in &cases {
        let model = tiny_model();
        let args = ["calibrate", "--model", &model, &p("a.jsonl"), "--gold", &p("gold-ab.jsonl")];
        let run = cyberie(&[&args[..], &["--cross-fit", value, "-q", "-o", &out]].concat());
        run.expect_code(2);
        assert!(run.stderr.contains(said), "--cross-fit {value}: {said:?} not in {}", run.stderr);
        assert!(!Path::new(&out).exists(), "--cross-fit {value}: a merger was written");
    }
}

#[test]
fn cross_validate_scores_each_input_held_out_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    calibration_sets(dir.path());
    let p = |name: &str| dir.path().join(name).display().to_string();
    let model = tiny_model();
    let merger = Path::new(&model).join("merger.json");
    let before = std::fs::read(&merger).ok();
    let cross_fit = format!("{model}={}", p("b.jsonl"));
    let args = ["calibrate", "--model", &model, &p("a.jsonl"), "--gold", &p("gold-ab.jsonl"), "-q"];
    let run = cyberie(&[&args[..], &["--cross-fit", &cross_fit, "--cross-validate"]].concat());
    run.expect_code(0);
    let rows: Vec<Vec<&str>> = run.stdout.lines().skip(2).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 3, "a row per input and the pooled row in {}", run.stdout);
    assert_eq!((rows[0][0], rows[0][6]), ("2", p("a.jsonl").as_str()), "{}", run.stdout);
    assert_eq!((rows[1][0], rows[1][6]), ("2", cross_fit.as_str()), "{}", run.stdout);
    assert_eq!((rows[2][0], rows[2][4]), ("4", "pooled"), "{}", run.stdout);
    for row in &rows {
        let scores = if row[4] == "pooled" { &row[1..4] } else { &row[3..6] };
        for score in scores {
            let f1: f64 = score.parse().unwrap_or_else(|_| panic!("{score:?} is not a score in {}", run.stdout));
            assert!((0.0..=1.0).contains(&f1), "{f1} in {}", run.stdout);
        }
    }
    assert_eq!(std::fs::read(&merger).ok(), before, "--cross-validate changed {}", merger.display());

    // Leaving one input out needs a second one.
    let alone = cyberie(&[&args[..], &["--cross-validate"]].concat());
    alone.expect_code(2);
    assert!(alone.stderr.contains("--cross-fit"), "{}", alone.stderr);
}
