//! Reading who attacked whom around one cue: the role rules.
//!
//! Each rule has a name (shown with `--explain`), base confidences and word
//! windows, all in the table of [`super::rules`]:
//!
//! | rule | pattern | attacker | victim |
//! | --- | --- | --- | --- |
//! | `passive` | "Y was hacked (by X)", "Y had its systems hacked" | after *by* | subject |
//! | `passive-reduced` | "Y, hit by X," | after *by* | just before |
//! | `active` | "X hacked Y" | subject | object |
//! | `nominal` | "X's attack on Y", "the breach of Y by X", "the Y breach" | possessor, *by*/*from* | *on*/*of*/*against*, premodifier |
//! | `suffer` | "Y suffered an attack (by X)" | after *by*, premodifier | subject |
//! | `claim` | "X claimed responsibility for the attack on Y" | subject | the attack noun's victim |
//! | `pay` | "Y paid a ransom to X", "Y paid the hackers" | attacker phrase after | subject |
//! | `send` | "X sent fake emails to Y" | subject | after *to* |
//! | `accused` | "Z accused X of hacking Y", "X was charged with hacking Y" | the one accused | as the cue reads it |
//! | `demand` | "X demanded $75,000 in bitcoin from Y", "X asked Y for money" | subject | right after, or after *from* |
//!
//! The subject is the first eligible mention of the clause before the cue
//! (after the last clause boundary, skipping prepositional objects); the object
//! is the first eligible mention after it, before the next boundary.

use super::cues::Cue;
use super::lexicon::{CueClass, WordClass, TABLES};
use super::mentions::{after_according, Mention, SentenceWords};
use super::rules::{Rule, ACCUSED, ACTIVE, CLAIM, DEMAND, NOMINAL, PASSIVE, PASSIVE_REDUCED, PAY, SEND, SUFFER};
use crate::doc::ArgKind;

/// The arguments one cue yields, as indices into the sentence's mentions.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The attacker, when the sentence gives one.
    pub attacker: Option<usize>,
    /// The victim, when the sentence gives one.
    pub victim: Option<usize>,
    /// The rule that read it.
    pub rule: &'static Rule,
    /// The rule's base confidence for what it found.
    pub confidence: f32,
    /// Index of a following noun cue this reading used (it is not read again).
    pub consumed: Option<usize>,
}

impl Reading {
    /// What `rule` read, with the rule's base confidence for it.
    fn new(rule: &'static Rule, attacker: Option<usize>, victim: Option<usize>, consumed: Option<usize>) -> Self {
        let confidence = rule.confidence(attacker.is_some(), victim.is_some());
        Reading { attacker, victim, rule, confidence, consumed }
    }
}

/// Reads the arguments of cue `index` of a sentence with cues `cues`.
pub fn read(sentence: &SentenceWords, mentions: &[Mention], cues: &[Cue], index: usize) -> Option<Reading> {
    let cue = cues[index];
    if let Some(reading) = read_accused(sentence, mentions, cues, index) {
        return Some(reading);
    }
    let reading = match cue.form.class {
        CueClass::Verb => read_verb(sentence, mentions, cue),
        CueClass::Noun => read_noun(sentence, mentions, cue),
        CueClass::Suffer => {
            // "suffered a breach", not "has significant experience with": a
            // bare "suffer" or "experience" needs its attack noun.
            let noun = next_noun(cues, index, SUFFER.marker);
            if noun.is_none() && TABLES.is_role_word(WordClass::NeedsAttackNoun, cue.form.name) {
                return None;
            }
            let victim = subject(sentence, mentions, cue.start, Want::Victim);
            let attacker = agent(sentence, mentions, cue.end, SUFFER)
                .or_else(|| actor_within(mentions, cue.end, cue.end + SUFFER.bare));
            Some(Reading::new(SUFFER, attacker, victim, noun))
        }
        CueClass::Pay => read_pay(sentence, mentions, cue),
        CueClass::Send => read_send(sentence, mentions, cue),
        CueClass::Demand => read_demand(sentence, mentions, cue),
        CueClass::Claim => {
            let noun = next_noun(cues, index, CLAIM.marker)?;
            let attacker = subject(sentence, mentions, cue.start, Want::Attacker);
            let noun_reading = read_noun(sentence, mentions, cues[noun]);
            let victim = noun_reading.as_ref().and_then(|r| r.victim).filter(|v| Some(*v) != attacker);
            Some(Reading::new(CLAIM, attacker, victim, Some(noun)))
        }
    }?;
    (reading.attacker.is_some() || reading.victim.is_some()).then_some(reading)
}

fn read_verb(sentence: &SentenceWords, mentions: &[Mention], cue: Cue) -> Option<Reading> {
    if cue.form.participle {
        let aux = auxiliary_before(sentence, cue.start, PASSIVE.before)
            .or_else(|| have_done_to(sentence, cue.start, PASSIVE.before));
        if let Some(aux) = aux {
            let victim = subject(sentence, mentions, aux, Want::Victim);
            let attacker = agent(sentence, mentions, cue.end, PASSIVE);
            return Some(Reading::new(PASSIVE, attacker, victim, None));
        }
        // "Colonial Pipeline, hit by DarkSide,": a participle with "by" after it
        // reads as passive without its auxiliary.
        if sentence.lower.get(cue.end).is_some_and(|w| w == "by") {
            let victim = mentions.iter().rposition(|m| {
                m.victim_ok && m.words.end <= cue.start && m.words.end + PASSIVE_REDUCED.before >= cue.start
            });
            let attacker = agent(sentence, mentions, cue.end, PASSIVE_REDUCED);
            return Some(Reading::new(PASSIVE_REDUCED, attacker, victim, None));
        }
    }
    // "accounts stolen in January": a participle that is not also a past tense
    // is active only after "have" ("the hackers have stolen files"), or when
    // its victim follows "from" ("X used passwords stolen from Y").
    let participle_only = cue.form.words.iter().any(|w| TABLES.is_role_word(WordClass::ParticipleOnly, w));
    if participle_only
        && cue.form.words.last().is_some_and(|w| w != "from")
        && !perfect_before(sentence, cue.start, ACTIVE.before)
    {
        return None;
    }
    let attacker = subject(sentence, mentions, cue.start, Want::Attacker);
    let victim = object(sentence, mentions, cue.end, ACTIVE.bare).filter(|v| Some(*v) != attacker);
    Some(Reading::new(ACTIVE, attacker, victim, None))
}

/// "Germany accused Russia of hacking 15 computers", "X was charged with
/// hacking Y": the one accused is the attacker; the victim is read as usual.
fn read_accused(sentence: &SentenceWords, mentions: &[Mention], cues: &[Cue], index: usize) -> Option<Reading> {
    let cue = cues[index];
    // "of (attempting to) hack": the preposition, a few words before the cue.
    let of = (cue.start.saturating_sub(ACCUSED.before)..cue.start)
        .rev()
        .find(|&i| TABLES.is_role_word(WordClass::AccusedOf, &sentence.lower[i]))?;
    let before = of.checked_sub(1)?;
    let accused = if TABLES.is_role_word(WordClass::Accuse, &sentence.lower[before]) {
        // "X was charged with hacking Y"
        let aux = before.checked_sub(1).filter(|&a| TABLES.is_role_word(WordClass::Auxiliary, &sentence.lower[a]))?;
        subject(sentence, mentions, aux, Want::Attacker)?
    } else {
        // "Z accused X of hacking Y"
        let accused = mentions.iter().rposition(|m| m.words.end == of && m.attacker_ok)?;
        let verb = mentions[accused].words.start.checked_sub(1)?;
        TABLES.is_role_word(WordClass::Accuse, &sentence.lower[verb]).then_some(accused)?
    };
    let victim = match cue.form.class {
        CueClass::Noun => read_noun(sentence, mentions, cue).and_then(|r| r.victim),
        _ => object(sentence, mentions, cue.end, ACTIVE.bare),
    }
    .filter(|&v| v != accused);
    Some(Reading::new(ACCUSED, Some(accused), victim, None))
}

/// "Y paid a ransom to X": only a payment to an attacker phrase says an attack happened.
fn read_pay(sentence: &SentenceWords, mentions: &[Mention], cue: Cue) -> Option<Reading> {
    let attacker = Some(actor_within(mentions, cue.end, cue.end + PAY.bare)?);
    let victim = subject(sentence, mentions, cue.start, Want::Victim);
    Some(Reading::new(PAY, attacker, victim, None))
}

/// "X sent fake emails to Y": only messages sent to someone are phishing.
fn read_send(sentence: &SentenceWords, mentions: &[Mention], cue: Cue) -> Option<Reading> {
    let message = word_within(sentence, cue.end, SEND.marker, |w| TABLES.is_role_word(WordClass::MessageNoun, w))?;
    let to = word_within(sentence, message + 1, SEND.marker, |w| w == "to")?;
    let victim = Some(first_within(mentions, to + 1, SEND.victim, |m| m.victim_ok)?);
    let attacker = subject(sentence, mentions, cue.start, Want::Attacker);
    Some(Reading::new(SEND, attacker, victim, None))
}

/// "X demanded $75,000 from Y", "X asked Y for money": only a demand for money.
fn read_demand(sentence: &SentenceWords, mentions: &[Mention], cue: Cue) -> Option<Reading> {
    word_within(sentence, cue.end, DEMAND.marker, |w| TABLES.is_role_word(WordClass::RansomNoun, w))?;
    let asked = first_within(mentions, cue.end, DEMAND.bare, |m| m.victim_ok);
    let from = word_within(sentence, cue.end, DEMAND.marker, |w| w == "from");
    let from_whom = from.and_then(|f| first_within(mentions, f + 1, DEMAND.victim, |m| m.victim_ok));
    let victim = Some(asked.or(from_whom)?);
    let attacker = subject(sentence, mentions, cue.start, Want::Attacker);
    Some(Reading::new(DEMAND, attacker, victim, None))
}

fn read_noun(sentence: &SentenceWords, mentions: &[Mention], cue: Cue) -> Option<Reading> {
    let mut victim = None;
    if sentence.lower.get(cue.end).is_some_and(|w| TABLES.is_role_word(WordClass::VictimPreposition, w)) {
        victim = first_within(mentions, cue.end + 1, NOMINAL.victim, |m| m.victim_ok);
    }
    let mut attacker = agent_like(sentence, mentions, cue.end, NOMINAL).filter(|a| Some(*a) != victim);
    // A mention right before the noun, possibly possessive: "the Equifax breach", "APT28's attack".
    let before = mentions.iter().rposition(|m| {
        m.words.end == cue.start
            || (m.words.end + 1 == cue.start && sentence.lower[m.words.end] == "'s")
            || (m.words.end + 1 == cue.start && TABLES.is_role_word(WordClass::Modifier, &sentence.lower[m.words.end]))
    });
    if let Some(b) = before {
        let m = &mentions[b];
        let actor_like = m.kind == ArgKind::ThreatActor || (m.attacker_ok && !m.victim_ok);
        if actor_like && attacker.is_none() {
            attacker = Some(b);
        } else if victim.is_none() && m.victim_ok {
            victim = Some(b);
        } else if attacker.is_none() && m.attacker_ok && victim != Some(b) {
            attacker = Some(b);
        }
    }
    Some(Reading::new(NOMINAL, attacker, victim, None))
}

/// Which role a subject search is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Attacker,
    Victim,
}

/// The index of the last clause boundary before word `before`, plus one.
pub fn clause_start(sentence: &SentenceWords, before: usize) -> usize {
    (0..before)
        .rev()
        .find(|&i| TABLES.role_phrase_at(WordClass::Boundary, &sentence.lower[i..before]).is_some())
        .map_or(0, |i| i + 1)
}

/// The subject of the clause that ends at word `before`: for an attacker, the
/// nearest attacker-only mention ("... an opportunity for hackers to infect"),
/// else the first eligible mention; prepositional objects and the source of an
/// "according to" are skipped.
fn subject(sentence: &SentenceWords, mentions: &[Mention], before: usize, want: Want) -> Option<usize> {
    let start = clause_start(sentence, before);
    // "Stuart Kettell's company Kettell Video was targeted": the possessor of a
    // name is not the subject (but "Japan's defence networks" stand for Japan).
    let possessor = |m: &Mention| {
        sentence.lower.get(m.words.end).is_some_and(|w| w == "'s")
            && mentions.iter().any(|n| {
                n.kind != ArgKind::Unnamed
                    && n.words.start > m.words.end
                    && n.words.start <= m.words.end + 3
                    && n.words.end <= before
            })
    };
    let eligible = |m: &Mention| {
        !possessor(m)
            && m.words.start >= start
            && m.words.end <= before
            && (!after_preposition(sentence, m.words.start)
                || (want == Want::Victim && follows_of(sentence, m.words.start)))
            && !after_according(sentence, start, m.words.start)
    };
    let fits = |m: &Mention| match want {
        Want::Attacker => m.attacker_ok,
        Want::Victim => m.victim_ok,
    };
    if want == Want::Attacker {
        if let Some(i) = mentions.iter().rposition(|m| eligible(m) && m.attacker_ok && !m.victim_ok) {
            // "The Fancy Bear hackers, believed to be sponsored by ..., the GRU, breached":
            // an attacker set off by commas is an appositive of an earlier one.
            let appositive = sentence.lower.get(mentions[i].words.end).is_some_and(|w| w == ",");
            let earlier = mentions[..i].iter().position(|m| eligible(m) && m.attacker_ok && !m.victim_ok);
            return Some(earlier.filter(|_| appositive).unwrap_or(i));
        }
    }
    mentions.iter().position(|m| eligible(m) && fits(m)).or_else(|| {
        // A relative clause ("Aleksey Belan, who pulled off the hack") takes its
        // subject from the name before the relative pronoun.
        let pronoun = start.checked_sub(1).filter(|&p| TABLES.is_role_word(WordClass::Relative, &sentence.lower[p]))?;
        mentions.iter().rposition(|m| m.words.end <= pronoun && m.words.end + 2 >= pronoun && fits(m))
    })
}

/// The first victim-eligible mention after word `from`, before the next
/// boundary and within `window` words.
fn object(sentence: &SentenceWords, mentions: &[Mention], from: usize, window: usize) -> Option<usize> {
    let limit = (from..sentence.lower.len())
        .find(|&i| i > from && TABLES.role_phrase_at(WordClass::Boundary, &sentence.lower[i..]).is_some())
        .unwrap_or(sentence.lower.len())
        .min(from + window);
    let found = mentions.iter().position(|m| {
        m.words.start >= from
            && m.words.start < limit
            && m.victim_ok
            && !(m.words.start > 0
                && TABLES.is_role_word(WordClass::NotObjectAfter, &sentence.lower[m.words.start - 1]))
            && !sentence.lower.get(m.words.end).is_some_and(|w| TABLES.is_role_word(WordClass::Report, w))
    })?;
    // "the UK's Foreign Office": the name the possessor owns is the object
    // (but "Japan's defence networks" and "Kaseya's VSA software" stand for
    // the possessor).
    let m = &mentions[found];
    if sentence.lower.get(m.words.end).is_some_and(|w| w == "'s") {
        let owned = mentions.iter().position(|n| {
            !matches!(n.kind, ArgKind::Unnamed | ArgKind::Misc)
                && n.victim_ok
                && n.words.start == m.words.end + 1
                && !sentence.lower.get(n.words.end).is_some_and(|w| continues_noun_phrase(w))
        });
        return Some(owned.unwrap_or(found));
    }
    Some(found)
}

/// True for a lowercase word that goes on with the noun phrase before it
/// ("VSA software"), not a function word ("VSA in 2021", "VSA and").
fn continues_noun_phrase(word: &str) -> bool {
    word.chars().all(|c| c.is_lowercase() || c == '-')
        && !TABLES.is_role_word(WordClass::EndsNounPhrase, word)
        && !TABLES.is_role_word(WordClass::SkipAfter, word)
        && !TABLES.is_role_word(WordClass::Boundary, word)
}

/// The attacker after a "by" within the `rule.by` words after word `from`.
fn agent(sentence: &SentenceWords, mentions: &[Mention], from: usize, rule: &Rule) -> Option<usize> {
    let by = word_within(sentence, from, rule.by, |w| w == "by")?;
    if (from..by).any(|i| TABLES.role_phrase_at(WordClass::Boundary, &sentence.lower[i..]).is_some()) {
        return None;
    }
    first_within(mentions, by + 1, rule.agent, |m| m.attacker_ok)
}

/// Like [`agent`], accepting "from" as well as "by".
fn agent_like(sentence: &SentenceWords, mentions: &[Mention], from: usize, rule: &Rule) -> Option<usize> {
    let at = word_within(sentence, from, rule.by, |w| TABLES.is_role_word(WordClass::AgentPreposition, w))?;
    if (from..at).any(|i| TABLES.role_phrase_at(WordClass::Boundary, &sentence.lower[i..]).is_some()) {
        return None;
    }
    first_within(mentions, at + 1, rule.agent, |m| m.attacker_ok)
}

/// The first word position in `from..from + window` whose word passes `ok`.
fn word_within(sentence: &SentenceWords, from: usize, window: usize, ok: impl Fn(&str) -> bool) -> Option<usize> {
    (from..(from + window).min(sentence.lower.len())).find(|&i| ok(&sentence.lower[i]))
}

/// The first mention starting within `window` words from `from` that passes `ok`.
pub fn first_within(mentions: &[Mention], from: usize, window: usize, ok: impl Fn(&Mention) -> bool) -> Option<usize> {
    mentions.iter().position(|m| m.words.start >= from && m.words.start < from + window && ok(m))
}

/// A threat actor or attacker phrase starting in `[from, to)`.
fn actor_within(mentions: &[Mention], from: usize, to: usize) -> Option<usize> {
    mentions.iter().position(|m| m.words.start >= from && m.words.start < to && m.attacker_ok && !m.victim_ok)
}

/// The position of "had" in "X had its systems hacked", "users have had their
/// details stolen" (the possessive within `window` words before `cue`): the
/// subject undergoes the participle at `cue`.
fn have_done_to(sentence: &SentenceWords, cue: usize, window: usize) -> Option<usize> {
    let possessive =
        (cue.saturating_sub(window)..cue).find(|&i| TABLES.is_role_word(WordClass::Possessive, &sentence.lower[i]))?;
    let have = possessive.checked_sub(1)?;
    TABLES.is_role_word(WordClass::Have, &sentence.lower[have]).then_some(have)
}

/// True when a form of "have" comes within `window` words before word `cue`,
/// in the same clause ("has this year broken into").
fn perfect_before(sentence: &SentenceWords, cue: usize, window: usize) -> bool {
    (cue.saturating_sub(window)..cue)
        .rev()
        .take_while(|&i| {
            sentence.lower[i].chars().any(char::is_alphanumeric)
                && !TABLES.is_role_word(WordClass::Boundary, &sentence.lower[i])
        })
        .any(|i| TABLES.is_role_word(WordClass::Have, &sentence.lower[i]))
}

/// The position of a be/get auxiliary, within `window` words before `cue`,
/// that makes the participle at `cue` passive.
fn auxiliary_before(sentence: &SentenceWords, cue: usize, window: usize) -> Option<usize> {
    let mut i = cue;
    while i > 0 && cue - i < window {
        i -= 1;
        if TABLES.is_role_word(WordClass::Auxiliary, &sentence.lower[i]) {
            return Some(i);
        }
        let word = sentence.lower[i].as_str();
        if !(TABLES.is_role_word(WordClass::PassiveAdverb, word)
            || word.ends_with("ly")
            || TABLES.is_role_word(WordClass::Have, word))
        {
            return None;
        }
    }
    None
}

/// True when the word before `at` (skipping determiners) is a preposition.
fn after_preposition(sentence: &SentenceWords, at: usize) -> bool {
    let mut i = at;
    while i > 0 && TABLES.is_role_word(WordClass::Determiner, &sentence.lower[i - 1]) {
        i -= 1;
    }
    i > 0 && (TABLES.is_role_word(WordClass::SkipAfter, &sentence.lower[i - 1]) || sentence.lower[i - 1] == "by")
}

/// True when the mention at `at` follows "of" ("the data of Acme customers was stolen").
fn follows_of(sentence: &SentenceWords, at: usize) -> bool {
    let mut i = at;
    while i > 0 && TABLES.is_role_word(WordClass::Determiner, &sentence.lower[i - 1]) {
        i -= 1;
    }
    i > 0 && sentence.lower[i - 1] == "of"
}

/// The next noun cue within `window` words after cue `index`.
fn next_noun(cues: &[Cue], index: usize, window: usize) -> Option<usize> {
    let end = cues[index].end;
    (index + 1..cues.len()).find(|&j| cues[j].form.class == CueClass::Noun && cues[j].start <= end + window)
}
