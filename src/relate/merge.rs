//! Merging the readers: the readings of both readers, grouped by the pair
//! they name, become one triple per pair, scored by a small logistic model
//! ([`Merger`]) fitted on a calibration part of CASIE that neither the tagger
//! nor the rules were trained on (`cyberie calibrate`, run by `make model`).
//!
//! A group's features ([`FEATURES`]) say which readers read the pair and how
//! sure each was (for the tagger also of its less certain side, which on
//! CASIE's calibration part weighs more than the mean), whether the other
//! reader read the same mentions under other names, whether a side came from
//! context, hedges, names, where in the article it is, and how often the article
//! names each side ([`ArticleStats`]: the sentence tagger sees one window, but
//! the victim of the attack an article reports is the one it keeps naming; with
//! these two features the merger held out on CASIE's calibration inputs kept its
//! pair F1 and rose from 0.21 to 0.24 in named pair F1, models/README.md).
//! Without a fitted model (a model directory without
//! `merger.json`) a group scores its best reading's confidence.
//!
//! **The rules for the rest.** The calibration data can only teach what its
//! annotators wrote, and the tagger learned from the same annotators: a plain
//! report phrased as CASIE never phrases it ("North Korea broke into NPO
//! Mash") reaches the merger from the rules alone, and a model fitted on CASIE
//! scores such pairs low. So a *clear* rules reading — both sides named, read
//! in the cue's own clause, unhedged, with a strength (the rule's confidence
//! and the kinds of the sides, not the NER model's doubt about the names) of at
//! least [`Merger::clear_rules`] — is kept whatever the model says, with its
//! own confidence. On the CASIE development split such readings are few (17 of
//! 703 articles) and a third are right.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::doc::{Argument, Triple};
use crate::eval::gold::is_name;
use crate::eval::matching::{is_content_word, normalize, normalized_key};

use super::logistic::Logistic;
use super::Reader;

/// One reading of one reader, as a triple with what the merger weighs.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The reading as a triple (its confidence is the reader's own).
    pub triple: Triple,
    /// Who read it.
    pub reader: Reader,
    /// The attacker came from another clause or sentence.
    pub attacker_filled: bool,
    /// Both sides belong to the cue or trigger read (for the tagger: it is the
    /// nearest trigger to each; a rules reading always is).
    pub linked: bool,
    /// The victim came from another clause or sentence.
    pub victim_filled: bool,
    /// The attacker's name is another mention's ("the hackers" read as the
    /// Lazarus Group named earlier, "the servers of Acme" as Acme), not the
    /// one read's own (its words, or their alias: "APT28" is Fancy Bear).
    pub attacker_resolved: bool,
    /// Likewise for the victim ("the company" read as Acme).
    pub victim_resolved: bool,
    /// For a tagger reading, the lower of its attacker's and its victim's
    /// span scores: a pair is as sure as its less certain side (0 for the
    /// rules').
    pub weakest_side: f32,
    /// The hedge factor around the cue or trigger (1 when none).
    pub hedge: f32,
    /// The sentence of the cue or trigger.
    pub sentence: usize,
    /// For a rules reading, its confidence from the rule, the hedge and the
    /// kinds of its sides alone (not how sure the NER model was of the names):
    /// what makes it clear (0 for the tagger's).
    pub strength: f32,
}

impl Proposal {
    /// A rules reading with both sides named, both read in the cue's own
    /// clause, and no hedge.
    pub fn is_clear_rules(&self) -> bool {
        self.reader == Reader::Rules
            && !self.attacker_filled
            && !self.victim_filled
            && self.hedge >= 1.0
            && is_name(&self.triple.attacker.text)
            && is_name(&self.triple.victim.text)
    }
}

/// What the merger knows of the article as a whole.
#[derive(Debug, Clone, Default)]
pub struct ArticleStats {
    /// The number of sentences (pieces), for the position feature.
    pub sentences: usize,
    /// How often each normalised word occurs in the article.
    word_counts: HashMap<String, u32>,
}

impl ArticleStats {
    /// The statistics of an article of `sentences` sentences with `text`.
    pub fn new(text: &str, sentences: usize) -> Self {
        let mut word_counts: HashMap<String, u32> = HashMap::new();
        for word in normalize(text) {
            *word_counts.entry(word).or_default() += 1;
        }
        ArticleStats { sentences, word_counts }
    }

    /// How often the article uses the head (the last content word) of
    /// `name`, as a word of its own: for "North Korean hackers", how often it
    /// says "hackers"; 0 for a name without a content word.
    pub fn mentions_of(&self, name: &str) -> u32 {
        let words = normalize(name);
        let head = words.iter().rev().find(|w| is_content_word(w));
        head.and_then(|w| self.word_counts.get(w)).copied().unwrap_or(0)
    }
}

/// The names of the features, in the order of [`Group::features`].
pub const FEATURES: [&str; 16] = [
    "tagger_score",
    "rules_score",
    "tagger",
    "rules",
    "other_reader_agrees",
    "attacker_named",
    "victim_named",
    "attacker_from_context",
    "victim_from_context",
    "hedge",
    "readings",
    "position",
    "linked",
    "tagger_weakest_side",
    "attacker_salience",
    "victim_salience",
];

/// The proposals of one (attacker, victim) pair.
pub struct Group<'p> {
    /// The proposals, strongest first.
    pub proposals: Vec<&'p Proposal>,
    /// The feature values, in the order of [`FEATURES`].
    pub features: Vec<f64>,
}

/// How groups are scored and kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Merger {
    /// The fitted model, or `None` to score a group by its best reading.
    pub model: Option<LearnedWeights>,
    /// Groups scoring below this are dropped.
    pub threshold: f64,
    /// At most this many triples per article (the strongest).
    pub max_triples: usize,
    /// A clear rules reading with at least this strength is kept whatever
    /// the model scores it (see the module documentation).
    #[serde(default = "default_clear_rules")]
    pub clear_rules: f64,
}

/// The default of [`Merger::clear_rules`].
pub const CLEAR_RULES: f64 = 0.7;

fn default_clear_rules() -> f64 {
    CLEAR_RULES
}

/// A fitted model with its features named, as `merger.json` stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedWeights {
    /// The intercept.
    pub bias: f64,
    /// One weight per feature name (every name of [`FEATURES`]), in name
    /// order so that a refit writes the same file.
    pub weights: BTreeMap<String, f64>,
}

impl Default for Merger {
    fn default() -> Self {
        Merger {
            model: None,
            threshold: f64::from(super::MIN_CONFIDENCE),
            max_triples: super::MAX_TRIPLES,
            clear_rules: CLEAR_RULES,
        }
    }
}

impl LearnedWeights {
    /// Names the weights of `model`, fitted on [`FEATURES`].
    pub fn new(model: &Logistic) -> Self {
        let weights = FEATURES.iter().zip(&model.weights).map(|(n, w)| (n.to_string(), *w)).collect();
        LearnedWeights { bias: model.bias, weights }
    }

    fn logistic(&self) -> Logistic {
        let weights = FEATURES.iter().map(|n| self.weights.get(*n).copied().unwrap_or(0.0)).collect();
        Logistic { bias: self.bias, weights }
    }
}

impl Merger {
    /// Reads `merger.json` from a model directory; the default when the file is absent.
    pub fn load(model_dir: &Path) -> Result<Merger, String> {
        let path = model_dir.join("merger.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let merger: Merger = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                if let Some(model) = &merger.model {
                    if let Some(unknown) = model.weights.keys().find(|k| !FEATURES.contains(&k.as_str())) {
                        return Err(format!("{}: unknown feature {unknown:?}", path.display()));
                    }
                }
                Ok(merger)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Merger::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// The score of a group: the model's probability, or the confidence of
    /// its clear rules reading when that is higher.
    pub fn score(&self, group: &Group) -> f64 {
        let best = f64::from(group.proposals[0].triple.confidence);
        let Some(model) = &self.model else { return best };
        let clear = group
            .proposals
            .iter()
            .filter(|p| p.is_clear_rules() && f64::from(p.strength) >= self.clear_rules)
            .map(|p| f64::from(p.triple.confidence))
            .fold(0.0, f64::max);
        model.logistic().probability(&group.features).max(clear)
    }

    /// One triple per pair, scored, above the threshold, the strongest few.
    pub fn merge(&self, proposals: &[Proposal], article: &ArticleStats) -> Vec<Triple> {
        let mut triples: Vec<Triple> = groups(proposals, article)
            .iter()
            .filter_map(|group| {
                let score = self.score(group);
                (score >= self.threshold).then(|| {
                    let mut triple = best_triple(group);
                    triple.confidence = score as f32;
                    triple
                })
            })
            .collect();
        triples.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        // Two groups may end with the same names: the stronger stays.
        let mut seen = std::collections::HashSet::new();
        triples.retain(|t| seen.insert(key(t)));
        triples.truncate(self.max_triples);
        triples
    }
}

/// The key that makes two proposals one pair: the normalised names, as the
/// evaluation compares them.
fn key(triple: &Triple) -> (String, String) {
    (normalized_key(&triple.attacker.text), normalized_key(&triple.victim.text))
}

/// Groups the proposals, in order of first appearance, with their features:
/// readings of one pair (the same normalised names) are one group, and so are
/// readings of the two readers over the same mentions, whatever names each
/// gave them ("North Korean hackers" and "North Korea" read from one phrase).
pub fn groups<'p>(proposals: &'p [Proposal], article: &ArticleStats) -> Vec<Group<'p>> {
    let mut parent: Vec<usize> = (0..proposals.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (root(parent, a), root(parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    };
    let mut first: HashMap<(String, String), usize> = HashMap::new();
    for (i, p) in proposals.iter().enumerate() {
        let j = *first.entry(key(&p.triple)).or_insert(i);
        join(&mut parent, i, j);
    }
    for (i, p) in proposals.iter().enumerate() {
        for (j, q) in proposals.iter().enumerate().skip(i + 1) {
            if p.reader != q.reader && same_mentions(p, q) {
                join(&mut parent, i, j);
            }
        }
    }
    let mut order: Vec<usize> = Vec::new();
    let mut members: HashMap<usize, Vec<&Proposal>> = HashMap::new();
    for (i, p) in proposals.iter().enumerate() {
        let r = root(&mut parent, i);
        if !members.contains_key(&r) {
            order.push(r);
        }
        members.entry(r).or_default().push(p);
    }
    order
        .into_iter()
        .map(|r| {
            let mut members = members.remove(&r).unwrap_or_default();
            members.sort_by(|a, b| b.triple.confidence.total_cmp(&a.triple.confidence));
            let features = features(&members, article);
            Group { proposals: members, features }
        })
        .collect()
}

/// True when two readings read their attacker and their victim from overlapping mentions.
fn same_mentions(p: &Proposal, q: &Proposal) -> bool {
    p.triple.attacker.span.overlaps(q.triple.attacker.span) && p.triple.victim.span.overlaps(q.triple.victim.span)
}

fn features(members: &[&Proposal], article: &ArticleStats) -> Vec<f64> {
    let best = |reader: Reader| {
        members.iter().filter(|p| p.reader == reader).map(|p| f64::from(p.triple.confidence)).fold(0.0, f64::max)
    };
    let has = |reader: Reader| f64::from(u8::from(members.iter().any(|p| p.reader == reader)));
    // The other reader read the same mentions (perhaps under other names).
    let agrees = members.iter().any(|p| members.iter().any(|q| q.reader != p.reader && same_mentions(p, q)));
    let all_of = |f: fn(&Proposal) -> bool| f64::from(u8::from(members.iter().all(|p| f(p))));
    let first = members.iter().map(|p| p.sentence).min().unwrap_or(0);
    let head = &members[0].triple;
    let salience = |name: &str| f64::from(article.mentions_of(name)).ln_1p();
    vec![
        best(Reader::Tagger),
        best(Reader::Rules),
        has(Reader::Tagger),
        has(Reader::Rules),
        f64::from(u8::from(agrees)),
        f64::from(u8::from(is_name(&head.attacker.text))),
        f64::from(u8::from(is_name(&head.victim.text))),
        all_of(|p| p.attacker_filled),
        all_of(|p| p.victim_filled),
        1.0 - members.iter().map(|p| f64::from(p.hedge)).fold(0.0, f64::max),
        (members.len() as f64).ln_1p(),
        first as f64 / article.sentences.max(1) as f64,
        f64::from(u8::from(members.iter().any(|p| p.linked))),
        members.iter().map(|p| f64::from(p.weakest_side)).fold(0.0, f64::max),
        salience(&head.attacker.text),
        salience(&head.victim.text),
    ]
}

/// The group's triple: its strongest reading, with a date from the
/// strongest reading that has one, and for a side it leaves unnamed ("the
/// hackers") the name another reading of the group read from that side's own
/// words ("North Korean hackers" is North Korea; the mention stays the
/// strongest reading's). A name resolved from elsewhere in the article is not
/// taken: on CASIE such borrowed names were wrong more often than right, and
/// a wrong name costs more than none.
fn best_triple(group: &Group) -> Triple {
    let mut triple = group.proposals[0].triple.clone();
    if triple.date.is_none() {
        triple.date = group.proposals.iter().find_map(|p| p.triple.date.clone());
    }
    let named = |side: fn(&Triple) -> &Argument, resolved: fn(&Proposal) -> bool| {
        group.proposals.iter().filter(|p| !resolved(p)).map(|p| side(&p.triple)).find(|a| is_name(&a.text)).cloned()
    };
    if !is_name(&triple.attacker.text) {
        if let Some(a) = named(|t| &t.attacker, |p| p.attacker_resolved) {
            triple.attacker = Argument { span: triple.attacker.span, ..a };
        }
    }
    if !is_name(&triple.victim.text) {
        if let Some(v) = named(|t| &t.victim, |p| p.victim_resolved) {
            triple.victim = Argument { span: triple.victim.span, ..v };
        }
    }
    let readers: Vec<&str> = [Reader::Tagger, Reader::Rules]
        .into_iter()
        .filter(|r| group.proposals.iter().any(|p| p.reader == *r))
        .map(Reader::name)
        .collect();
    if readers.len() > 1 {
        triple.rule = format!("{} (read by {})", triple.rule, readers.join(" and "));
    }
    triple
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{ArgKind, Argument, Span};

    fn proposal(reader: Reader, attacker: (&str, usize), victim: (&str, usize), confidence: f32) -> Proposal {
        let side = |(text, at): (&str, usize)| Argument {
            text: text.to_string(),
            kind: ArgKind::Organization,
            span: Span::new(at, at + text.len()),
        };
        Proposal {
            triple: Triple {
                doc_id: "d".into(),
                attacker: side(attacker),
                victim: side(victim),
                date: None,
                confidence,
                evidence: String::new(),
                rule: reader.name().into(),
            },
            reader,
            attacker_filled: false,
            linked: true,
            victim_filled: false,
            attacker_resolved: false,
            victim_resolved: false,
            weakest_side: if reader == Reader::Tagger { confidence } else { 0.0 },
            hedge: 1.0,
            sentence: 0,
            strength: if reader == Reader::Rules { confidence } else { 0.0 },
        }
    }

    fn ten_sentences() -> ArticleStats {
        ArticleStats { sentences: 10, ..ArticleStats::default() }
    }

    fn feature(group: &Group, name: &str) -> f64 {
        group.features[FEATURES.iter().position(|n| *n == name).unwrap()]
    }

    #[test]
    fn readings_of_one_pair_group_by_their_normalised_names() {
        let proposals = [
            proposal(Reader::Rules, ("the Lazarus Group", 0), ("Sony", 30), 0.7),
            proposal(Reader::Tagger, ("Lazarus Group's", 100), ("Sony", 130), 0.9),
            proposal(Reader::Tagger, ("Hackers", 200), ("Sony", 230), 0.5),
        ];
        let groups = groups(&proposals, &ten_sentences());
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].proposals.len(), 2);
        assert_eq!(groups[0].proposals[0].reader, Reader::Tagger, "strongest first");
        assert_eq!((feature(&groups[0], "tagger"), feature(&groups[0], "rules")), (1.0, 1.0));
        assert!((feature(&groups[0], "tagger_score") - 0.9).abs() < 1e-6);
        assert!((feature(&groups[0], "tagger_weakest_side") - 0.9).abs() < 1e-6);
        assert!((feature(&groups[0], "rules_score") - 0.7).abs() < 1e-6);
        assert_eq!(feature(&groups[1], "rules"), 0.0);
    }

    #[test]
    fn a_side_the_article_keeps_naming_is_salient() {
        let text = "Hackers breached Apple. Apple said the hackers stole data from Apple's servers and users.";
        let article = ArticleStats::new(text, 2);
        assert_eq!(article.mentions_of("Apple"), 3);
        assert_eq!(article.mentions_of("the Apple servers"), 1, "the head is the last content word");
        assert_eq!(article.mentions_of("North Korean hackers"), 2);
        assert_eq!(article.mentions_of("of the"), 0, "no content word");
        let proposals = [
            proposal(Reader::Tagger, ("hackers", 0), ("Apple", 17), 0.8),
            proposal(Reader::Tagger, ("hackers", 0), ("users", 80), 0.8),
        ];
        let groups = groups(&proposals, &article);
        // ln(1 + count): Apple 3 times, "users" once, "hackers" twice.
        let salience: Vec<f64> = ["victim_salience", "attacker_salience"]
            .iter()
            .flat_map(|name| groups.iter().map(|g| feature(g, name).exp_m1().round()))
            .collect();
        assert_eq!(salience, [3.0, 1.0, 2.0, 2.0]);
    }

    #[test]
    fn the_other_reader_agrees_when_it_read_the_same_mentions_under_other_names() {
        let proposals = [
            proposal(Reader::Rules, ("North Korea", 0), ("NPO Mashinostroyeniya", 30), 0.8),
            proposal(Reader::Tagger, ("North Korean hackers", 0), ("NPO Mashinostroyeniya", 30), 0.6),
            proposal(Reader::Tagger, ("Hackers", 200), ("Acme", 230), 0.6),
        ];
        // The first two are one group: one reading of one phrase, under two names.
        let groups = groups(&proposals, &ten_sentences());
        assert_eq!(groups.iter().map(|g| g.proposals.len()).collect::<Vec<_>>(), [2, 1]);
        let agrees: Vec<f64> = groups.iter().map(|g| feature(g, "other_reader_agrees")).collect();
        assert_eq!(agrees, [1.0, 0.0]);
    }

    #[test]
    fn without_a_model_the_best_reading_scores_and_the_threshold_and_cap_apply() {
        let proposals: Vec<Proposal> = (0..8)
            .map(|i| {
                proposal(Reader::Rules, (&format!("Group{i}"), i * 50), ("Acme", i * 50 + 20), 0.2 + i as f32 * 0.1)
            })
            .collect();
        let merger = Merger { max_triples: 3, ..Merger::default() };
        let triples = merger.merge(&proposals, &ten_sentences());
        let names: Vec<&str> = triples.iter().map(|t| t.attacker.text.as_str()).collect();
        assert_eq!(names, ["Group7", "Group6", "Group5"]);
        // Below MIN_CONFIDENCE nothing is kept.
        assert!(Merger::default().merge(&proposals[..1], &ten_sentences()).is_empty());
    }

    #[test]
    fn an_unnamed_side_takes_a_name_read_from_its_own_words_but_not_one_resolved_from_elsewhere() {
        // The tagger reads "hackers" in "North Korean hackers"; the rules read
        // the same words as North Korea: the name is the mention's own.
        let own = [
            proposal(Reader::Tagger, ("hackers", 5), ("NPO Mash", 40), 0.9),
            proposal(Reader::Rules, ("North Korea", 0), ("NPO Mash", 40), 0.7),
        ];
        let triples = Merger::default().merge(&own, &ten_sentences());
        assert_eq!(triples[0].attacker.text, "North Korea");
        assert_eq!(triples[0].attacker.span, Span::new(5, 12), "the mention stays the tagger's");
        // The rules resolved "the hackers" to a group named sentences before.
        let mut resolved = proposal(Reader::Rules, ("Lazarus Group", 13), ("Acme", 40), 0.7);
        resolved.attacker_resolved = true;
        let elsewhere = [proposal(Reader::Tagger, ("the hackers", 13), ("Acme", 40), 0.9), resolved];
        let triples = Merger::default().merge(&elsewhere, &ten_sentences());
        assert_eq!(triples.len(), 1, "one group: the same mentions");
        assert_eq!(triples[0].attacker.text, "the hackers");
    }

    #[test]
    fn a_clear_rules_reading_is_kept_whatever_the_model_says() {
        // A model that scores everything near zero.
        let model = LearnedWeights { bias: -10.0, weights: BTreeMap::new() };
        let merger = Merger { model: Some(model), threshold: 0.5, ..Merger::default() };
        let clear = proposal(Reader::Rules, ("North Korea", 0), ("NPO Mash", 30), 0.85);
        let mut hedged = proposal(Reader::Rules, ("China", 100), ("Japan", 130), 0.9);
        hedged.hedge = 0.5;
        let mut filled = proposal(Reader::Rules, ("Russia", 200), ("Ukraine", 230), 0.9);
        filled.attacker_filled = true;
        let unnamed = proposal(Reader::Rules, ("hackers", 300), ("customers", 330), 0.9);
        let weak = proposal(Reader::Rules, ("Iran", 400), ("Saudi Aramco", 430), 0.5);
        let tagger = proposal(Reader::Tagger, ("Fancy Bear", 500), ("WADA", 530), 0.95);
        let triples = merger.merge(&[clear, hedged, filled, unnamed, weak, tagger], &ten_sentences());
        let kept: Vec<(&str, f32)> = triples.iter().map(|t| (t.attacker.text.as_str(), t.confidence)).collect();
        assert_eq!(kept, [("North Korea", 0.85)]);
    }

    #[test]
    fn merger_files_round_trip_and_unknown_features_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Merger::load(dir.path()).unwrap(), Merger::default(), "no file: the default");
        let model = Logistic { bias: 0.5, weights: vec![1.0; FEATURES.len()] };
        let merger =
            Merger { model: Some(LearnedWeights::new(&model)), threshold: 0.4, max_triples: 8, clear_rules: 0.8 };
        std::fs::write(dir.path().join("merger.json"), serde_json::to_string(&merger).unwrap()).unwrap();
        assert_eq!(Merger::load(dir.path()).unwrap(), merger);
        let bad = r#"{"model": {"bias": 0, "weights": {"tagger_scor": 1}}, "threshold": 0.5, "max_triples": 5}"#;
        std::fs::write(dir.path().join("merger.json"), bad).unwrap();
        let error = Merger::load(dir.path()).unwrap_err();
        assert!(error.contains("merger.json: unknown feature \"tagger_scor\""), "{error}");
    }
}
