//! End to end with the bundled model (`models/cyberie-ner-minilm`). Each test is
//! skipped, with the reason on stderr, while the model's weights are absent.

mod common;

use common::{bundled_model, cyberie_with_stdin, json_lines};

#[test]
fn ner_finds_the_entities_and_the_date_of_a_plain_sentence() {
    let Some(model) = bundled_model() else { return };
    let text = "Microsoft chief executive Satya Nadella met German chancellor Olaf Scholz in Berlin on 3 May 2023.";
    let input = serde_json::json!({"id": "s", "text": text}).to_string() + "\n";
    let run = cyberie_with_stdin(&["ner", "--model", &model, "-"], input.as_bytes());
    run.expect_code(0);
    let found: Vec<(String, String)> = json_lines(&run.stdout)
        .iter()
        .map(|l| (l["text"].as_str().unwrap().to_string(), l["label"].as_str().unwrap().to_string()))
        .collect();
    for (entity, label) in [
        ("Microsoft", "ORG"),
        ("Satya Nadella", "PER"),
        ("German", "MISC"),
        ("Olaf Scholz", "PER"),
        ("Berlin", "LOC"),
        ("3 May 2023", "DATE"),
    ] {
        assert!(found.iter().any(|(t, l)| t == entity && l == label), "{entity} ({label}) not found; got {found:?}");
    }
    let date = json_lines(&run.stdout).into_iter().find(|l| l["label"] == "DATE").unwrap();
    assert_eq!(date["value"], "2023-05-03");
}
