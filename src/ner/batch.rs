//! From sentences to model inputs and back: encoding words as pre-tokenized
//! input, cutting over-long sentences into windows that fit the model, grouping
//! windows of similar length into batches, and reading each word's label off
//! the model's output at its first word piece.

use std::ops::Range;

use tch::{Kind, Tensor};
use tokenizers::{EncodeInput, InputSequence, Tokenizer};

use crate::doc::{Doc, Span};

/// One window of one sentence, ready for the model.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Which document of the batch the window belongs to.
    pub doc_index: usize,
    /// The words of the window (byte spans into the document text).
    pub words: Vec<Span>,
    /// Token ids, special tokens included.
    pub ids: Vec<i64>,
    /// For each word, the position of its first word piece in `ids` (`None`
    /// when the tokenizer produced no piece for it).
    pub first_piece: Vec<Option<usize>>,
}

/// The model's verdict on one word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordPrediction {
    /// Index into the model's tags.
    pub tag: usize,
    /// Probability of that tag.
    pub probability: f32,
}

/// Padded model inputs for one batch.
pub struct Inputs {
    /// Token ids, `[batch, length]`.
    pub ids: Tensor,
    /// 1 for real tokens, 0 for padding, `[batch, length]`.
    pub mask: Tensor,
}

/// Encodes each sentence's words and cuts sentences longer than `max_window`
/// word pieces into consecutive windows at word boundaries, so no text is dropped.
pub fn encode_windows(
    tokenizer: &Tokenizer,
    docs: &[Doc],
    sentences: Vec<(usize, Vec<Span>)>,
    max_window: usize,
) -> tokenizers::Result<Vec<Segment>> {
    let encodings = encode(tokenizer, docs, &sentences)?;
    let mut windows = Vec::with_capacity(sentences.len());
    for ((doc_index, words), encoding) in sentences.into_iter().zip(encodings) {
        if encoding.ids.len() <= max_window {
            windows.push(Segment { doc_index, words, ids: encoding.ids, first_piece: encoding.first_piece });
            continue;
        }
        let specials = encoding.ids.len() - encoding.pieces_per_word.iter().sum::<usize>();
        let budget = max_window.saturating_sub(specials).max(1);
        let mut chunks: Vec<(usize, Vec<Span>)> = Vec::new();
        let (mut chunk, mut used) = (Vec::new(), 0);
        for (word, pieces) in words.into_iter().zip(encoding.pieces_per_word) {
            if !chunk.is_empty() && used + pieces > budget {
                chunks.push((doc_index, std::mem::take(&mut chunk)));
                used = 0;
            }
            chunk.push(word);
            used += pieces;
        }
        if !chunk.is_empty() {
            chunks.push((doc_index, chunk));
        }
        let chunk_encodings = encode(tokenizer, docs, &chunks)?;
        for ((doc_index, words), mut encoding) in chunks.into_iter().zip(chunk_encodings) {
            if encoding.ids.len() > max_window {
                // A single word longer than the window: keep its head and the closing special token.
                let last = *encoding.ids.last().unwrap_or(&0);
                encoding.ids.truncate(max_window - 1);
                encoding.ids.push(last);
                for p in encoding.first_piece.iter_mut() {
                    *p = p.filter(|&p| p < max_window - 1);
                }
            }
            windows.push(Segment { doc_index, words, ids: encoding.ids, first_piece: encoding.first_piece });
        }
    }
    Ok(windows)
}

struct WordEncoding {
    ids: Vec<i64>,
    first_piece: Vec<Option<usize>>,
    pieces_per_word: Vec<usize>,
}

fn encode(
    tokenizer: &Tokenizer,
    docs: &[Doc],
    sentences: &[(usize, Vec<Span>)],
) -> tokenizers::Result<Vec<WordEncoding>> {
    let inputs: Vec<EncodeInput> = sentences
        .iter()
        .map(|(doc_index, words)| {
            let text = &docs[*doc_index].article.text;
            let words: Vec<&str> = words.iter().map(|w| &text[w.range()]).collect();
            EncodeInput::Single(InputSequence::from(words))
        })
        .collect();
    let encodings = tokenizer.encode_batch(inputs, true)?;
    Ok(encodings
        .into_iter()
        .zip(sentences)
        .map(|(encoding, (_, words))| {
            let mut first_piece = vec![None; words.len()];
            let mut pieces_per_word = vec![0; words.len()];
            for (position, word) in encoding.get_word_ids().iter().enumerate() {
                if let Some(w) = word.map(|w| w as usize).filter(|&w| w < words.len()) {
                    pieces_per_word[w] += 1;
                    first_piece[w].get_or_insert(position);
                }
            }
            WordEncoding { ids: encoding.get_ids().iter().map(|&id| id as i64).collect(), first_piece, pieces_per_word }
        })
        .collect())
}

/// How big one forward pass may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Most windows in a batch.
    pub max_windows: usize,
    /// Most tokens in a batch, padding included (windows × longest window).
    pub max_tokens: usize,
}

/// Groups windows into batches, longest first, so that windows of similar
/// length share a batch and little padding is wasted. A batch grows while it
/// stays within both limits; a window longer than `max_tokens` forms a batch of
/// its own. Returns indices into `windows`; the plan depends only on the
/// windows' lengths and order, so it is deterministic.
pub fn plan_batches(windows: &[Segment], limits: BatchLimits) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..windows.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(windows[i].ids.len()));
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut longest = 0;
    for i in order {
        let length = windows[i].ids.len().max(1);
        let fits =
            current.len() < limits.max_windows.max(1) && (current.len() + 1) * longest.max(length) <= limits.max_tokens;
        if !current.is_empty() && !fits {
            batches.push(std::mem::take(&mut current));
            longest = 0;
        }
        longest = longest.max(length);
        current.push(i);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// Pads the windows of one batch into tensors.
pub fn to_tensors(batch: &[&Segment], pad_id: i64) -> Inputs {
    let length = batch.iter().map(|s| s.ids.len()).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(batch.len() * length);
    let mut mask = Vec::with_capacity(batch.len() * length);
    for segment in batch {
        ids.extend_from_slice(&segment.ids);
        ids.extend(std::iter::repeat_n(pad_id, length - segment.ids.len()));
        mask.extend(std::iter::repeat_n(1i64, segment.ids.len()));
        mask.extend(std::iter::repeat_n(0i64, length - segment.ids.len()));
    }
    let shape = [batch.len() as i64, length as i64];
    Inputs { ids: Tensor::from_slice(&ids).view(shape), mask: Tensor::from_slice(&mask).view(shape) }
}

/// Reads each word's best tag of one head and its probability at the word's
/// first piece: `logits` is `[batch, length, labels]`, `rows` the head's
/// labels among them (its softmax is taken over those alone; tags are numbered
/// from the head's first row). With `factors` (one per tag, see
/// [`super::decode::RoleWeights`]) the best tag is the one whose probability
/// times its factor is highest; the probability reported is the model's own.
/// Words without a piece get `None`.
pub fn word_predictions(
    batch: &[&Segment],
    logits: &Tensor,
    rows: &Range<usize>,
    factors: Option<&[f32]>,
) -> Vec<Vec<Option<WordPrediction>>> {
    let num_tags = rows.len();
    let head = logits.narrow(-1, rows.start as i64, num_tags as i64);
    let probabilities = head.softmax(-1, Kind::Float);
    let (best, best_index) = match factors {
        None => probabilities.max_dim(-1, false),
        Some(factors) => {
            let index = (&probabilities * Tensor::from_slice(factors)).argmax(-1, false);
            (probabilities.gather(-1, &index.unsqueeze(-1), false).squeeze_dim(-1), index)
        }
    };
    let length = probabilities.size().get(1).copied().unwrap_or(0) as usize;
    let best: Vec<f32> = Vec::try_from(best.contiguous().view(-1)).unwrap_or_default();
    let best_index: Vec<i64> = Vec::try_from(best_index.contiguous().view(-1)).unwrap_or_default();
    batch
        .iter()
        .enumerate()
        .map(|(row, segment)| {
            segment
                .first_piece
                .iter()
                .map(|piece| {
                    let at = row * length + (*piece)?;
                    let tag = usize::try_from(*best_index.get(at)?).ok().filter(|&t| t < num_tags)?;
                    Some(WordPrediction { tag, probability: best[at] })
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(doc_index: usize, length: usize) -> Segment {
        Segment { doc_index, words: Vec::new(), ids: vec![1; length], first_piece: Vec::new() }
    }

    /// The tiny fixture model's tokenizer (WordPiece, lower-casing).
    fn fixture_tokenizer() -> Tokenizer {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-model/tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(path).expect("fixture tokenizer");
        tokenizer.with_padding(None);
        tokenizer.with_truncation(None).expect("no truncation");
        tokenizer
    }

    #[test]
    fn factors_choose_the_tag_but_the_probability_stays_the_models() {
        // One window of two words; a head of three tags (O, B-X, I-X) in
        // logits of four rows, the head at rows 1-3.
        let segment =
            Segment { doc_index: 0, words: Vec::new(), ids: vec![1, 2, 3], first_piece: vec![Some(1), Some(2)] };
        let ln = |p: f32| p.ln();
        let logits = Tensor::from_slice(&[
            0.0,
            0.0,
            0.0,
            0.0, // [CLS]
            9.0,
            ln(0.6),
            ln(0.3),
            ln(0.1), // word 1: O 0.6, B-X 0.3
            9.0,
            ln(0.9),
            ln(0.05),
            ln(0.05), // word 2: O 0.9
        ])
        .view([1, 3, 4]);
        let rows = 1..4;
        let tags = |factors: Option<&[f32]>| -> Vec<(usize, f32)> {
            word_predictions(&[&segment], &logits, &rows, factors)[0]
                .iter()
                .map(|p| p.map(|p| (p.tag, (p.probability * 100.0).round() / 100.0)).unwrap())
                .collect()
        };
        assert_eq!(tags(None), [(0, 0.6), (0, 0.9)]);
        // B-X and I-X weighed 3: word 1 becomes B-X (0.3 × 3 > 0.6) with its own 0.3; word 2 stays O.
        assert_eq!(tags(Some(&[1.0, 3.0, 3.0])), [(1, 0.3), (0, 0.9)]);
    }

    #[test]
    fn a_sentence_longer_than_the_window_is_cut_into_windows_without_losing_a_word() {
        let text = (0..1500).map(|i| format!("Acme{i} hacked Contoso,")).collect::<Vec<_>>().join(" ");
        let doc = Doc::new(crate::doc::Article { id: "long".into(), title: None, text, published: None });
        let words = crate::text::split_words(&doc.article.text, Span::new(0, doc.article.text.len()));
        let windows = encode_windows(&fixture_tokenizer(), std::slice::from_ref(&doc), vec![(0, words.clone())], 64)
            .expect("encodes");
        assert!(windows.len() > 20, "{} windows", windows.len());
        assert!(windows.iter().all(|w| w.ids.len() <= 64 && !w.words.is_empty()));
        // The windows, in order, hold every word exactly once, each with its first piece.
        let covered: Vec<Span> = windows.iter().flat_map(|w| w.words.iter().copied()).collect();
        assert_eq!(covered, words);
        assert!(windows.iter().all(|w| w.first_piece.iter().all(Option::is_some)));
    }

    #[test]
    fn a_single_word_longer_than_the_window_keeps_its_head() {
        // 90 letters: WordPiece splits it into many pieces (past 100 it would be one [UNK]).
        let text = "ab".repeat(45);
        let doc = Doc::new(crate::doc::Article { id: "w".into(), title: None, text, published: None });
        let words = vec![Span::new(0, 90)];
        let windows = encode_windows(&fixture_tokenizer(), std::slice::from_ref(&doc), vec![(0, words)], 16).unwrap();
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].ids.len(), 16);
        assert_eq!(windows[0].first_piece, [Some(1)]);
    }

    #[test]
    fn batches_hold_similar_lengths_within_both_limits() {
        let lengths = [10, 50, 12, 48, 11, 49, 200, 9];
        let windows: Vec<Segment> = lengths.iter().map(|&l| window(0, l)).collect();
        let batches = plan_batches(&windows, BatchLimits { max_windows: 3, max_tokens: 150 });
        let as_lengths: Vec<Vec<usize>> =
            batches.iter().map(|b| b.iter().map(|&i| windows[i].ids.len()).collect()).collect();
        // 200 alone (over the budget), 50+49+48 (3 × 50 = 150 tokens), then the short ones by three.
        assert_eq!(as_lengths, [vec![200], vec![50, 49, 48], vec![12, 11, 10], vec![9]]);
        for batch in &batches[1..] {
            let longest = batch.iter().map(|&i| windows[i].ids.len()).max().unwrap();
            assert!(batch.len() <= 3 && batch.len() * longest <= 150);
        }
    }

    #[test]
    fn every_window_is_planned_exactly_once_and_the_plan_is_deterministic() {
        let windows: Vec<Segment> = (0..500).map(|i| window(i % 7, 5 + (i * 37) % 120)).collect();
        let limits = BatchLimits { max_windows: 64, max_tokens: 2048 };
        let plan = plan_batches(&windows, limits);
        let mut seen: Vec<usize> = plan.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..500).collect::<Vec<_>>());
        assert_eq!(plan, plan_batches(&windows, limits));
        // Equal lengths keep their input order (stable sort).
        for batch in &plan {
            for pair in batch.windows(2) {
                let (a, b) = (&windows[pair[0]], &windows[pair[1]]);
                assert!(a.ids.len() > b.ids.len() || (a.ids.len() == b.ids.len() && pair[0] < pair[1]));
            }
        }
    }

    #[test]
    fn no_windows_no_batches() {
        assert!(plan_batches(&[], BatchLimits { max_windows: 8, max_tokens: 100 }).is_empty());
    }
}
