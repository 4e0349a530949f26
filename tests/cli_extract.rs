//! End to end: `cyberie extract` and `cyberie ner` run as a user runs them, on
//! files the tests write, with the committed tiny fixture model. Its weights are
//! random, so these tests check the plumbing (inputs, outputs, offsets, exit
//! codes, messages), not the accuracy of what is found.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{arg, article, cyberie, cyberie_with_stdin, file_names, json_lines, tiny_model, write, write_gz};

const HEADER: &str =
    "doc_id,attacker,attacker_type,victim,victim_type,date,date_iso,confidence,evidence,attacker_mention,victim_mention";

/// A corpus with every input form: a `.txt` file, a directory of `.txt` files
/// (two in a sub-folder, one named like a file above it, plus a file that is not
/// `.txt`), a JSON Lines file with
/// titles and dates, and a gzipped JSON Lines file; plus the JSON Lines given on
/// standard input. Every article holds one date expression, so that `ner`
/// reports a DATE line for each. Returns the arguments in order and the stdin.
fn corpus(dir: &Path) -> (Vec<String>, String) {
    let single =
        write(dir, "single.txt", "The Lazarus Group hacked Sony Pictures on 24 November 2014, the FBI said.\n");
    let folder = dir.join("folder");
    write(&folder, "b.txt", "Russian hackers breached the Bundestag network in May 2015.");
    write(&folder, "sub/b.txt", "Hackers hit a school district in Ohio on 3 March 2020.");
    write(&folder, "sub/c.txt", "Hackers attacked Colonial Pipeline on 7 May 2021 with ransomware.");
    write(&folder, "notes.md", "Not an article: ignored, 1 January 2000.");
    let jsonl = write(
        dir,
        "news.jsonl",
        [
            article(
                "j1",
                Some("Bank hit"),
                Some("2023-05-04"),
                "Hackers struck the Acme Bank yesterday, stealing records.",
            ),
            article("j2", Some("Cl0p"), None, "Cl0p exploited MOVEit Transfer in March 2021."),
        ]
        .join("\n")
            + "\n",
    );
    let gz = write_gz(dir, "more.jsonl.gz", &(article("g1", None, None, "APT28 targeted the DNC in 2016.") + "\n"));
    // The second sentence gives a triple even with the tiny model (the attacker is in the lexicon).
    let stdin = article(
        "s1",
        None,
        Some("2022-06-10"),
        "ShinyHunters breached Ticketmaster on 1 June 2022. ScarCruft, a North Korean espionage group also \
         tracked as APT37, targeted South Korean journalists with booby-trapped documents, researchers \
         reported on Wednesday.",
    ) + "\n";
    let args = [arg(&single), arg(&folder), arg(&jsonl), "-", arg(&gz)].map(str::to_string).to_vec();
    (args, stdin)
}

fn with_model<'a>(command: &[&'a str], model: &'a str, inputs: &'a [String]) -> Vec<&'a str> {
    let mut args: Vec<&str> = command.to_vec();
    args.extend(["--model", model, "--threads", "1"]);
    args.extend(inputs.iter().map(String::as_str));
    args
}

#[test]
fn ner_reads_every_input_form_in_order_with_publication_dates() {
    let dir = tempfile::tempdir().unwrap();
    let (inputs, stdin) = corpus(dir.path());
    let model = tiny_model();
    let run = cyberie_with_stdin(&with_model(&["ner"], &model, &inputs), stdin.as_bytes());
    run.expect_code(0);
    let lines = json_lines(&run.stdout);
    let mut order: Vec<String> = Vec::new();
    let mut dates: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in &lines {
        let doc = line["doc_id"].as_str().unwrap().to_string();
        if order.last() != Some(&doc) {
            order.push(doc.clone());
        }
        if line["label"] == "DATE" {
            dates.entry(doc).or_default().push(line["value"].as_str().unwrap_or("").to_string());
        }
    }
    // Output order is input order: the file, the directory (sorted, recursive), the
    // JSON Lines file, stdin, the gzipped file; ids are the file stem of a file, the
    // path below a directory (so "b" and "sub/b" keep apart), or "id" fields.
    assert_eq!(order, ["single", "b", "sub/b", "sub/c", "j1", "j2", "s1", "g1"]);
    let mut expected: BTreeMap<String, Vec<String>> = [
        ("single", "2014-11-24"),
        ("b", "2015-05"),
        ("sub/b", "2020-03-03"),
        ("sub/c", "2021-05-07"),
        // "yesterday", resolved against the article's "date": the JSON Lines date is read.
        ("j1", "2023-05-03"),
        ("j2", "2021-03"),
        ("s1", "2022-06-01"),
        ("g1", "2016"),
    ]
    .into_iter()
    .map(|(doc, value)| (doc.to_string(), vec![value.to_string()]))
    .collect();
    // "on Wednesday" before Friday 2022-06-10.
    expected.get_mut("s1").unwrap().push("2022-06-08".to_string());
    assert_eq!(dates, expected);
}

#[test]
fn extract_writes_the_csv_header_and_the_same_records_as_jsonl_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let (inputs, stdin) = corpus(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let csv_path = write(&out, "triples.csv", "an older file that must be replaced\n");
    let jsonl_path = out.join("triples.jsonl");
    let model = tiny_model();

    let mut args = with_model(&["extract", "-o", arg(&csv_path)], &model, &inputs);
    cyberie_with_stdin(&args, stdin.as_bytes()).expect_code(0);
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(csv.lines().next(), Some(HEADER), "{csv}");

    args.splice(1..3, ["--format", "jsonl", "-o", arg(&jsonl_path)]);
    cyberie_with_stdin(&args, stdin.as_bytes()).expect_code(0);
    let jsonl = std::fs::read_to_string(&jsonl_path).unwrap();
    let mut columns: Vec<&str> = HEADER.split(',').collect();
    columns.sort_unstable();
    for (line, raw) in json_lines(&jsonl).iter().zip(jsonl.lines()) {
        let keys: Vec<&str> = line.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, columns, "JSON Lines records carry the CSV columns");
        assert!(raw.starts_with(r#"{"doc_id":"#), "{raw}");
    }
    // Both formats hold the same records (read back with the evaluator's reader).
    let from_csv = cyberie::eval::load_predictions(&csv_path).unwrap();
    let from_jsonl = cyberie::eval::load_predictions(&jsonl_path).unwrap();
    assert_eq!(from_csv, from_jsonl);
    eprintln!("{} triples from the tiny model", from_csv.len());
    // Written under a temporary name and renamed: nothing else is left behind.
    assert_eq!(file_names(&out), ["triples.csv", "triples.jsonl"]);

    // Without -o the CSV goes to standard output.
    let run = cyberie_with_stdin(&with_model(&["extract", "-q"], &model, &inputs), stdin.as_bytes());
    run.expect_code(0);
    assert_eq!(run.stdout, csv);
}

/// A directory with good documents and bad ones: a file that is not UTF-8, a
/// malformed JSON Lines line and an article with empty text.
fn corpus_with_bad_documents(dir: &Path) -> Vec<String> {
    let good = write(dir, "good.txt", "Hackers breached Acme Corp on 3 March 2020.");
    let latin1 = write(dir, "latin1.txt", b"Caf\xe9 hacked on 3 March 2020.".as_slice());
    let jsonl = write(
        dir,
        "articles.jsonl",
        [
            article("ok", None, None, "APT28 targeted the DNC in 2016."),
            r#"{"id": "broken", "text": "unterminated"#.to_string(),
            article("blank", None, None, "   "),
        ]
        .join("\n")
            + "\n",
    );
    [good, latin1, jsonl].iter().map(|p| arg(p).to_string()).collect()
}

#[test]
fn bad_documents_are_skipped_named_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = corpus_with_bad_documents(dir.path());
    let out = dir.path().join("out.csv");
    let model = tiny_model();
    let run = cyberie(&with_model(&["extract", "-o", arg(&out)], &model, &inputs));
    run.expect_code(3);
    for needle in
        ["latin1.txt", "invalid UTF-8", "articles.jsonl:2", "malformed JSON", "articles.jsonl:3", "empty text"]
    {
        assert!(run.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", run.stderr);
    }
    // The good documents were still processed and the output written.
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().next(), Some(HEADER));

    let run = cyberie(&with_model(&["ner"], &model, &inputs));
    run.expect_code(3);
    assert!(run.stderr.contains("articles.jsonl:2"), "{}", run.stderr);
    let docs: Vec<String> = json_lines(&run.stdout).iter().map(|l| l["doc_id"].as_str().unwrap().to_string()).collect();
    assert!(docs.contains(&"good".to_string()) && docs.contains(&"ok".to_string()), "{docs:?}");
}

#[test]
fn strict_stops_at_a_bad_document_with_exit_1_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = corpus_with_bad_documents(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("strict.csv");
    let model = tiny_model();
    let run = cyberie(&with_model(&["extract", "--strict", "-o", arg(&target)], &model, &inputs));
    run.expect_code(1);
    assert!(run.stderr.contains("latin1.txt") && run.stderr.contains("--strict"), "{}", run.stderr);
    assert!(file_names(&out).is_empty(), "no output and no partial file: {:?}", file_names(&out));
}

#[test]
fn missing_inputs_and_unusable_models_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let text = write(dir.path(), "a.txt", "Hackers breached Acme Corp.");
    let model = tiny_model();

    for command in ["extract", "ner"] {
        let missing = dir.path().join("no-such-file.txt");
        let run = cyberie(&[command, "--model", &model, arg(&missing)]);
        run.expect_code(2);
        assert!(run.stderr.contains("no-such-file.txt"), "{}", run.stderr);
    }

    let absent = dir.path().join("no-model");
    let run = cyberie(&["extract", "--model", arg(&absent), arg(&text)]);
    run.expect_code(2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);

    let config_only = dir.path().join("config-only");
    std::fs::create_dir(&config_only).unwrap();
    std::fs::copy(Path::new(&model).join("config.json"), config_only.join("config.json")).unwrap();
    let run = cyberie(&["extract", "--model", arg(&config_only), arg(&text)]);
    run.expect_code(2);
    assert!(run.stderr.contains("config-only") && run.stderr.contains("has no"), "{}", run.stderr);

    let pickle = dir.path().join("pickle");
    std::fs::create_dir(&pickle).unwrap();
    for file in ["config.json", "tokenizer.json"] {
        std::fs::copy(Path::new(&model).join(file), pickle.join(file)).unwrap();
    }
    write(&pickle, "pytorch_model.bin", b"not loaded".as_slice());
    let run = cyberie(&["ner", "--model", arg(&pickle), arg(&text)]);
    run.expect_code(2);
    assert!(run.stderr.contains("pytorch_model.bin") && run.stderr.contains("convert"), "{}", run.stderr);

    let run = cyberie(&["extract", "--model", &model, "--role-weight", "actor=3", arg(&text)]);
    run.expect_code(2);
    assert!(run.stderr.contains("\"actor\" is not a role"), "{}", run.stderr);

    let bad_weights = dir.path().join("bad-weights");
    std::fs::create_dir(&bad_weights).unwrap();
    for file in ["tokenizer.json", "model.safetensors"] {
        std::fs::copy(Path::new(&model).join(file), bad_weights.join(file)).unwrap();
    }
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(&model).join("config.json")).unwrap()).unwrap();
    config["cyberie_role_weights"] = serde_json::json!({"attacker": -1.0});
    write(&bad_weights, "config.json", config.to_string().as_bytes());
    let run = cyberie(&["extract", "--model", arg(&bad_weights), arg(&text)]);
    run.expect_code(2);
    assert!(run.stderr.contains("config.json") && run.stderr.contains("cyberie_role_weights"), "{}", run.stderr);
}

#[test]
fn every_subcommand_explains_its_inputs_outputs_and_defaults() {
    let top = cyberie(&["--help"]);
    top.expect_code(0);
    for command in ["extract", "ner", "evaluate", "evaluate-ner", "casie-import"] {
        assert!(top.stdout.contains(command), "top-level help lacks {command}:\n{}", top.stdout);
    }
    let expectations: [(&str, &[&str]); 5] = [
        (
            "extract",
            &["<INPUT>", ".txt", "JSON Lines", "doc_id", "[default: standard output]", "[default: csv]", "--strict"],
        ),
        ("ner", &["<INPUT>", "code points", "DATE", "[default: standard output]", "[default: the bundled model"]),
        (
            "evaluate",
            &["--gold", "--pred", "--articles", "contiguous", "[default: relaxed]", "[default: 1000]", "[default: 0]"],
        ),
        ("evaluate-ner", &["--gold", "--pred", "code-point", "[default: the labels that occur in the gold]"]),
        ("casie-import", &["<DIR>", "--output", "Attacker, Victim and Time", "[default: not written]"]),
    ];
    for (command, needles) in expectations {
        let run = cyberie(&[command, "--help"]);
        run.expect_code(0);
        // Compared with the line wrapping undone.
        let help = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in needles {
            assert!(help.contains(needle), "`{command} --help` lacks {needle:?}:\n{}", run.stdout);
        }
    }
}

/// The characters `start..end` (code points) of `text`.
fn chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// Runs `ner` with the tiny model on one text file; returns the JSON lines.
fn ner_on(dir: &Path, name: &str, text: &str) -> Vec<serde_json::Value> {
    let path = write(dir, name, text);
    let run = cyberie(&["ner", "--model", &tiny_model(), "--threads", "1", arg(&path)]);
    run.expect_code(0);
    json_lines(&run.stdout)
}

/// Checks that every line's `text` is the code-point span `[start, end)` of
/// `text` and carries the documented fields.
fn check_offsets(lines: &[serde_json::Value], text: &str) {
    for line in lines {
        for field in ["doc_id", "start", "end", "label", "score", "text"] {
            assert!(line.get(field).is_some(), "{line} lacks {field}");
        }
        let (start, end) = (line["start"].as_u64().unwrap() as usize, line["end"].as_u64().unwrap() as usize);
        assert!(start < end && end <= text.chars().count(), "{line}");
        assert_eq!(chars(text, start, end), line["text"].as_str().unwrap(), "{line}");
    }
}

#[test]
fn ner_offsets_count_code_points() {
    let dir = tempfile::tempdir().unwrap();
    let text = "“Café Müller” in Zürich was breached by the Lazarus Group, said José Núñez. \
                Élodie’s firm — Société Générale — confirmed the attack on 9 November 2018.";
    let lines = ner_on(dir.path(), "accents.txt", text);
    check_offsets(&lines, text);
    let date = lines.iter().find(|l| l["label"] == "DATE").expect("a DATE line");
    assert_eq!((date["text"].as_str(), date["value"].as_str()), (Some("9 November 2018"), Some("2018-11-09")));
    // A byte offset would be larger: the text before the date holds multi-byte characters.
    let start = text.find("9 November").unwrap();
    assert_eq!(date["start"].as_u64().unwrap() as usize, text[..start].chars().count());
    assert!(lines.iter().any(|l| l["label"] != "DATE"), "the model found no entity at all");
}

/// `n` words drawn from a small vocabulary by a fixed linear congruential generator.
fn words(n: usize, seed: u64) -> Vec<&'static str> {
    const VOCABULARY: &[&str] = &[
        "the",
        "hackers",
        "from",
        "north",
        "korea",
        "attacked",
        "sony",
        "pictures",
        "and",
        "stole",
        "data",
        "servers",
        "in",
        "tokyo",
        "microsoft",
        "said",
        "group",
        "bank",
        "ransomware",
        "network",
        "officials",
        "company",
        "lazarus",
        "russia",
        "breach",
        "systems",
        "government",
        "security",
        "researchers",
        "email",
    ];
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            VOCABULARY[(state >> 33) as usize % VOCABULARY.len()]
        })
        .collect()
}

/// Model entities (not DATE) of `lines`, as code-point starts.
fn entity_starts(lines: &[serde_json::Value]) -> Vec<usize> {
    lines.iter().filter(|l| l["label"] != "DATE").map(|l| l["start"].as_u64().unwrap() as usize).collect()
}

#[test]
fn an_article_longer_than_the_model_window_is_covered_to_its_end() {
    let dir = tempfile::tempdir().unwrap();
    // 3,000 words with no sentence punctuation at all: one "sentence" of many windows.
    let text = words(3000, 7).join(" ") + " on 9 November 2018";
    let lines = ner_on(dir.path(), "run-on.txt", &text);
    check_offsets(&lines, &text);
    let length = text.chars().count();
    let date = lines.iter().find(|l| l["label"] == "DATE").expect("the date at the very end");
    assert_eq!((date["value"].as_str(), date["end"].as_u64()), (Some("2018-11-09"), Some(length as u64)));
    // The random model tags entities densely; a window that was dropped would
    // leave a gap of hundreds of words. Measure the largest gap between entities,
    // and from the start and to the end of the text.
    let mut starts = entity_starts(&lines);
    starts.sort_unstable();
    let mut edges = vec![0];
    edges.extend(&starts);
    edges.push(length);
    let widest = edges.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(widest < 600, "a gap of {widest} characters without any entity ({} entities)", starts.len());
}

#[test]
fn an_article_of_forty_long_paragraphs_is_covered_sentence_by_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let mut sentences: Vec<Vec<String>> = Vec::new();
    for paragraph in 0..40 {
        let mut own = Vec::new();
        for sentence in 0..6 {
            let mut words = words(22, (paragraph * 6 + sentence) as u64 + 1).join(" ");
            words[..1].make_ascii_uppercase();
            own.push(format!("{words}."));
        }
        sentences.push(own);
    }
    sentences[39][5] = "The attack on the bank was first seen on 9 November 2018.".to_string();
    let text = sentences.iter().map(|p| p.join(" ")).collect::<Vec<_>>().join("\n\n");
    let lines = ner_on(dir.path(), "paragraphs.txt", &text);
    check_offsets(&lines, &text);
    let date = lines.iter().find(|l| l["label"] == "DATE").expect("the date in the last sentence");
    assert_eq!(date["value"], "2018-11-09");
    // Every sentence of every paragraph holds at least one entity.
    let starts = entity_starts(&lines);
    let mut offset = 0;
    for (p, paragraph) in sentences.iter().enumerate() {
        for (s, sentence) in paragraph.iter().enumerate() {
            let begin = text[offset..].find(sentence.as_str()).unwrap() + offset;
            let (from, to) = (text[..begin].chars().count(), text[..begin + sentence.len()].chars().count());
            assert!(
                starts.iter().any(|&x| from <= x && x < to),
                "paragraph {}, sentence {}: no entity in {from}..{to}",
                p + 1,
                s + 1
            );
            offset = begin + sentence.len();
        }
    }
}
