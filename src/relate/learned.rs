//! The learned reader: triples from the argument tagger's spans (the
//! triggers, attackers, victims and times that the model's second head marks,
//! trained on CASIE's annotations).
//!
//! In each sentence every argument is linked to its nearest trigger; each
//! trigger then pairs its attackers with its victims. A trigger without an
//! attacker takes the nearest one of its sentence, else the last attacker of
//! the [`CONTEXT_SENTENCES`] sentences before (most CASIE attackers are named
//! once and then implied); one without a victim takes the nearest victim of its
//! sentence, else it gives nothing. Its date is its nearest time span, with the
//! value the date tagger gives the overlapping date expression.
//!
//! Names stay as written: a pronoun ("they", "it", "who") is replaced by the
//! argument of the same role it stands for, the nearest one before it that has
//! a content word; nothing else is resolved (a wrong resolution costs more
//! than none). The kind of each side comes from the rule reader's mention
//! that overlaps it (a name the NER or the gazetteers found), else from the
//! name rule of the evaluation.

use crate::doc::{ArgKind, Argument, DateMention, Doc, Role, RoleSpan, Span};
use crate::eval::gold::is_name;

use super::mentions::{Mention, SentenceWords};

/// How many sentences back a trigger without an attacker looks for one.
pub const CONTEXT_SENTENCES: usize = 2;
/// How many sentences back a pronoun looks for what it stands for.
const ANTECEDENT_SENTENCES: usize = 3;
/// Words that stand for an argument named elsewhere.
const PRONOUNS: &[&str] = &["it", "its", "they", "them", "their", "he", "she", "him", "her", "who", "which", "that"];

/// One side of a learned reading, before it becomes an [`Argument`].
#[derive(Debug, Clone, Copy)]
pub struct Side<'d> {
    /// The span the tagger marked (the antecedent's, for a pronoun).
    pub span: &'d RoleSpan,
    /// The span as written in the sentence of the reading (the pronoun itself).
    pub mention: &'d RoleSpan,
    /// Taken from another trigger or sentence than the reading's own.
    pub from_context: bool,
}

/// One trigger's reading of an attack: who, whom, when.
#[derive(Debug, Clone)]
pub struct LearnedReading<'d> {
    /// The trigger.
    pub trigger: &'d RoleSpan,
    /// The attacker.
    pub attacker: Side<'d>,
    /// The victim.
    pub victim: Side<'d>,
    /// The time span linked to the trigger, when there is one.
    pub time: Option<&'d RoleSpan>,
}

/// The role spans of each sentence, in text order (a span over a piece
/// boundary of an over-long sentence belongs to the piece where it starts).
fn by_sentence<'d>(doc: &'d Doc, sentences: &[SentenceWords]) -> Vec<Vec<&'d RoleSpan>> {
    let mut out: Vec<Vec<&RoleSpan>> = vec![Vec::new(); sentences.len()];
    for span in &doc.roles {
        if let Some(slot) = out.get_mut(sentence_of(sentences, span.span)) {
            slot.push(span);
        }
    }
    out
}

/// The index of the sentence that holds the start of `span`.
pub fn sentence_of(sentences: &[SentenceWords], span: Span) -> usize {
    sentences.partition_point(|sentence| sentence.span.end <= span.start)
}

/// Reads every trigger of the document.
pub fn read<'d>(doc: &'d Doc, sentences: &[SentenceWords]) -> Vec<LearnedReading<'d>> {
    let spans = by_sentence(doc, sentences);
    let text = &doc.article.text;
    let mut readings = Vec::new();
    for (s, here) in spans.iter().enumerate() {
        let of = |role: Role| here.iter().copied().filter(move |r| r.role == role);
        let triggers: Vec<&RoleSpan> = of(Role::Trigger).collect();
        if triggers.is_empty() {
            continue;
        }
        let nearest_trigger = |r: &RoleSpan| {
            triggers.iter().enumerate().min_by_key(|(_, t)| distance(t.span, r.span)).map(|(i, _)| i).unwrap_or(0)
        };
        for (t, trigger) in triggers.iter().enumerate() {
            let linked = |role: Role| of(role).filter(|r| nearest_trigger(r) == t).collect::<Vec<_>>();
            let nearest = |role: Role| of(role).min_by_key(|r| distance(trigger.span, r.span));
            let mut attackers: Vec<Side> =
                linked(Role::Attacker).into_iter().map(|a| Side { span: a, mention: a, from_context: false }).collect();
            if attackers.is_empty() {
                let found = nearest(Role::Attacker).or_else(|| last_before(&spans, s, Role::Attacker));
                attackers.extend(found.map(|a| Side { span: a, mention: a, from_context: true }));
            }
            let mut victims: Vec<Side> =
                linked(Role::Victim).into_iter().map(|v| Side { span: v, mention: v, from_context: false }).collect();
            if victims.is_empty() {
                victims.extend(nearest(Role::Victim).map(|v| Side { span: v, mention: v, from_context: true }));
            }
            let time = linked(Role::Time).into_iter().min_by_key(|m| distance(trigger.span, m.span));
            for attacker in &attackers {
                let Some(attacker) = resolve(text, &spans, s, *attacker) else { continue };
                for victim in &victims {
                    let Some(victim) = resolve(text, &spans, s, *victim) else { continue };
                    readings.push(LearnedReading { trigger, attacker, victim, time });
                }
            }
        }
    }
    readings
}

/// Bytes between two spans (0 when they overlap).
fn distance(a: Span, b: Span) -> usize {
    if a.overlaps(b) {
        0
    } else if a.end <= b.start {
        b.start - a.end
    } else {
        a.start - b.end
    }
}

/// The last span of `role` in the [`CONTEXT_SENTENCES`] sentences before `s`.
fn last_before<'d>(spans: &[Vec<&'d RoleSpan>], s: usize, role: Role) -> Option<&'d RoleSpan> {
    (s.saturating_sub(CONTEXT_SENTENCES)..s).rev().find_map(|i| spans[i].iter().rev().find(|r| r.role == role).copied())
}

/// Replaces a pronoun by the nearest earlier span of the same role that has a
/// content word (within [`ANTECEDENT_SENTENCES`]); `None` when there is none.
fn resolve<'d>(text: &str, spans: &[Vec<&'d RoleSpan>], s: usize, side: Side<'d>) -> Option<Side<'d>> {
    if !is_pronoun(&text[side.span.span.range()]) {
        return Some(side);
    }
    let start = side.span.span.start;
    let antecedent = (s.saturating_sub(ANTECEDENT_SENTENCES)..=s).rev().find_map(|i| {
        spans[i]
            .iter()
            .rev()
            .find(|r| r.role == side.span.role && r.span.end <= start && !is_pronoun(&text[r.span.range()]))
            .copied()
    })?;
    Some(Side { span: antecedent, mention: side.mention, from_context: side.from_context })
}

/// True for a lone pronoun ("they", "It", "who").
fn is_pronoun(words: &str) -> bool {
    let lower = words.trim().to_lowercase();
    PRONOUNS.contains(&lower.as_str())
}

/// The output argument for one side: the words as written, trimmed, with the
/// kind of the rule reader's mention that overlaps it most.
pub fn argument(doc: &Doc, mentions: &[Vec<Mention>], side: &Side) -> Argument {
    let text = trim(doc.text(side.span.span));
    let overlapping = mentions
        .iter()
        .flatten()
        .filter(|m| m.span.overlaps(side.span.span))
        .max_by_key(|m| m.span.end.min(side.span.span.end) - m.span.start.max(side.span.span.start));
    let kind = match overlapping {
        Some(m) if m.kind != ArgKind::Unnamed => m.kind,
        _ if is_name(text) => ArgKind::Organization,
        _ => ArgKind::Unnamed,
    };
    Argument { text: text.to_string(), kind, span: side.mention.span }
}

/// The date of a reading: the time span as written, with the value of the date
/// expression that overlaps it most.
pub fn date(doc: &Doc, time: &RoleSpan) -> DateMention {
    let value = doc
        .dates
        .iter()
        .filter(|d| d.span.overlaps(time.span))
        .max_by_key(|d| d.span.end.min(time.span.end) - d.span.start.max(time.span.start))
        .and_then(|d| d.value);
    DateMention { span: time.span, text: trim(doc.text(time.span)).to_string(), value }
}

/// Drops surrounding punctuation and a possessive ending.
fn trim(words: &str) -> &str {
    let words = words.trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '$');
    words.strip_suffix("'s").or_else(|| words.strip_suffix("’s")).unwrap_or(words)
}
