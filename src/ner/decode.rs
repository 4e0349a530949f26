//! BIO decoding: from one tag per word to spans, for either head of the model
//! (entity types, or the roles of an attack).
//!
//! Accepts the schemes models are published with: BIO (`B-ORG`, `I-ORG`),
//! IOB1 (an `I-` after `O` starts a span) and BIOES/BILOU (`S-`, `E-`, `U-`,
//! `L-`). Types a head does not know (see [`Label::from_model_tag`] and
//! [`Role::from_tag_name`]) are treated as `O`.

use crate::doc::{Entity, Label, Role, RoleSpan, Span};

use super::batch::WordPrediction;

/// One of a head's output labels, parsed: `T` is [`Label`] for the entity
/// head and [`Role`] for the argument head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag<T = Label> {
    /// Outside any span.
    Outside,
    /// First word of a span (`B-`, `S-`, `U-`).
    Begin(T),
    /// A following word of a span (`I-`, `E-`, `L-`).
    Inside(T),
}

impl<T> Tag<T> {
    /// Parses a label such as `B-ORG`, `I-PER` or `O`, reading its type with `kind`.
    pub fn parse_with(label: &str, kind: impl Fn(&str) -> Option<T>) -> Tag<T> {
        let Some((prefix, name)) = label.split_once(['-', '_']) else { return Tag::Outside };
        let Some(kind) = kind(name) else { return Tag::Outside };
        match prefix.to_ascii_uppercase().as_str() {
            "B" | "S" | "U" => Tag::Begin(kind),
            "I" | "E" | "L" | "M" => Tag::Inside(kind),
            _ => Tag::Outside,
        }
    }
}

impl Tag<Label> {
    /// Parses an entity label (`B-ORG`, `I-PER`, `O`).
    pub fn parse(label: &str) -> Tag<Label> {
        Tag::parse_with(label, Label::from_model_tag)
    }
}

impl Tag<Role> {
    /// Parses an argument label (`B-ATTACKER`, `I-TIME`, `O`).
    pub fn parse_role(label: &str) -> Tag<Role> {
        Tag::parse_with(label, Role::from_tag_name)
    }
}

/// A decoded span: its type, where it is, the mean probability of its words' tags.
pub struct Decoded<T> {
    /// The span's type.
    pub kind: T,
    /// Bytes in the article.
    pub span: Span,
    /// Mean probability of its words' tags.
    pub score: f32,
}

/// Decodes the tags of one window's words into spans.
pub fn spans<T: Copy + Eq>(words: &[Span], predictions: &[Option<WordPrediction>], tags: &[Tag<T>]) -> Vec<Decoded<T>> {
    let mut found = Vec::new();
    let mut current: Option<(T, Span, Vec<f32>)> = None;
    for (word, prediction) in words.iter().zip(predictions) {
        let tag = prediction.map(|p| tags[p.tag]).unwrap_or(Tag::Outside);
        let probability = prediction.map(|p| p.probability).unwrap_or(1.0);
        current = match (tag, current.take()) {
            (Tag::Inside(kind), Some((open, span, mut probs))) if open == kind => {
                probs.push(probability);
                Some((kind, Span::new(span.start, word.end), probs))
            }
            (Tag::Begin(kind) | Tag::Inside(kind), previous) => {
                finish(previous, &mut found);
                Some((kind, *word, vec![probability]))
            }
            (Tag::Outside, previous) => {
                finish(previous, &mut found);
                None
            }
        };
    }
    finish(current, &mut found);
    found
}

/// Decodes one window's entity tags into entities.
pub fn entities(text: &str, words: &[Span], predictions: &[Option<WordPrediction>], tags: &[Tag]) -> Vec<Entity> {
    spans(words, predictions, tags)
        .into_iter()
        .map(|d| Entity { span: d.span, label: d.kind, score: d.score, text: text[d.span.range()].to_string() })
        .collect()
}

/// Decodes one window's argument tags into role spans.
pub fn roles(words: &[Span], predictions: &[Option<WordPrediction>], tags: &[Tag<Role>]) -> Vec<RoleSpan> {
    spans(words, predictions, tags)
        .into_iter()
        .map(|d| RoleSpan { span: d.span, role: d.kind, score: d.score })
        .collect()
}

fn finish<T>(span: Option<(T, Span, Vec<f32>)>, out: &mut Vec<Decoded<T>>) {
    if let Some((kind, span, probs)) = span {
        let score = probs.iter().sum::<f32>() / probs.len() as f32;
        out.push(Decoded { kind, span, score });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str, labels: &[&str]) -> Vec<(String, Label)> {
        let tags: Vec<Tag> =
            ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"].iter().map(|l| Tag::parse(l)).collect();
        let words = crate::text::split_words(text, Span::new(0, text.len()));
        assert_eq!(words.len(), labels.len(), "test needs one label per word");
        let predictions: Vec<_> = labels
            .iter()
            .map(|l| {
                Some(WordPrediction {
                    tag: ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
                        .iter()
                        .position(|t| t == l)
                        .unwrap(),
                    probability: 0.5,
                })
            })
            .collect();
        entities(text, &words, &predictions, &tags).into_iter().map(|e| (e.text, e.label)).collect()
    }

    #[test]
    fn parses_label_schemes() {
        assert_eq!(Tag::parse("B-ORG"), Tag::Begin(Label::Organization));
        assert_eq!(Tag::parse("I-PER"), Tag::Inside(Label::Person));
        assert_eq!(Tag::parse("S-LOC"), Tag::Begin(Label::Location));
        assert_eq!(Tag::parse("E-MISC"), Tag::Inside(Label::Misc));
        assert_eq!(Tag::parse("O"), Tag::Outside);
        assert_eq!(Tag::parse("B-CARDINAL"), Tag::Outside);
    }

    #[test]
    fn joins_words_into_entities_with_byte_spans() {
        assert_eq!(
            decode(
                "Hackers breached NPO Mash’s network in Moscow.",
                &["O", "O", "B-ORG", "I-ORG", "O", "O", "O", "B-LOC", "O"]
            ),
            [("NPO Mash".to_string(), Label::Organization), ("Moscow".to_string(), Label::Location)]
        );
    }

    #[test]
    fn inside_after_outside_or_other_type_starts_an_entity() {
        assert_eq!(
            decode("Kim Jong Un met Putin", &["I-PER", "I-PER", "I-PER", "O", "I-PER"]),
            [("Kim Jong Un".to_string(), Label::Person), ("Putin".to_string(), Label::Person)]
        );
        assert_eq!(
            decode("Acme Paris", &["B-ORG", "I-LOC"]),
            [("Acme".to_string(), Label::Organization), ("Paris".to_string(), Label::Location)]
        );
    }

    #[test]
    fn argument_labels_decode_to_roles() {
        assert_eq!(Tag::parse_role("B-ATTACKER"), Tag::Begin(Role::Attacker));
        assert_eq!(Tag::parse_role("i-time"), Tag::Inside(Role::Time));
        assert_eq!(Tag::parse_role("B-PER"), Tag::Outside);
        let text = "Hackers breached Acme Corp";
        let words = crate::text::split_words(text, Span::new(0, text.len()));
        let tags: Vec<Tag<Role>> =
            ["O", "B-ATTACKER", "B-TRIGGER", "B-VICTIM", "I-VICTIM"].iter().map(|l| Tag::parse_role(l)).collect();
        let predictions: Vec<_> =
            [1, 2, 3, 4].iter().map(|&tag| Some(WordPrediction { tag, probability: 0.8 })).collect();
        let found: Vec<(Role, &str)> =
            roles(&words, &predictions, &tags).iter().map(|r| (r.role, &text[r.span.range()])).collect();
        assert_eq!(found, [(Role::Attacker, "Hackers"), (Role::Trigger, "breached"), (Role::Victim, "Acme Corp")]);
    }

    #[test]
    fn begin_splits_adjacent_entities() {
        assert_eq!(
            decode("Microsoft Google", &["B-ORG", "B-ORG"]),
            [("Microsoft".to_string(), Label::Organization), ("Google".to_string(), Label::Organization)]
        );
    }
}
