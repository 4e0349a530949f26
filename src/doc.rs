//! The vocabulary of the pipeline: the types that flow from reading to export.
//!
//! One [`Doc`] travels through the stages and gains layers: sentences, entities,
//! dates. Relations turn a `Doc` into [`Triple`]s.
//!
//! **Offsets.** Every [`Span`] in the library holds *byte* offsets into
//! [`Article::text`], so that `&text[span.range()]` is always valid. Where offsets
//! leave the program (the `ner` command's output, entity-span gold files) they are
//! converted to Unicode code-point offsets, the convention of Python, Hugging Face
//! and CASIE, with [`CharOffsets`].

use std::fmt;
use std::ops::Range;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dates::Timex;

/// A half-open range of byte offsets into an article's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Span { start, end }
    }

    /// The span as a byte range, for slicing the article text.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no text.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// True when `other` lies entirely inside this span.
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// True when the two spans share at least one byte.
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// One news article, as a reader yields it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Document id: the file stem for text files, the `id` field for JSON Lines.
    pub id: String,
    /// Headline, when the source gives one separately from the text.
    pub title: Option<String>,
    /// The article body; all spans index this string.
    pub text: String,
    /// Publication date, used to resolve relative dates ("last week").
    pub published: Option<NaiveDate>,
}

/// The coarse entity types the pipeline understands (CoNLL-2003 types plus dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Label {
    /// A person.
    #[serde(rename = "PER")]
    Person,
    /// A company, agency, group or other organisation.
    #[serde(rename = "ORG")]
    Organization,
    /// A country, city, region or facility.
    #[serde(rename = "LOC")]
    Location,
    /// Nationalities, events, products and other names.
    #[serde(rename = "MISC")]
    Misc,
    /// A date expression (from the temporal tagger, not the model).
    #[serde(rename = "DATE")]
    Date,
}

impl Label {
    /// Maps a model's label suffix (after `B-`/`I-`) to a [`Label`]; accepts
    /// CoNLL names and the common OntoNotes-style synonyms. `None` for types the
    /// pipeline does not use.
    pub fn from_model_tag(tag: &str) -> Option<Label> {
        match tag.to_ascii_uppercase().as_str() {
            "PER" | "PERSON" => Some(Label::Person),
            "ORG" | "ORGANIZATION" | "ORGANISATION" => Some(Label::Organization),
            "LOC" | "LOCATION" | "GPE" | "FAC" => Some(Label::Location),
            "MISC" | "NORP" | "EVENT" | "PRODUCT" => Some(Label::Misc),
            "DATE" | "TIME" => Some(Label::Date),
            _ => None,
        }
    }

    /// The short tag used in output files: `PER`, `ORG`, `LOC`, `MISC`, `DATE`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Label::Person => "PER",
            Label::Organization => "ORG",
            Label::Location => "LOC",
            Label::Misc => "MISC",
            Label::Date => "DATE",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A named entity found by the NER model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// Where the entity is in the article text.
    pub span: Span,
    /// Its type.
    pub label: Label,
    /// Mean model probability of the entity's word labels, in [0, 1].
    pub score: f32,
    /// The entity's text, `&article.text[span.range()]`.
    pub text: String,
}

/// A date expression found by the temporal tagger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMention {
    /// Where the expression is in the article text.
    pub span: Span,
    /// The expression as written ("late 2021").
    pub text: String,
    /// Its normalised value, when it could be resolved ("2021-H2").
    pub value: Option<Timex>,
}

/// The parts of an attack that the argument tagger marks in the text: CASIE's
/// event trigger and its Attacker, Victim and Time arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The words that say an attack happened ("breached", "the attack").
    Trigger,
    /// Who attacked.
    Attacker,
    /// Who or what was attacked.
    Victim,
    /// When it happened.
    Time,
}

impl Role {
    /// Every role, in the order of the tagger's labels.
    pub const ALL: [Role; 4] = [Role::Trigger, Role::Attacker, Role::Victim, Role::Time];

    /// The tag name in a model's label map (`B-ATTACKER`, `I-TIME`...).
    pub fn tag_name(&self) -> &'static str {
        match self {
            Role::Trigger => "TRIGGER",
            Role::Attacker => "ATTACKER",
            Role::Victim => "VICTIM",
            Role::Time => "TIME",
        }
    }

    /// Parses a tag name written by [`Role::tag_name`] (any case).
    pub fn from_tag_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.tag_name().eq_ignore_ascii_case(name))
    }
}

/// A span the argument tagger marked with a role.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoleSpan {
    /// Where it is in the article text.
    pub span: Span,
    /// What part of an attack it is.
    pub role: Role,
    /// Mean model probability of its word labels, in [0, 1].
    pub score: f32,
}

/// An article with the layers the pipeline stages add to it.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The article itself.
    pub article: Article,
    /// Sentence spans, in order, covering all non-blank text.
    pub sentences: Vec<Span>,
    /// Named entities from the NER model, in text order.
    pub entities: Vec<Entity>,
    /// Date expressions from the temporal tagger, in text order.
    pub dates: Vec<DateMention>,
    /// Attack triggers and arguments from the argument tagger, in text order
    /// (empty when the model has no argument head).
    pub roles: Vec<RoleSpan>,
}

impl Doc {
    /// A document with no layers yet.
    pub fn new(article: Article) -> Self {
        Doc { article, sentences: Vec::new(), entities: Vec::new(), dates: Vec::new(), roles: Vec::new() }
    }

    /// The text covered by `span`.
    pub fn text(&self, span: Span) -> &str {
        &self.article.text[span.range()]
    }
}

/// What kind of participant a triple's attacker or victim is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgKind {
    /// A named person.
    Person,
    /// A named organisation (company, agency, gang with a name).
    Organization,
    /// A country (also reached from a nationality or a capital city).
    Country,
    /// A named place or facility that is not a country.
    Location,
    /// A known threat actor from the lexicon (APT28, Lazarus Group...).
    ThreatActor,
    /// Some other named thing (a product, a network).
    Misc,
    /// An unnamed participant ("hackers", "customers").
    Unnamed,
}

impl ArgKind {
    /// The value written to the `attacker_type`/`victim_type` columns.
    pub fn as_str(&self) -> &'static str {
        match self {
            ArgKind::Person => "person",
            ArgKind::Organization => "organization",
            ArgKind::Country => "country",
            ArgKind::Location => "location",
            ArgKind::ThreatActor => "threat_actor",
            ArgKind::Misc => "misc",
            ArgKind::Unnamed => "unnamed",
        }
    }

    /// Parses a value written by [`ArgKind::as_str`].
    pub fn parse(s: &str) -> Option<ArgKind> {
        Some(match s {
            "person" => ArgKind::Person,
            "organization" => ArgKind::Organization,
            "country" => ArgKind::Country,
            "location" => ArgKind::Location,
            "threat_actor" => ArgKind::ThreatActor,
            "misc" => ArgKind::Misc,
            "unnamed" => ArgKind::Unnamed,
            _ => return None,
        })
    }

    /// True for every kind except [`ArgKind::Unnamed`].
    pub fn is_named(&self) -> bool {
        *self != ArgKind::Unnamed
    }
}

impl fmt::Display for ArgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One side of a triple: who attacked, or who was attacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    /// The canonical name ("North Korea" for "Pyongyang" or "North Korean hackers").
    pub text: String,
    /// What kind of participant it is.
    pub kind: ArgKind,
    /// The mention in the text the argument was read from.
    pub span: Span,
}

/// An attack the article reports: who attacked whom, and when, with the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Triple {
    /// The article's id.
    pub doc_id: String,
    /// Who carried out the attack.
    pub attacker: Argument,
    /// Who was attacked.
    pub victim: Argument,
    /// When the attack happened, when the article says.
    pub date: Option<DateMention>,
    /// How sure the heuristics are, in [0, 1].
    pub confidence: f32,
    /// The sentence(s) the triple was read from.
    pub evidence: String,
    /// The name of the rule that produced the triple (shown with `--explain`).
    pub rule: String,
}

/// Converts between byte offsets and Unicode code-point offsets of one text,
/// in logarithmic time per conversion.
pub struct CharOffsets {
    /// Byte offset of every char, plus the text length at the end.
    starts: Vec<usize>,
}

impl CharOffsets {
    /// Prepares conversions for `text`.
    pub fn new(text: &str) -> Self {
        let mut starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        starts.push(text.len());
        CharOffsets { starts }
    }

    /// The code-point offset of byte offset `byte` (rounded down to a char boundary).
    pub fn char_offset(&self, byte: usize) -> usize {
        match self.starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The byte offset of code-point offset `chars`, or `None` past the end.
    pub fn byte_offset(&self, chars: usize) -> Option<usize> {
        self.starts.get(chars).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_count_code_points_not_bytes() {
        let text = "“Café” hacked";
        let conv = CharOffsets::new(text);
        let byte = text.find("hacked").unwrap();
        assert_eq!(byte, 12);
        assert_eq!(conv.char_offset(byte), 7);
        assert_eq!(conv.byte_offset(7), Some(byte));
        assert_eq!(conv.byte_offset(13), Some(text.len()));
        assert_eq!(conv.byte_offset(14), None);
    }

    #[test]
    fn labels_map_from_model_tags() {
        assert_eq!(Label::from_model_tag("per"), Some(Label::Person));
        assert_eq!(Label::from_model_tag("GPE"), Some(Label::Location));
        assert_eq!(Label::from_model_tag("CARDINAL"), None);
    }

    #[test]
    fn arg_kinds_round_trip() {
        for kind in [ArgKind::Person, ArgKind::Country, ArgKind::ThreatActor, ArgKind::Unnamed] {
            assert_eq!(ArgKind::parse(kind.as_str()), Some(kind));
        }
    }
}
