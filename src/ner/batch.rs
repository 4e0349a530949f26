//! From sentences to model inputs and back: encoding words as pre-tokenized
//! input, cutting over-long sentences into windows that fit the model, grouping
//! windows of similar length into batches, and reading each word's label off
//! the model's output at its first word piece.

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

fn encode(tokenizer: &Tokenizer, docs: &[Doc], sentences: &[(usize, Vec<Span>)]) -> tokenizers::Result<Vec<WordEncoding>> {
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
            WordEncoding {
                ids: encoding.get_ids().iter().map(|&id| id as i64).collect(),
                first_piece,
                pieces_per_word,
            }
        })
        .collect())
}

/// Groups windows into batches of at most `batch_size`, sorted by length so
/// that little padding is wasted. Returns indices into `windows`.
pub fn plan_batches(windows: &[Segment], batch_size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..windows.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(windows[i].ids.len()));
    order.chunks(batch_size.max(1)).map(<[usize]>::to_vec).collect()
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

/// Reads each word's best tag and its probability from `probabilities`
/// (`[batch, length, tags]`, already normalised) at the word's first piece.
/// Words without a piece get `None`.
pub fn word_predictions(batch: &[&Segment], probabilities: &Tensor, num_tags: usize) -> Vec<Vec<Option<WordPrediction>>> {
    let (best, best_index) = probabilities.to_kind(Kind::Float).max_dim(-1, false);
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
