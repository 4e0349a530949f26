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

/// Weights on the argument head's probabilities, one per role, by which a
/// word's tag is chosen: a word takes the tag whose probability times its
/// role's weight is highest (`O` weighs 1), while the span keeps the model's
/// own probability as its score. A weight above 1 marks more spans of that
/// role, less sure ones, for the merger to weigh. The tagger trained on CASIE
/// leaves many attackers unmarked (an attacker is often named once and then
/// implied); weighing them 3 raised all three held-out F1s of the relation
/// stage on its calibration inputs (models/README.md). Read from the model's
/// `config.json` (`cyberie_role_weights`, e.g. `{"attacker": 3.0}`), else 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoleWeights([f32; Role::ALL.len()]);

impl Default for RoleWeights {
    fn default() -> Self {
        RoleWeights([1.0; Role::ALL.len()])
    }
}

impl RoleWeights {
    /// The weight of `role`.
    pub fn get(&self, role: Role) -> f32 {
        self.0[role as usize]
    }

    /// Sets the weight of `role`; it must be a finite number above 0.
    pub fn set(&mut self, role: Role, weight: f32) -> Result<(), String> {
        if !(weight.is_finite() && weight > 0.0) {
            return Err(format!("the weight of {} must be a number above 0, not {weight}", role.tag_name()));
        }
        self.0[role as usize] = weight;
        Ok(())
    }

    /// The factor of each of a head's tags, or `None` when all are 1 (plain argmax).
    pub fn factors(&self, tags: &[Tag<Role>]) -> Option<Vec<f32>> {
        let factors: Vec<f32> = tags
            .iter()
            .map(|tag| match tag {
                Tag::Outside => 1.0,
                Tag::Begin(role) | Tag::Inside(role) => self.get(*role),
            })
            .collect();
        factors.iter().any(|&f| f != 1.0).then_some(factors)
    }
}

/// One `ROLE=WEIGHT` setting (`attacker=3`), as `--role-weight` takes it.
pub fn parse_role_weight(text: &str) -> Result<(Role, f32), String> {
    let (name, weight) =
        text.split_once('=').ok_or_else(|| format!("{text:?}: expected ROLE=WEIGHT, e.g. attacker=3"))?;
    let role = Role::from_tag_name(name.trim())
        .ok_or_else(|| format!("{name:?} is not a role (trigger, attacker, victim, time)"))?;
    let weight: f32 = weight.trim().parse().map_err(|_| format!("{weight:?} is not a number"))?;
    RoleWeights::default().set(role, weight)?;
    Ok((role, weight))
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
    fn role_weights_scale_only_the_tags_of_their_role() {
        let tags: Vec<Tag<Role>> =
            ["O", "B-TRIGGER", "I-TRIGGER", "B-ATTACKER", "I-ATTACKER"].iter().map(|l| Tag::parse_role(l)).collect();
        assert_eq!(RoleWeights::default().factors(&tags), None);
        let mut weights = RoleWeights::default();
        weights.set(Role::Attacker, 3.0).unwrap();
        assert_eq!(weights.factors(&tags), Some(vec![1.0, 1.0, 1.0, 3.0, 3.0]));
        assert!(weights.set(Role::Victim, 0.0).is_err());
        assert!(weights.set(Role::Victim, f32::NAN).is_err());
    }

    #[test]
    fn role_weight_settings_parse_or_say_why_not() {
        assert_eq!(parse_role_weight("attacker=3"), Ok((Role::Attacker, 3.0)));
        assert_eq!(parse_role_weight("TIME = 1.5"), Ok((Role::Time, 1.5)));
        assert!(parse_role_weight("attacker").unwrap_err().contains("ROLE=WEIGHT"));
        assert!(parse_role_weight("actor=3").unwrap_err().contains("not a role"));
        assert!(parse_role_weight("victim=-1").unwrap_err().contains("above 0"));
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
