//! Entity-span scoring for the NER stage, seqeval style: a predicted entity is
//! right only when its document, start, end and label all equal a gold entity's.
//!
//! - **Gold** (JSON Lines, one document per line):
//!   `{"id": "d1", "text": "...", "entities": [[start, end, "ORG"], ...]}` with
//!   Unicode code-point offsets, end exclusive. Other fields are ignored.
//! - **Predictions** (JSON Lines, one entity per line, what `cyberie ner`
//!   prints): `{"doc_id", "start", "end", "label", "score", "text"}`, code-point
//!   offsets; `score` and `text` are optional and not used.
//! - **Labels** are compared after mapping synonyms to the pipeline's tags
//!   (`PERSON` → `PER`, `GPE` → `LOC`, ... with [`Label::from_model_tag`]); other
//!   labels are compared uppercased.
//! - **Scope.** Only documents of the gold file are scored: predictions for other
//!   documents are ignored and counted. Only the labels that occur in the gold
//!   file are scored (or those given in [`NerOptions::labels`]): predictions with
//!   other labels (say `DATE` against a PER/ORG/LOC/MISC gold) are ignored and
//!   counted per label. Identical predictions count once.
//! - **Scores**: precision, recall and F1 per label and micro-averaged over all
//!   labels in scope, plus the macro average of the per-label F1s, and how many
//!   predictions had a gold span right but its label wrong.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::doc::Label;

/// One gold document: its text and its entities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NerDoc {
    /// Document id.
    pub id: String,
    /// The text the offsets index.
    pub text: String,
    /// `(start, end, label)`, code-point offsets, end exclusive.
    pub entities: Vec<(usize, usize, String)>,
}

/// One predicted entity, as `cyberie ner` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NerPrediction {
    /// Document id.
    pub doc_id: String,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// Entity type.
    pub label: String,
    /// Model score (not used in scoring).
    #[serde(default)]
    pub score: Option<f32>,
    /// The entity text (not used in scoring).
    #[serde(default)]
    pub text: Option<String>,
}

/// How many problems of one file are listed; the rest are counted.
const MAX_PROBLEMS: usize = 5;

/// Why NER gold or predictions could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum NerError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Lines of the file are malformed; the file is rejected whole.
    #[error("{} rejected: {}{}", path.display(), problems.join("; "), if *omitted > 0 { format!("; and {omitted} more") } else { String::new() })]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The problems, each `line N: ...` (at most a few).
        problems: Vec<String>,
        /// How many further problems were found.
        omitted: usize,
    },
}

/// Which labels to score.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NerOptions {
    /// Score only these labels; `None`: the labels that occur in the gold.
    pub labels: Option<Vec<String>>,
}

/// Precision, recall and F1 of entity spans, with counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanPrf {
    /// true_positives / predicted (0 when nothing was predicted).
    pub precision: f64,
    /// true_positives / gold (0 when there is no gold).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Predictions equal to a gold entity.
    pub true_positives: usize,
    /// Predictions scored.
    pub predicted: usize,
    /// Gold entities.
    pub gold: usize,
}

impl SpanPrf {
    fn new(true_positives: usize, predicted: usize, gold: usize) -> Self {
        let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
        let (precision, recall) = (ratio(true_positives, predicted), ratio(true_positives, gold));
        let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        SpanPrf { precision, recall, f1, true_positives, predicted, gold }
    }
}

/// The scores of one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelScores {
    /// The label.
    pub label: String,
    /// Its scores.
    #[serde(flatten)]
    pub scores: SpanPrf,
}

/// Everything NER scoring reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NerReport {
    /// Gold documents.
    pub documents: usize,
    /// Prediction lines read.
    pub predictions_read: usize,
    /// Identical predictions dropped.
    pub duplicates_removed: usize,
    /// Predictions for documents not in the gold, ignored.
    pub unknown_documents_ignored: usize,
    /// Predictions with labels not scored, ignored, per label.
    pub labels_ignored: BTreeMap<String, usize>,
    /// Micro-averaged over the labels scored.
    pub overall: SpanPrf,
    /// Mean of the per-label F1s.
    pub macro_f1: f64,
    /// Per label, in label order.
    pub per_label: Vec<LabelScores>,
    /// Predictions whose span equals a gold span but whose label differs.
    pub right_span_wrong_label: usize,
}

/// A label in the pipeline's spelling (`PERSON` → `PER`), else uppercased.
pub fn canonical_label(label: &str) -> String {
    Label::from_model_tag(label).map(|l| l.as_str().to_string()).unwrap_or_else(|| label.trim().to_uppercase())
}

/// Loads and checks gold documents (see the module documentation).
pub fn load_ner_gold(path: impl AsRef<Path>) -> Result<Vec<NerDoc>, NerError> {
    let path = path.as_ref();
    let text = fs::read_to_string(path).map_err(|source| NerError::Io { path: path.to_path_buf(), source })?;
    parse_ner_gold(&text, path)
}

/// Parses and checks gold documents from JSON Lines `text`; `path` names the source.
pub fn parse_ner_gold(text: &str, path: &Path) -> Result<Vec<NerDoc>, NerError> {
    let mut seen = HashSet::new();
    parse_lines(text, path, |doc: NerDoc| {
        let mut problems = Vec::new();
        if doc.id.trim().is_empty() {
            problems.push("field \"id\": empty".to_string());
        } else if !seen.insert(doc.id.clone()) {
            problems.push(format!("field \"id\": document {:?} appears twice", doc.id));
        }
        let length = doc.text.chars().count();
        for (i, (start, end, label)) in doc.entities.iter().enumerate() {
            if start >= end || *end > length {
                problems.push(format!(
                    "field \"entities\": item {}: span [{start}, {end}) is empty or outside the text ({length} characters)",
                    i + 1
                ));
            }
            if label.trim().is_empty() {
                problems.push(format!("field \"entities\": item {}: empty label", i + 1));
            }
        }
        if problems.is_empty() {
            Ok(doc)
        } else {
            Err(problems.join("; "))
        }
    })
}

/// Loads predicted entities (one JSON object per line).
pub fn load_ner_predictions(path: impl AsRef<Path>) -> Result<Vec<NerPrediction>, NerError> {
    let path = path.as_ref();
    let text = fs::read_to_string(path).map_err(|source| NerError::Io { path: path.to_path_buf(), source })?;
    parse_ner_predictions(&text, path)
}

/// Parses predicted entities from JSON Lines `text`; `path` names the source.
pub fn parse_ner_predictions(text: &str, path: &Path) -> Result<Vec<NerPrediction>, NerError> {
    parse_lines(
        text,
        path,
        |p: NerPrediction| {
            if p.start >= p.end {
                Err(format!("empty span [{}, {})", p.start, p.end))
            } else {
                Ok(p)
            }
        },
    )
}

/// Parses JSON Lines into `T`, checks each item, and collects the problems.
fn parse_lines<T: for<'de> Deserialize<'de>>(
    text: &str,
    path: &Path,
    mut check: impl FnMut(T) -> Result<T, String>,
) -> Result<Vec<T>, NerError> {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<T>(line).map_err(|e| format!("bad JSON: {e}")).and_then(&mut check);
        match parsed {
            Ok(item) => items.push(item),
            Err(message) => problems.push(format!("line {}: {message}", index + 1)),
        }
    }
    if problems.is_empty() {
        return Ok(items);
    }
    let omitted = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.truncate(MAX_PROBLEMS);
    Err(NerError::Invalid { path: path.to_path_buf(), problems, omitted })
}

/// Scores predicted entities against the gold (see the module documentation).
pub fn evaluate_ner(gold: &[NerDoc], predictions: &[NerPrediction], opts: &NerOptions) -> NerReport {
    let gold_spans: HashSet<(&str, usize, usize, String)> = gold
        .iter()
        .flat_map(|d| d.entities.iter().map(move |(s, e, l)| (d.id.as_str(), *s, *e, canonical_label(l))))
        .collect();
    let gold_labels: HashMap<(&str, usize, usize), Vec<&str>> =
        gold_spans.iter().fold(HashMap::new(), |mut map, (d, s, e, l)| {
            map.entry((*d, *s, *e)).or_default().push(l.as_str());
            map
        });
    let labels: BTreeSet<String> = match &opts.labels {
        Some(labels) => labels.iter().map(|l| canonical_label(l)).collect(),
        None => gold_spans.iter().map(|g| g.3.clone()).collect(),
    };
    let docs: HashSet<&str> = gold.iter().map(|d| d.id.as_str()).collect();
    let mut unknown_documents_ignored = 0;
    let mut labels_ignored: BTreeMap<String, usize> = BTreeMap::new();
    let mut scored: HashSet<(&str, usize, usize, String)> = HashSet::new();
    let mut in_scope = 0;
    for p in predictions {
        let label = canonical_label(&p.label);
        if !docs.contains(p.doc_id.as_str()) {
            unknown_documents_ignored += 1;
        } else if !labels.contains(&label) {
            *labels_ignored.entry(label).or_default() += 1;
        } else {
            in_scope += 1;
            scored.insert((p.doc_id.as_str(), p.start, p.end, label));
        }
    }
    let right_span_wrong_label = scored
        .iter()
        .filter(|p| !gold_spans.contains(*p))
        .filter(|p| gold_labels.contains_key(&(p.0, p.1, p.2)))
        .count();
    let count = |label: Option<&str>| {
        let keep = |l: &String| labels.contains(l) && label.is_none_or(|x| x == l);
        let predicted = scored.iter().filter(|p| keep(&p.3)).count();
        let gold_n = gold_spans.iter().filter(|g| keep(&g.3)).count();
        let tp = scored.iter().filter(|p| keep(&p.3) && gold_spans.contains(*p)).count();
        SpanPrf::new(tp, predicted, gold_n)
    };
    let per_label: Vec<LabelScores> =
        labels.iter().map(|l| LabelScores { label: l.clone(), scores: count(Some(l)) }).collect();
    let macro_f1 = if per_label.is_empty() {
        0.0
    } else {
        per_label.iter().map(|l| l.scores.f1).sum::<f64>() / per_label.len() as f64
    };
    NerReport {
        documents: gold.len(),
        predictions_read: predictions.len(),
        duplicates_removed: in_scope - scored.len(),
        unknown_documents_ignored,
        labels_ignored,
        overall: count(None),
        macro_f1,
        per_label,
        right_span_wrong_label,
    }
}

/// The NER scores as a fixed-width text table (ends with a newline).
pub fn render_ner_table(report: &NerReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} gold documents, {} gold entities, {} predictions read ({} duplicates removed); exact typed spans.",
        report.documents, report.overall.gold, report.predictions_read, report.duplicates_removed
    );
    out.push('\n');
    let _ = writeln!(out, "{:<10}{:>7}{:>7}{:>7}{:>9}{:>7}", "label", "P", "R", "F1", "correct", "gold");
    let row = |out: &mut String, name: &str, s: &SpanPrf| {
        let _ = writeln!(
            out,
            "{name:<10}{:>7.3}{:>7.3}{:>7.3}{:>9}{:>7}",
            s.precision,
            s.recall,
            s.f1,
            format!("{}/{}", s.true_positives, s.predicted),
            s.gold
        );
    };
    for l in &report.per_label {
        row(&mut out, &l.label, &l.scores);
    }
    row(&mut out, "micro", &report.overall);
    let _ = writeln!(out, "{:<10}{:>21.3}", "macro F1", report.macro_f1);
    out.push('\n');
    let _ = writeln!(out, "right span, wrong label: {}", report.right_span_wrong_label);
    if report.unknown_documents_ignored > 0 {
        let _ =
            writeln!(out, "ignored: {} predictions for documents not in the gold", report.unknown_documents_ignored);
    }
    for (label, n) in &report.labels_ignored {
        let _ = writeln!(out, "ignored: {n} predictions labelled {label} (a label the gold does not use)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLD: &str = r#"{"id": "d1", "text": "Lazarus Group hit Sony in Tokyo.", "entities": [[0, 13, "ORG"], [18, 22, "ORG"], [26, 31, "LOC"]]}
{"id": "d2", "text": "“Café” owner Ann Lee was phished.", "entities": [[13, 20, "PER"]]}
"#;

    fn pred(doc: &str, start: usize, end: usize, label: &str) -> NerPrediction {
        NerPrediction { doc_id: doc.into(), start, end, label: label.into(), score: Some(0.9), text: None }
    }

    #[test]
    fn exact_typed_spans_scored_by_hand() {
        let gold = parse_ner_gold(GOLD, Path::new("g.jsonl")).unwrap();
        let preds = vec![
            pred("d1", 0, 13, "ORG"),     // right
            pred("d1", 0, 13, "ORG"),     // duplicate, counted once
            pred("d1", 18, 22, "PER"),    // right span, wrong label
            pred("d1", 26, 31, "GPE"),    // right: GPE is LOC
            pred("d2", 13, 16, "PERSON"), // wrong boundary ("Ann")
            pred("d2", 0, 6, "DATE"),     // label not in the gold: ignored
            pred("d9", 0, 3, "ORG"),      // document not in the gold: ignored
        ];
        let r = evaluate_ner(&gold, &preds, &NerOptions::default());
        // Scored predictions: ORG(0,13) ✓, PER(18,22) ✗, LOC(26,31) ✓, PER(13,16) ✗ → 2/4.
        // Gold: 4 entities, 2 found. P = 0.5, R = 0.5, F1 = 0.5.
        assert_eq!((r.overall.true_positives, r.overall.predicted, r.overall.gold), (2, 4, 4));
        assert!((r.overall.f1 - 0.5).abs() < 1e-9);
        // ORG: 1/1 predicted right, 1 of 2 gold: P 1, R 0.5, F1 2/3.
        // LOC: 1/1, 1/1: F1 1.   PER: 0/2, 0/1: F1 0.   Macro = (2/3 + 1 + 0) / 3 = 5/9.
        let org = r.per_label.iter().find(|l| l.label == "ORG").unwrap();
        assert!((org.scores.f1 - 2.0 / 3.0).abs() < 1e-9);
        assert!((r.macro_f1 - 5.0 / 9.0).abs() < 1e-9);
        assert_eq!(r.duplicates_removed, 1);
        assert_eq!(r.right_span_wrong_label, 1);
        assert_eq!(r.unknown_documents_ignored, 1);
        assert_eq!(r.labels_ignored.get("DATE"), Some(&1));
        let table = render_ner_table(&r);
        assert!(table.contains("micro       0.500  0.500  0.500      2/4      4"), "{table}");
    }

    #[test]
    fn gold_problems_name_the_line_and_field() {
        let text = "{\"id\": \"d1\", \"text\": \"abc\", \"entities\": [[0, 5, \"ORG\"]]}\n{\"id\": \"d1\", \"text\": \"x\", \"entities\": []}\nnot json\n";
        let err = parse_ner_gold(text, Path::new("g.jsonl")).unwrap_err().to_string();
        assert!(err.starts_with("g.jsonl rejected: line 1: field \"entities\": item 1: span [0, 5) is empty or outside the text (3 characters); line 2: field \"id\": document \"d1\" appears twice; line 3: bad JSON"), "{err}");
    }
}
