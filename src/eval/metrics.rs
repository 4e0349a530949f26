//! The scores: predictions against gold events, per document, then summed.
//!
//! The rules, in order:
//!
//! 1. **Deduplication.** Within a document, predictions with the same normalised
//!    attacker and victim ([`normalized_key`]) are one prediction: the one with
//!    the highest confidence is kept (the first of equals).
//! 2. **Pair match.** A prediction matches a gold event of its document when its
//!    attacker matches one of the event's attacker mentions and its victim one of
//!    its victim mentions ([`mentions_match`](super::matching::mentions_match)).
//!    A predicted attacker is its canonical name (`attacker`) and, unless
//!    [`EvalOptions::match_mentions`] is off, also the text as written
//!    (`attacker_mention`, when given and holding a content word, so not a bare
//!    "they"): either may match. Likewise the victim.
//!    **Triple match**: a pair match whose date also matches one of the event's
//!    times ([`DateKey::matches`]); an event without times is triple-matched by
//!    a prediction without a date.
//! 3. **Precision** = predictions that match some gold event of their document /
//!    predictions. **Recall** = gold events matched by some prediction / gold
//!    events. F1 = 2PR / (P + R). Micro-averaged: counts are summed over documents
//!    first. A prediction for a document with no gold events is a false positive;
//!    a document with gold events and no predictions counts in recall. A ratio
//!    with a zero denominator is reported as 0.
//! 4. **Slot recall.** Attacker recall = gold events whose attacker matches the
//!    attacker of some prediction of the document / gold events; victim recall
//!    likewise; time recall = gold events with at least one time whose time
//!    matches the date of some prediction of the document / gold events with at
//!    least one time.
//! 5. **Named events.** The named view keeps the gold events that are named
//!    ([`GoldEvent::is_named`]) and the predictions whose attacker and victim are
//!    both names by the same rule ([`super::gold::is_name`]). Recall counts named events matched by a
//!    named prediction; precision counts named predictions that match *any* gold
//!    event of their document (named or not, so that a correct named prediction is
//!    never a false positive because the gold event's name rule said "unnamed").
//!    With [`EvalOptions::judge`] (the rules of the blind judge) the named
//!    view keeps *every* prediction except those that match only unnamed gold
//!    events: a prediction counts as right when it matches a named event, and
//!    an unnamed prediction that matches nothing is a false positive there too.
//!    Recall counts named events matched by any prediction.
//! 6. **Dated triples** ([`EvalOptions::judge`]). The triple scores count only
//!    predictions that give a date, against the gold events that give a time:
//!    saying nothing about the date is neither right nor wrong.
//! 7. **Confidence intervals.** A percentile bootstrap over documents: draw as
//!    many documents as there are, with replacement, sum their counts, compute F1;
//!    repeat ([`Bootstrap::resamples`], 1000 by default) with a fixed seed; the
//!    interval runs from the 2.5th to the 97.5th percentile (nearest rank). The
//!    documents are those with gold events or predictions.

use std::collections::BTreeMap;

use serde::Serialize;

use super::gold::GoldEvent;
use super::matching::{is_content_word, normalize, normalized_key, words_match, DateKey, MatchMode};
use super::predictions::is_named_prediction;
use crate::export::TripleRecord;

/// How to score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalOptions {
    /// Relaxed (default) or strict matching of mentions and dates.
    pub mode: MatchMode,
    /// Per-document rows and error lists for named events and predictions only.
    pub named_only: bool,
    /// How many false positives, misses and wrong dates to list (0: no lists).
    pub errors: usize,
    /// Also match a prediction's `attacker_mention`/`victim_mention` (the text as
    /// written, when the canonical name differs: "Pyongyang" for "North Korea").
    /// On by default; `false` matches the canonical names only.
    pub match_mentions: bool,
    /// Bootstrap confidence intervals for each F1; `None` to skip them.
    pub bootstrap: Option<Bootstrap>,
    /// The blind judge's views: triples only for dated predictions and gold
    /// events with a time, and a named view whose precision counts every
    /// prediction except those that match only unnamed events (rules 5 and 6).
    /// (The judge also matches canonical names only: `match_mentions` off.)
    pub judge: bool,
}

impl EvalOptions {
    /// The rules of the blind judge: canonical names only, dated triples, the
    /// strict named view.
    pub fn judge() -> Self {
        EvalOptions { match_mentions: false, judge: true, ..EvalOptions::default() }
    }
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            mode: MatchMode::Relaxed,
            named_only: false,
            errors: 0,
            match_mentions: true,
            bootstrap: Some(Bootstrap::default()),
            judge: false,
        }
    }
}

/// Settings of the bootstrap over documents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bootstrap {
    /// Number of resamples (default 1000).
    pub resamples: usize,
    /// Seed of the pseudo-random generator (fixed, so that runs agree).
    pub seed: u64,
    /// Coverage of the interval (default 0.95).
    pub level: f64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap { resamples: 1000, seed: 0x5EED_CA5E, level: 0.95 }
    }
}

/// Precision, recall and F1 with the counts they come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prf {
    /// correct_predictions / predictions.
    pub precision: f64,
    /// found_gold / gold_events.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Predictions that match a gold event.
    pub correct_predictions: usize,
    /// Predictions (after deduplication).
    pub predictions: usize,
    /// Gold events matched by a prediction.
    pub found_gold: usize,
    /// Gold events.
    pub gold_events: usize,
    /// Bootstrap interval for `f1`, when computed.
    pub f1_ci: Option<Interval>,
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// A recall with its counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    /// found / total (0 when total is 0).
    pub recall: f64,
    /// Gold events whose slot was found.
    pub found: usize,
    /// Gold events counted.
    pub total: usize,
}

/// Recall of each slot on its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotRecall {
    /// Gold events whose attacker matches some prediction's attacker in the document.
    pub attacker: Ratio,
    /// Gold events whose victim matches some prediction's victim in the document.
    pub victim: Ratio,
    /// Gold events with a time whose time matches some prediction's date in the document.
    pub time: Ratio,
}

/// The scores of one view (all events, or named events only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewScores {
    /// Gold events in the view.
    pub gold_events: usize,
    /// Predictions in the view (after deduplication).
    pub predictions: usize,
    /// Attacker-victim pairs.
    pub pair: Prf,
    /// Attacker-victim-date triples.
    pub triple: Prf,
    /// Recall of each slot on its own.
    pub slots: SlotRecall,
}

/// One document's counts (in the view chosen by [`EvalOptions::named_only`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocRow {
    /// The document.
    pub doc_id: String,
    /// Gold events.
    pub gold: usize,
    /// Predictions after deduplication.
    pub predicted: usize,
    /// Predictions whose pair matches a gold event.
    pub pair_correct: usize,
    /// Gold events whose pair was found.
    pub pair_found: usize,
    /// Predictions whose triple matches a gold event.
    pub triple_correct: usize,
    /// Gold events whose triple was found.
    pub triple_found: usize,
}

/// A prediction that matches no gold event of its document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FalsePositive {
    /// The prediction.
    pub prediction: TripleRecord,
}

/// A gold event no prediction matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    /// The gold event.
    pub event: GoldEvent,
}

/// A prediction whose pair is right and whose date is wrong or missing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WrongDate {
    /// The prediction.
    pub prediction: TripleRecord,
    /// The times of the gold events its pair matches.
    pub gold_times: Vec<String>,
}

/// The error lists of `--errors N`: at most N of each, with their totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorLists {
    /// False positives, most confident first.
    pub false_positives: Vec<FalsePositive>,
    /// All false positives.
    pub false_positives_total: usize,
    /// Missed gold events, in document order.
    pub misses: Vec<Miss>,
    /// All missed gold events.
    pub misses_total: usize,
    /// Right pairs with a wrong or missing date, most confident first (pairs that
    /// match only gold events without times are not listed: no date could be right).
    pub wrong_dates: Vec<WrongDate>,
    /// All right pairs with a wrong or missing date (as listed).
    pub wrong_dates_total: usize,
}

/// Everything `evaluate` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// The options the scores were computed with.
    pub options: EvalOptions,
    /// Documents with gold events or predictions.
    pub documents: usize,
    /// Predictions read, before deduplication.
    pub predictions_read: usize,
    /// Predictions dropped as duplicates.
    pub duplicates_removed: usize,
    /// All gold events and all predictions.
    pub all: ViewScores,
    /// Named gold events and named predictions.
    pub named: ViewScores,
    /// Per-document counts, in document-id order (numbers in ids compared as numbers;
    /// for the named view with `named_only`).
    pub per_doc: Vec<DocRow>,
    /// Error lists, when asked for (for the named view with `named_only`).
    pub errors: Option<ErrorLists>,
}

/// A prediction prepared for matching.
struct Pred<'a> {
    record: &'a TripleRecord,
    /// The canonical attacker, then the attacker as written when it differs.
    attacker: Vec<Vec<String>>,
    /// The canonical victim, then the victim as written when it differs.
    victim: Vec<Vec<String>>,
    date: DateKey,
    named: bool,
}

/// A gold event prepared for matching.
struct Gold<'a> {
    event: &'a GoldEvent,
    attackers: Vec<Vec<String>>,
    victims: Vec<Vec<String>>,
    times: Vec<DateKey>,
    named: bool,
}

impl Gold<'_> {
    fn attacker_matches(&self, pred: &Pred, mode: MatchMode) -> bool {
        self.attackers.iter().any(|a| pred.attacker.iter().any(|p| words_match(p, a, mode)))
    }

    fn victim_matches(&self, pred: &Pred, mode: MatchMode) -> bool {
        self.victims.iter().any(|v| pred.victim.iter().any(|p| words_match(p, v, mode)))
    }

    /// The date matches one of the event's times; an event without a time
    /// is matched by a prediction without a date.
    fn time_matches(&self, pred: &Pred, mode: MatchMode) -> bool {
        if self.times.is_empty() {
            return pred.date.is_empty();
        }
        self.times.iter().any(|t| pred.date.matches(t, mode))
    }

    fn pair_matches(&self, pred: &Pred, mode: MatchMode) -> bool {
        self.attacker_matches(pred, mode) && self.victim_matches(pred, mode)
    }

    fn triple_matches(&self, pred: &Pred, mode: MatchMode) -> bool {
        self.pair_matches(pred, mode) && self.time_matches(pred, mode)
    }
}

#[derive(Default)]
struct DocData<'a> {
    gold: Vec<Gold<'a>>,
    preds: Vec<Pred<'a>>,
}

/// Counts behind one P/R/F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    predictions: usize,
    correct: usize,
    gold: usize,
    found: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.predictions += other.predictions;
        self.correct += other.correct;
        self.gold += other.gold;
        self.found += other.found;
    }

    fn f1(&self) -> f64 {
        f1(ratio(self.correct, self.predictions), ratio(self.found, self.gold))
    }

    fn prf(&self, f1_ci: Option<Interval>) -> Prf {
        let precision = ratio(self.correct, self.predictions);
        let recall = ratio(self.found, self.gold);
        Prf {
            precision,
            recall,
            f1: f1(precision, recall),
            correct_predictions: self.correct,
            predictions: self.predictions,
            found_gold: self.found,
            gold_events: self.gold,
            f1_ci,
        }
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

/// The flags of one document in one view.
struct DocView<'d, 'a> {
    all_gold: &'d [Gold<'a>],
    preds: Vec<PredFlags<'d, 'a>>,
    gold: Vec<(&'d Gold<'a>, GoldFound)>,
    /// Only dated predictions and gold events with a time count for triples.
    dated_triples: bool,
}

/// What one prediction matched in one view.
struct PredFlags<'d, 'a> {
    pred: &'d Pred<'a>,
    pair: bool,
    triple: bool,
}

#[derive(Default, Clone, Copy)]
struct GoldFound {
    pair: bool,
    triple: bool,
    attacker: bool,
    victim: bool,
    time: bool,
}

impl DocView<'_, '_> {
    fn pair(&self) -> Counts {
        Counts {
            predictions: self.preds.len(),
            correct: self.preds.iter().filter(|p| p.pair).count(),
            gold: self.gold.len(),
            found: self.gold.iter().filter(|g| g.1.pair).count(),
        }
    }

    fn triple(&self) -> Counts {
        let preds = self.preds.iter().filter(|p| !self.dated_triples || !p.pred.date.is_empty());
        let gold = self.gold.iter().filter(|g| !self.dated_triples || !g.0.times.is_empty());
        let (mut counts, mut gold_n, mut found) = (Counts::default(), 0, 0);
        for p in preds {
            counts.predictions += 1;
            counts.correct += usize::from(p.triple);
        }
        for g in gold {
            gold_n += 1;
            found += usize::from(g.1.triple);
        }
        Counts { gold: gold_n, found, ..counts }
    }
}

/// Scores `preds` against `gold` (see the module documentation for the rules).
pub fn evaluate(gold: &[GoldEvent], preds: &[TripleRecord], opts: &EvalOptions) -> Scores {
    let mode = opts.mode;
    let mut docs: BTreeMap<&str, DocData> = BTreeMap::new();
    for event in gold {
        docs.entry(event.doc_id.as_str()).or_default().gold.push(Gold {
            event,
            attackers: event.attackers.iter().map(|m| normalize(m)).collect(),
            victims: event.victims.iter().map(|m| normalize(m)).collect(),
            times: event.times.iter().map(|t| DateKey::gold(t)).collect(),
            named: event.is_named(),
        });
    }
    let mut duplicates_removed = 0;
    let mut kept: BTreeMap<(&str, String, String), usize> = BTreeMap::new();
    for record in preds {
        let doc = docs.entry(record.doc_id.as_str()).or_default();
        let key = (record.doc_id.as_str(), normalized_key(&record.attacker), normalized_key(&record.victim));
        let pred = Pred {
            record,
            attacker: forms(&record.attacker, &record.attacker_mention, opts.match_mentions),
            victim: forms(&record.victim, &record.victim_mention, opts.match_mentions),
            date: DateKey::predicted(&record.date, &record.date_iso),
            named: is_named_prediction(record),
        };
        match kept.get(&key) {
            Some(&index) => {
                duplicates_removed += 1;
                if record.confidence > doc.preds[index].record.confidence {
                    doc.preds[index] = pred;
                }
            }
            None => {
                kept.insert(key, doc.preds.len());
                doc.preds.push(pred);
            }
        }
    }

    let mut docs: Vec<(&str, DocData)> = docs.into_iter().collect();
    docs.sort_by(|a, b| natural_cmp(a.0, b.0));
    let views: [Vec<DocView>; 2] =
        [false, true].map(|named_view| docs.iter().map(|(_, doc)| view_of(doc, named_view, opts)).collect::<Vec<_>>());
    let [all_view, named_view] = &views;
    let chosen = if opts.named_only { named_view } else { all_view };
    Scores {
        options: opts.clone(),
        documents: docs.len(),
        predictions_read: preds.len(),
        duplicates_removed,
        all: view_scores(all_view, opts.bootstrap.as_ref()),
        named: view_scores(named_view, opts.bootstrap.as_ref()),
        per_doc: docs
            .iter()
            .map(|(doc_id, _)| doc_id)
            .zip(chosen)
            .map(|(doc_id, view)| {
                let (pair, triple) = (view.pair(), view.triple());
                DocRow {
                    doc_id: doc_id.to_string(),
                    gold: pair.gold,
                    predicted: pair.predictions,
                    pair_correct: pair.correct,
                    pair_found: pair.found,
                    triple_correct: triple.correct,
                    triple_found: triple.found,
                }
            })
            .collect(),
        errors: (opts.errors > 0).then(|| error_lists(chosen, opts.errors, mode)),
    }
}

/// Document-id order with numbers compared as numbers ("994" before "10001",
/// "c2" before "c10"); ties broken by the plain string order.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in s.char_indices().skip(1) {
            let prev = s[..i].chars().next_back().is_some_and(|p| p.is_ascii_digit());
            if c.is_ascii_digit() != prev {
                out.push((prev, &s[start..i]));
                start = i;
            }
        }
        if !s.is_empty() {
            out.push((s[start..].starts_with(|c: char| c.is_ascii_digit()), &s[start..]));
        }
        out
    }
    fn key((digits, text): (bool, &str)) -> (bool, usize, &str, &str) {
        let number = if digits { text.trim_start_matches('0') } else { "" };
        (!digits, number.len(), number, text)
    }
    let (ca, cb) = (chunks(a), chunks(b));
    ca.iter()
        .zip(&cb)
        .map(|(x, y)| key(*x).cmp(&key(*y)))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| ca.len().cmp(&cb.len()))
        .then_with(|| a.cmp(b))
}

/// The normalised forms of a predicted participant: its canonical name, and the
/// mention as written when asked for, different, and holding a content word (a
/// bare "they" or "it" is not evidence of who was meant).
fn forms(name: &str, mention: &str, with_mention: bool) -> Vec<Vec<String>> {
    let mut forms = vec![normalize(name)];
    let mention = normalize(mention);
    if with_mention && mention.iter().any(|w| is_content_word(w)) && mention != forms[0] {
        forms.push(mention);
    }
    forms
}

/// Matches one document in one view.
fn view_of<'d, 'a>(doc: &'d DocData<'a>, named_view: bool, opts: &EvalOptions) -> DocView<'d, 'a> {
    let mode = opts.mode;
    // The judge's named view: every prediction, except those that match only
    // unnamed events, is right when it matches a named one.
    let judged_by_named = named_view && opts.judge;
    let counts_for = |g: &Gold| !judged_by_named || g.named;
    let preds: Vec<&Pred> = doc
        .preds
        .iter()
        .filter(|p| match (named_view, opts.judge) {
            (false, _) => true,
            (true, false) => p.named,
            (true, true) => {
                let matches_unnamed = doc.gold.iter().any(|g| !g.named && g.pair_matches(p, mode));
                let matches_named = doc.gold.iter().any(|g| g.named && g.pair_matches(p, mode));
                matches_named || !matches_unnamed
            }
        })
        .collect();
    let triple_matches = |g: &Gold, p: &Pred| g.triple_matches(p, mode) && (!opts.judge || !g.times.is_empty());
    let pred_flags = preds
        .iter()
        .map(|p| PredFlags {
            pred: p,
            pair: doc.gold.iter().any(|g| counts_for(g) && g.pair_matches(p, mode)),
            triple: doc.gold.iter().any(|g| counts_for(g) && triple_matches(g, p)),
        })
        .collect();
    let gold_flags = doc
        .gold
        .iter()
        .filter(|g| !named_view || g.named)
        .map(|g| {
            let found = GoldFound {
                pair: preds.iter().any(|p| g.pair_matches(p, mode)),
                triple: preds.iter().any(|p| triple_matches(g, p)),
                attacker: preds.iter().any(|p| g.attacker_matches(p, mode)),
                victim: preds.iter().any(|p| g.victim_matches(p, mode)),
                time: preds.iter().any(|p| g.time_matches(p, mode)),
            };
            (g, found)
        })
        .collect();
    DocView { all_gold: &doc.gold, preds: pred_flags, gold: gold_flags, dated_triples: opts.judge }
}

fn view_scores(view: &[DocView], bootstrap: Option<&Bootstrap>) -> ViewScores {
    let pairs: Vec<Counts> = view.iter().map(DocView::pair).collect();
    let triples: Vec<Counts> = view.iter().map(DocView::triple).collect();
    let sum = |counts: &[Counts]| {
        let mut total = Counts::default();
        counts.iter().for_each(|c| total.add(*c));
        total
    };
    let (pair, triple) = (sum(&pairs), sum(&triples));
    let slot = |found: fn(&GoldFound) -> bool, needs_time: bool| {
        let events = view.iter().flat_map(|d| d.gold.iter()).filter(|g| !needs_time || !g.0.times.is_empty());
        let (mut found_n, mut total) = (0, 0);
        for (_, flags) in events {
            total += 1;
            found_n += usize::from(found(flags));
        }
        Ratio { recall: ratio(found_n, total), found: found_n, total }
    };
    ViewScores {
        gold_events: pair.gold,
        predictions: pair.predictions,
        pair: pair.prf(bootstrap.and_then(|b| bootstrap_f1(&pairs, b))),
        triple: triple.prf(bootstrap.and_then(|b| bootstrap_f1(&triples, b))),
        slots: SlotRecall {
            attacker: slot(|f| f.attacker, false),
            victim: slot(|f| f.victim, false),
            time: slot(|f| f.time, true),
        },
    }
}

fn error_lists(view: &[DocView], limit: usize, mode: MatchMode) -> ErrorLists {
    let by_confidence = |a: &&TripleRecord, b: &&TripleRecord| b.confidence.total_cmp(&a.confidence);
    let mut false_positives: Vec<&TripleRecord> =
        view.iter().flat_map(|d| d.preds.iter()).filter(|p| !p.pair).map(|p| p.pred.record).collect();
    false_positives.sort_by(by_confidence);
    let misses: Vec<&GoldEvent> =
        view.iter().flat_map(|d| d.gold.iter()).filter(|g| !g.1.pair).map(|g| g.0.event).collect();
    let mut wrong_dates: Vec<WrongDate> = Vec::new();
    for doc in view {
        for PredFlags { pred, pair, triple } in &doc.preds {
            let dated = doc.all_gold.iter().any(|g| !g.times.is_empty() && g.pair_matches(pred, mode));
            if *pair && !*triple && dated {
                // The times of every gold event of the document the pair matches.
                let gold_times = doc
                    .all_gold
                    .iter()
                    .filter(|g| g.pair_matches(pred, mode))
                    .flat_map(|g| g.event.times.iter().cloned())
                    .collect();
                wrong_dates.push(WrongDate { prediction: pred.record.clone(), gold_times });
            }
        }
    }
    wrong_dates.sort_by(|a, b| b.prediction.confidence.total_cmp(&a.prediction.confidence));
    ErrorLists {
        false_positives_total: false_positives.len(),
        false_positives: false_positives
            .into_iter()
            .take(limit)
            .map(|p| FalsePositive { prediction: p.clone() })
            .collect(),
        misses_total: misses.len(),
        misses: misses.into_iter().take(limit).map(|e| Miss { event: e.clone() }).collect(),
        wrong_dates_total: wrong_dates.len(),
        wrong_dates: wrong_dates.into_iter().take(limit).collect(),
    }
}

/// SplitMix64: a small, well-mixed pseudo-random generator (Steele, Lea and
/// Flood 2014), enough to draw bootstrap samples reproducibly.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (multiply-shift; the bias is below 2^-32 for our n).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

/// Percentile bootstrap interval of the micro F1 over documents.
fn bootstrap_f1(docs: &[Counts], settings: &Bootstrap) -> Option<Interval> {
    if docs.is_empty() || settings.resamples == 0 {
        return None;
    }
    let mut rng = SplitMix64(settings.seed);
    let mut f1s: Vec<f64> = (0..settings.resamples)
        .map(|_| {
            let mut total = Counts::default();
            for _ in 0..docs.len() {
                total.add(docs[rng.below(docs.len())]);
            }
            total.f1()
        })
        .collect();
    f1s.sort_by(f64::total_cmp);
    let n = f1s.len();
    let tail = (1.0 - settings.level) / 2.0;
    let low = ((tail * n as f64).floor() as usize).min(n - 1);
    let high = (((1.0 - tail) * n as f64).ceil() as usize).clamp(1, n) - 1;
    Some(Interval { low: f1s[low], high: f1s[high] })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::eval::gold::parse_gold;
    use crate::eval::predictions::read_predictions_csv;

    /// Five gold events in four documents. Named (computed): E1, E2, E4.
    const GOLD: &str = r#"
{"doc_id": "d1", "attackers": ["North Korea", "Lazarus Group"], "victims": ["NPO Mashinostroyeniya", "NPO Mash"], "times": ["late 2021"], "note": "E1"}
{"doc_id": "d1", "attackers": ["China"], "victims": ["Japan"], "times": ["autumn 2020", "2020-FA"], "note": "E2"}
{"doc_id": "d2", "attackers": ["hackers"], "victims": ["the hospital's patients"], "times": ["last week"], "note": "E3"}
{"doc_id": "d3", "attackers": ["REvil"], "victims": ["Kaseya"], "times": ["2021-07-02"], "note": "E4"}
{"doc_id": "d5", "attackers": ["an insider"], "victims": ["the bank"], "times": [], "note": "E5"}
"#;

    /// Eight predictions; P2 duplicates P1 (same normalised pair) with a lower
    /// confidence and a wrong date, and comes first: P1 must be the one kept.
    const PREDS: &str = "doc_id,attacker,attacker_type,victim,victim_type,date,date_iso,confidence,evidence
d1,the Lazarus Group,threat_actor,NPO Mash's,organization,2019,2019,0.6,P2
d1,Lazarus Group,threat_actor,NPO Mash,organization,late 2021,2021-H2,0.9,P1
d1,China,country,Japan's defence networks,country,October 2020,2020-10,0.8,P3
d1,Russia,country,NPO Mash,organization,,,0.5,P4
d2,hackers,unnamed,patients,unnamed,in March,2024-03,0.7,P5
d2,ShinyHunters hackers,threat_actor,Mercy Hospital patients,organization,,,0.65,P8
d4,APT28,threat_actor,Bundestag,organization,,,0.4,P6
d3,REvil,threat_actor,Microsoft,organization,,,0.3,P7
";

    fn data() -> (Vec<GoldEvent>, Vec<TripleRecord>) {
        let gold = parse_gold(GOLD, Path::new("gold.jsonl"), None).unwrap();
        let preds = read_predictions_csv(PREDS.as_bytes(), Path::new("pred.csv")).unwrap();
        (gold, preds)
    }

    fn close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
    }

    fn check(prf: &Prf, counts: (usize, usize, usize, usize), f1: f64) {
        assert_eq!((prf.correct_predictions, prf.predictions, prf.found_gold, prf.gold_events), counts);
        close(prf.precision, ratio(counts.0, counts.1));
        close(prf.recall, ratio(counts.2, counts.3));
        close(prf.f1, f1);
    }

    // Worked by hand. After deduplication 7 predictions remain (P2 dropped, P1 kept):
    //   P1 Lazarus Group → NPO Mash, "late 2021"        pair E1 ✓, date = text "late 2021" ✓
    //   P3 China → Japan's defence networks, 2020-10    pair E2 ✓ ("japan" is a part), date by
    //                                                   value only: 2020-10 agrees with 2020-FA ✓
    //   P4 Russia → NPO Mash                            ✗ (false positive)
    //   P5 hackers → patients, 2024-03                  pair E3 ✓, date ✗ (gold: "last week")
    //   P8 ShinyHunters hackers → Mercy Hospital patients  pair E3 ✓ ("hackers" is a part), no date
    //   P6 APT28 → Bundestag (d4 has no gold)           ✗
    //   P7 REvil → Microsoft                            ✗ (attacker of E4 right, victim wrong)
    // Gold found: E1, E2, E3 as pairs; E1, E2 as triples; E4 and E5 (no predictions) missed.
    //   pair:   P = 4/7, R = 3/5, F1 = 2·(4/7)(3/5) / (4/7 + 3/5) = (24/35) / (41/35) = 24/41
    //   triple: P = 2/7, R = 2/5, F1 = (8/35) / (24/35) = 1/3
    // Named view: gold E1, E2, E4 ("hackers" and "an insider" are not names); predictions
    // whose attacker and victim are both names: P1, P3, P4, P6, P7, P8 (P5's "hackers"
    // and "patients" are not names; P8's "Mercy Hospital patients" is).
    //   pair:   P = 3/6 (P1, P3, and P8, which matches E3: any gold event of the document
    //           counts for precision), R = 2/3 (E1, E2), F1 = 2·(1/2)(2/3) / (7/6) = 4/7
    //   triple: P = 2/6, R = 2/3, F1 = 2·(1/3)(2/3) / 1 = 4/9
    // Slot recall, all: attacker 4/5 (E1, E2, E3, E4 via P7), victim 3/5, time 2/4 (E5 has
    // no time and is not counted). Named: attacker 3/3, victim 2/3, time 2/3.
    #[test]
    fn scores_worked_out_by_hand() {
        let (gold, preds) = data();
        let s = evaluate(&gold, &preds, &EvalOptions { errors: 2, ..EvalOptions::default() });
        assert_eq!((s.documents, s.predictions_read, s.duplicates_removed), (5, 8, 1));
        check(&s.all.pair, (4, 7, 3, 5), 24.0 / 41.0);
        check(&s.all.triple, (2, 7, 2, 5), 1.0 / 3.0);
        check(&s.named.pair, (3, 6, 2, 3), 4.0 / 7.0);
        check(&s.named.triple, (2, 6, 2, 3), 4.0 / 9.0);
        let r = |x: Ratio| (x.found, x.total);
        assert_eq!([r(s.all.slots.attacker), r(s.all.slots.victim), r(s.all.slots.time)], [(4, 5), (3, 5), (2, 4)]);
        assert_eq!(
            [r(s.named.slots.attacker), r(s.named.slots.victim), r(s.named.slots.time)],
            [(3, 3), (2, 3), (2, 3)]
        );
        let rows: Vec<(&str, [usize; 6])> = s
            .per_doc
            .iter()
            .map(|d| {
                (
                    d.doc_id.as_str(),
                    [d.gold, d.predicted, d.pair_correct, d.pair_found, d.triple_correct, d.triple_found],
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("d1", [2, 3, 2, 2, 2, 2]),
                ("d2", [1, 2, 2, 1, 0, 0]),
                ("d3", [1, 1, 0, 0, 0, 0]),
                ("d4", [0, 1, 0, 0, 0, 0]),
                ("d5", [1, 0, 0, 0, 0, 0]),
            ]
        );
        let errors = s.errors.as_ref().unwrap();
        let evidence: Vec<&str> = errors.false_positives.iter().map(|f| f.prediction.evidence.as_str()).collect();
        assert_eq!((evidence, errors.false_positives_total), (vec!["P4", "P6"], 3));
        let missed: Vec<&str> = errors.misses.iter().map(|m| m.event.doc_id.as_str()).collect();
        assert_eq!((missed, errors.misses_total), (vec!["d3", "d5"], 2));
        let wrong: Vec<&str> = errors.wrong_dates.iter().map(|w| w.prediction.evidence.as_str()).collect();
        assert_eq!((wrong, errors.wrong_dates_total), (vec!["P5", "P8"], 2));
        assert_eq!(errors.wrong_dates[0].gold_times, ["last week"]);
    }

    #[test]
    fn named_only_changes_rows_and_errors_not_the_scores() {
        let (gold, preds) = data();
        let s = evaluate(&gold, &preds, &EvalOptions { named_only: true, errors: 10, ..EvalOptions::default() });
        check(&s.named.pair, (3, 6, 2, 3), 4.0 / 7.0);
        let d2 = s.per_doc.iter().find(|d| d.doc_id == "d2").unwrap();
        // d2's only gold event is unnamed; its named prediction P8 still matches it.
        assert_eq!((d2.gold, d2.predicted, d2.pair_correct, d2.pair_found), (0, 1, 1, 0));
        let errors = s.errors.unwrap();
        assert_eq!((errors.false_positives_total, errors.misses_total), (3, 1));
    }

    // The judge's rules on the same data (canonical names only: these predictions have no
    // mention columns anyway).
    //   pair, all events: as above, P = 4/7, R = 3/5.
    //   triples: only the dated P1, P3, P5 count (P1, P3 right); gold with a time: E1-E4
    //   (E1, E2 found): P = 2/3, R = 2/4, F1 = 4/7.
    //   named view: P5 and P8 match only the unnamed E3 and drop out; P1, P3, P4, P6, P7
    //   stay, P1 and P3 right: P = 2/5, R = 2/3 (E1, E2 of E1, E2, E4), F1 = 1/2; its
    //   triples: the dated P1, P3, both right, against E1, E2, E4: P = 1, R = 2/3, F1 = 4/5.
    #[test]
    fn the_judges_rules_by_hand() {
        let (gold, preds) = data();
        let s = evaluate(&gold, &preds, &EvalOptions::judge());
        check(&s.all.pair, (4, 7, 3, 5), 24.0 / 41.0);
        check(&s.all.triple, (2, 3, 2, 4), 4.0 / 7.0);
        check(&s.named.pair, (2, 5, 2, 3), 0.5);
        check(&s.named.triple, (2, 2, 2, 3), 0.8);
    }

    // Strict: only equal normalised mentions. P1 still matches E1 (pair and triple, equal
    // date text); P3 ("japan defence networks" ≠ "japan"), P5 ("patients" ≠ "hospital
    // patients") and P8 ("shinyhunters hackers" ≠ "hackers") no longer do.
    #[test]
    fn strict_matching_by_hand() {
        let (gold, preds) = data();
        let s = evaluate(&gold, &preds, &EvalOptions { mode: MatchMode::Strict, ..EvalOptions::default() });
        // pair: P = 1/7, R = 1/5, F1 = 2·(1/7)(1/5) / (12/35) = 1/6; the triple is the same.
        check(&s.all.pair, (1, 7, 1, 5), 1.0 / 6.0);
        check(&s.all.triple, (1, 7, 1, 5), 1.0 / 6.0);
    }

    #[test]
    fn the_mention_as_written_matches_too_unless_turned_off() {
        let gold = parse_gold(
            r#"{"doc_id": "d1", "attackers": ["Pyongyang"], "victims": ["NPO Mash"], "times": []}"#,
            Path::new("g.jsonl"),
            None,
        )
        .unwrap();
        let csv = "doc_id,attacker,attacker_type,victim,victim_type,date,date_iso,confidence,evidence,attacker_mention,victim_mention
d1,North Korea,country,NPO Mashinostroyeniya,organization,,,0.9,e,Pyongyang,NPO Mash
";
        let preds = read_predictions_csv(csv.as_bytes(), Path::new("p.csv")).unwrap();
        let on = evaluate(&gold, &preds, &EvalOptions::default());
        check(&on.all.pair, (1, 1, 1, 1), 1.0);
        let off = evaluate(&gold, &preds, &EvalOptions { match_mentions: false, ..EvalOptions::default() });
        check(&off.all.pair, (0, 1, 0, 1), 0.0);
        // A pronoun as written is not used, even where the gold lists it.
        let gold = parse_gold(
            r#"{"doc_id": "d1", "attackers": ["they"], "victims": ["NPO Mash"], "times": []}"#,
            Path::new("g.jsonl"),
            None,
        )
        .unwrap();
        let csv = csv.replace(",Pyongyang,", ",They,");
        let preds = read_predictions_csv(csv.as_bytes(), Path::new("p.csv")).unwrap();
        check(&evaluate(&gold, &preds, &EvalOptions::default()).all.pair, (0, 1, 0, 1), 0.0);
    }

    #[test]
    fn bootstrap_is_reproducible_and_brackets_the_score() {
        let (gold, preds) = data();
        let a = evaluate(&gold, &preds, &EvalOptions::default());
        let b = evaluate(&gold, &preds, &EvalOptions::default());
        let ci = a.all.pair.f1_ci.unwrap();
        assert_eq!(Some(ci), b.all.pair.f1_ci);
        assert!(0.0 <= ci.low && ci.low <= a.all.pair.f1 && a.all.pair.f1 <= ci.high && ci.high <= 1.0, "{ci:?}");
        // Every document perfect: every resample scores 1.
        let perfect: Vec<TripleRecord> = preds.iter().filter(|p| p.evidence == "P1").cloned().collect();
        let s = evaluate(&gold[..1], &perfect, &EvalOptions::default());
        assert_eq!(s.all.triple.f1_ci, Some(Interval { low: 1.0, high: 1.0 }));
        let none = evaluate(&gold, &preds, &EvalOptions { bootstrap: None, ..EvalOptions::default() });
        assert_eq!(none.all.pair.f1_ci, None);
    }

    #[test]
    fn no_predictions_and_no_gold_score_zero_without_dividing_by_zero() {
        let (gold, _) = data();
        let s = evaluate(&gold, &[], &EvalOptions::default());
        check(&s.all.pair, (0, 0, 0, 5), 0.0);
        let s = evaluate(&[], &[], &EvalOptions::default());
        assert_eq!((s.documents, s.all.pair.f1, s.all.pair.f1_ci), (0, 0.0, None));
    }

    #[test]
    fn documents_sort_with_numbers_as_numbers() {
        let mut ids = vec!["10001", "994", "c10", "c2", "c02", "b", "a1b"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(ids, ["994", "10001", "a1b", "b", "c02", "c2", "c10"]);
    }

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs for seed 0 from the reference implementation (Vigna's splitmix64.c).
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next(), 0x6E78_9E6A_A1B9_65F4);
    }
}
