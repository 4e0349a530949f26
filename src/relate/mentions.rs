//! Participant mentions: everything in a sentence that could be an attacker or
//! a victim, with its kind and canonical name.
//!
//! Mentions come from four places, merged so that they do not overlap:
//! the gazetteers (threat actors, countries with their demonyms and capitals),
//! the NER entities, unnamed phrases ("a ransomware gang", "customers"), and
//! pronouns or definite descriptions ("they", "the company") to be resolved
//! later. A demonym or actor name directly before an attacker noun absorbs it:
//! "North Korean hackers" is one mention of North Korea.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use crate::doc::{ArgKind, Doc, Entity, Label, Span};

use super::gazetteer::find_names;
use super::lexicon::{ToolKind, WordClass, TABLES};

/// One sentence, split into words.
#[derive(Debug, Clone)]
pub struct SentenceWords {
    /// The sentence span.
    pub span: Span,
    /// Word spans.
    pub words: Vec<Span>,
    /// The words, lowercase.
    pub lower: Vec<String>,
}

/// What a mention may stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// A name (or an unnamed phrase that is its own referent).
    Itself,
    /// A pronoun or definite description standing for an earlier participant.
    Anaphor,
}

/// A possible participant.
#[derive(Debug, Clone)]
pub struct Mention {
    /// Index of the sentence.
    pub sentence: usize,
    /// Word indices within the sentence.
    pub words: Range<usize>,
    /// Bytes in the article.
    pub span: Span,
    /// What kind of participant it is.
    pub kind: ArgKind,
    /// The name written to the output.
    pub canonical: String,
    /// May be an attacker.
    pub attacker_ok: bool,
    /// May be a victim.
    pub victim_ok: bool,
    /// Whether it must be resolved to an antecedent.
    pub reference: Reference,
    /// Confidence in the mention itself (the NER score, 1 for lexicon matches).
    pub score: f32,
}

/// Sentences longer than this many words are read as consecutive pieces of at
/// most this many words. Real sentences are far shorter; text without sentence
/// breaks (a scraped table, a whole article on one line) would otherwise make
/// the per-sentence rules quadratic and put megabytes of evidence in each row.
pub const MAX_SENTENCE_WORDS: usize = 150;

/// The document's sentences with their words (over-long ones in pieces of at
/// most [`MAX_SENTENCE_WORDS`] words), lowercase.
pub fn sentence_words(doc: &Doc) -> Vec<SentenceWords> {
    let text = &doc.article.text;
    let mut out = Vec::with_capacity(doc.sentences.len());
    for sentence in &doc.sentences {
        let (span, words) = (sentence.span, doc.words_of(sentence));
        if words.len() <= MAX_SENTENCE_WORDS {
            let lower = words.iter().map(|w| normalise_word(&text[w.range()])).collect();
            out.push(SentenceWords { span, words: words.to_vec(), lower });
            continue;
        }
        for piece in words.chunks(MAX_SENTENCE_WORDS) {
            let span = Span::new(piece[0].start, piece[piece.len() - 1].end);
            let lower = piece.iter().map(|w| normalise_word(&text[w.range()])).collect();
            out.push(SentenceWords { span, words: piece.to_vec(), lower });
        }
    }
    out
}

/// Lowercases a word and straightens curly apostrophes.
fn normalise_word(word: &str) -> String {
    word.to_lowercase().replace('’', "'")
}

/// A named candidate before it is placed in a sentence.
struct Candidate {
    span: Span,
    kind: ArgKind,
    canonical: String,
    score: f32,
    /// A demonym ("Russian"): a modifier unless it heads its phrase.
    demonym: bool,
    /// A capital or other metonym ("Pyongyang").
    metonym: bool,
    /// Malware, product or term from `tools.tsv`.
    tool: Option<ToolKind>,
}

/// All mentions of the document, per sentence, in word order.
pub fn find_mentions(doc: &Doc, sentences: &[SentenceWords]) -> Vec<Vec<Mention>> {
    let text = &doc.article.text;
    let candidates = named_candidates(doc);
    let mut out: Vec<Vec<Mention>> = vec![Vec::new(); sentences.len()];
    let mut next = 0;
    for candidate in candidates {
        while next < sentences.len() && sentences[next].span.end <= candidate.span.start {
            next += 1;
        }
        let Some(sentence) = sentences.get(next).filter(|s| s.span.contains(candidate.span)) else { continue };
        let first = sentence.words.iter().position(|w| w.end > candidate.span.start);
        let last = sentence.words.iter().rposition(|w| w.start < candidate.span.end);
        let (Some(first), Some(last)) = (first, last) else { continue };
        if first > last {
            continue; // the span covers no word (whitespace only): nothing to name
        }
        out[next].push(place_named(sentence, next, first..last + 1, candidate, text));
    }
    for (index, sentence) in sentences.iter().enumerate() {
        let mut mentions = std::mem::take(&mut out[index]);
        add_unnamed(sentence, index, text, &mut mentions);
        mentions.sort_by_key(|m| m.words.start);
        attribute(sentence, &mut mentions);
        out[index] = mentions;
    }
    // "told Reuters", "told reporters": who is told is neither attacker nor victim.
    for (sentence, ms) in sentences.iter().zip(out.iter_mut()) {
        for m in ms.iter_mut() {
            let before = m.words.start.checked_sub(1).map(|i| sentence.lower[i].as_str());
            if before.is_some_and(|w| TABLES.is_role_word(WordClass::Told, w)) {
                m.victim_ok = false;
                m.attacker_ok = false;
            }
        }
    }
    let sources = sources(sentences, &out);
    for m in out.iter_mut().flatten() {
        if matches!(m.kind, ArgKind::Organization | ArgKind::Person) && sources.contains(&m.canonical) {
            m.attacker_ok = false;
        }
    }
    out
}

/// Organisations and people the article cites ("Symantec said", "according to
/// Kaspersky", "FireEye researchers"): reporters of attacks, not attackers.
fn sources(sentences: &[SentenceWords], mentions: &[Vec<Mention>]) -> HashSet<String> {
    let mut found = HashSet::new();
    for (sentence, ms) in sentences.iter().zip(mentions) {
        for m in ms {
            let mut after = m.words.end;
            if sentence.lower.get(after).is_some_and(|w| w == "'s") {
                after += 1;
            }
            let cites = sentence.lower.get(after).is_some_and(|w| {
                TABLES.is_role_word(WordClass::Report, w) || TABLES.is_role_word(WordClass::Source, w)
            });
            // "according to X", "researchers at (security company) X"
            let cited = after_according(sentence, 0, m.words.start)
                || (m.words.start.saturating_sub(4)..m.words.start).any(|i| {
                    i + 1 < m.words.start
                        && TABLES.is_role_word(WordClass::Source, &sentence.lower[i])
                        && TABLES.is_role_word(WordClass::SourcePreposition, &sentence.lower[i + 1])
                });
            // "researchers Victor Gevers and Niall Merrigan", "Ralph Echemendia, a hacking consultant,"
            let run = name_run_start(sentence, ms, m.words.start);
            let titled = run.checked_sub(1).is_some_and(|i| TABLES.is_role_word(WordClass::Title, &sentence.lower[i]))
                || (sentence.lower.get(m.words.end).is_some_and(|w| w == ",")
                    && (m.words.end + 1..(m.words.end + 7).min(sentence.lower.len()))
                        .take_while(|&i| sentence.lower[i] != ",")
                        .any(|i| TABLES.is_role_word(WordClass::Title, &sentence.lower[i])));
            if cites || cited || titled {
                found.insert(m.canonical.clone());
            }
        }
    }
    found
}

/// The first word of the names joined by "and" that end at word `end` (a
/// title before them applies to all: "researchers Victor Gevers and Niall Merrigan").
fn name_run_start(sentence: &SentenceWords, mentions: &[Mention], end: usize) -> usize {
    let mut start = end;
    while start > 0
        && (sentence.lower[start - 1] == "and"
            || mentions.iter().any(|n| n.kind != ArgKind::Unnamed && n.words.contains(&(start - 1))))
    {
        start -= 1;
    }
    start
}

/// The names the NER model tags as people somewhere in the article, confidently,
/// with the surname of each full name ("Evaldas Rimasauskas", "Rimasauskas").
fn people_named(doc: &Doc) -> HashSet<&str> {
    let mut people = HashSet::new();
    for entity in doc.entities.iter().filter(|e| e.label == Label::Person && e.score >= CONFIDENT_PERSON) {
        let name = trim_name(&entity.text);
        people.insert(name);
        if let Some((_, surname)) = name.rsplit_once(' ') {
            people.insert(surname);
        }
    }
    people
}

/// The NER score a lowercase word needs to be taken as a name.
const SURE_LOWERCASE_NAME: f32 = 0.8;

/// The NER score above which a person tag relabels the same name elsewhere.
const CONFIDENT_PERSON: f32 = 0.9;

/// Gazetteer names and NER entities, merged: where they overlap, the longer
/// span wins, and the gazetteer wins a tie.
fn named_candidates(doc: &Doc) -> Vec<Candidate> {
    let text = &doc.article.text;
    let gazetteer = find_names(text).into_iter().map(|(span, named)| {
        let surface = &text[span.range()];
        // "Russia-linked", "China-based": the name only modifies what follows.
        let modifier = TABLES.role_words(WordClass::ModifierSuffix).any(|suffix| text[span.end..].starts_with(suffix));
        Candidate {
            span,
            kind: if named.is_actor { ArgKind::ThreatActor } else { ArgKind::Country },
            canonical: named.canonical.to_string(),
            score: 1.0,
            demonym: modifier || (!named.is_actor && !named.metonym && is_demonym(surface, named.canonical)),
            metonym: named.metonym,
            tool: None,
        }
    });
    // Kept candidates never overlap one another, so, keyed by (start, order of
    // arrival), the ones an entity overlaps are found by walking back from its
    // end: linear time overall, where a scan of all candidates per entity was
    // quadratic in the length of the article.
    let mut candidates: BTreeMap<(usize, usize), Candidate> =
        gazetteer.enumerate().map(|(i, c)| ((c.span.start, i), c)).collect();
    let mut arrival = candidates.len();
    let people = people_named(doc);
    for entity in &joined_entities(doc) {
        if entity.label == Label::Date {
            continue;
        }
        let mut overlapping = Vec::new();
        for (&key, c) in candidates.range(..(entity.span.end, 0)).rev() {
            if c.span.overlaps(entity.span) {
                overlapping.push(key);
            } else if !c.span.is_empty() && c.span.end <= entity.span.start {
                break;
            }
        }
        let covered = overlapping.iter().any(|key| {
            let c = &candidates[key];
            c.span.len() >= entity.span.len() || names_a_group_of(text, c, entity.span)
        });
        if covered {
            continue;
        }
        let name = trim_name(&entity.text);
        // Names have a capital or a digit, or are one long word the model is sure
        // of ("thedarkoverlord"); "a.m.", "national cybercrime" or a doubtful
        // "defence" (in "Japan's defence networks") are not names.
        let lowercase = !name.chars().any(|c| c.is_uppercase() || c.is_ascii_digit());
        if lowercase
            && (name.chars().count() < 5 || name.contains(char::is_whitespace) || entity.score < SURE_LOWERCASE_NAME)
        {
            continue;
        }
        // "Struts-based", "Russia-linked": a modifier, not a participant.
        if TABLES.role_words(WordClass::ModifierSuffix).any(|suffix| name.ends_with(suffix)) {
            continue;
        }
        for key in overlapping {
            candidates.remove(&key);
        }
        let tool = TABLES.tools.get(name).copied();
        let kind = match entity.label {
            _ if tool.is_some() => ArgKind::Misc,
            Label::Person => ArgKind::Person,
            // One sense per article: a name once tagged as a person stays one.
            Label::Organization | Label::Misc if people.contains(name) => ArgKind::Person,
            Label::Organization => ArgKind::Organization,
            Label::Location if TABLES.countries.contains(name) => ArgKind::Country,
            Label::Location => ArgKind::Location,
            _ => ArgKind::Misc,
        };
        let candidate = Candidate {
            span: entity.span,
            kind,
            canonical: name.to_string(),
            score: entity.score,
            demonym: false,
            metonym: false,
            tool,
        };
        candidates.insert((entity.span.start, arrival), candidate);
        arrival += 1;
    }
    candidates.into_values().collect()
}

/// The NER entities with neighbours of the same type that only a space
/// separates joined into one ("Reconnaissance" "General Bureau", "Dark"
/// "Caracal"): a model that splits a name mid-way is more likely than two
/// names side by side. So is an acronym organisation followed by a person
/// ("NPO" "Mashinostroyeniya": the uncased model reads a foreign word as a
/// surname), which becomes one organisation. A name ending in a full stop ends
/// there ("Forrester.com.").
/// Then each name takes in the capitalised words that follow it ("Health
/// Service" "Executive", "German" "Parliament": the uncased model often stops
/// short), see [`extend_over_capitals`].
fn joined_entities(doc: &Doc) -> Vec<Entity> {
    let text = &doc.article.text;
    let mut joined: Vec<Entity> = Vec::with_capacity(doc.entities.len());
    for entity in &doc.entities {
        if let Some(last) = joined.last_mut() {
            let gap = text.get(last.span.end..entity.span.start);
            let same_name = last.label == entity.label && entity.label != Label::Date;
            let acronym_then_person =
                last.label == Label::Organization && entity.label == Label::Person && is_acronym(&last.text);
            if (same_name || acronym_then_person) && gap == Some(" ") && !last.text.ends_with('.') {
                last.span = Span::new(last.span.start, entity.span.end);
                last.text = text[last.span.range()].to_string();
                last.score = last.score.min(entity.score);
                continue;
            }
        }
        joined.push(entity.clone());
    }
    let starts: Vec<usize> = joined.iter().map(|e| e.span.start).collect();
    for (i, entity) in joined.iter_mut().enumerate() {
        let next = starts.get(i + 1).copied().unwrap_or(text.len());
        extend_over_capitals(doc, entity, next);
        let previous = i.checked_sub(1).map_or(0, |p| starts[p]);
        take_in_the_name_before_of(text, entity, previous);
        take_in_a_capital_before(doc, entity, previous);
    }
    let runs = capitalised_runs(doc, &joined);
    joined.extend(runs);
    joined.sort_by_key(|e| e.span.start);
    joined
}

/// The NER score given to a name found only by its capitals.
const CAPITALISED_NAME_SCORE: f32 = 0.5;

/// True when `entity` is the gazetteer's threat actor `c` and an actor suffix
/// after it ("Lapsus$ group", "Lazarus hackers"): the actor's own mention,
/// which takes in the suffix (see [`place_named`]), is the better reading.
fn names_a_group_of(text: &str, c: &Candidate, entity: Span) -> bool {
    if c.kind != ArgKind::ThreatActor || c.span.start != entity.start || c.span.end >= entity.end {
        return false;
    }
    let rest: Vec<String> = text[c.span.end..entity.end].split_whitespace().map(str::to_lowercase).collect();
    TABLES.role_phrase_at(WordClass::ActorSuffix, &rest) == Some(rest.len())
}

/// Runs of capitalised words that no entity covers ("World Anti-Doping
/// Agency", "Change Healthcare", "Shell" after the sentence's first word):
/// names the uncased model missed, taken as organisations with a low score.
/// Not in headlines in title case; function words and the names of days and
/// months neither start nor join one.
fn capitalised_runs(doc: &Doc, entities: &[Entity]) -> Vec<Entity> {
    let text = &doc.article.text;
    let mut found = Vec::new();
    for sentence in &doc.sentences {
        if in_title_case_line(doc, sentence.span.start) {
            continue;
        }
        let words = doc.words_of(sentence);
        let lowercase_word = |i: usize| words.get(i).is_some_and(|w: &Span| is_lowercase_word(&text[w.range()]));
        let mut run: Vec<Span> = Vec::new();
        let mut close = |run: &mut Vec<Span>, next: usize| {
            // One capitalised word is a name too ("stole data from Shell"):
            // inside a clause (after a lowercase word, not opening a sentence
            // or a quote), not modifying a noun ("Linux servers", "Christmas
            // shoppers"), and not an acronym (which the model finds well; "IT"
            // is no name).
            let single_name = run.len() == 1
                && next >= 2
                && lowercase_word(next - 2)
                && (!lowercase_word(next) || TABLES.is_role_word(WordClass::NotNamePart, &text[words[next].range()]))
                && !is_acronym(&text[run[0].range()]);
            if run.len() >= 2 || single_name {
                let span = Span::new(run[0].start, run[run.len() - 1].end);
                if !entities.iter().any(|e| e.span.overlaps(span)) {
                    let text = text[span.range()].to_string();
                    found.push(Entity { span, label: Label::Organization, score: CAPITALISED_NAME_SCORE, text });
                }
            }
            run.clear();
        };
        for (at, word) in words.iter().enumerate() {
            let w = &text[word.range()];
            let capitalised = w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '&')
                && !TABLES.is_role_word(WordClass::NotNamePart, &w.to_lowercase());
            let adjacent = run.last().is_none_or(|last| text.get(last.end..word.start) == Some(" "));
            if capitalised && adjacent {
                run.push(*word);
            } else {
                close(&mut run, at);
                if capitalised {
                    run.push(*word);
                }
            }
        }
        close(&mut run, words.len());
    }
    found
}

/// A name the model starts at "of" ("of Personnel Management") takes in the
/// capitalised word before it ("Office of Personnel Management"), if that is
/// after the previous entity's start; without one, the "of" is dropped.
fn take_in_the_name_before_of(text: &str, entity: &mut Entity, previous: usize) {
    let Some(rest) = entity.text.strip_prefix("of ") else { return };
    let before = text[..entity.span.start].trim_end_matches(' ');
    let word_start = last_word_start(before, |c| c.is_alphanumeric() || c == '-');
    let word = &before[word_start..];
    let start = if word.chars().next().is_some_and(char::is_uppercase)
        && word_start >= previous
        && before.len() + 1 == entity.span.start
    {
        word_start
    } else {
        entity.span.end - rest.len()
    };
    entity.span = Span::new(start, entity.span.end);
    entity.text = text[entity.span.range()].to_string();
}

/// Most capitalised words a name takes in after its end.
const CAPITALISED_RUN: usize = 3;

/// Extends a name (not a date) over up to [`CAPITALISED_RUN`] following words
/// that start with a capital and are not function words, each after one space,
/// before the next entity starts at `next`. A place or other name that grows
/// so is an organisation ("British" "Library"). Not in a headline in title
/// case, where capitals say nothing.
fn extend_over_capitals(doc: &Doc, entity: &mut Entity, next: usize) {
    let text = &doc.article.text;
    if entity.label == Label::Date || entity.text.ends_with('.') {
        return;
    }
    let mut end = entity.span.end;
    let mut taken = 0;
    while taken < CAPITALISED_RUN {
        let Some(rest) = text[end..].strip_prefix(' ') else { break };
        let word_len = rest.find(|c: char| c.is_whitespace() || ",;:()\"“”’'".contains(c)).unwrap_or(rest.len());
        let word = rest[..word_len].trim_end_matches('.');
        let capitalised = word.chars().next().is_some_and(char::is_uppercase)
            && word.chars().all(|c| c.is_alphanumeric() || c == '&' || c == '-');
        if !capitalised
            || TABLES.is_role_word(WordClass::NotNamePart, &word.to_lowercase())
            || end + 1 + word.len() > next
        {
            break;
        }
        end += 1 + word.len();
        taken += 1;
    }
    if taken == 0 || in_title_case_line(doc, entity.span.start) {
        return;
    }
    entity.span = Span::new(entity.span.start, end);
    entity.text = text[entity.span.range()].to_string();
    if matches!(entity.label, Label::Location | Label::Misc) {
        entity.label = Label::Organization;
    }
}

/// Where the last word of `before` starts: after its last character that
/// `part` does not accept (a char boundary, whatever that character's width).
fn last_word_start(before: &str, part: impl Fn(char) -> bool) -> usize {
    before.char_indices().rfind(|&(_, c)| !part(c)).map_or(0, |(i, c)| i + c.len_utf8())
}

/// A word of lowercase letters only ("from", not "From", "2021" or ",").
fn is_lowercase_word(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_alphabetic() && c.is_lowercase())
}

/// An organisation or other name (not a person: "President Putin") takes in
/// the one capitalised word right before it that the model left out ("the
/// World" "Anti-Doping Agency"), when a lowercase word comes before that one
/// (inside a clause, so not a sentence's first word), after the previous
/// entity's start, and not in a headline in title case.
fn take_in_a_capital_before(doc: &Doc, entity: &mut Entity, previous: usize) {
    let text = &doc.article.text;
    if matches!(entity.label, Label::Date | Label::Person) {
        return;
    }
    let Some(before) = text[..entity.span.start].strip_suffix(' ') else { return };
    let word_start = last_word_start(before, |c| c.is_alphanumeric() || c == '-' || c == '&');
    let word = &before[word_start..];
    let Some(earlier) = before[..word_start].strip_suffix(' ') else { return };
    let earlier_word = &earlier[last_word_start(earlier, char::is_alphanumeric)..];
    let fits = word.chars().next().is_some_and(char::is_uppercase)
        && !TABLES.is_role_word(WordClass::NotNamePart, &word.to_lowercase())
        && !is_acronym(word)
        && is_lowercase_word(earlier_word)
        && word_start >= previous
        && !in_title_case_line(doc, entity.span.start);
    if fits {
        entity.span = Span::new(word_start, entity.span.end);
        entity.text = text[entity.span.range()].to_string();
        if matches!(entity.label, Label::Location | Label::Misc) {
            entity.label = Label::Organization;
        }
    }
}

/// True when the sentence holding `at` is in title case: no lowercase word
/// but function words ("in", "of": the not-name-part class). A sentence's
/// verbs and common nouns are lowercase, however short ("BlackCat hit Change
/// Healthcare").
fn in_title_case_line(doc: &Doc, at: usize) -> bool {
    let Some(sentence) = doc.sentences.iter().find(|s| s.span.start <= at && at < s.span.end) else { return false };
    !doc.text(sentence.span).split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        !w.is_empty() && w.chars().all(char::is_lowercase) && !TABLES.is_role_word(WordClass::NotNamePart, w)
    })
}

/// Drops a leading "the" and surrounding punctuation from an entity's text.
fn trim_name(name: &str) -> &str {
    let name = name.trim_matches(|c: char| !c.is_alphanumeric() && c != '$' && c != ')');
    name.strip_prefix("the ").or_else(|| name.strip_prefix("The ")).unwrap_or(name)
}

/// A country form is a demonym when it is not the name itself and reads as an
/// adjective or people ("Russian", "North Koreans").
fn is_demonym(surface: &str, canonical: &str) -> bool {
    surface != canonical && TABLES.role_words(WordClass::DemonymSuffix).any(|suffix| surface.ends_with(suffix))
}

/// Turns a named candidate into a mention, absorbing a following attacker noun
/// ("North Korean hackers") or, for a demonym, a following victim noun
/// ("American consumers", an unnamed group).
fn place_named(sentence: &SentenceWords, index: usize, words: Range<usize>, c: Candidate, text: &str) -> Mention {
    let after = skip_modifiers(sentence, words.end);
    // Where the attacker phrase a name opens ends: "Lapsus$ group", "North Korean hackers".
    let actor_suffix = match c.kind {
        ArgKind::ThreatActor => TABLES.role_phrase_at(WordClass::ActorSuffix, &sentence.lower[words.end..]),
        _ => None,
    };
    let attacker_end = actor_suffix
        .map(|len| words.end + len)
        .or_else(|| TABLES.role_phrase_at(WordClass::AttackerNoun, &sentence.lower[after..]).map(|len| after + len));
    let victim_head = TABLES.role_phrase_at(WordClass::VictimNoun, &sentence.lower[after..]);
    let next_initial = sentence.words.get(words.end).and_then(|w| text[w.range()].chars().next());
    let next_is_lowercase_noun = next_initial.is_some_and(char::is_lowercase);
    let next_is_capitalised = next_initial.is_some_and(char::is_uppercase);
    let mut mention = Mention {
        sentence: index,
        span: Span::new(sentence.words[words.start].start, sentence.words[words.end - 1].end),
        words: words.clone(),
        kind: c.kind,
        canonical: c.canonical,
        attacker_ok: !matches!(c.kind, ArgKind::Misc) && (c.kind != ArgKind::Location || c.metonym),
        // Other names (MISC) are victims only when they are products ("Windows").
        victim_ok: match c.kind {
            ArgKind::ThreatActor => false,
            ArgKind::Misc => c.tool == Some(ToolKind::Product),
            _ => true,
        },
        reference: Reference::Itself,
        score: c.score,
    };
    if let Some(end) = attacker_end {
        mention.words = words.start..end;
        mention.victim_ok = false;
        mention.attacker_ok = true;
    } else if let (true, Some(len)) = (c.demonym || c.kind == ArgKind::Misc, victim_head) {
        mention.words = words.start..after + len;
        mention.kind = ArgKind::Unnamed;
        mention.attacker_ok = false;
        mention.victim_ok = true;
        mention.score = 1.0;
        let span = Span::new(sentence.words[words.start].start, sentence.words[after + len - 1].end);
        mention.canonical = text[span.range()].to_string();
    } else if c.demonym && next_is_capitalised {
        // "the German Parliament": the demonym opens another name, never an attacker.
        mention.attacker_ok = false;
    } else if c.demonym && next_is_lowercase_noun {
        // "a Russian weapons developer": the demonym only modifies the phrase.
        let head = sentence.lower.get(words.end).map_or("", String::as_str);
        mention.victim_ok = false;
        mention.attacker_ok = TABLES.is_role_word(WordClass::StateNoun, head);
    }
    mention.span = Span::new(sentence.words[mention.words.start].start, sentence.words[mention.words.end - 1].end);
    mention
}

/// The first word index at or after `from` that is not a modifier.
fn skip_modifiers(sentence: &SentenceWords, from: usize) -> usize {
    let mut i = from;
    while i < sentence.lower.len() && i < from + 3 && TABLES.is_role_word(WordClass::Modifier, &sentence.lower[i]) {
        i += 1;
    }
    i
}

/// Two or more ASCII capitals ("NSA"; as a pronoun, "IT" is information
/// technology, not "it").
pub fn is_acronym(word: &str) -> bool {
    word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase())
}

/// True when a `citation` word ("according") is among the four words before
/// word `at`, not before word `clause` ("according to Kaspersky": a cited source).
pub fn after_according(sentence: &SentenceWords, clause: usize, at: usize) -> bool {
    (at.saturating_sub(4).max(clause)..at).any(|i| TABLES.is_role_word(WordClass::Citation, &sentence.lower[i]))
}

/// Adds unnamed phrases and pronouns that no named mention covers.
fn add_unnamed(sentence: &SentenceWords, index: usize, text: &str, mentions: &mut Vec<Mention>) {
    let taken = |i: usize, mentions: &[Mention]| mentions.iter().any(|m| m.words.contains(&i));
    let mut i = 0;
    while i < sentence.lower.len() {
        if taken(i, mentions) {
            i += 1;
            continue;
        }
        let rest = &sentence.lower[i..];
        let found = [(WordClass::AttackerPronoun, true, false), (WordClass::VictimPronoun, false, true)]
            .into_iter()
            .filter_map(|(class, attacker, victim)| {
                TABLES.role_phrase_at(class, rest).map(|len| (len, attacker, victim, Reference::Anaphor))
            })
            .chain([WordClass::AttackerNoun, WordClass::VictimNoun].into_iter().filter_map(|class| {
                let len = TABLES.role_phrase_at(class, rest)?;
                Some((len, class == WordClass::AttackerNoun, class == WordClass::VictimNoun, Reference::Itself))
            }))
            .max_by_key(|(len, ..)| *len);
        let Some((len, mut attacker_ok, mut victim_ok, reference)) = found else {
            i += 1;
            continue;
        };
        if reference == Reference::Anaphor {
            // "the group" is in both pronoun lists: it may be either.
            attacker_ok |= TABLES.role_phrase_at(WordClass::AttackerPronoun, rest) == Some(len);
            victim_ok |= TABLES.role_phrase_at(WordClass::VictimPronoun, rest) == Some(len);
        }
        let acronym = reference == Reference::Anaphor && len == 1 && is_acronym(&text[sentence.words[i].range()]);
        if acronym || (i..i + len).any(|w| taken(w, mentions)) {
            i += 1;
            continue;
        }
        // Extend an unnamed phrase left over its modifiers and determiners (a
        // victim's, not over an attack verb: "accused of hacking computers").
        let mut start = i;
        if reference == Reference::Itself {
            while start > 0
                && !taken(start - 1, mentions)
                && (TABLES.is_role_word(WordClass::Modifier, &sentence.lower[start - 1])
                    || TABLES.is_role_word(WordClass::Determiner, &sentence.lower[start - 1]))
                && !(victim_ok && TABLES.is_cue_word(&sentence.lower[start - 1]))
            {
                start -= 1;
            }
        }
        let span = Span::new(sentence.words[start].start, sentence.words[i + len - 1].end);
        let content_start = (start..i + len - 1)
            .find(|&w| !TABLES.is_role_word(WordClass::Determiner, &sentence.lower[w]))
            .unwrap_or(i + len - 1);
        let canonical = text[sentence.words[content_start].start..span.end].to_string();
        // "they" and "he" may be either; "the hackers" is an attacker resolved to its name.
        let either =
            reference == Reference::Anaphor && TABLES.is_role_word(WordClass::EitherPronoun, &sentence.lower[i]);
        mentions.push(Mention {
            sentence: index,
            words: start..i + len,
            span,
            kind: ArgKind::Unnamed,
            canonical,
            attacker_ok: attacker_ok || either,
            victim_ok: victim_ok || either,
            reference: if attacker_ok && reference == Reference::Itself { Reference::Anaphor } else { reference },
            score: 1.0,
        });
        i += len;
    }
}

/// "Hackers working for China", "a group linked to Lazarus": an unnamed
/// attacker joined by an attribution phrase to a country or threat actor is one
/// mention of that country or actor (as "North Korean hackers" is), its words
/// the whole phrase. The name may follow a determiner ("backed by the Chinese
/// state").
fn attribute(sentence: &SentenceWords, mentions: &mut Vec<Mention>) {
    let mut i = 0;
    while i + 1 < mentions.len() {
        let (unnamed, named) = (&mentions[i], &mentions[i + 1]);
        let joined = unnamed.kind == ArgKind::Unnamed
            && unnamed.attacker_ok
            && !unnamed.victim_ok
            && matches!(named.kind, ArgKind::Country | ArgKind::ThreatActor)
            && named.attacker_ok
            && TABLES.role_phrase_at(WordClass::Attribution, &sentence.lower[unnamed.words.end..]).is_some_and(|len| {
                let mut at = unnamed.words.end + len;
                while at < named.words.start && TABLES.is_role_word(WordClass::Determiner, &sentence.lower[at]) {
                    at += 1;
                }
                at == named.words.start
            });
        if !joined {
            i += 1;
            continue;
        }
        let named = mentions.remove(i + 1);
        let m = &mut mentions[i];
        m.words = m.words.start..named.words.end;
        m.span = Span::new(m.span.start, named.span.end);
        m.kind = named.kind;
        m.canonical = named.canonical;
        m.reference = Reference::Itself;
        m.score = named.score;
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Article, Entity};

    fn doc_with(text: &str, entities: &[(&str, Label)]) -> Doc {
        let mut doc = Doc::new(Article { id: "t".into(), title: None, text: text.into(), published: None });
        doc.segment();
        for (surface, label) in entities {
            let start = text.find(surface).unwrap();
            let span = Span::new(start, start + surface.len());
            doc.entities.push(Entity { span, label: *label, score: 0.9, text: surface.to_string() });
        }
        doc
    }

    fn mentions(doc: &Doc) -> Vec<(String, String, ArgKind, bool, bool)> {
        let sentences = sentence_words(doc);
        find_mentions(doc, &sentences)
            .into_iter()
            .flatten()
            .map(|m| (doc.article.text[m.span.range()].to_string(), m.canonical, m.kind, m.attacker_ok, m.victim_ok))
            .collect()
    }

    #[test]
    fn demonym_with_attacker_noun_is_one_country_mention() {
        let doc = doc_with("North Korean hackers breached NPO Mash.", &[("NPO Mash", Label::Organization)]);
        assert_eq!(
            mentions(&doc),
            [
                ("North Korean hackers".into(), "North Korea".into(), ArgKind::Country, true, false),
                ("NPO Mash".into(), "NPO Mash".into(), ArgKind::Organization, true, true),
            ]
        );
    }

    #[test]
    fn a_name_starting_at_of_after_a_curly_quote_does_not_split_the_quote() {
        // The CASIE article that once panicked here: "…of the “of …" with a
        // three-byte quote right before the name.
        let doc =
            doc_with("Hackers hit the “of Pirates Studios” files.", &[("of Pirates Studios", Label::Organization)]);
        assert!(mentions(&doc).iter().any(|m| m.1 == "Pirates Studios"), "{:?}", mentions(&doc));
    }

    #[test]
    fn capitals_the_model_missed_make_names_inside_a_clause_only() {
        let names = |text: &str, entities: &[(&str, Label)]| -> Vec<String> {
            mentions(&doc_with(text, entities)).into_iter().map(|m| m.0).collect()
        };
        // One capitalised word after a lowercase one; a short verb does not make a title-case line.
        assert!(names("Cl0p stole data from Shell in March.", &[]).contains(&"Shell".to_string()));
        assert!(names("BlackCat hit Change Healthcare.", &[]).contains(&"Change Healthcare".to_string()));
        // Not a sentence's first word, not a modifier of a noun, not an acronym.
        assert!(!names("Unfortunately the data was lost.", &[]).contains(&"Unfortunately".to_string()));
        assert!(!names("They hit Linux servers.", &[]).contains(&"Linux".to_string()));
        // The capitalised word before a name the model cut short.
        let found = names(
            "Fancy Bear infiltrated the World Anti-Doping Agency.",
            &[("Anti-Doping Agency", Label::Organization)],
        );
        assert!(found.contains(&"World Anti-Doping Agency".to_string()), "{found:?}");
    }

    #[test]
    fn an_attacker_working_for_a_country_is_that_country() {
        let doc = doc_with("Hackers working for China stole data from Equifax.", &[("Equifax", Label::Organization)]);
        assert_eq!(
            mentions(&doc)[0],
            ("Hackers working for China".into(), "China".into(), ArgKind::Country, true, false)
        );
        let doc = doc_with("A group backed by the Chinese state hit Acme.", &[("Acme", Label::Organization)]);
        assert_eq!(mentions(&doc)[0].1, "China");
        // Customers from China are no attacker: only attacker phrases are joined.
        let doc = doc_with("Customers from China lost money.", &[]);
        assert!(mentions(&doc).iter().all(|m| m.1 != "China" || !m.0.starts_with("Customers")));
    }

    #[test]
    fn gazetteer_beats_ner_on_ties_and_capitals_are_metonyms() {
        let doc = doc_with("Pyongyang targeted Japan.", &[("Pyongyang", Label::Location), ("Japan", Label::Location)]);
        let found = mentions(&doc);
        assert_eq!(found[0].1, "North Korea");
        assert_eq!(found[0].2, ArgKind::Country);
        assert_eq!(found[1].1, "Japan");
    }

    #[test]
    fn a_name_split_by_the_model_is_joined() {
        let text = "Dark Caracal hit Contoso. Acme Corp. Fabrikam said so.";
        let d = doc_with(
            text,
            &[
                ("Dark", Label::Organization),
                ("Caracal", Label::Organization),
                ("Contoso", Label::Organization),
                ("Acme Corp.", Label::Organization),
                ("Fabrikam", Label::Organization),
            ],
        );
        let names: Vec<String> = mentions(&d).into_iter().map(|m| m.0).collect();
        // "Acme Corp." ends with a full stop: "Fabrikam" is a name of its own.
        assert_eq!(names, ["Dark Caracal", "Contoso", "Acme Corp.", "Fabrikam"]);
    }

    #[test]
    fn an_acronym_organisation_before_a_person_is_one_organisation() {
        let text = "Hackers breached NPO Mashinostroyeniya in 2021. FBI agent Smith said so.";
        let d = doc_with(
            text,
            &[("NPO", Label::Organization), ("Mashinostroyeniya", Label::Person), ("FBI", Label::Organization)],
        );
        let names: Vec<(String, ArgKind)> = mentions(&d).into_iter().map(|m| (m.0, m.2)).collect();
        assert!(names.contains(&("NPO Mashinostroyeniya".to_string(), ArgKind::Organization)), "{names:?}");
    }

    #[test]
    fn a_threat_actor_tagged_with_its_attacker_noun_stays_the_actor() {
        let text = "The Lapsus$ group breached Uber.";
        let d = doc_with(text, &[("Lapsus$ group", Label::Misc), ("Uber", Label::Organization)]);
        let found = mentions(&d);
        assert_eq!((found[0].1.as_str(), found[0].2), ("Lapsus$", ArgKind::ThreatActor), "{found:?}");
        assert_eq!(found[0].0, "Lapsus$ group");
    }

    #[test]
    fn a_name_tagged_as_a_person_once_stays_a_person() {
        let text = "Rimasauskas tricked staff. Police arrested Evaldas Rimasauskas in March.";
        let d = doc_with(text, &[("Rimasauskas", Label::Organization), ("Evaldas Rimasauskas", Label::Person)]);
        let kinds: Vec<(String, ArgKind)> = mentions(&d).into_iter().map(|m| (m.0, m.2)).collect();
        assert_eq!(
            kinds,
            [
                ("Rimasauskas".to_string(), ArgKind::Person),
                ("staff".to_string(), ArgKind::Unnamed),
                ("Evaldas Rimasauskas".to_string(), ArgKind::Person)
            ]
        );
    }

    #[test]
    fn unnamed_phrases_and_pronouns() {
        let doc = doc_with("A ransomware gang locked out patients. It said they paid.", &[]);
        let found: Vec<(String, ArgKind)> = mentions(&doc).into_iter().map(|m| (m.0, m.2)).collect();
        assert_eq!(
            found,
            [
                ("A ransomware gang".to_string(), ArgKind::Unnamed),
                ("patients".to_string(), ArgKind::Unnamed),
                ("It".to_string(), ArgKind::Unnamed),
                ("they".to_string(), ArgKind::Unnamed),
            ]
        );
    }

    #[test]
    fn demonym_modifying_a_noun_is_not_a_victim() {
        let doc = doc_with("Hackers hit a Russian weapons developer.", &[]);
        let russian = mentions(&doc).into_iter().find(|m| m.0 == "Russian").unwrap();
        assert!(!russian.4 && !russian.3);
    }

    #[test]
    fn demonym_opening_a_name_is_not_an_attacker() {
        let doc = doc_with("The attackers hit the German Parliament.", &[]);
        let found = mentions(&doc);
        assert!(found.iter().all(|m| !(m.0 == "German" && m.3)), "{found:?}");
        // The capitals make one name of it, which is not the country.
        assert!(found.iter().any(|m| m.0 == "German Parliament"), "{found:?}");
    }
}
