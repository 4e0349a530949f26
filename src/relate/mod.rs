//! Relations: from a document's entities and dates to attacker–victim–date triples.
//!
//! For every sentence: find participant [`mentions`] and attack [`cues`]; read
//! each cue's attacker and victim with the [`roles`] rules; weigh [`hedges`]
//! (negation drops a reading, speculation lowers it); fill a missing or
//! anaphoric role from the rest of the article ([`coref`]); attach a date
//! ([`timing`]). Readings of the same (attacker, victim) pair merge into one
//! triple that keeps the best evidence. Every rule table is in `src/lexicon/`.

mod coref;
mod cues;
mod gazetteer;
mod hedges;
mod learned;
mod lexicon;
mod logistic;
mod mentions;
mod merge;
mod roles;
mod rules;
mod timing;

use std::collections::{HashMap, HashSet};

use crate::doc::{ArgKind, Argument, Doc, Triple};

use coref::{alias_map, is_named, Resolver, Role};
use cues::{find_cues, Cue};
use lexicon::{CueClass, HedgeKind, TABLES};
use mentions::{find_mentions, sentence_words, Mention, SentenceWords};
use roles::Reading;

pub use logistic::Logistic;
pub use merge::{groups, ArticleStats, Group, LearnedWeights, Merger, Proposal, FEATURES};

/// Triples below this confidence are not reported.
pub const MIN_CONFIDENCE: f32 = 0.3;
/// At most this many triples per article (the strongest).
pub const MAX_TRIPLES: usize = 5;
/// Confidence factors for the kind of the attacker: in security news most
/// named organisations are victims, vendors or sources, not attackers.
const ATTACKER_KINDS: &[(ArgKind, f32)] = &[(ArgKind::Organization, 0.6)];
/// Confidence factors for the kind of the victim: a product ("Windows",
/// "iCloud") is what was attacked, not whom.
const VICTIM_KINDS: &[(ArgKind, f32)] = &[(ArgKind::Misc, 0.5)];
/// Confidence factor for a role filled from outside the cue's clause.
const FILLED_ROLE: f32 = 0.75;
/// Further factor when that role comes from another sentence and is not a
/// known threat actor: most such triples fall below [`MIN_CONFIDENCE`].
const OTHER_SENTENCE: f32 = 0.5;

/// One cue's reading, located in the document.
struct Found {
    sentence: usize,
    cue: Cue,
    reading: Reading,
    confidence: f32,
    hedge: Option<HedgeKind>,
    /// The hedge's factor (1 when none).
    hedge_factor: f32,
}

/// The two readers of the relation stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Reader {
    /// The hand-written rules: attack cues and the words around them.
    Rules,
    /// The argument tagger: triggers and arguments marked by the model's second head.
    Tagger,
}

impl Reader {
    /// The reader's name, as `--readers` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Reader::Rules => "rules",
            Reader::Tagger => "tagger",
        }
    }
}

/// What the relation stage does.
#[derive(Debug, Clone, PartialEq)]
pub struct RelateConfig {
    /// The readers to run (the tagger reads nothing from a model without an argument head).
    pub readers: Vec<Reader>,
    /// How their readings become triples.
    pub merger: Merger,
}

impl Default for RelateConfig {
    fn default() -> Self {
        RelateConfig { readers: vec![Reader::Rules, Reader::Tagger], merger: Merger::default() }
    }
}

/// Finds the attacks `doc` reports, strongest first, with both readers.
pub fn extract(doc: &Doc) -> Vec<Triple> {
    extract_with(doc, &RelateConfig::default())
}

/// Finds the attacks `doc` reports, strongest first, as `config` says.
pub fn extract_with(doc: &Doc, config: &RelateConfig) -> Vec<Triple> {
    let (proposals, article) = propose(doc, config);
    config.merger.merge(&proposals, &article)
}

/// Every reading of the readers `config` names, before merging, and what the
/// merger weighs of the document as a whole.
pub fn propose(doc: &Doc, config: &RelateConfig) -> (Vec<Proposal>, ArticleStats) {
    let sentences = sentence_words(doc);
    let mentions = find_mentions(doc, &sentences);
    let found = read_cues(&sentences, &mentions);
    let aliases = alias_map(&mentions, &doc.article.text);
    // Named attackers of the readings, in text order.
    let mut named_readings: Vec<((usize, usize), &Mention)> = found
        .iter()
        .filter_map(|f| {
            let m = &mentions[f.sentence][f.reading.attacker?];
            is_named(m).then_some(((f.sentence, m.words.start), m))
        })
        .collect();
    named_readings.sort_by_key(|(at, _)| *at);
    let resolver = Resolver { sentences: &sentences, mentions: &mentions, named_readings: &named_readings };
    let context = Context { doc, sentences: &sentences, mentions: &mentions, aliases: &aliases, resolver };
    let mut proposals: Vec<Proposal> = Vec::new();
    if config.readers.contains(&Reader::Rules) {
        proposals.extend(found.iter().filter_map(|f| context.proposal(f)));
    }
    if config.readers.contains(&Reader::Tagger) {
        proposals.extend(
            learned::read(doc, &sentences, &mentions).iter().map(|r| learned_proposal(doc, &sentences, &mentions, r)),
        );
    }
    (proposals, ArticleStats::new(&doc.article.text, sentences.len()))
}

/// A learned reading as a proposal.
fn learned_proposal(
    doc: &Doc,
    sentences: &[SentenceWords],
    mentions: &[Vec<Mention>],
    r: &learned::LearnedReading,
) -> Proposal {
    let attacker = learned::argument(doc, mentions, &r.attacker);
    let victim = learned::argument(doc, mentions, &r.victim);
    let mut evidence_sentences: Vec<usize> = [r.trigger.span, r.attacker.mention.span, r.victim.mention.span]
        .iter()
        .map(|&span| learned::sentence_of(sentences, span))
        .collect();
    evidence_sentences.sort_unstable();
    evidence_sentences.dedup();
    let evidence = evidence_sentences
        .iter()
        .filter_map(|&s| sentences.get(s))
        .map(|s| doc.text(s.span))
        .collect::<Vec<_>>()
        .join(" ");
    let mut confidence = (r.trigger.score + r.attacker.span.score + r.victim.span.score) / 3.0;
    let mut rule = "tagger".to_string();
    if r.attacker.from_context {
        confidence *= FILLED_ROLE;
        rule.push_str("+attacker-from-context");
    }
    if r.victim.from_context {
        confidence *= FILLED_ROLE;
        rule.push_str("+victim-from-context");
    }
    let sentence = learned::sentence_of(sentences, r.trigger.span);
    let hedge = sentences.get(sentence).map_or(1.0, |words| {
        let cue = words.words.iter().position(|w| w.start >= r.trigger.span.start).unwrap_or(0);
        hedges::factor(&words.lower, roles::clause_start(words, cue), cue, false).0
    });
    let triple = Triple {
        doc_id: doc.article.id.clone(),
        attacker,
        victim,
        // The tagger's time span, else the date the rules would choose for the trigger.
        date: r.time.map(|t| learned::date(doc, &t)).or_else(|| {
            let words = sentences.get(sentence)?;
            let cue = words.words.iter().position(|w| w.start >= r.trigger.span.start).unwrap_or(0);
            timing::choose(&doc.dates, sentences, sentence, cue).map(|c| c.date.clone())
        }),
        confidence,
        evidence,
        rule,
    };
    Proposal {
        triple,
        reader: Reader::Tagger,
        attacker_filled: r.attacker.from_context,
        linked: r.linked(),
        victim_filled: r.victim.from_context,
        attacker_resolved: r.attacker.span.span != r.attacker.mention.span,
        victim_resolved: r.victim.span.span != r.victim.mention.span,
        weakest_side: r.attacker.span.score.min(r.victim.span.score),
        hedge,
        sentence,
        strength: 0.0,
    }
}

/// Reads every cue of every sentence.
fn read_cues(sentences: &[SentenceWords], mentions: &[Vec<Mention>]) -> Vec<Found> {
    let mut found = Vec::new();
    for (s, sentence) in sentences.iter().enumerate() {
        let cues = find_cues(sentence, &mentions[s]);
        let mut consumed = HashSet::new();
        for i in 0..cues.len() {
            if consumed.contains(&i) {
                continue;
            }
            let Some(reading) = roles::read(sentence, &mentions[s], &cues, i) else { continue };
            if let Some(j) = reading.consumed {
                consumed.insert(j);
            }
            let clause = roles::clause_start(sentence, cues[i].start);
            let (factor, hedge) =
                hedges::factor(&sentence.lower, clause, cues[i].start, cues[i].form.class == CueClass::Noun);
            if factor == 0.0 {
                continue;
            }
            let confidence = reading.confidence * factor;
            found.push(Found { sentence: s, cue: cues[i], reading, confidence, hedge, hedge_factor: factor });
        }
    }
    found
}

/// What turning readings into triples needs to see.
struct Context<'a> {
    doc: &'a Doc,
    sentences: &'a [SentenceWords],
    mentions: &'a [Vec<Mention>],
    aliases: &'a HashMap<String, String>,
    /// Resolves the roles of the readings.
    resolver: Resolver<'a>,
}

impl<'a> Context<'a> {
    /// Turns one reading into a proposal, or `None` when a role stays unknown.
    fn proposal(&self, f: &Found) -> Option<Proposal> {
        let here = &self.mentions[f.sentence];
        let attacker = self.resolver.attacker(f.sentence, f.cue.start, f.reading.attacker.map(|i| &here[i]))?;
        let victim = self.resolver.victim(f.reading.victim.map(|i| &here[i]), attacker.participant)?;
        let attacker_arg = self.argument(&attacker);
        let victim_arg = self.victim_argument(&victim);
        if same_or_part_of(&attacker_arg.text, &victim_arg.text) {
            return None;
        }
        let mut confidence = f.confidence;
        for role in [&attacker, &victim] {
            if role.filled {
                confidence *= FILLED_ROLE;
                if role.mention.sentence != f.sentence && role.participant.kind != ArgKind::ThreatActor {
                    confidence *= OTHER_SENTENCE;
                }
            }
            confidence *= role.participant.score.sqrt();
        }
        let kinds =
            kind_factor(ATTACKER_KINDS, attacker.participant.kind) * kind_factor(VICTIM_KINDS, victim.participant.kind);
        confidence *= kinds;
        let chosen = timing::choose(&self.doc.dates, self.sentences, f.sentence, f.cue.start);
        let mut evidence_sentences = vec![f.sentence, attacker.mention.sentence, victim.mention.sentence];
        if let Some(c) = &chosen {
            evidence_sentences.push(c.sentence);
        }
        evidence_sentences.sort_unstable();
        evidence_sentences.dedup();
        let evidence =
            evidence_sentences.iter().map(|&s| self.doc.text(self.sentences[s].span)).collect::<Vec<_>>().join(" ");
        let mut rule = format!("{}:{}", f.reading.rule.name, f.cue.form.name);
        if attacker.filled {
            rule.push_str("+attacker-from-context");
        }
        if victim.filled {
            rule.push_str("+victim-from-context");
        }
        if let Some(hedge) = f.hedge {
            rule.push_str(&format!("+{}", hedge.as_str()));
        }
        let triple = Triple {
            doc_id: self.doc.article.id.clone(),
            attacker: attacker_arg,
            victim: victim_arg,
            date: chosen.map(|c| c.date.clone()),
            confidence: confidence.clamp(0.0, 1.0),
            evidence,
            rule,
        };
        Some(Proposal {
            triple,
            reader: Reader::Rules,
            attacker_filled: attacker.filled,
            linked: true,
            victim_filled: victim.filled,
            attacker_resolved: attacker.participant.span != attacker.mention.span,
            victim_resolved: victim.participant.span != victim.mention.span,
            weakest_side: 0.0,
            hedge: f.hedge_factor,
            sentence: f.sentence,
            strength: f.confidence * kinds,
        })
    }

    /// The output argument for a role: the participant's canonical name (alias
    /// groups merged), read from the mention in the cue's sentence.
    fn argument(&self, role: &Role) -> Argument {
        let name = &role.participant.canonical;
        let text = self.aliases.get(name).unwrap_or(name).clone();
        Argument { text, kind: role.participant.kind, span: role.mention.span }
    }

    /// As [`Self::argument`], but a capital or other metonym attacked is
    /// itself, not its country ("the Kremlin's website", "hit Kyiv"): only
    /// attackers stand for their state.
    fn victim_argument(&self, role: &Role) -> Argument {
        let written = self.doc.text(role.participant.span);
        if TABLES.named_form(written).is_some_and(|named| named.metonym) {
            return Argument { text: written.to_string(), kind: ArgKind::Location, span: role.mention.span };
        }
        self.argument(role)
    }
}

/// The factor `table` gives `kind` (1 when it gives none).
fn kind_factor(table: &[(ArgKind, f32)], kind: ArgKind) -> f32 {
    table.iter().find(|(k, _)| *k == kind).map_or(1.0, |(_, factor)| *factor)
}

/// True when one name is the other, or a run of its words ("ABCD" and "ABCD
/// Pediatrics"): a participant does not attack itself.
fn same_or_part_of(a: &str, b: &str) -> bool {
    let words = |s: &str| s.to_lowercase().split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let (a, b) = (words(a), words(b));
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    !short.is_empty() && long.windows(short.len()).any(|w| w == short.as_slice())
}

#[cfg(test)]
mod tests;
