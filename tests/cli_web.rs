//! HTML pages and WARC archives as input, through the real binary, on the
//! fixtures of `tests/fixtures/web/` (written by `scripts/web_fixtures.py`):
//! the 30 corpus articles as pages of three kinds of news site (navigation,
//! related-links lists, cookie banners, ads, comments, footers), the same
//! pages in a WARC amid a crawl's other records, and the odd cases; and web
//! input with the output, resume, shard and FIFO handling of issues 14 and 16.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::{arg, bundled_model, cyberie, file_names, json_lines, tiny_model};

const WARC: &str = "tests/fixtures/web/corpus.warc.gz";
const PAGES: &str = "tests/fixtures/web/pages";
const ODD: &str = "tests/fixtures/web/odd";

/// What the extractor keeps besides the article on the fixture pages: a
/// section kicker above the headline ("Cyber security") and the headings of
/// lists it dropped ("Related topics", "Top stories", "Features").
const LEFTOVER_HEADINGS: [&str; 4] = ["Cyber security", "Related topics", "Top stories", "Features"];

/// The corpus articles by id: (title, date, text).
fn corpus() -> BTreeMap<String, (String, String, String)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/articles.jsonl")).unwrap();
    json_lines(&text)
        .into_iter()
        .map(|a| {
            let field = |name: &str| a[name].as_str().unwrap().to_string();
            (field("id"), (field("title"), field("date"), field("text")))
        })
        .collect()
}

/// The corpus id of a page's document id: a URI's last segment, or the id.
fn corpus_id(id: &str) -> &str {
    id.rsplit('/').next().unwrap()
}

#[test]
fn the_warc_and_the_pages_give_the_corpus_text_dates_and_titles() {
    let corpus = corpus();
    for input in [WARC, PAGES] {
        let run = cyberie(&["text", input]);
        run.expect_code(0);
        let articles = json_lines(&run.stdout);
        assert_eq!(articles.len(), corpus.len(), "{input}: {}", run.stderr);
        let mut titles_equal = 0;
        for article in &articles {
            let id = corpus_id(article["id"].as_str().unwrap());
            let (title, date, text) = &corpus[id];
            assert_eq!(article["date"], date.as_str(), "{input} {id}");
            let kept: Vec<&str> = article["text"]
                .as_str()
                .unwrap()
                .split("\n\n")
                .filter(|paragraph| !LEFTOVER_HEADINGS.contains(paragraph))
                .collect();
            assert_eq!(kept.join("\n\n"), *text, "{input} {id}");
            titles_equal += usize::from(article["title"] == title.as_str());
        }
        // c21's "The week in breaches: a water utility, ..." loses its part before the colon.
        assert_eq!(titles_equal, corpus.len() - 1, "{input}");
    }
}

#[test]
fn the_warc_summary_counts_what_was_passed_over() {
    let run = cyberie(&["text", WARC, "-o", "-"]);
    run.expect_code(0);
    assert_eq!(json_lines(&run.stdout).len(), 30, "-o - is standard output");
    assert!(
        run.stderr.contains(
            "cyberie: WARC: 106 records (0.1 MB) read: 30 HTML pages; passed over 69 other records \
             (requests, metadata...), 2 responses not HTTP 200, 5 not HTML"
        ),
        "{}",
        run.stderr
    );
}

/// The acceptance test of HTML and WARC input: the same triples as the plain
/// corpus, every column alike but the document id (a URI in the WARC) and the
/// confidence, which may differ by a little: the merger weighs where in the
/// article a reading is, and a page's text keeps a leftover heading or two.
#[test]
fn the_warc_and_the_pages_give_the_triples_of_the_plain_corpus() {
    let Some(model) = bundled_model() else { return };
    let dir = tempfile::tempdir().unwrap();
    let triples = |input: &str, name: &str| {
        let out = dir.path().join(name);
        let run = cyberie(&["extract", "--model", &model, input, "--format", "jsonl", "-o", out.to_str().unwrap()]);
        run.expect_code(0);
        let mut rows: Vec<(String, f64)> = json_lines(&std::fs::read_to_string(out).unwrap())
            .into_iter()
            .map(|mut row| {
                let id = corpus_id(row["doc_id"].as_str().unwrap()).to_string();
                row["doc_id"] = id.into();
                let confidence = row["confidence"].as_f64().unwrap();
                row["confidence"] = serde_json::Value::Null;
                (row.to_string(), confidence)
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows
    };
    let plain = triples("corpus/articles.jsonl", "plain.jsonl");
    assert!(plain.len() > 30, "the corpus gives {} triples", plain.len());
    for (input, name) in [(WARC, "warc.jsonl"), (PAGES, "pages.jsonl")] {
        let web = triples(input, name);
        let rows = |t: &[(String, f64)]| t.iter().map(|(row, _)| row.clone()).collect::<Vec<_>>();
        assert_eq!(rows(&web), rows(&plain), "{input}");
        for ((row, c), (_, p)) in web.iter().zip(&plain) {
            assert!((c - p).abs() <= 0.05, "{input}: confidence {c} against {p} for {row}");
        }
    }
}

#[test]
fn with_text_rows_carry_the_extracted_text_their_evidence_comes_from() {
    let Some(model) = bundled_model() else { return };
    let page = format!("{PAGES}/c01-wannacry-attribution.html");
    let run = cyberie(&["extract", "--model", &model, &page, "--format", "jsonl", "--with-text"]);
    run.expect_code(0);
    let rows = json_lines(&run.stdout);
    assert!(!rows.is_empty(), "{}", run.stderr);
    for row in rows {
        let text = row["text"].as_str().unwrap();
        assert!(text.contains("Washington has formally blamed North Korea for the WannaCry"), "{text}");
        let evidence = row["evidence"].as_str().unwrap();
        let first_sentence = &evidence[..evidence.find(". ").map_or(evidence.len(), |end| end + 1)];
        for part in [first_sentence, row["attacker_mention"].as_str().unwrap(), row["victim_mention"].as_str().unwrap()]
        {
            assert!(text.contains(part), "{part:?} not in the text of {row}");
        }
    }
}

#[test]
fn with_text_needs_jsonl() {
    let run = cyberie(&["extract", "--model", &tiny_model(), PAGES, "--with-text"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--with-text needs --format jsonl"), "{}", run.stderr);
}

#[test]
fn odd_pages_and_archives_are_named_counted_and_skipped() {
    let odd = |name: &str| format!("{ODD}/{name}");
    let run = cyberie(&["text", ODD, &odd("broken-member.warc.gz"), &odd("truncated.warc.gz"), &odd("headers.warc")]);
    run.expect_code(3);
    let ids: Vec<String> = json_lines(&run.stdout).iter().map(|a| a["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(
        ids,
        [
            "iso-8859-15-http-equiv",
            "windows-1252",
            "https://www.dailypacket.example/2017/c01-wannacry-attribution",
            "https://blueteamdiaries.example/2020/c03-solarwinds-orion",
            "https://www.dailypacket.example/2017/c01-wannacry-attribution",
            "https://news.northwind.example/2018/c02-notpetya-blame",
            "https://lyon.example/qilin-latin1",
            "<urn:uuid:984c6433-36bb-5719-b109-44cd5c480567>",
        ]
    );
    let articles = json_lines(&run.stdout);
    // Declared charsets, in the page and in the HTTP header, are decoded.
    assert!(articles[1]["text"].as_str().unwrap().contains("Société Générale des Eaux"));
    assert!(articles[6]["text"].as_str().unwrap().contains("Hôpital Saint-Éloi"));
    // A page without a date takes its record's WARC-Date.
    assert_eq!((articles[6]["date"].as_str(), articles[7]["date"].as_str()), (Some("2026-06-12"), Some("2026-11-30")));
    for skipped in [
        "skipped tests/fixtures/web/odd/no-text.html (no-text): no article text found",
        "skipped tests/fixtures/web/odd/undeclared-latin1.html (undeclared-latin1): unknown encoding: not UTF-8",
        "skipped tests/fixtures/web/odd/unknown-charset.html (unknown-charset): unknown encoding: \"x-mac-klingon\" \
         in the page's <meta charset>",
        "skipped tests/fixtures/web/odd/broken-member.warc.gz, gzip member at byte 2804 \
         (https://news.northwind.example/2018/c02-notpetya-blame): broken gzip member: ",
        "; reading goes on at the next gzip member, byte 5115",
        "skipped tests/fixtures/web/odd/truncated.warc.gz, gzip member at byte 5115 \
         (https://blueteamdiaries.example/2020/c03-solarwinds-orion): truncated: the file ends inside this gzip \
         member; no gzip member follows",
        "skipped tests/fixtures/web/odd/headers.warc, record at byte 938 (https://lyon.example/qilin-klingon): \
         unknown encoding: \"x-klingon\" in the HTTP Content-Type header",
        "skipped tests/fixtures/web/odd/headers.warc, record at byte 3235 \
         (https://www.dailypacket.example/2017/c01-wannacry-attribution): truncated: the file ends inside the \
         record; the rest of the file is skipped",
        "15 documents read: 8 processed, 7 skipped (3 unknown encoding, 2 truncated, 1 broken gzip member, 1 no \
         article text found)",
        "WARC: 11 records (0.0 MB) read: 8 HTML pages; passed over 0 other records (requests, metadata...), 0 \
         responses not HTTP 200, 1 not HTML",
    ] {
        assert!(run.stderr.contains(skipped), "{skipped:?} not in\n{}", run.stderr);
    }
}

#[test]
fn extract_reads_archives_and_pages_with_its_skips_and_exit_status() {
    let run = cyberie(&["extract", "--model", &tiny_model(), ODD, &format!("{ODD}/broken-member.warc.gz")]);
    run.expect_code(3);
    assert!(run.stdout.starts_with("doc_id,attacker,"), "{}", run.stdout);
    assert!(run.stderr.contains("8 documents read: 4 processed, 4 skipped"), "{}", run.stderr);
    assert!(run.stderr.contains("cyberie: WARC: 3 records"), "{}", run.stderr);
}

#[test]
fn what_is_not_an_archive_or_a_page_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let fake = common::write(dir.path(), "fake.warc", "<html><body>not an archive</body></html>");
    let empty = common::write(dir.path(), "pages/empty.htm", "");
    let run = cyberie(&["text", fake.to_str().unwrap(), empty.parent().unwrap().to_str().unwrap()]);
    run.expect_code(3);
    assert!(
        run.stderr.contains("fake.warc: not a WARC file: it starts with neither \"WARC/\" nor a gzip header"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("empty.htm (empty): no article text found"), "{}", run.stderr);
}

/// `extract` with the tiny model, one thread, as JSON Lines.
fn extract_jsonl(args: &[&str]) -> common::Run {
    let model = tiny_model();
    let mut all = vec!["extract", "--model", &model, "--threads", "1", "--format", "jsonl"];
    all.extend_from_slice(args);
    cyberie(&all)
}

/// Rows as sorted strings, to compare runs whatever their order.
fn sorted_rows(jsonl: &str) -> Vec<String> {
    let mut rows: Vec<String> = json_lines(jsonl).iter().map(|row| row.to_string()).collect();
    rows.sort();
    rows
}

#[test]
fn the_shards_of_an_archive_cover_it_exactly_once() {
    let full = extract_jsonl(&["-q", WARC]);
    full.expect_code(0);
    assert!(!full.stdout.is_empty(), "the tiny model finds triples in the corpus");
    let mut union = Vec::new();
    for shard in ["1/2", "2/2"] {
        let run = extract_jsonl(&["-q", "--shard", shard, WARC]);
        run.expect_code(0);
        union.extend(sorted_rows(&run.stdout));
    }
    union.sort();
    assert_eq!(union, sorted_rows(&full.stdout));
}

#[test]
fn with_text_rows_resume_and_a_resume_without_it_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("triples.jsonl");
    let run = extract_jsonl(&["-q", "--with-text", "--resume", PAGES, "-o", arg(&out)]);
    run.expect_code(0);
    let rows = json_lines(&std::fs::read_to_string(&out).unwrap());
    assert!(!rows.is_empty() && rows.iter().all(|row| row["text"].is_string()), "{rows:?}");
    // Resuming the finished run does nothing more.
    let again = extract_jsonl(&["--with-text", "--resume", PAGES, "-o", arg(&out)]);
    again.expect_code(0);
    assert!(again.stderr.contains("30 already done in an earlier run"), "{}", again.stderr);
    assert_eq!(json_lines(&std::fs::read_to_string(&out).unwrap()), rows);
    // Rows without the text would not go with those before.
    let other = extract_jsonl(&["--resume", PAGES, "-o", arg(&out)]);
    other.expect_code(2);
    assert!(other.stderr.contains("written with --format jsonl --with-text"), "{}", other.stderr);
}

#[test]
fn text_writes_its_file_atomically_and_never_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("articles.jsonl");
    cyberie(&["text", "-q", PAGES, "-o", arg(&out)]).expect_code(0);
    assert_eq!(json_lines(&std::fs::read_to_string(&out).unwrap()).len(), 30);
    assert_eq!(file_names(dir.path()), ["articles.jsonl"]);
    let page = common::write(
        dir.path(),
        "page.html",
        std::fs::read(format!("{PAGES}/c01-wannacry-attribution.html")).unwrap(),
    );
    let before = std::fs::read(&page).unwrap();
    let run = cyberie(&["text", arg(&page), "-o", arg(&page)]);
    run.expect_code(2);
    assert!(run.stderr.contains("it is the input"), "{}", run.stderr);
    assert_eq!(std::fs::read(&page).unwrap(), before);
}

#[test]
fn an_archive_and_a_page_on_fifos_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let sources =
        [(WARC.to_string(), "crawl.warc.gz"), (format!("{PAGES}/c01-wannacry-attribution.html"), "page.html")];
    let writers: Vec<_> = sources
        .iter()
        .map(|(source, name)| {
            let fifo = dir.path().join(name);
            let c_name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: a valid C string.
            assert_eq!(unsafe { libc::mkfifo(c_name.as_ptr(), 0o644) }, 0, "mkfifo {}", fifo.display());
            let data = std::fs::read(source).unwrap();
            std::thread::spawn(move || std::fs::OpenOptions::new().write(true).open(fifo).unwrap().write_all(&data))
        })
        .collect();
    let fifos: Vec<String> = sources.iter().map(|(_, name)| dir.path().join(name).display().to_string()).collect();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cyberie"))
        .args(["text", &fifos[0], &fifos[1]])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("cyberie text on FIFOs did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let result = child.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&result.stdout), String::from_utf8_lossy(&result.stderr));
    assert_eq!(result.status.code(), Some(0), "{stderr}");
    let articles = json_lines(&stdout);
    assert_eq!(articles.len(), 31, "{stderr}");
    assert_eq!(articles[30]["id"], "page");
    assert!(stderr.contains("WARC: 106 records"), "{stderr}");
    for writer in writers {
        writer.join().unwrap().unwrap();
    }
}
