//! The transformer itself: rust-bert's token-classification models for the
//! BERT, DistilBERT and RoBERTa families behind one type, in float32 or
//! bfloat16 ([`Precision`]).

use rust_bert::bert::BertForTokenClassification;
use rust_bert::distilbert::DistilBertForTokenClassification;
use rust_bert::roberta::RobertaForTokenClassification;
use tch::{nn::VarStore, Kind, Tensor};

use super::batch::Inputs;

/// Numeric precision of the forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Precision {
    /// 32-bit floats throughout: the reference.
    Fp32,
    /// Weights and activations in bfloat16 (8-bit mantissa); on CPUs with
    /// AVX-512 BF16 or AMX, libtorch's oneDNN kernels run it faster.
    #[default]
    Bf16,
}

impl Precision {
    /// The tensor kind of the weights.
    pub fn kind(self) -> Kind {
        match self {
            Precision::Fp32 => Kind::Float,
            Precision::Bf16 => Kind::BFloat16,
        }
    }
}

/// A loaded token-classification network and the variables it owns.
pub struct Encoder {
    network: Network,
    /// Owns the weights the network's layers point into.
    _vars: VarStore,
}

/// The supported architectures.
pub enum Network {
    /// BERT, MiniLM and other BERT-layout models.
    Bert(BertForTokenClassification),
    /// DistilBERT.
    DistilBert(DistilBertForTokenClassification),
    /// RoBERTa (and XLM-R style models in the same layout).
    Roberta(RobertaForTokenClassification),
}

impl Encoder {
    /// Wraps a network whose weights live in `vars`.
    pub fn new(network: Network, vars: VarStore) -> Self {
        Encoder { network, _vars: vars }
    }

    /// The classifier's scores for every token, `[batch, length, labels]`
    /// (every head's labels; see [`super::model_dir::Heads`]).
    pub fn logits(&self, inputs: &Inputs) -> Result<Tensor, String> {
        let (ids, mask) = (Some(&inputs.ids), Some(&inputs.mask));
        let logits = match &self.network {
            Network::Bert(m) => m.forward_t(ids, mask, None, None, None, false).logits,
            Network::DistilBert(m) => m.forward_t(ids, mask, None, false).map_err(|e| e.to_string())?.logits,
            Network::Roberta(m) => m.forward_t(ids, mask, None, None, None, false).logits,
        };
        Ok(logits)
    }
}
