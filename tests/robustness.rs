//! Robustness, end to end: a messy corpus costs only its bad documents, each
//! named with its reason; unusable inputs and models stop the run before any
//! work with exit status 2 and a message that says what to do; a run killed
//! with SIGKILL never leaves a half-written output; CSV fields a spreadsheet
//! would run as formulas are neutralised; huge sentences stay linear.
//!
//! The committed tiny model has random weights, so the good articles below are
//! ones whose triples survive its noise ("Sandworm targeted Ukraine in 2016."
//! gives one); the runs use `--threads 1 --batch-size 1` so that each
//! sentence is computed alone and the same way in every run.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{arg, article, cyberie, file_names, tiny_model, write};

/// Good articles: (file name or JSON Lines id, text). Each gives a triple with the tiny model.
const GOOD: [(&str, &str); 4] = [
    ("a-good.txt", "Sandworm targeted Ukraine in 2016.\n"),
    ("good-jsonl-1", "Sandworm targeted journalists last week."),
    ("good-jsonl-2", "The report came out on Monday.\nSandworm targeted Japan in May 2021."),
    ("good-jsonl-3", "Sandworm targeted patients in November 2014."),
];

/// Text files that are odd but sound: each is processed, in both runs.
fn odd_but_sound() -> Vec<(&'static str, Vec<u8>)> {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("Sandworm targeted Japan in May 2021.\r\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    vec![
        ("f-utf16.txt", utf16),
        ("g-control.txt", "Sandworm\u{7} targeted\u{1b}[0m journalists last week.\u{c}\nAll\u{8} done.".into()),
        (
            "h-rtl.txt",
            "هاجم قراصنة روس شبكات أوكرانية في عام 2016.\nהאקרים תקפו את הבנק ביום שני.\nSandworm targeted Israel in 2016.\n\u{202e}txt.exe\u{202c}"
                .into(),
        ),
        ("i-cjk.txt", "朝鲜黑客攻击了韩国的银行。ハッカーが日本を攻撃した。북한 해커들이 공격했다.\nSandworm targeted Japan in May 2021.".into()),
        ("j-emoji.txt", "🔥🔥 Sandworm targeted patients in November 2014. 😱👾🏴‍☠️\n👩‍💻".into()),
        ("k-huge.txt", huge_article(3_000_000).into_bytes()),
        ("l-no-breaks.txt", no_sentence_breaks(1_000_000).into_bytes()),
    ]
}

/// An article of about `bytes` bytes: long paragraphs of long sentences, with
/// a triple in its first and last paragraph.
fn huge_article(bytes: usize) -> String {
    let words = [
        "analysts",
        "said",
        "the",
        "campaign",
        "used",
        "phishing",
        "emails",
        "and",
        "stolen",
        "credentials",
        "over",
        "months",
    ];
    let mut text = String::from("Sandworm targeted Ukraine in 2016.\n");
    let mut i = 0usize;
    while text.len() < bytes {
        text.push_str("Researchers");
        for _ in 0..300 {
            text.push(' ');
            text.push_str(words[i % words.len()]);
            i = i.wrapping_mul(31).wrapping_add(7) % 1009;
        }
        text.push_str(". ");
        if i.is_multiple_of(5) {
            text.push('\n');
        }
    }
    text.push_str("\nSandworm targeted patients in November 2014.\n");
    text
}

/// One line of about `bytes` bytes with no sentence-final punctuation.
fn no_sentence_breaks(bytes: usize) -> String {
    let mut text = String::new();
    while text.len() < bytes {
        text.push_str("Sandworm targeted Ukraine in 2016 and then analysts said the campaign went on for months, ");
    }
    text
}

/// A JSON Lines file of good articles with bad lines between them.
fn messy_jsonl() -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let good = |i: usize| article(GOOD[i].0, None, Some("2023-08-07"), GOOD[i].1).into_bytes();
    lines.push(good(1));
    lines.push(br#"{"id": "broken", "text": "Sandworm targeted Ukraine"#.to_vec());
    lines.push(article("bad-date", None, Some("07/08/2023"), "Sandworm targeted Ukraine in 2016.").into_bytes());
    lines.push(br#"{"id": "no-text"}"#.to_vec());
    lines.push(b"{\"id\": \"latin1-line\", \"text\": \"Sandworm targeted the caf\xe9 in 2016.\"}".to_vec());
    lines.push(good(2));
    lines.push(b"[1, 2, 3]".to_vec());
    lines.push(br#"{"id": "", "text": "Sandworm targeted Ukraine in 2016."}"#.to_vec());
    lines.push(article("blank-text", None, None, " \n ").into_bytes());
    lines.push(article("nul-text", None, None, "Sandworm\0targeted").into_bytes());
    lines.push(good(3));
    let mut data = lines.join(&b'\n');
    // A truncated last line: no newline, cut mid-string.
    data.extend_from_slice(b"\n{\"id\": \"cut\", \"text\": \"Sandworm targ");
    data
}

/// The JSON Lines file of the clean run: the good lines alone.
fn clean_jsonl() -> String {
    (1..4).map(|i| article(GOOD[i].0, None, Some("2023-08-07"), GOOD[i].1) + "\n").collect()
}

/// A gzip stream cut in the middle.
fn truncated_gzip() -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..200 {
        writeln!(gz, "{}", article(&format!("quiet-{i}"), None, None, &format!("Quiet day number {i} at the office.")))
            .unwrap();
    }
    let bytes = gz.finish().unwrap();
    bytes[..bytes.len() / 2].to_vec()
}

fn extract(args: &[&str]) -> common::Run {
    let model = tiny_model();
    let mut all = vec!["extract", "--model", &model, "--threads", "1", "--batch-size", "1"];
    all.extend_from_slice(args);
    cyberie(&all)
}

/// The records of a CSV file, header first; panics when it is not valid CSV.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path).expect("open the CSV output");
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.expect("a valid CSV record").iter().map(str::to_string).collect()).collect();
    assert!(rows.iter().all(|r| r.len() == rows[0].len()), "ragged CSV");
    rows
}

#[test]
fn a_messy_corpus_costs_only_its_bad_documents() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy");
    let clean = dir.path().join("clean");
    write(&messy, GOOD[0].0, GOOD[0].1);
    write(&clean, GOOD[0].0, GOOD[0].1);
    for (name, bytes) in odd_but_sound() {
        write(&messy, name, &bytes);
        write(&clean, name, &bytes);
    }
    write(&messy, "b-latin1.txt", b"Sandworm targeted the caf\xe9 of Kyiv in 2016.".as_slice());
    write(&messy, "c-binary.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\xff\xd8\xff\xe0".as_slice());
    write(&messy, "d-empty.txt", "");
    write(&messy, "e-blank.txt", " \n\t\r\n ");
    std::fs::File::create(messy.join("m-oversize.txt")).unwrap().set_len(40 << 20).unwrap(); // sparse
    let jsonl = write(dir.path(), "news.jsonl", messy_jsonl());
    let broken_gz = write(dir.path(), "broken.jsonl.gz", b"this is not gzip\n".as_slice());
    let truncated_gz = write(dir.path(), "truncated.jsonl.gz", truncated_gzip());
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(clean_jsonl().encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let utf16_jsonl = write(dir.path(), "utf16.jsonl", utf16);
    let clean_jsonl = write(dir.path(), "clean.jsonl", clean_jsonl());

    let messy_out = dir.path().join("messy.csv");
    let started = Instant::now();
    let run = extract(&[
        "-o",
        arg(&messy_out),
        arg(&messy),
        arg(&jsonl),
        arg(&broken_gz),
        arg(&truncated_gz),
        arg(&utf16_jsonl),
    ]);
    let messy_time = started.elapsed();
    eprintln!("{}", run.stderr); // shown with --nocapture
    run.expect_code(3);
    // Each bad input is named with its reason, in the summary at the end.
    let summary =
        run.stderr.split("skipped documents:").nth(1).unwrap_or_else(|| panic!("no summary:\n{}", run.stderr));
    for needle in [
        "b-latin1.txt (b-latin1): invalid UTF-8 at byte 25 (line 1)",
        "c-binary.txt (c-binary): binary content",
        "d-empty.txt (d-empty): empty text",
        "e-blank.txt (e-blank): empty text",
        "m-oversize.txt (m-oversize): too large: 41.9 MB",
        "news.jsonl:2: malformed JSON",
        "news.jsonl:3 (bad-date): bad \"date\"",
        "news.jsonl:4 (no-text): missing \"text\"",
        "news.jsonl:5: invalid UTF-8",
        "news.jsonl:7: malformed JSON: expected an object",
        "news.jsonl:8: empty \"id\"",
        "news.jsonl:9 (blank-text): empty text",
        "news.jsonl:10 (nul-text): binary content",
        "news.jsonl:12: malformed JSON: the last line is cut short",
        "broken.jsonl.gz:1: read error: invalid gzip header",
        "truncated.jsonl.gz:",
        "utf16.jsonl:1: UTF-16 file: JSON Lines must be UTF-8",
    ] {
        assert!(summary.contains(needle), "the summary lacks {needle:?}:\n{}", run.stderr);
    }
    assert!(summary.contains("(the rest of the file is skipped)"), "{}", run.stderr);
    // Every sound document was processed: 1 + 7 text files, 3 JSON Lines articles, some of the gzip.
    assert!(run.stderr.contains("17 skipped") || run.stderr.contains("skipped: 17"), "{}", run.stderr);

    let clean_out = dir.path().join("clean.csv");
    let run = extract(&["-o", arg(&clean_out), arg(&clean), arg(&clean_jsonl)]);
    run.expect_code(0);

    let messy_rows = csv_rows(&messy_out);
    let clean_rows = csv_rows(&clean_out);
    let ids: BTreeSet<&str> = clean_rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert!(ids.len() >= 4, "the good articles should give triples even with the tiny model: {clean_rows:?}");
    assert_eq!(messy_rows, clean_rows, "the messy run lost or changed good articles' triples");
    // The huge article and the one without sentence breaks were read to their end.
    assert!(ids.contains("k-huge") && ids.contains("l-no-breaks"), "{ids:?}");
    let evidence = clean_rows[0].iter().position(|c| c == "evidence").unwrap();
    assert!(clean_rows[1..].iter().all(|r| r[evidence].len() < 10_000), "evidence is one sentence, not megabytes");
    eprintln!("messy corpus (4 MB of sound text) processed in {messy_time:.1?}");
}

#[test]
fn unusable_inputs_and_models_stop_before_any_work_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let text = write(dir.path(), "a.txt", "Sandworm targeted Ukraine in 2016.");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("triples.csv");
    let tiny = tiny_model();
    let tiny = Path::new(&tiny);

    // Runs `extract` with `model` on `input` and checks exit 2, the message, and that nothing was written.
    let refused = |model: &Path, input: &Path, needles: &[&str]| {
        let run = cyberie(&["extract", "--model", arg(model), "-o", arg(&target), arg(input)]);
        run.expect_code(2);
        for needle in needles {
            assert!(run.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", run.stderr);
        }
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(file_names(&out).is_empty(), "output written: {:?}", file_names(&out));
    };

    refused(tiny, &dir.path().join("no-such.txt"), &["no-such.txt", "No such file"]);
    let empty_input_dir = dir.path().join("empty-input");
    std::fs::create_dir(&empty_input_dir).unwrap();
    refused(
        tiny,
        &empty_input_dir,
        &["no .txt or .html files in directory", "name JSON Lines and CSV files and WARC archives themselves"],
    );

    refused(&dir.path().join("no-model"), &text, &["no-model", "does not exist", "--model DIR"]);
    let empty_model = dir.path().join("empty-model");
    std::fs::create_dir(&empty_model).unwrap();
    refused(&empty_model, &text, &["empty-model", "has no config.json"]);

    let copy_model = |name: &str, files: &[&str]| -> PathBuf {
        let copy = dir.path().join(name);
        std::fs::create_dir(&copy).unwrap();
        for file in files {
            std::fs::copy(tiny.join(file), copy.join(file)).unwrap();
        }
        copy
    };
    let all = ["config.json", "tokenizer.json", "model.safetensors"];

    let no_weights = copy_model("no-weights", &all[..2]);
    refused(&no_weights, &text, &["no-weights", "has no weights (model.safetensors or rust_model.ot)"]);

    let pickle = copy_model("pickle", &all[..2]);
    write(&pickle, "pytorch_model.bin", b"\x80\x02}q\x00.".as_slice());
    refused(&pickle, &text, &["pytorch_model.bin", "pickle", "convert it with", "convert_to_safetensors.py"]);

    // A label map with 5 labels for a classifier trained on 9.
    let mismatch = copy_model("label-mismatch", &all);
    let config = std::fs::read_to_string(mismatch.join("config.json")).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&config).unwrap();
    config["id2label"] = serde_json::json!({"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-ORG", "4": "I-ORG"});
    std::fs::write(mismatch.join("config.json"), config.to_string()).unwrap();
    refused(&mismatch, &text, &["classifier", "does config.json's id2label match the weights?"]);

    let bad_config = copy_model("bad-config", &all[1..]);
    write(&bad_config, "config.json", "{ not json");
    refused(&bad_config, &text, &["bad-config/config.json"]);

    let bad_weights = copy_model("bad-weights", &all[..2]);
    write(&bad_weights, "model.safetensors", b"\x10\0\0\0\0\0\0\0{\"a\": 1}".as_slice());
    refused(&bad_weights, &text, &["bad-weights/model.safetensors", "cannot read weights"]);
}

/// Waits until `dir` holds a `.cyberie-*.partial` file of more than `bytes`
/// bytes, or `limit` passes.
fn wait_for_partial(dir: &Path, bytes: u64, limit: Duration) {
    let started = Instant::now();
    while started.elapsed() < limit {
        let grown = std::fs::read_dir(dir).unwrap().flatten().any(|e| {
            e.file_name().to_string_lossy().ends_with(".partial") && e.metadata().is_ok_and(|m| m.len() > bytes)
        });
        if grown {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_run_killed_with_sigkill_leaves_the_previous_output_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut jsonl = String::new();
    for i in 0..20_000 {
        let text =
            format!("Sandworm targeted Ukraine in 2016. Officials in Kyiv said report {i} was published on Monday.");
        jsonl += &(article(&format!("doc-{i}"), None, None, &text) + "\n");
    }
    let input = write(dir.path(), "big.jsonl", jsonl);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("triples.csv");
    let model = tiny_model();

    for previous in [None, Some("doc_id,attacker\nearlier,run\n")] {
        if let Some(previous) = previous {
            std::fs::write(&target, previous).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_cyberie"))
            .args(["extract", "--model", &model, "--threads", "1", "-q", "-o", arg(&target), arg(&input)])
            .env_remove("CYBERIE_MODEL")
            .env("CYBERIE_PRECISION", "fp32")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill it once rows are being written (the temporary file grows past
        // one buffer), or after 10 s at most.
        wait_for_partial(&out, 0, Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(300));
        let finished_first = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(!finished_first, "the run finished before it could be killed: make the input larger");

        match previous {
            Some(previous) => assert_eq!(std::fs::read_to_string(&target).unwrap(), previous),
            None => assert!(!target.exists(), "a half-written output appeared"),
        }
        // What SIGKILL may leave: the hidden temporary file, never the output name.
        for name in file_names(&out) {
            assert!(
                name == "triples.csv" || (name.starts_with(".triples.csv.cyberie-") && name.ends_with(".partial")),
                "{name}"
            );
        }
    }

    // The next run replaces the output with a complete, valid file.
    let small = write(dir.path(), "small.jsonl", article("s", None, None, "Sandworm targeted Ukraine in 2016.") + "\n");
    extract(&["-q", "-o", arg(&target), arg(&small)]).expect_code(0);
    let rows = csv_rows(&target);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], "s");
    // ... and removes the temporary files the killed runs left.
    assert_eq!(file_names(&out), ["triples.csv"]);
}

#[test]
fn csv_fields_a_spreadsheet_would_run_are_neutralised_unless_raw_csv() {
    let dir = tempfile::tempdir().unwrap();
    let ids = ["=SUM(A1:A9)", "+1+1", "-2+3", "@cmd", "\tTAB", "\rCR", "plain"];
    let mut jsonl = String::new();
    for id in ids {
        jsonl += &(article(id, None, None, "Sandworm targeted Ukraine in 2016.") + "\n");
    }
    let input = write(dir.path(), "formulas.jsonl", jsonl);

    let safe = dir.path().join("safe.csv");
    let raw = dir.path().join("raw.csv");
    extract(&["-q", "-o", arg(&safe), arg(&input)]).expect_code(0);
    extract(&["-q", "--raw-csv", "-o", arg(&raw), arg(&input)]).expect_code(0);
    let (safe, raw) = (csv_rows(&safe), csv_rows(&raw));
    assert_eq!(safe.len(), raw.len());
    let doc_ids: Vec<(&str, &str)> =
        safe[1..].iter().zip(&raw[1..]).map(|(s, r)| (s[0].as_str(), r[0].as_str())).collect();
    for id in ids {
        let (neutral, as_is) = doc_ids.iter().find(|(_, r)| *r == id).unwrap_or_else(|| panic!("no row for {id:?}"));
        let expected = if id == "plain" { id.to_string() } else { format!("'{id}") };
        assert_eq!(*neutral, expected, "default CSV");
        assert_eq!(*as_is, id, "--raw-csv");
    }
    assert!(safe.iter().flatten().all(|field| !field.starts_with(['=', '+', '-', '@', '\t', '\r'])));
}

/// Every text column is guarded, through the library's writer (the tiny model
/// cannot be made to find an attacker named "=cmd").
#[test]
fn every_text_column_is_neutralised() {
    use cyberie::export::{resolve_output, Format, TripleRecord, TripleWriter};
    let dir = tempfile::tempdir().unwrap();
    let record = |lead: &str| TripleRecord {
        doc_id: format!("{lead}id"),
        attacker: format!("{lead}attacker"),
        attacker_type: "threat_actor".into(),
        victim: format!("{lead}victim"),
        victim_type: "unnamed".into(),
        date: format!("{lead}date"),
        date_iso: "2016".into(),
        confidence: 0.5,
        evidence: format!("{lead}evidence, with \"quotes\",\r\nand line breaks"),
        attacker_mention: format!("{lead}attacker mention"),
        victim_mention: format!("{lead}victim mention"),
        rule: Some("active:target".into()),
    };
    let leads = ["=", "+", "-", "@", "\t", "\r", "x=", " -"];
    for neutralise in [true, false] {
        let path = dir.path().join(format!("{neutralise}.csv"));
        let destination = resolve_output(Some(&path), &[]).unwrap();
        let (mut writer, _) = TripleWriter::create(&destination, Format::Csv, neutralise, true).unwrap();
        for lead in leads {
            writer.write(&record(lead)).unwrap();
        }
        writer.finish().unwrap();
        let rows = csv_rows(&path);
        assert_eq!(rows.len(), 1 + leads.len());
        for (row, lead) in rows[1..].iter().zip(leads) {
            let guard = neutralise && !lead.starts_with(['x', ' ']);
            for (column, value) in rows[0].iter().zip(row) {
                let text_column =
                    !["attacker_type", "victim_type", "date_iso", "confidence", "rule"].contains(&column.as_str());
                if text_column {
                    let expected_start = if guard { format!("'{lead}") } else { lead.to_string() };
                    assert!(value.starts_with(&expected_start), "{column} = {value:?} (neutralise: {neutralise})");
                }
            }
        }
    }
}

/// Relations and dates on one sentence of 1 MB with an entity every few words:
/// before the relation stage cut long sentences into pieces and indexed its
/// lookups, 250 KB took minutes and 1 MB hours. The time is printed, not
/// asserted (speed is the benchmark's job); the evidence shows the pieces.
#[test]
fn a_megabyte_sentence_is_read_in_pieces() {
    use cyberie::doc::{Article, Doc, Entity, Label, Span};
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 1_000_000 {
        text += &format!("Lazarus Group hacked Sony{i} Pictures and the Acme{i} Corp (AC) in May 2021, known as Acme{i} while hackers breached customers and it attacked the company, ");
        i += 1;
    }
    let started = Instant::now();
    let mut doc = Doc::new(Article { id: "big".into(), title: None, text: text.clone(), published: None });
    doc.segment();
    doc.dates = cyberie::dates::tag_dates(&text, None);
    let mut offset = 0;
    for word in text.split(' ') {
        if word.starts_with(|c: char| c.is_uppercase()) {
            let span = Span::new(offset, offset + word.len());
            doc.entities.push(Entity { span, label: Label::Organization, score: 0.9, text: word.to_string() });
        }
        offset += word.len() + 1;
    }
    let triples = cyberie::relate::extract(&doc);
    let elapsed = started.elapsed();
    assert_eq!(doc.sentences.len(), 1);
    assert!(doc.dates.len() >= i && !triples.is_empty());
    assert!(triples.iter().all(|t| t.evidence.len() < 10_000), "evidence is a piece of the sentence");
    eprintln!("relations and dates on a 1 MB sentence: {elapsed:.1?}");
}
