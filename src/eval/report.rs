//! Presenting [`Scores`]: a fixed-width plain-text report for people, and one
//! JSON object for programs (`--json`).
//!
//! The text report has, in order: a summary line; precision, recall and F1 of
//! pairs and triples with their bootstrap intervals (all events and named
//! events, or named events only with `--named-only`); slot recall; per-document
//! rows; the error lists when asked for; and, when the per-document rows are
//! long, the headline F1s again at the end.

use std::fmt::Write;

use super::metrics::{DocRow, ErrorLists, Prf, Ratio, Scores, ViewScores};
use crate::export::TripleRecord;

/// Above this many per-document rows, the headline scores are repeated at the end.
const LONG_TABLE: usize = 20;

/// The scores as one pretty-printed JSON object.
pub fn render_json(scores: &Scores) -> String {
    serde_json::to_string_pretty(scores).expect("scores serialise to JSON")
}

/// The scores as a readable fixed-width text report (ends with a newline).
pub fn render_table(scores: &Scores) -> String {
    let mut out = String::new();
    let named_only = scores.options.named_only;
    let _ = writeln!(
        out,
        "{} documents, {} gold events ({} named), {} predictions read, {} duplicate{} removed; {} matching{}{}.",
        scores.documents,
        scores.all.gold_events,
        scores.named.gold_events,
        scores.predictions_read,
        scores.duplicates_removed,
        if scores.duplicates_removed == 1 { "" } else { "s" },
        scores.options.mode.as_str(),
        if named_only { ", named events only" } else { "" },
        if scores.options.judge {
            "; judge's rules (canonical names only, triples of dated predictions, every prediction in the named view)"
        } else if !scores.options.match_mentions {
            "; canonical names only"
        } else {
            ""
        },
    );
    out.push('\n');
    let _ = writeln!(
        out,
        "{:<18}{:>7}{:>7}{:>7}  {:<16}{:>13}{:>12}",
        "", "P", "R", "F1", "F1 95% CI", "correct/pred", "found/gold"
    );
    if !named_only {
        view_rows(&mut out, "all events", &scores.all);
    }
    view_rows(&mut out, "named events", &scores.named);
    out.push('\n');
    if named_only {
        let _ = writeln!(out, "{:<18}{:>16}", "slot recall", "named");
    } else {
        let _ = writeln!(out, "{:<18}{:>16}{:>16}", "slot recall", "all", "named");
    }
    let slots = |name: &str, pick: fn(&ViewScores) -> Ratio| {
        let mut line = format!("  {name:<16}");
        if !named_only {
            line.push_str(&format!("{:>16}", ratio(pick(&scores.all))));
        }
        line.push_str(&format!("{:>16}", ratio(pick(&scores.named))));
        line
    };
    let _ = writeln!(out, "{}", slots("attacker", |v| v.slots.attacker));
    let _ = writeln!(out, "{}", slots("victim", |v| v.slots.victim));
    let _ = writeln!(out, "{}", slots("time", |v| v.slots.time));
    let _ = writeln!(out, "  (time recall counts only gold events that give a time)");
    out.push('\n');
    per_doc(&mut out, &scores.per_doc, named_only);
    if let Some(errors) = &scores.errors {
        error_lists(&mut out, errors);
    }
    if scores.per_doc.len() > LONG_TABLE {
        out.push('\n');
        let view = if named_only { &scores.named } else { &scores.all };
        let _ = writeln!(
            out,
            "summary ({}): pair P {:.3} R {:.3} F1 {:.3}; triple P {:.3} R {:.3} F1 {:.3}",
            if named_only { "named events" } else { "all events" },
            view.pair.precision,
            view.pair.recall,
            view.pair.f1,
            view.triple.precision,
            view.triple.recall,
            view.triple.f1,
        );
    }
    out
}

fn view_rows(out: &mut String, title: &str, view: &ViewScores) {
    let _ = writeln!(out, "{title}");
    prf_row(out, "pair", &view.pair);
    prf_row(out, "triple", &view.triple);
}

fn prf_row(out: &mut String, name: &str, prf: &Prf) {
    let ci = prf.f1_ci.map(|ci| format!("[{:.3}, {:.3}]", ci.low, ci.high)).unwrap_or_else(|| "-".to_string());
    let _ = writeln!(
        out,
        "  {name:<16}{:>7.3}{:>7.3}{:>7.3}  {ci:<16}{:>13}{:>12}",
        prf.precision,
        prf.recall,
        prf.f1,
        format!("{}/{}", prf.correct_predictions, prf.predictions),
        format!("{}/{}", prf.found_gold, prf.gold_events),
    );
}

fn ratio(r: Ratio) -> String {
    format!("{:.3} ({}/{})", r.recall, r.found, r.total)
}

fn per_doc(out: &mut String, rows: &[DocRow], named_only: bool) {
    let width = rows.iter().map(|r| r.doc_id.chars().count()).max().unwrap_or(0).max(6);
    let _ = writeln!(out, "per document{}", if named_only { " (named events)" } else { "" });
    let _ = writeln!(
        out,
        "  {:<width$}{:>6}{:>6}{:>10}{:>12}{:>12}{:>14}",
        "doc_id", "gold", "pred", "pair ok", "pair found", "triple ok", "triple found"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "  {:<width$}{:>6}{:>6}{:>10}{:>12}{:>12}{:>14}",
            r.doc_id, r.gold, r.predicted, r.pair_correct, r.pair_found, r.triple_correct, r.triple_found
        );
    }
}

fn error_lists(out: &mut String, errors: &ErrorLists) {
    out.push('\n');
    let _ = writeln!(
        out,
        "{}",
        list_title(
            "false positives",
            errors.false_positives.len(),
            errors.false_positives_total,
            "most confident first"
        )
    );
    for fp in &errors.false_positives {
        let _ = writeln!(out, "  {}", prediction_line(&fp.prediction));
        let _ = writeln!(out, "      evidence: {}", one_line(&fp.prediction.evidence));
    }
    out.push('\n');
    let _ = writeln!(out, "{}", list_title("misses", errors.misses.len(), errors.misses_total, "in document order"));
    for miss in &errors.misses {
        let e = &miss.event;
        let _ = writeln!(
            out,
            "  {}  attackers: {} | victims: {} | times: {}",
            e.doc_id,
            e.attackers.join("; "),
            e.victims.join("; "),
            if e.times.is_empty() { "-".to_string() } else { e.times.join("; ") },
        );
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{}",
        list_title(
            "right pair, wrong or missing date",
            errors.wrong_dates.len(),
            errors.wrong_dates_total,
            "most confident first"
        )
    );
    for wrong in &errors.wrong_dates {
        let _ = writeln!(out, "  {}", prediction_line(&wrong.prediction));
        let _ = writeln!(
            out,
            "      gold times: {}",
            if wrong.gold_times.is_empty() { "-".to_string() } else { wrong.gold_times.join("; ") }
        );
    }
}

fn list_title(name: &str, shown: usize, total: usize, order: &str) -> String {
    if shown < total {
        format!("{name}: {total} ({shown} shown, {order})")
    } else {
        format!("{name}: {total}")
    }
}

fn prediction_line(p: &TripleRecord) -> String {
    let date = match (p.date.is_empty(), p.date_iso.is_empty()) {
        (true, true) => "no date".to_string(),
        (false, true) => p.date.clone(),
        (true, false) => p.date_iso.clone(),
        (false, false) => format!("{} ({})", p.date, p.date_iso),
    };
    let side = |name: &str, mention: &str| {
        if mention.is_empty() || mention == name {
            name.to_string()
        } else {
            format!("{name} (\"{mention}\")")
        }
    };
    format!(
        "{}  {} -> {}  [{}]  {:.2}",
        p.doc_id,
        side(&p.attacker, &p.attacker_mention),
        side(&p.victim, &p.victim_mention),
        date,
        p.confidence
    )
}

/// Evidence on one line: whitespace runs collapsed, cut at 200 characters.
fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 200 {
        format!("{}...", flat.chars().take(200).collect::<String>())
    } else if flat.is_empty() {
        "-".to_string()
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::eval::gold::parse_gold;
    use crate::eval::metrics::{evaluate, EvalOptions};
    use crate::eval::predictions::read_predictions_csv;

    const GOLD: &str = r#"{"doc_id": "d1", "attackers": ["Lazarus Group"], "victims": ["Sony"], "times": ["2014-11"]}
{"doc_id": "d2", "attackers": ["hackers"], "victims": ["a hospital"], "times": []}"#;
    const PREDS: &str = "doc_id,attacker,attacker_type,victim,victim_type,date,date_iso,confidence,evidence
d1,Lazarus Group,threat_actor,Sony Pictures,organization,November 2014,2014-11,0.9,Lazarus hit Sony.
d1,North Korea,country,Sony,organization,,,0.8,\"North Korea, it said,
hit Sony.\"
";

    fn scores(named_only: bool) -> Scores {
        let gold = parse_gold(GOLD, Path::new("g.jsonl"), None).unwrap();
        let preds = read_predictions_csv(PREDS.as_bytes(), Path::new("p.csv")).unwrap();
        evaluate(&gold, &preds, &EvalOptions { errors: 5, named_only, ..EvalOptions::default() })
    }

    #[test]
    fn the_table_shows_scores_slots_rows_and_errors() {
        let table = render_table(&scores(false));
        // pair: 1 of 2 predictions right, 1 of 2 events found: P = R = F1 = 0.5.
        assert!(
            table.starts_with(
                "2 documents, 2 gold events (1 named), 2 predictions read, 0 duplicates removed; relaxed matching.\n"
            ),
            "{table}"
        );
        assert!(
            table.contains("\n  pair              0.500  0.500  0.500  [0.000, 0.667]            1/2         1/2\n"),
            "{table}"
        );
        let attacker = format!("\n  {:<16}{:>16}{:>16}\n", "attacker", "0.500 (1/2)", "1.000 (1/1)");
        assert!(table.contains(&attacker), "{table}");
        assert!(table.contains("\n  d1         1     2         1           1           1             1\n"), "{table}");
        assert!(table.contains("false positives: 1\n  d1  North Korea -> Sony  [no date]  0.80\n      evidence: North Korea, it said, hit Sony.\n"), "{table}");
        assert!(table.contains("misses: 1\n  d2  attackers: hackers | victims: a hospital | times: -\n"), "{table}");
        let named = render_table(&scores(true));
        assert!(!named.contains("all events") && named.contains("named events"), "{named}");
    }

    #[test]
    fn the_json_is_one_object_with_every_section() {
        let json: serde_json::Value = serde_json::from_str(&render_json(&scores(false))).unwrap();
        assert_eq!(json["all"]["pair"]["f1"], 0.5);
        assert_eq!(json["options"]["mode"], "relaxed");
        assert_eq!(json["per_doc"][0]["doc_id"], "d1");
        assert_eq!(json["errors"]["misses"][0]["event"]["victims"][0], "a hospital");
        assert!(json["named"]["triple"]["f1_ci"]["low"].is_number());
    }
}
