//! Text segmentation: sentences and words, as byte spans into the article text.
//!
//! Sentences are what the model and the relation heuristics see one at a time;
//! words are the units the NER model labels (split the way CoNLL-2003 tokenises,
//! which is how the shipped model was trained).

mod sentences;
mod words;

pub use sentences::split_sentences;
pub use words::split_words;

use crate::doc::{Sentence, Span};

/// Splits `text` into sentences and their words: the words of all sentences
/// in order, each sentence with the range of its own.
pub fn segment(text: &str) -> (Vec<Sentence>, Vec<Span>) {
    let mut words = Vec::new();
    let sentences = split_sentences(text)
        .into_iter()
        .map(|span| {
            let start = words.len();
            words.extend(split_words(text, span));
            Sentence { span, words: start..words.len() }
        })
        .collect();
    (sentences, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_gives_each_sentence_its_own_words_in_turn() {
        let text = "Hackers struck. The firm's CEO said so!\n\nYes.";
        let (sentences, words) = segment(text);
        let spans: Vec<Span> = sentences.iter().map(|s| s.span).collect();
        assert_eq!(spans, split_sentences(text));
        let mut next = 0;
        for sentence in &sentences {
            assert_eq!(sentence.words.start, next);
            assert_eq!(words[sentence.words.clone()], split_words(text, sentence.span)[..]);
            next = sentence.words.end;
        }
        assert_eq!(next, words.len());
        let second: Vec<&str> = words[sentences[1].words.clone()].iter().map(|w| &text[w.range()]).collect();
        assert_eq!(second, ["The", "firm", "'s", "CEO", "said", "so", "!"]);
    }
}
