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
mod timing;

use std::collections::{HashMap, HashSet};

use crate::doc::{ArgKind, Argument, Doc, Triple};

use coref::{alias_map, earlier, is_named};
use cues::{find_cues, Cue};
use lexicon::{CueClass, TABLES};
use mentions::{find_mentions, sentence_words, Mention, Reference, SentenceWords};
use roles::Reading;

pub use logistic::Logistic;
pub use merge::{groups, Group, LearnedWeights, Merger, Proposal, FEATURES};

/// Triples below this confidence are not reported.
pub const MIN_CONFIDENCE: f32 = 0.3;
/// At most this many triples per article (the strongest).
pub const MAX_TRIPLES: usize = 5;
/// How many words may come between an unnamed attacker and "known as", and
/// between that and the name.
const NAMING_GAP: usize = 4;
/// How many words after an asset ("the servers") its owner's "of" may come.
const OWNER_GAP: usize = 6;
/// How many sentences back an unnamed attacker may find its named antecedent.
const ANTECEDENT_WINDOW: usize = 3;
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
    hedge: Option<&'static str>,
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
    let (proposals, sentences) = propose(doc, config);
    config.merger.merge(&proposals, sentences)
}

/// Every reading of the readers `config` names, before merging, and the
/// number of sentences (pieces) of the document.
pub fn propose(doc: &Doc, config: &RelateConfig) -> (Vec<Proposal>, usize) {
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
    let context =
        Context { doc, sentences: &sentences, mentions: &mentions, aliases: &aliases, named_readings: &named_readings };
    let mut proposals: Vec<Proposal> = Vec::new();
    if config.readers.contains(&Reader::Rules) {
        proposals.extend(found.iter().filter_map(|f| context.proposal(f)));
    }
    if config.readers.contains(&Reader::Tagger) {
        proposals
            .extend(learned::read(doc, &sentences).iter().map(|r| learned_proposal(doc, &sentences, &mentions, r)));
    }
    (proposals, sentences.len())
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
        victim_filled: r.victim.from_context,
        hedge,
        sentence,
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

/// What the resolution of roles needs to see.
struct Context<'a> {
    doc: &'a Doc,
    sentences: &'a [SentenceWords],
    mentions: &'a [Vec<Mention>],
    aliases: &'a HashMap<String, String>,
    /// The named attackers of `found`, with their sentence and word, in text order.
    named_readings: &'a [((usize, usize), &'a Mention)],
}

/// A resolved role: the participant and the mention it was read from.
struct Role<'a> {
    participant: &'a Mention,
    mention: &'a Mention,
    filled: bool,
}

impl<'a> Context<'a> {
    /// Turns one reading into a proposal, or `None` when a role stays unknown.
    fn proposal(&self, f: &Found) -> Option<Proposal> {
        let here = &self.mentions[f.sentence];
        let attacker = self.attacker(f, f.reading.attacker.map(|i| &here[i]))?;
        let victim = self.victim(f.reading.victim.map(|i| &here[i]), attacker.participant)?;
        let attacker_arg = self.argument(&attacker);
        let victim_arg = self.argument(&victim);
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
        confidence *= kind_factor(ATTACKER_KINDS, attacker.participant.kind);
        confidence *= kind_factor(VICTIM_KINDS, victim.participant.kind);
        let chosen = timing::choose(&self.doc.dates, self.sentences, f.sentence, f.cue.start);
        let mut evidence_sentences = vec![f.sentence, attacker.mention.sentence, victim.mention.sentence];
        if let Some(c) = &chosen {
            evidence_sentences.push(c.sentence);
        }
        evidence_sentences.sort_unstable();
        evidence_sentences.dedup();
        let evidence =
            evidence_sentences.iter().map(|&s| self.doc.text(self.sentences[s].span)).collect::<Vec<_>>().join(" ");
        let mut rule = format!("{}:{}", f.reading.rule, f.cue.form.name);
        if attacker.filled {
            rule.push_str("+attacker-from-context");
        }
        if victim.filled {
            rule.push_str("+victim-from-context");
        }
        if let Some(hedge) = f.hedge {
            rule.push_str(&format!("+{hedge}"));
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
            victim_filled: victim.filled,
            hedge: f.hedge_factor,
            sentence: f.sentence,
        })
    }

    /// The output argument for a role: the participant's canonical name (alias
    /// groups merged), read from the mention in the cue's sentence.
    fn argument(&self, role: &Role) -> Argument {
        let name = &role.participant.canonical;
        let text = self.aliases.get(name).unwrap_or(name).clone();
        Argument { text, kind: role.participant.kind, span: role.mention.span }
    }

    /// Resolves the attacker: a name stands; "he"/"she" becomes the person
    /// named before; an unnamed or anaphoric attacker becomes the name it goes
    /// by, else the nearest named attacker of the article when there is one; a
    /// missing attacker is taken from the sentence or the article.
    fn attacker(&self, f: &Found, read: Option<&'a Mention>) -> Option<Role<'a>> {
        if let Some(m) = read {
            if is_named(m) {
                return Some(Role { participant: m, mention: m, filled: false });
            }
            // "he", "she": the nearest person named before.
            if is_personal_pronoun(m) {
                let person = earlier(self.mentions, m.sentence, m.words.start, ANTECEDENT_WINDOW)
                    .find(|a| a.kind == ArgKind::Person && is_named(a) && a.attacker_ok);
                if let Some(person) = person {
                    return Some(Role { participant: person, mention: m, filled: false });
                }
            }
            if let Some(named) = self.named_after(m).or_else(|| self.named_attacker(f.sentence, m.words.start)) {
                return Some(Role { participant: named, mention: m, filled: false });
            }
            if m.kind == ArgKind::Unnamed && m.reference == Reference::Anaphor && has_content(m) {
                return Some(Role { participant: m, mention: m, filled: false });
            }
            // "they": the nearest earlier unnamed attacker phrase.
            return earlier(self.mentions, m.sentence, m.words.start, 3)
                .find(|a| a.attacker_ok && !a.victim_ok && has_content(a))
                .map(|a| Role { participant: a, mention: m, filled: false });
        }
        let in_sentence = self.mentions[f.sentence].iter().find(|m| m.attacker_ok && !m.victim_ok);
        if let Some(m) = in_sentence {
            let participant = if is_named(m) { m } else { self.named_attacker(f.sentence, m.words.start).unwrap_or(m) };
            return Some(Role { participant, mention: m, filled: true });
        }
        if let Some(named) = self.named_attacker(f.sentence, f.cue.start) {
            return Some(Role { participant: named, mention: named, filled: true });
        }
        earlier(self.mentions, f.sentence, 0, 2)
            .find(|a| a.attacker_ok && !a.victim_ok && has_content(a))
            .map(|a| Role { participant: a, mention: a, filled: true })
    }

    /// The name an unnamed attacker is given right after it: "a hacker going by
    /// the pseudonym Buba", "a group calling itself the Shadow Brokers".
    fn named_after(&self, m: &Mention) -> Option<&'a Mention> {
        let sentence = &self.sentences[m.sentence];
        let end = (m.words.end + NAMING_GAP).min(sentence.lower.len());
        let naming =
            (m.words.end..end).find_map(|i| Some(i + TABLES.role_phrase_at("naming", &sentence.lower[i..])?))?;
        self.mentions[m.sentence]
            .iter()
            .find(|n| n.words.start >= naming && n.words.start <= naming + NAMING_GAP && is_named(n) && n.attacker_ok)
    }

    /// The named attacker an unnamed or missing attacker of sentence `s` stands
    /// for: the attacker of the latest reading at most [`ANTECEDENT_WINDOW`]
    /// sentences before, else a threat actor mentioned in that window, else
    /// one named in the next [`ANTECEDENT_WINDOW`] sentences ("A hacker tried
    /// to extort Apple. The hackers, who call themselves ...").
    /// (A binary search over `named_readings`: this runs once per reading.)
    fn named_attacker(&self, s: usize, at: usize) -> Option<&'a Mention> {
        let readings = self.named_readings;
        let first = s.saturating_sub(ANTECEDENT_WINDOW);
        let after = readings.partition_point(|(key, _)| *key < (s, at));
        let from_readings = after.checked_sub(1).map(|i| readings[i]).filter(|((sentence, _), _)| *sentence >= first);
        let last = (s + ANTECEDENT_WINDOW).min(self.mentions.len() - 1);
        from_readings
            .map(|(_, m)| m)
            .or_else(|| {
                (first..=s).rev().flat_map(|i| self.mentions[i].iter().rev()).find(|m| m.kind == ArgKind::ThreatActor)
            })
            .or_else(|| (s + 1..=last).flat_map(|i| self.mentions[i].iter()).find(|m| m.kind == ArgKind::ThreatActor))
    }

    /// Resolves the victim: a name or unnamed group stands; "it", "the
    /// company", "its systems" become the nearest earlier fitting name.
    fn victim(&self, read: Option<&'a Mention>, attacker: &Mention) -> Option<Role<'a>> {
        let m = read?;
        if let Some(owner) = self.owner(m) {
            return self.victim(Some(owner), attacker).map(|role| Role { mention: m, ..role });
        }
        let possessive = m.kind == ArgKind::Unnamed && self.starts_with_possessive(m);
        if m.reference == Reference::Itself && !possessive {
            return Some(Role { participant: m, mention: m, filled: false });
        }
        // "the city of Atlanta": the description names itself.
        if let Some(named) = self.named_by_of(m) {
            return Some(Role { participant: named, mention: m, filled: false });
        }
        // "the company", "its systems" stand for an organisation; "it" may also
        // be a place; "he" and "she" only for a person.
        let organisation_only = has_content(m);
        let personal = is_personal_pronoun(m);
        let antecedent = earlier(self.mentions, m.sentence, m.words.start, 3).find(|a| {
            is_named(a)
                && a.victim_ok
                && a.canonical != attacker.canonical
                && match a.kind {
                    ArgKind::Person => personal,
                    ArgKind::Organization => !personal,
                    ArgKind::Country | ArgKind::Location => !organisation_only && !personal,
                    _ => false,
                }
        });
        match antecedent {
            Some(a) => Some(Role { participant: a, mention: m, filled: false }),
            None if has_content(m) => Some(Role { participant: m, mention: m, filled: false }),
            None => None,
        }
    }

    /// The owner of an asset: "networks and systems of North American
    /// companies", "the servers at Contoso" stand for whom they belong to.
    fn owner(&self, m: &Mention) -> Option<&'a Mention> {
        let sentence = &self.sentences[m.sentence];
        let mentions = &self.mentions[m.sentence];
        let is_asset =
            |m: &Mention| m.kind == ArgKind::Unnamed && TABLES.is_role_word("asset", &sentence.lower[m.words.end - 1]);
        if !is_asset(m) {
            return None;
        }
        let mut i = m.words.end;
        while i < sentence.lower.len() && i < m.words.end + OWNER_GAP {
            let word = sentence.lower[i].as_str();
            if ["of", "at", "belonging"].contains(&word) {
                let from = if word == "belonging" { i + 2 } else { i + 1 };
                return roles::first_within(mentions, from, 3, |o| o.victim_ok && !is_asset(o)).map(|o| &mentions[o]);
            }
            // "networks and systems of ...": other assets may come between.
            let in_asset = mentions.iter().any(|o| o.words.contains(&i) && is_asset(o));
            if !(in_asset || ["and", "or", ","].contains(&word)) {
                return None;
            }
            i += 1;
        }
        None
    }

    /// The name right after "of" that a description stands for ("the city of Atlanta").
    fn named_by_of(&self, m: &Mention) -> Option<&'a Mention> {
        self.sentences[m.sentence].lower.get(m.words.end).filter(|w| *w == "of")?;
        self.mentions[m.sentence].iter().find(|n| n.words.start == m.words.end + 1 && is_named(n) && n.victim_ok)
    }

    fn starts_with_possessive(&self, m: &Mention) -> bool {
        let first = &self.sentences[m.sentence].lower[m.words.start];
        first == "its" || first == "their"
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

/// True for "he" and "she", which stand for people only.
fn is_personal_pronoun(m: &Mention) -> bool {
    let lower = m.canonical.to_lowercase();
    lower == "he" || lower == "she"
}

/// True when an unnamed mention has a content word ("the company", not "it").
fn has_content(m: &Mention) -> bool {
    let lower = m.canonical.to_lowercase();
    !["it", "they", "he", "she", "them", "its", "their"].contains(&lower.as_str())
}

#[cfg(test)]
mod tests;
