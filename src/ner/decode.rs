//! BIO decoding: from one tag per word to entity spans.
//!
//! Accepts the schemes models are published with: BIO (`B-ORG`, `I-ORG`),
//! IOB1 (an `I-` after `O` starts an entity) and BIOES/BILOU (`S-`, `E-`, `U-`,
//! `L-`). Types the pipeline does not use (see [`Label::from_model_tag`]) are
//! treated as `O`.

use crate::doc::{Entity, Label, Span};

use super::batch::WordPrediction;

/// One of the model's output labels, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Outside any entity.
    Outside,
    /// First word of an entity (`B-`, `S-`, `U-`).
    Begin(Label),
    /// A following word of an entity (`I-`, `E-`, `L-`).
    Inside(Label),
}

impl Tag {
    /// Parses a label such as `B-ORG`, `I-PER` or `O`.
    pub fn parse(label: &str) -> Tag {
        let Some((prefix, kind)) = label.split_once(['-', '_']) else { return Tag::Outside };
        let Some(kind) = Label::from_model_tag(kind) else { return Tag::Outside };
        match prefix.to_ascii_uppercase().as_str() {
            "B" | "S" | "U" => Tag::Begin(kind),
            "I" | "E" | "L" | "M" => Tag::Inside(kind),
            _ => Tag::Outside,
        }
    }
}

/// Decodes the tags of one window's words into entities.
pub fn entities(text: &str, words: &[Span], predictions: &[Option<WordPrediction>], tags: &[Tag]) -> Vec<Entity> {
    let mut found = Vec::new();
    let mut current: Option<(Label, Span, Vec<f32>)> = None;
    for (word, prediction) in words.iter().zip(predictions) {
        let tag = prediction.map(|p| tags[p.tag]).unwrap_or(Tag::Outside);
        let probability = prediction.map(|p| p.probability).unwrap_or(1.0);
        current = match (tag, current.take()) {
            (Tag::Inside(label), Some((open, span, mut probs))) if open == label => {
                probs.push(probability);
                Some((label, Span::new(span.start, word.end), probs))
            }
            (Tag::Begin(label) | Tag::Inside(label), previous) => {
                finish(text, previous, &mut found);
                Some((label, *word, vec![probability]))
            }
            (Tag::Outside, previous) => {
                finish(text, previous, &mut found);
                None
            }
        };
    }
    finish(text, current, &mut found);
    found
}

fn finish(text: &str, entity: Option<(Label, Span, Vec<f32>)>, out: &mut Vec<Entity>) {
    if let Some((label, span, probs)) = entity {
        let score = probs.iter().sum::<f32>() / probs.len() as f32;
        out.push(Entity { span, label, score, text: text[span.range()].to_string() });
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
    fn begin_splits_adjacent_entities() {
        assert_eq!(
            decode("Microsoft Google", &["B-ORG", "B-ORG"]),
            [("Microsoft".to_string(), Label::Organization), ("Google".to_string(), Label::Organization)]
        );
    }
}
