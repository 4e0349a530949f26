//! Loading a model directory in the Hugging Face layout, offline:
//!
//! - `config.json` with `model_type` (`bert`, `distilbert`, `roberta`; BERT when
//!   absent) and `id2label`; optionally `cyberie_heads`, which splits the
//!   classifier's labels between two heads that share the encoder:
//!   `{"entities": [0, 9], "arguments": [9, 18]}` (half-open ranges of label
//!   ids: the entity labels, and the attack-argument labels `B-TRIGGER`,
//!   `I-ATTACKER`, ...). Without it every label is an entity label; and
//!   optionally `cyberie_role_weights`, the argument head's
//!   [`RoleWeights`](super::decode::RoleWeights) (`{"attacker": 3.0}`);
//! - `tokenizer.json`, or a BERT WordPiece `vocab.txt` (lower-cased unless
//!   `tokenizer_config.json` says `"do_lower_case": false`);
//! - weights as `model.safetensors` or rust-bert's `rust_model.ot`. PyTorch
//!   pickle checkpoints (`pytorch_model.bin`) are refused: loading a pickle can
//!   run arbitrary code. `models/convert_to_safetensors.py` converts them.
//!
//! Every problem is reported before any work starts, naming the file.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use rust_bert::roberta::RobertaForTokenClassification;
use serde::Deserialize;
use tch::nn::VarStore;
use tch::{Device, Tensor};
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{Model, Tokenizer};

use super::decode::{RoleWeights, Tag};
use super::encoder::{Encoder, Network, Precision};
use crate::doc::{Label, Role};

/// Why a model directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The directory does not exist.
    #[error("model directory {0} does not exist (give --model DIR with a model directory; see models/README.md)")]
    Missing(PathBuf),
    /// The path is a file, not a directory.
    #[error("--model {0} is a file: give the directory that holds config.json, tokenizer.json and model.safetensors")]
    NotADirectory(PathBuf),
    /// A required file is absent.
    #[error("model directory {dir} has no {what}: a model directory holds config.json (with id2label), tokenizer.json or vocab.txt, and model.safetensors or rust_model.ot (see models/README.md)")]
    Incomplete {
        /// The directory.
        dir: PathBuf,
        /// What is missing, in words.
        what: String,
    },
    /// Only a pickle checkpoint is present.
    #[error("{0} is a PyTorch pickle checkpoint, which cyberie refuses to load (pickle can run code); convert it with `python models/convert_to_safetensors.py {dir}`", dir = .0.parent().map(|p| p.display().to_string()).unwrap_or_default())]
    Pickle(PathBuf),
    /// A file exists but is malformed.
    #[error("{file}: {reason}")]
    Invalid {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Everything [`super::NerModel`] needs from a model directory.
pub struct LoadedModel {
    /// The network with its weights.
    pub encoder: Encoder,
    /// The tokenizer, with padding and truncation switched off.
    pub tokenizer: Tokenizer,
    /// Which outputs of the classifier say what.
    pub heads: Heads,
    /// Most positions the model accepts.
    pub max_positions: usize,
    /// How the argument head's tags are weighed when a word's tag is chosen.
    pub role_weights: RoleWeights,
}

/// The heads of a model: groups of the classifier's outputs, each decoded on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Heads {
    /// The entity labels.
    pub entities: Head<Label>,
    /// The attack-argument labels, when the model has them.
    pub arguments: Option<Head<Role>>,
}

/// One head: its rows of the classifier's output and their tags.
#[derive(Debug, Clone, PartialEq)]
pub struct Head<T> {
    /// The label ids of the head.
    pub rows: Range<usize>,
    /// The parsed label of each row, in order.
    pub tags: Vec<Tag<T>>,
}

#[derive(Deserialize)]
struct ConfigHead {
    #[serde(default)]
    model_type: Option<String>,
    #[serde(default)]
    id2label: Option<HashMap<String, String>>,
    #[serde(default)]
    max_position_embeddings: Option<usize>,
    #[serde(default)]
    cyberie_heads: Option<HashMap<String, [usize; 2]>>,
    #[serde(default)]
    cyberie_role_weights: Option<HashMap<String, f32>>,
}

/// Loads and checks the model in `dir`, with its weights in `precision`.
pub fn load(dir: &Path, precision: Precision) -> Result<LoadedModel, ModelError> {
    if dir.is_file() {
        return Err(ModelError::NotADirectory(dir.to_path_buf()));
    }
    if !dir.is_dir() {
        return Err(ModelError::Missing(dir.to_path_buf()));
    }
    let config_path = dir.join("config.json");
    let config_text = std::fs::read_to_string(&config_path)
        .map_err(|_| ModelError::Incomplete { dir: dir.to_path_buf(), what: "config.json".into() })?;
    let invalid = |file: &Path, reason: String| ModelError::Invalid { file: file.to_path_buf(), reason };
    let head: ConfigHead = serde_json::from_str(&config_text).map_err(|e| invalid(&config_path, e.to_string()))?;
    let labels = label_list(head.id2label).map_err(|reason| invalid(&config_path, reason))?;
    let heads = heads(&labels, head.cyberie_heads).map_err(|reason| invalid(&config_path, reason))?;
    let role_weights = role_weights(head.cyberie_role_weights).map_err(|reason| invalid(&config_path, reason))?;
    let weights = weights_file(dir)?;
    let tokenizer = load_tokenizer(dir)?;

    let mut vars = VarStore::new(Device::Cpu);
    let model_type = head.model_type.as_deref().unwrap_or("bert").to_ascii_lowercase();
    let root = vars.root();
    let network = match model_type.as_str() {
        "bert" => {
            let config: BertConfig =
                serde_json::from_str(&config_text).map_err(|e| invalid(&config_path, e.to_string()))?;
            Network::Bert(
                BertForTokenClassification::new(&root, &config).map_err(|e| invalid(&config_path, e.to_string()))?,
            )
        }
        "roberta" | "xlm-roberta" => {
            let config: BertConfig =
                serde_json::from_str(&config_text).map_err(|e| invalid(&config_path, e.to_string()))?;
            Network::Roberta(
                RobertaForTokenClassification::new(&root, &config).map_err(|e| invalid(&config_path, e.to_string()))?,
            )
        }
        "distilbert" => {
            let config: DistilBertConfig =
                serde_json::from_value(with_distilbert_defaults(&config_text, &config_path)?)
                    .map_err(|e| invalid(&config_path, e.to_string()))?;
            Network::DistilBert(
                DistilBertForTokenClassification::new(&root, &config)
                    .map_err(|e| invalid(&config_path, e.to_string()))?,
            )
        }
        other => {
            return Err(invalid(
                &config_path,
                format!("model_type {other:?} is not supported (bert, distilbert, roberta)"),
            ))
        }
    };
    load_weights(&mut vars, &weights)?;
    if precision.kind() != tch::Kind::Float {
        vars.set_kind(precision.kind());
    }
    let max_positions = match model_type.as_str() {
        // RoBERTa reserves two positions for its padding offset.
        "roberta" | "xlm-roberta" => head.max_position_embeddings.unwrap_or(514).saturating_sub(2),
        _ => head.max_position_embeddings.unwrap_or(512),
    };
    Ok(LoadedModel {
        encoder: Encoder::new(network, vars),
        tokenizer,
        heads,
        max_positions: max_positions.min(512),
        role_weights,
    })
}

/// DistilBERT's `config.json` as rust-bert reads it: current Hugging Face files
/// leave out fields that rust-bert requires, which get the Hugging Face defaults.
fn with_distilbert_defaults(config_text: &str, path: &Path) -> Result<serde_json::Value, ModelError> {
    let mut value: serde_json::Value = serde_json::from_str(config_text)
        .map_err(|e| ModelError::Invalid { file: path.to_path_buf(), reason: e.to_string() })?;
    if let Some(object) = value.as_object_mut() {
        for (key, default) in [
            ("tie_weights_", serde_json::json!(true)),
            ("qa_dropout", serde_json::json!(0.1)),
            ("seq_classif_dropout", serde_json::json!(0.2)),
            ("sinusoidal_pos_embds", serde_json::json!(false)),
        ] {
            object.entry(key).or_insert(default);
        }
    }
    Ok(value)
}

/// Reads `cyberie_role_weights`: role names (`attacker`, any case) to weights above 0.
fn role_weights(given: Option<HashMap<String, f32>>) -> Result<RoleWeights, String> {
    let mut weights = RoleWeights::default();
    for (name, weight) in given.unwrap_or_default() {
        let role = Role::from_tag_name(&name)
            .ok_or_else(|| format!("cyberie_role_weights: {name:?} is not a role (trigger, attacker, victim, time)"))?;
        weights.set(role, weight).map_err(|reason| format!("cyberie_role_weights: {reason}"))?;
    }
    Ok(weights)
}

/// Splits the labels between the heads `cyberie_heads` names (all entity labels without it).
fn heads(labels: &[String], split: Option<HashMap<String, [usize; 2]>>) -> Result<Heads, String> {
    let Some(mut split) = split else {
        return Ok(Heads {
            entities: Head { rows: 0..labels.len(), tags: labels.iter().map(|l| Tag::parse(l)).collect() },
            arguments: None,
        });
    };
    let mut rows = |name: &str| -> Result<Option<Range<usize>>, String> {
        let Some([start, end]) = split.remove(name) else { return Ok(None) };
        if start >= end || end > labels.len() {
            return Err(format!(
                "cyberie_heads: {name:?} [{start}, {end}] is not a range of the {} label ids",
                labels.len()
            ));
        }
        Ok(Some(start..end))
    };
    let entities = rows("entities")?.ok_or("cyberie_heads: no \"entities\" head")?;
    let arguments = rows("arguments")?;
    if let Some(other) = split.keys().next() {
        return Err(format!("cyberie_heads: unknown head {other:?} (the heads are \"entities\" and \"arguments\")"));
    }
    if arguments.as_ref().is_some_and(|a| a.start < entities.end && entities.start < a.end) {
        return Err("cyberie_heads: the \"entities\" and \"arguments\" ranges overlap".into());
    }
    Ok(Heads {
        entities: Head { tags: labels[entities.clone()].iter().map(|l| Tag::parse(l)).collect(), rows: entities },
        arguments: arguments
            .map(|rows| Head { tags: labels[rows.clone()].iter().map(|l| Tag::parse_role(l)).collect(), rows }),
    })
}

/// The labels of `id2label` in id order; ids must run 0..n.
fn label_list(id2label: Option<HashMap<String, String>>) -> Result<Vec<String>, String> {
    let map = id2label
        .filter(|m| !m.is_empty())
        .ok_or("no \"id2label\": a token-classification model needs its label map")?;
    let mut labels = vec![None; map.len()];
    for (id, label) in map {
        let index: usize = id.parse().map_err(|_| format!("id2label key {id:?} is not a number"))?;
        let count = labels.len();
        let slot = labels
            .get_mut(index)
            .ok_or_else(|| format!("id2label ids must run from 0 to {}, found {index}", count - 1))?;
        *slot = Some(label);
    }
    Ok(labels.into_iter().map(|l| l.unwrap_or_default()).collect())
}

fn weights_file(dir: &Path) -> Result<PathBuf, ModelError> {
    for name in ["model.safetensors", "rust_model.ot"] {
        let path = dir.join(name);
        if path.is_file() {
            return Ok(path);
        }
    }
    let pickle = dir.join("pytorch_model.bin");
    if pickle.is_file() {
        return Err(ModelError::Pickle(pickle));
    }
    Err(ModelError::Incomplete { dir: dir.to_path_buf(), what: "weights (model.safetensors or rust_model.ot)".into() })
}

fn load_tokenizer(dir: &Path) -> Result<Tokenizer, ModelError> {
    let json = dir.join("tokenizer.json");
    let mut tokenizer = if json.is_file() {
        Tokenizer::from_file(&json).map_err(|e| ModelError::Invalid { file: json.clone(), reason: e.to_string() })?
    } else {
        let vocab = dir.join("vocab.txt");
        if !vocab.is_file() {
            return Err(ModelError::Incomplete {
                dir: dir.to_path_buf(),
                what: "tokenizer (tokenizer.json or vocab.txt)".into(),
            });
        }
        wordpiece_tokenizer(dir, &vocab)?
    };
    tokenizer.with_padding(None);
    tokenizer.with_truncation(None).map_err(|e| ModelError::Invalid { file: json, reason: e.to_string() })?;
    Ok(tokenizer)
}

/// A BERT tokenizer from a WordPiece vocabulary.
fn wordpiece_tokenizer(dir: &Path, vocab: &Path) -> Result<Tokenizer, ModelError> {
    let invalid = |reason: String| ModelError::Invalid { file: vocab.to_path_buf(), reason };
    let lowercase = std::fs::read_to_string(dir.join("tokenizer_config.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("do_lower_case").and_then(|b| b.as_bool()))
        .unwrap_or(true);
    let model = WordPiece::from_file(&vocab.display().to_string()).build().map_err(|e| invalid(e.to_string()))?;
    let id = |token: &str| model.token_to_id(token).ok_or_else(|| invalid(format!("vocabulary lacks {token}")));
    let (sep, cls) = (id("[SEP]")?, id("[CLS]")?);
    let mut tokenizer = Tokenizer::new(model);
    tokenizer
        .with_normalizer(Some(BertNormalizer::new(true, true, Some(lowercase), lowercase)))
        .map_err(|e| invalid(e.to_string()))?;
    tokenizer.with_pre_tokenizer(Some(BertPreTokenizer));
    tokenizer.with_post_processor(Some(BertProcessing::new(("[SEP]".into(), sep), ("[CLS]".into(), cls))));
    Ok(tokenizer)
}

/// Loads the weights, first checking that every variable the network needs is
/// present with the right shape (so a label map that does not match the
/// classifier is reported as such).
fn load_weights(vars: &mut VarStore, path: &Path) -> Result<(), ModelError> {
    let invalid = |reason: String| ModelError::Invalid { file: path.to_path_buf(), reason };
    let tensors: HashMap<String, Tensor> = if path.extension().is_some_and(|e| e == "safetensors") {
        Tensor::read_safetensors(path)
    } else {
        Tensor::load_multi(path)
    }
    .map_err(|e| invalid(format!("cannot read weights: {e}")))?
    .into_iter()
    .collect();
    for (name, var) in vars.variables() {
        let found = tensors
            .get(&name)
            .ok_or_else(|| invalid(format!("weights lack tensor {name:?} (is model_type right?)")))?;
        if found.size() != var.size() {
            let hint =
                if name.starts_with("classifier") { " (does config.json's id2label match the weights?)" } else { "" };
            return Err(invalid(format!(
                "tensor {name:?} has shape {:?}, the model expects {:?}{hint}",
                found.size(),
                var.size()
            )));
        }
    }
    tch::no_grad(|| {
        for (name, mut var) in vars.variables() {
            var.copy_(&tensors[&name]);
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_weights_come_from_the_config_or_say_what_is_wrong() {
        let given = |pairs: &[(&str, f32)]| Some(pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect());
        assert_eq!(role_weights(None), Ok(RoleWeights::default()));
        let weights = role_weights(given(&[("attacker", 3.0)])).unwrap();
        assert_eq!((weights.get(Role::Attacker), weights.get(Role::Victim)), (3.0, 1.0));
        assert!(role_weights(given(&[("actor", 3.0)])).unwrap_err().contains("\"actor\" is not a role"));
        assert!(role_weights(given(&[("victim", 0.0)])).unwrap_err().contains("above 0"));
    }
}
