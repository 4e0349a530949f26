//! End to end: `cyberie evaluate`, `cyberie evaluate-ner` and `cyberie
//! casie-import` run as a user runs them, on gold files, predictions and CASIE
//! files the tests write, with scores worked out by hand.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{arg, article, cyberie, cyberie_with_stdin, write};

/// Four articles. a1 was published on Wednesday 2024-03-13, so its "last week"
/// is ISO week 2024-W10 (4 to 10 March).
fn articles(dir: &Path) -> PathBuf {
    let lines = [
        article("a1", None, Some("2024-03-13"), "The Lazarus Group hacked Sony Pictures last week."),
        article("a2", None, Some("2023-06-01"), "Cl0p breached Progress Software on 31 May 2023."),
        article("a3", None, Some("2023-01-01"), "A quiet article about a patch release."),
        article("a4", None, Some("2015-06-01"), "APT28 attacked the Bundestag in 2015."),
    ];
    write(dir, "articles.jsonl", lines.join("\n") + "\n")
}

/// Four gold events in three documents; a3 has none. Named (computed): E1, E3, E4.
const GOLD: &str = r#"{"doc_id": "a1", "attackers": ["Lazarus Group", "North Korea"], "victims": ["Sony Pictures"], "times": ["last week"], "note": "E1"}
{"doc_id": "a1", "attackers": ["hackers"], "victims": ["the hospital"], "times": [], "note": "E2"}
{"doc_id": "a2", "attackers": ["Cl0p"], "victims": ["Progress Software", "MOVEit users"], "times": ["31 May 2023", "2023-05-31"], "note": "E3"}
{"doc_id": "a4", "attackers": ["APT28"], "victims": ["the Bundestag"], "times": ["2015"], "note": "E4"}
"#;

/// Six predictions. P2 duplicates P1 (same attacker and victim once normalised:
/// "the Lazarus Group's" → "lazarus group", "Sony Pictures'" → "sony pictures"),
/// comes first and has the lower confidence: P1 is kept.
const PREDS: &str =
    "doc_id,attacker,attacker_type,victim,victim_type,date,date_iso,confidence,evidence,attacker_mention,victim_mention
a1,the Lazarus Group's,threat_actor,Sony Pictures',organization,,,0.4,P2,,
a1,Lazarus Group,threat_actor,Sony Pictures,organization,March 4,2024-03-04,0.9,P1,,
a1,hackers,unnamed,the hospital,unnamed,,,0.5,P3,,
a2,Cl0p,threat_actor,Progress Software,organization,May 31,2023-05-31,0.8,P4,,
a2,Russia,country,Progress Software,organization,,,0.3,P5,,
a3,APT28,threat_actor,Bundestag,organization,,,0.6,P6,,
";

// Worked by hand. 6 predictions read, 1 duplicate removed, 5 scored:
//   P1 Lazarus Group → Sony Pictures, 2024-03-04   pair E1 ✓; date: its text "March 4" shares no
//                                                  words with "last week"; by value only once
//                                                  "last week" is resolved (--articles) to
//                                                  2024-W10, which 2024-03-04 agrees with
//   P3 hackers → the hospital                      pair E2 ✓; E2 has no time and P3 no date: a triple ✓
//   P4 Cl0p → Progress Software, 2023-05-31        pair E3 ✓; date by normalised value
//                                                  (2023-05-31 is one of E3's times) ✓
//   P5 Russia → Progress Software                  ✗ wrong attacker
//   P6 APT28 → Bundestag in a3                     ✗ a3 has no gold events
//   E4 (a4) has no prediction: a miss that counts in recall.
// All events:
//   pair:   P = 3/5, R = 3/4, F1 = 2·(3/5)(3/4) / (3/5 + 3/4) = (9/10) / (27/20) = 2/3
//   triple without --articles: P = 2/5, R = 2/4, F1 = 2·(1/5) / (9/10) = 4/9
//   triple with --articles:    P = 3/5, R = 3/4, F1 = 2/3 (as the pairs)
// Named view: gold E1, E3, E4 (E2's "hackers" and "the hospital" are not names);
// predictions with neither type `unnamed`: P1, P4, P5, P6.
//   pair:   P = 2/4, R = 2/3, F1 = 2·(1/3) / (7/6) = 4/7
//   triple without --articles: P = 1/4, R = 1/3, F1 = 2·(1/12) / (7/12) = 2/7
//   triple with --articles:    P = 2/4, R = 2/3, F1 = 4/7
// Slot recall (all): attacker 3/4, victim 3/4; time (events with a time: E1, E3,
// E4) 1/3 without --articles, 2/3 with.

fn close(actual: &Value, expected: f64) {
    let actual = actual.as_f64().unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

/// Checks P, R, F1 and the four counts of one `Prf` object.
fn check(prf: &Value, counts: [u64; 4], f1: f64) {
    let got = ["correct_predictions", "predictions", "found_gold", "gold_events"].map(|k| prf[k].as_u64().unwrap());
    assert_eq!(got, counts, "{prf}");
    close(&prf["precision"], counts[0] as f64 / counts[1] as f64);
    close(&prf["recall"], counts[2] as f64 / counts[3] as f64);
    close(&prf["f1"], f1);
}

fn evaluate_json(args: &[&str], stdin: Option<&str>) -> Value {
    let mut all = vec!["evaluate", "--json"];
    all.extend(args);
    let run = match stdin {
        Some(text) => cyberie_with_stdin(&all, text.as_bytes()),
        None => cyberie(&all),
    };
    run.expect_code(0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not one JSON object ({e}):\n{}", run.stdout))
}

#[test]
fn evaluate_scores_match_the_numbers_worked_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let gold = write(dir.path(), "gold.jsonl", GOLD);
    let preds = write(dir.path(), "preds.csv", PREDS);
    let articles = articles(dir.path());

    let s = evaluate_json(&["--gold", arg(&gold), "--pred", arg(&preds), "--bootstrap", "0"], None);
    assert_eq!((s["documents"].as_u64(), s["predictions_read"].as_u64()), (Some(4), Some(6)));
    assert_eq!(s["duplicates_removed"], 1);
    check(&s["all"]["pair"], [3, 5, 3, 4], 2.0 / 3.0);
    check(&s["all"]["triple"], [2, 5, 2, 4], 4.0 / 9.0);
    check(&s["named"]["pair"], [2, 4, 2, 3], 4.0 / 7.0);
    check(&s["named"]["triple"], [1, 4, 1, 3], 2.0 / 7.0);
    assert_eq!(s["all"]["slots"]["time"]["found"], 1);
    assert!(s["all"]["pair"]["f1_ci"].is_null(), "--bootstrap 0 turns the intervals off");

    // With the articles, "last week" also accepts 2024-W10: P1 becomes a right triple.
    let s = evaluate_json(
        &["--gold", arg(&gold), "--pred", arg(&preds), "--articles", arg(&articles), "--errors", "5"],
        None,
    );
    check(&s["all"]["pair"], [3, 5, 3, 4], 2.0 / 3.0);
    check(&s["all"]["triple"], [3, 5, 3, 4], 2.0 / 3.0);
    check(&s["named"]["pair"], [2, 4, 2, 3], 4.0 / 7.0);
    check(&s["named"]["triple"], [2, 4, 2, 3], 4.0 / 7.0);
    let slots = &s["all"]["slots"];
    let ratio = |slot: &str| [slots[slot]["found"].as_u64().unwrap(), slots[slot]["total"].as_u64().unwrap()];
    assert_eq!([ratio("attacker"), ratio("victim"), ratio("time")], [[3, 4], [3, 4], [2, 3]]);
    // The bootstrap interval (on by default) brackets the F1.
    let (f1, ci) = (s["all"]["pair"]["f1"].as_f64().unwrap(), &s["all"]["pair"]["f1_ci"]);
    assert!(ci["low"].as_f64().unwrap() <= f1 && f1 <= ci["high"].as_f64().unwrap(), "{ci}");
    // --errors 5: the false positives (most confident first) and the miss.
    let errors = &s["errors"];
    let fp: Vec<&str> = errors["false_positives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["prediction"]["evidence"].as_str().unwrap())
        .collect();
    assert_eq!(fp, ["P6", "P5"]);
    assert_eq!(errors["misses"][0]["event"]["note"], "E4");

    // --named-only: per-document rows for named events and predictions only.
    let s = evaluate_json(&["--gold", arg(&gold), "--pred", arg(&preds), "--named-only", "--bootstrap", "0"], None);
    let a1 = s["per_doc"].as_array().unwrap().iter().find(|d| d["doc_id"] == "a1").unwrap();
    assert_eq!((a1["gold"].as_u64(), a1["predicted"].as_u64()), (Some(1), Some(1)));
    check(&s["named"]["pair"], [2, 4, 2, 3], 4.0 / 7.0);

    // `--pred -`: the same CSV on standard input gives the same scores.
    let s = evaluate_json(&["--gold", arg(&gold), "--pred", "-", "--bootstrap", "0"], Some(PREDS));
    check(&s["all"]["pair"], [3, 5, 3, 4], 2.0 / 3.0);

    // --strict: every pair here is equal after normalisation, so only the
    // options change ("Sony Pictures'" equals "Sony Pictures").
    let s = evaluate_json(&["--gold", arg(&gold), "--pred", arg(&preds), "--strict", "--bootstrap", "0"], None);
    assert_eq!(s["options"]["mode"], "strict");
    check(&s["all"]["pair"], [3, 5, 3, 4], 2.0 / 3.0);

    // The table by default.
    let run = cyberie(&["evaluate", "--gold", arg(&gold), "--pred", arg(&preds), "--bootstrap", "0"]);
    run.expect_code(0);
    assert!(
        run.stdout.starts_with(
            "4 documents, 4 gold events (3 named), 6 predictions read, 1 duplicate removed; relaxed matching.\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\n  pair              0.600  0.750  0.667  -                         3/5         3/4\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn gold_and_input_errors_exit_2_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let preds = write(dir.path(), "preds.csv", PREDS);
    let articles = articles(dir.path());
    let mut lines: Vec<&str> = GOLD.lines().collect();
    let typo = lines[1].replace("\"victims\"", "\"victim\"");
    lines[1] = &typo;
    let bad_gold = write(dir.path(), "typo.jsonl", lines.join("\n"));
    let run = cyberie(&["evaluate", "--gold", arg(&bad_gold), "--pred", arg(&preds)]);
    run.expect_code(2);
    for needle in
        ["typo.jsonl:2:", "field \"victim\": unknown field (did you mean \"victims\"?)", "missing field \"victims\""]
    {
        assert!(run.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", run.stderr);
    }
    assert!(run.stdout.is_empty(), "no scores from a rejected gold file:\n{}", run.stdout);

    // A gold doc id that is not among the articles.
    let unknown = write(dir.path(), "unknown.jsonl", GOLD.replace("\"a4\"", "\"a9\""));
    let run = cyberie(&["evaluate", "--gold", arg(&unknown), "--pred", arg(&preds), "--articles", arg(&articles)]);
    run.expect_code(2);
    assert!(run.stderr.contains("unknown.jsonl:4: field \"doc_id\": unknown document \"a9\""), "{}", run.stderr);

    // An article record that cannot be read.
    let broken = write(dir.path(), "broken.jsonl", article("a1", None, None, "Text.") + "\n{\"id\": \"a2\"\n");
    let gold = write(dir.path(), "gold.jsonl", GOLD);
    let run = cyberie(&["evaluate", "--gold", arg(&gold), "--pred", arg(&preds), "--articles", arg(&broken)]);
    run.expect_code(2);
    assert!(run.stderr.contains("broken.jsonl:2"), "{}", run.stderr);

    // A malformed prediction row, and a missing predictions file.
    let bad_preds = write(dir.path(), "bad.csv", PREDS.replace("0.9,P1", "high,P1"));
    let run = cyberie(&["evaluate", "--gold", arg(&gold), "--pred", arg(&bad_preds)]);
    run.expect_code(2);
    assert!(run.stderr.contains("bad.csv:3: bad prediction: column \"confidence\""), "{}", run.stderr);
    let run = cyberie(&["evaluate", "--gold", arg(&gold), "--pred", arg(&dir.path().join("none.csv"))]);
    run.expect_code(2);
    assert!(run.stderr.contains("none.csv"), "{}", run.stderr);
}

/// Two gold documents with five entities; code-point offsets:
/// "Satya Nadella" 0..13, "Microsoft" 17..26, "Berlin" 35..41; "APT28" 0..5, "Bundestag" 14..23.
const NER_GOLD: &str = r#"{"id": "n1", "text": "Satya Nadella of Microsoft visited Berlin.", "entities": [[0, 13, "PER"], [17, 26, "ORG"], [35, 41, "LOC"]]}
{"id": "n2", "text": "APT28 hit the Bundestag.", "entities": [[0, 5, "ORG"], [14, 23, "ORG"]]}
"#;

/// What `cyberie ner` prints, with a duplicate, a DATE line, a label error and
/// an unknown document.
const NER_PRED: &str = r#"{"doc_id":"n1","start":0,"end":13,"label":"PER","score":0.9,"text":"Satya Nadella"}
{"doc_id":"n1","start":17,"end":26,"label":"ORG","score":0.9,"text":"Microsoft"}
{"doc_id":"n1","start":35,"end":41,"label":"MISC","score":0.6,"text":"Berlin"}
{"doc_id":"n1","start":35,"end":41,"label":"DATE","score":1.0,"text":"Berlin","value":"2023"}
{"doc_id":"n2","start":0,"end":5,"label":"ORG","score":0.8,"text":"APT28"}
{"doc_id":"n2","start":0,"end":5,"label":"ORG","score":0.8,"text":"APT28"}
{"doc_id":"n2","start":14,"end":23,"label":"LOC","score":0.7,"text":"Bundestag"}
{"doc_id":"n3","start":0,"end":4,"label":"ORG","score":0.7,"text":"Acme"}
"#;

// Worked by hand. Default labels = those in the gold (LOC, ORG, PER): the MISC and
// DATE lines are ignored, the n3 line too, the second APT28 line is a duplicate.
// Scored: PER n1 ✓, ORG n1 ✓, ORG n2 APT28 ✓, LOC n2 Bundestag ✗ (gold says ORG).
//   P = 3/4, R = 3/5, F1 = 2·(3/4)(3/5) / (27/20) = 2/3.
// With --labels PER,ORG,LOC,MISC the MISC line is scored too (a false positive):
//   P = 3/5, R = 3/5, F1 = 3/5; per label PER 1, ORG 2·1·(2/3)/(5/3) = 0.8, LOC 0,
//   MISC 0; macro F1 = 1.8 / 4 = 0.45. Right span, wrong label: Berlin, Bundestag.
#[test]
fn evaluate_ner_scores_exact_typed_spans_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let gold = write(dir.path(), "ner-gold.jsonl", NER_GOLD);
    let pred = write(dir.path(), "ner-pred.jsonl", NER_PRED);
    let run = cyberie(&["evaluate-ner", "--gold", arg(&gold), "--pred", arg(&pred), "--json"]);
    run.expect_code(0);
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    let overall = &r["overall"];
    assert_eq!([&overall["true_positives"], &overall["predicted"], &overall["gold"]], [3, 4, 5]);
    close(&overall["f1"], 2.0 / 3.0);
    assert_eq!((r["labels_ignored"]["DATE"].as_u64(), r["labels_ignored"]["MISC"].as_u64()), (Some(1), Some(1)));
    assert_eq!((r["unknown_documents_ignored"].as_u64(), r["duplicates_removed"].as_u64()), (Some(1), Some(1)));

    let run = cyberie(&[
        "evaluate-ner",
        "--gold",
        arg(&gold),
        "--pred",
        arg(&pred),
        "--labels",
        "PER,ORG,LOC,MISC",
        "--json",
    ]);
    run.expect_code(0);
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    close(&r["overall"]["precision"], 0.6);
    close(&r["overall"]["f1"], 0.6);
    close(&r["macro_f1"], 0.45);
    assert_eq!(r["right_span_wrong_label"], 2);

    let run = cyberie(&["evaluate-ner", "--gold", arg(&gold), "--pred", arg(&pred)]);
    run.expect_code(0);
    assert!(run.stdout.contains("exact typed spans"), "{}", run.stdout);

    let bad = write(dir.path(), "bad-gold.jsonl", NER_GOLD.replace("[35, 41, \"LOC\"]", "[35, 99, \"LOC\"]"));
    let run = cyberie(&["evaluate-ner", "--gold", arg(&bad), "--pred", arg(&pred)]);
    run.expect_code(2);
    assert!(run.stderr.contains("bad-gold.jsonl rejected: line 1:"), "{}", run.stderr);
}

fn casie_argument(role: &str, text: &str) -> Value {
    serde_json::json!({"role": {"type": role}, "type": "X", "text": text, "startOffset": 0, "endOffset": 1})
}

/// A small CASIE directory: one article with an attack hopper, one without
/// events, and a file that is not JSON.
fn casie_dir(dir: &Path) -> PathBuf {
    let root = dir.join("casie");
    let attack = serde_json::json!({
        "info": {"title": "Acme Corp breached", "date": "2019_03_04", "link": "http://example.com"},
        "content": "Hackers from the Shadow Crew breached Acme Corp last week.</text>",
        "cyberevent": {"hopper": [
            {"index": 0, "events": [
                {"type": "Attack", "subtype": "Databreach", "argument": [
                    casie_argument("Attacker", "Hackers from the Shadow Crew"),
                    casie_argument("Victim", "Acme Corp"),
                    casie_argument("Time", "last week")]}
            ]},
            {"index": 1, "events": [
                {"type": "Vulnerability", "subtype": "PatchVulnerability", "argument": [
                    casie_argument("Releaser", "Acme Corp")]}
            ]}
        ]}
    });
    write(&root, "annotation/100.json", attack.to_string());
    write(
        &root,
        "annotation/101.json",
        r#"{"info": {"title": "Quiet", "date": "2019_03_05"}, "content": "Nothing happened."}"#,
    );
    write(&root, "annotation/102.json", "{ not json");
    root
}

#[test]
fn casie_import_writes_gold_and_articles_that_evaluate_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = casie_dir(dir.path());
    let gold = dir.path().join("gold.jsonl");
    let articles = dir.path().join("articles.jsonl");
    let run = cyberie(&["casie-import", arg(&root), "-o", arg(&gold), "--articles", arg(&articles)]);
    run.expect_code(3); // one file skipped
    assert!(run.stderr.contains("102.json"), "{}", run.stderr);
    assert!(
        run.stderr.contains("3 files, 2 articles, 1 skipped; 1 gold events (1 named, 1 with a time)"),
        "{}",
        run.stderr
    );

    let gold_lines = common::json_lines(&std::fs::read_to_string(&gold).unwrap());
    assert_eq!(gold_lines.len(), 1);
    assert_eq!(gold_lines[0]["doc_id"], "100");
    assert_eq!(gold_lines[0]["attackers"], serde_json::json!(["Hackers from the Shadow Crew"]));
    assert_eq!(gold_lines[0]["victims"], serde_json::json!(["Acme Corp"]));
    assert_eq!(gold_lines[0]["times"], serde_json::json!(["last week"]));
    let article_lines = common::json_lines(&std::fs::read_to_string(&articles).unwrap());
    let ids: Vec<&str> = article_lines.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["100", "101"]);
    assert_eq!(article_lines[0]["text"], "Hackers from the Shadow Crew breached Acme Corp last week.");
    assert_eq!(
        (article_lines[0]["date"].as_str(), article_lines[0]["title"].as_str()),
        (Some("2019-03-04"), Some("Acme Corp breached"))
    );

    // The two files feed `evaluate`: "last week" before Monday 2019-03-04 is 2019-W09.
    let preds = write(
        dir.path(),
        "preds.csv",
        "doc_id,attacker,attacker_type,victim,victim_type,date,date_iso,confidence,evidence\n\
         100,Shadow Crew,organization,Acme Corp,organization,late February,2019-W09,0.9,e\n",
    );
    let s = evaluate_json(&["--gold", arg(&gold), "--pred", arg(&preds), "--articles", arg(&articles)], None);
    check(&s["all"]["triple"], [1, 1, 1, 1], 1.0);

    let run = cyberie(&["casie-import", arg(&dir.path().join("missing")), "-o", arg(&gold)]);
    run.expect_code(2);
    assert!(run.stderr.contains("missing"), "{}", run.stderr);
}

#[test]
fn casie_import_of_the_dev_split() {
    let casie = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/casie-dev");
    if !casie.is_dir() {
        eprintln!("skipped: {} is absent (the CASIE dev split lives in ../shared)", casie.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("casie-gold.jsonl");
    let articles = dir.path().join("casie-articles.jsonl");
    let run = cyberie(&["casie-import", arg(&casie), "-o", arg(&gold), "--articles", arg(&articles)]);
    run.expect_code(0);
    eprintln!("{}", run.stderr.trim());
    let count = |path: &Path| std::fs::read_to_string(path).unwrap().lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(count(&articles), 703);
    assert_eq!(count(&gold), 519);
    assert!(run.stderr.contains("703 files, 703 articles, 0 skipped; 519 gold events"), "{}", run.stderr);
}
