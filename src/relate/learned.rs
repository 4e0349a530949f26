//! The learned reader: triples from the argument tagger's spans (the
//! triggers, attackers, victims and times that the model's second head marks,
//! trained on CASIE's annotations).
//!
//! In each sentence every argument is linked to its nearest trigger. Each
//! trigger pairs the attackers of its sentence with the victims, each pair of
//! mentions once, under the trigger both are linked to when there is one
//! ([`LearnedReading::linked`]; CASIE's events gather the arguments of all
//! their mentions, so a pair across two triggers of one sentence is often
//! right too, and the merger weighs the difference). A sentence without an
//! attacker span takes a threat actor the gazetteers find in it, else the last
//! attacker of the [`CONTEXT_SENTENCES`] sentences before (most CASIE attackers
//! are named once and then implied); without a victim a trigger gives nothing.
//! The date is the trigger's nearest linked time span, with the value the date
//! tagger gives the overlapping date expression.
//!
//! Names stay as written, but for the aliases of the gazetteers ("APT28" is
//! Fancy Bear, "Pyongyang" North Korea): a pronoun ("they", "it", "who") is replaced by the
//! argument of the same role it stands for when that is in its own sentence
//! ("hackers, who breached", "the group said it"), the nearest one before it
//! that has a content word; otherwise it stays as written, and nothing else is
//! resolved: a resolution across sentences was wrong more often than right on
//! the calibration part of CASIE (a wrong resolution costs more than none). The kind of each side comes from the rule reader's mention
//! that overlaps it (a name the NER or the gazetteers found), else from the
//! name rule of the evaluation.

use crate::doc::{ArgKind, Argument, DateMention, Doc, Role, RoleSpan, Span};
use crate::eval::gold::is_name;
use crate::eval::matching::{is_content_word, normalize};

use super::lexicon::TABLES;
use super::mentions::{Mention, SentenceWords};

/// How many sentences back a trigger without an attacker looks for one.
pub const CONTEXT_SENTENCES: usize = 2;
/// Words that stand for an argument named elsewhere.
const PRONOUNS: &[&str] = &["it", "its", "they", "them", "their", "he", "she", "him", "her", "who", "which", "that"];

/// One side of a learned reading, before it becomes an [`Argument`].
#[derive(Debug, Clone, Copy)]
pub struct Side {
    /// The span the tagger marked (the antecedent's, for a pronoun).
    pub span: RoleSpan,
    /// The span as written in the sentence of the reading (the pronoun itself).
    pub mention: RoleSpan,
    /// Taken from another sentence than the trigger's.
    pub from_context: bool,
    /// The trigger of the reading is the nearest one to this side.
    pub linked: bool,
}

/// One trigger's reading of an attack: who, whom, when.
#[derive(Debug, Clone)]
pub struct LearnedReading {
    /// The trigger.
    pub trigger: RoleSpan,
    /// The attacker.
    pub attacker: Side,
    /// The victim.
    pub victim: Side,
    /// The time span linked to the trigger, when there is one.
    pub time: Option<RoleSpan>,
}

impl LearnedReading {
    /// Both sides are linked to the reading's trigger (the nearest trigger to each).
    pub fn linked(&self) -> bool {
        self.attacker.linked && self.victim.linked
    }
}

/// The role spans of each sentence, in text order (a span over a piece
/// boundary of an over-long sentence belongs to the piece where it starts),
/// cleaned: spans of one role that only quotes separate are one (`a "threat
/// actor"`), and spans without a content word ("a", "the") are dropped, but
/// for pronouns, which are resolved later.
fn by_sentence(doc: &Doc, sentences: &[SentenceWords]) -> Vec<Vec<RoleSpan>> {
    let text = &doc.article.text;
    let mut out: Vec<Vec<RoleSpan>> = vec![Vec::new(); sentences.len()];
    for span in &doc.roles {
        let Some(slot) = out.get_mut(sentence_of(sentences, span.span)) else { continue };
        if let Some(last) = slot.last_mut().filter(|last| last.role == span.role) {
            let gap = text.get(last.span.end..span.span.start).unwrap_or(",");
            if gap.chars().all(|c| c.is_whitespace() || QUOTES.contains(&c)) {
                last.span = Span::new(last.span.start, span.span.end);
                last.score = last.score.min(span.score);
                continue;
            }
        }
        slot.push(*span);
    }
    for slot in &mut out {
        slot.retain(|r| {
            let words = &text[r.span.range()];
            is_pronoun(words) || normalize(words).iter().any(|w| is_content_word(w))
        });
    }
    out
}

/// Quotation marks, which the word splitter makes words of their own.
const QUOTES: &[char] = &['"', '\'', '“', '”', '‘', '’', '«', '»'];

/// The index of the sentence that holds the start of `span`.
pub fn sentence_of(sentences: &[SentenceWords], span: Span) -> usize {
    sentences.partition_point(|sentence| sentence.span.end <= span.start)
}

/// Reads every trigger of the document. `mentions` are the rule reader's, per
/// sentence: a threat actor the gazetteers know stands in for an attacker
/// the tagger did not mark in the trigger's sentence.
pub fn read(doc: &Doc, sentences: &[SentenceWords], mentions: &[Vec<Mention>]) -> Vec<LearnedReading> {
    let spans = by_sentence(doc, sentences);
    let text = &doc.article.text;
    let mut readings: Vec<LearnedReading> = Vec::new();
    for (s, here) in spans.iter().enumerate() {
        let of = |role: Role| here.iter().copied().filter(move |r| r.role == role);
        let triggers: Vec<RoleSpan> = of(Role::Trigger).collect();
        let nearest_trigger = |r: &RoleSpan| {
            triggers.iter().enumerate().min_by_key(|(_, t)| distance(t.span, r.span)).map(|(i, _)| i).unwrap_or(0)
        };
        for (t, trigger) in triggers.iter().enumerate() {
            let side =
                |r: RoleSpan| Side { span: r, mention: r, from_context: false, linked: nearest_trigger(&r) == t };
            let mut attackers: Vec<Side> = of(Role::Attacker).map(side).collect();
            if attackers.is_empty() {
                let found = known_actor(mentions.get(s).map_or(&[][..], Vec::as_slice), trigger)
                    .or_else(|| last_before(&spans, s, Role::Attacker).map(|a| (a, true)));
                attackers.extend(found.map(|(a, far)| Side { span: a, mention: a, from_context: far, linked: false }));
            }
            let victims: Vec<Side> = of(Role::Victim).map(side).collect();
            let time =
                of(Role::Time).filter(|m| nearest_trigger(m) == t).min_by_key(|m| distance(trigger.span, m.span));
            for attacker in &attackers {
                let attacker = resolve(text, &spans, s, *attacker);
                for victim in &victims {
                    let victim = resolve(text, &spans, s, *victim);
                    let reading = LearnedReading { trigger: *trigger, attacker, victim, time };
                    // One reading per pair of mentions: the one of the trigger both are linked to.
                    let same = readings.iter_mut().find(|r| {
                        r.attacker.mention.span == attacker.mention.span && r.victim.mention.span == victim.mention.span
                    });
                    match same {
                        Some(earlier) if reading.linked() && !earlier.linked() => *earlier = reading,
                        Some(_) => {}
                        None => readings.push(reading),
                    }
                }
            }
        }
    }
    readings
}

/// A threat actor of the gazetteers among the sentence's mentions, the
/// nearest before the trigger (else after it), as an attacker span.
fn known_actor(mentions: &[Mention], trigger: &RoleSpan) -> Option<(RoleSpan, bool)> {
    let actors = mentions.iter().filter(|m| m.kind == ArgKind::ThreatActor && m.attacker_ok);
    let before = actors.clone().rfind(|m| m.span.end <= trigger.span.start);
    let chosen = before.or_else(|| actors.clone().next())?;
    Some((RoleSpan { span: chosen.span, role: Role::Attacker, score: KNOWN_ACTOR_SCORE }, false))
}

/// The score given to a gazetteer threat actor standing in for an attacker span.
const KNOWN_ACTOR_SCORE: f32 = 0.5;

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
fn last_before(spans: &[Vec<RoleSpan>], s: usize, role: Role) -> Option<RoleSpan> {
    (s.saturating_sub(CONTEXT_SENTENCES)..s).rev().find_map(|i| spans[i].iter().rev().find(|r| r.role == role).copied())
}

/// Replaces a pronoun by the nearest earlier span of the same role in its
/// sentence that has a content word; keeps it when there is none.
fn resolve(text: &str, spans: &[Vec<RoleSpan>], s: usize, side: Side) -> Side {
    if !is_pronoun(&text[side.span.span.range()]) {
        return side;
    }
    let start = side.span.span.start;
    let antecedent = spans[s]
        .iter()
        .rev()
        .find(|r| r.role == side.span.role && r.span.end <= start && !is_pronoun(&text[r.span.range()]));
    match antecedent {
        Some(antecedent) => Side { span: *antecedent, ..side },
        None => side,
    }
}

/// True for a lone pronoun ("they", "It", "who").
fn is_pronoun(words: &str) -> bool {
    let lower = words.trim().to_lowercase();
    PRONOUNS.contains(&lower.as_str())
}

/// The output argument for one side: the words as written, trimmed (or the
/// canonical name when they are a threat actor's alias, or an attacker's
/// capital standing for its country: "Moscow" attacks as Russia, but a city
/// attacked is the city), with the kind of the rule reader's mention that
/// overlaps it most.
pub fn argument(doc: &Doc, mentions: &[Vec<Mention>], side: &Side) -> Argument {
    let written = trim(doc.text(side.span.span));
    let attacker = side.span.role == Role::Attacker;
    let alias = TABLES.named_form(written).filter(|named| named.is_actor || (named.metonym && attacker));
    if let Some(named) = alias {
        let kind = if named.is_actor { ArgKind::ThreatActor } else { ArgKind::Country };
        return Argument { text: named.canonical.to_string(), kind, span: side.mention.span };
    }
    let text = written;
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

/// Drops surrounding punctuation, a possessive ending and a leading article.
fn trim(words: &str) -> &str {
    let words = words.trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '$');
    let words = words.strip_suffix("'s").or_else(|| words.strip_suffix("’s")).unwrap_or(words);
    // "the Bowman Avenue Dam" is written "Bowman Avenue Dam", as the rules write names.
    ["the ", "The ", "a ", "A ", "an ", "An "].iter().find_map(|d| words.strip_prefix(d)).unwrap_or(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::tag_dates;
    use crate::doc::Article;
    use crate::relate::mentions::sentence_words;

    /// A document with the tagger's spans written out by hand: `(role, surface)`
    /// found in order in the text.
    fn doc(text: &str, roles: &[(Role, &str)]) -> Doc {
        let mut doc = Doc::new(Article { id: "t".into(), title: None, text: text.into(), published: None });
        doc.segment();
        doc.dates = tag_dates(text, None);
        let mut from = 0;
        for (role, surface) in roles {
            let start = from + text[from..].find(surface).unwrap_or_else(|| panic!("{surface} not in text"));
            doc.roles.push(RoleSpan { span: Span::new(start, start + surface.len()), role: *role, score: 0.9 });
            from = start + surface.len();
        }
        doc
    }

    /// (attacker as output, attacker as written, victim, time, attacker from context) of each reading.
    fn readings(doc: &Doc) -> Vec<(String, String, String, String, bool)> {
        let sentences = sentence_words(doc);
        read(doc, &sentences, &[])
            .iter()
            .map(|r| {
                (
                    doc.text(r.attacker.span.span).to_string(),
                    doc.text(r.attacker.mention.span).to_string(),
                    doc.text(r.victim.span.span).to_string(),
                    r.time.map(|t| doc.text(t.span).to_string()).unwrap_or_default(),
                    r.attacker.from_context,
                )
            })
            .collect()
    }

    fn pair(a: &str, v: &str, t: &str, context: bool) -> (String, String, String, String, bool) {
        (a.into(), a.into(), v.into(), t.into(), context)
    }

    use Role::{Attacker as A, Time as T, Trigger as TR, Victim as V};

    #[test]
    fn arguments_pair_around_their_nearest_trigger_and_across_the_sentence() {
        let d = doc(
            "Hackers breached Acme Corp in May 2023, and LockBit hit Contoso.",
            &[
                (A, "Hackers"),
                (TR, "breached"),
                (V, "Acme Corp"),
                (T, "May 2023"),
                (A, "LockBit"),
                (TR, "hit"),
                (V, "Contoso"),
            ],
        );
        let sentences = sentence_words(&d);
        let found: Vec<(&str, &str, bool)> = read(&d, &sentences, &[])
            .iter()
            .map(|r| (d.text(r.attacker.span.span), d.text(r.victim.span.span), r.linked()))
            .collect();
        assert_eq!(
            found,
            [
                ("Hackers", "Acme Corp", true),
                ("Hackers", "Contoso", false),
                ("LockBit", "Acme Corp", false),
                ("LockBit", "Contoso", true)
            ]
        );
        assert_eq!(readings(&d)[0], pair("Hackers", "Acme Corp", "May 2023", false));
        assert_eq!(readings(&d)[3], pair("LockBit", "Contoso", "", false));
    }

    #[test]
    fn a_known_threat_actor_stands_in_for_an_attacker_the_tagger_missed() {
        let d = doc("Cl0p stole data from Shell.", &[(TR, "stole"), (V, "Shell")]);
        let sentences = sentence_words(&d);
        let mentions = crate::relate::mentions::find_mentions(&d, &sentences);
        let found = read(&d, &sentences, &mentions);
        assert_eq!(found.len(), 1);
        assert_eq!((d.text(found[0].attacker.span.span), found[0].attacker.from_context), ("Cl0p", false));
    }

    #[test]
    fn a_trigger_without_an_attacker_takes_the_sentences_nearest_or_one_from_before() {
        let d = doc(
            "APT28 targeted the ministry. Nothing else happened. The breach exposed the Bundestag.",
            &[(A, "APT28"), (TR, "targeted"), (V, "the ministry"), (TR, "breach"), (V, "the Bundestag")],
        );
        assert_eq!(readings(&d), [pair("APT28", "the ministry", "", false), pair("APT28", "the Bundestag", "", true)]);
        // Three sentences back is too far.
        let d = doc(
            "APT28 targeted the ministry. One. Two. The breach exposed the Bundestag.",
            &[(A, "APT28"), (TR, "targeted"), (V, "the ministry"), (TR, "breach"), (V, "the Bundestag")],
        );
        assert_eq!(readings(&d).len(), 1);
        // A trigger without a victim gives nothing.
        let d = doc("Hackers struck again.", &[(A, "Hackers"), (TR, "struck")]);
        assert!(readings(&d).is_empty());
    }

    #[test]
    fn a_pronoun_is_resolved_in_its_own_sentence_only() {
        let d = doc(
            "The gang, which breached Acme, is known.",
            &[(A, "The gang"), (A, "which"), (TR, "breached"), (V, "Acme")],
        );
        let found = readings(&d);
        assert!(found.iter().any(|r| r.0 == "The gang" && r.1 == "which" && r.2 == "Acme"), "{found:?}");
        let d = doc(
            "Hackers struck. They breached Acme.",
            &[(A, "Hackers"), (TR, "struck"), (A, "They"), (TR, "breached"), (V, "Acme")],
        );
        assert_eq!(readings(&d), [pair("They", "Acme", "", false)]);
    }

    #[test]
    fn quoted_parts_join_and_spans_without_content_words_drop() {
        let d = doc(
            r#"A "threat actor" accessed the tables of the firm."#,
            &[(A, "A"), (A, "threat actor"), (TR, "accessed"), (V, "the"), (V, "firm")],
        );
        assert_eq!(readings(&d), [pair(r#"A "threat actor"#, "firm", "", false)]);
    }

    #[test]
    fn the_date_is_the_time_span_as_written_with_the_value_of_its_date() {
        let d = doc(
            "Hackers breached Acme in late 2021.",
            &[(A, "Hackers"), (TR, "breached"), (V, "Acme"), (T, "late 2021")],
        );
        let sentences = sentence_words(&d);
        let reading = &read(&d, &sentences, &[])[0];
        let date = date(&d, &reading.time.unwrap());
        assert_eq!((date.text.as_str(), date.value.map(|v| v.to_string())), ("late 2021", Some("2021-H2".into())));
    }

    #[test]
    fn sides_keep_the_words_as_written_and_take_the_kind_of_a_name_they_overlap() {
        let d = doc("Hackers breached Acme Corp's network.", &[(A, "Hackers"), (TR, "breached"), (V, "Acme Corp's")]);
        let sentences = sentence_words(&d);
        let reading = &read(&d, &sentences, &[])[0];
        let victim = argument(&d, &[], &reading.victim);
        assert_eq!((victim.text.as_str(), victim.kind), ("Acme Corp", ArgKind::Organization));
        let attacker = argument(&d, &[], &reading.attacker);
        assert_eq!((attacker.text.as_str(), attacker.kind), ("Hackers", ArgKind::Unnamed));
        // A threat actor's alias and an attacking capital take the canonical
        // name; an attacked capital and a demonym phrase do not.
        let d = doc(
            "APT28 breached Pyongyang's rivals. North Korean hackers hit Seoul. Moscow hacked Kyiv.",
            &[
                (A, "APT28"),
                (TR, "breached"),
                (V, "Pyongyang"),
                (A, "North Korean hackers"),
                (TR, "hit"),
                (V, "Seoul"),
                (A, "Moscow"),
                (TR, "hacked"),
                (V, "Kyiv"),
            ],
        );
        let sentences = sentence_words(&d);
        let names: Vec<(String, String)> = read(&d, &sentences, &[])
            .iter()
            .map(|r| (argument(&d, &[], &r.attacker).text, argument(&d, &[], &r.victim).text))
            .collect();
        assert_eq!(
            names,
            [
                ("Fancy Bear".into(), "Pyongyang".into()),
                ("North Korean hackers".into(), "Seoul".into()),
                ("Russia".into(), "Kyiv".into())
            ]
        );
    }

    #[test]
    fn a_name_the_rules_resolved_from_another_sentence_is_marked_and_not_lent_to_the_tagger() {
        let text = "The Lazarus Group has been active for years. The hackers breached Acme.";
        let mut d = doc(text, &[(A, "The hackers"), (TR, "breached"), (V, "Acme")]);
        let acme = text.find("Acme").unwrap();
        d.entities.push(crate::doc::Entity {
            span: Span::new(acme, acme + 4),
            label: crate::doc::Label::Organization,
            score: 0.95,
            text: "Acme".into(),
        });
        let (proposals, article) = crate::relate::propose(&d, &crate::relate::RelateConfig::default());
        let sides: Vec<(&str, bool, bool)> = proposals
            .iter()
            .map(|p| (p.triple.attacker.text.as_str(), p.attacker_resolved, p.victim_resolved))
            .collect();
        assert!(sides.contains(&("Lazarus Group", true, false)), "the rules resolve the hackers: {sides:?}");
        assert!(sides.contains(&("hackers", false, false)), "the tagger reads them as written: {sides:?}");
        let triples = crate::relate::Merger::default().merge(&proposals, &article);
        let pairs: Vec<(&str, &str)> =
            triples.iter().map(|t| (t.attacker.text.as_str(), t.victim.text.as_str())).collect();
        assert_eq!(pairs, [("hackers", "Acme")], "the stronger tagger reading keeps its own words");
    }
}
