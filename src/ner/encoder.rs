//! The transformer itself: rust-bert's token-classification models for the
//! BERT, DistilBERT and RoBERTa families behind one type, in float32 or
//! bfloat16 ([`Precision`]), switchable while loaded (for `--precision auto`).

use rust_bert::bert::BertForTokenClassification;
use rust_bert::distilbert::DistilBertForTokenClassification;
use rust_bert::roberta::RobertaForTokenClassification;
use tch::{nn::VarStore, Kind, Tensor};

use super::batch::Inputs;

/// Numeric precision of the forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Precision {
    /// Whichever of fp32 and bf16 runs faster on this CPU, timed on the first
    /// batches of the run itself (see [`super::Tagger`]).
    #[default]
    Auto,
    /// 32-bit floats throughout: the reference.
    Fp32,
    /// Weights and activations in bfloat16 (8-bit mantissa); on some CPUs
    /// libtorch's oneDNN kernels run it faster, on others slower.
    Bf16,
}

impl Precision {
    /// The tensor kind of the weights (`Auto` starts in float32).
    pub fn kind(self) -> Kind {
        match self {
            Precision::Auto | Precision::Fp32 => Kind::Float,
            Precision::Bf16 => Kind::BFloat16,
        }
    }

    /// The name `--precision` takes.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Auto => "auto",
            Precision::Fp32 => "fp32",
            Precision::Bf16 => "bf16",
        }
    }
}

/// A loaded token-classification network and the variables it owns.
pub struct Encoder {
    network: Network,
    /// Owns the weights the network's layers point into.
    vars: VarStore,
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
        Encoder { network, vars }
    }

    /// Copies of the weights as they are, to [`Encoder::restore`] later.
    pub fn snapshot(&self) -> Vec<(String, Tensor)> {
        tch::no_grad(|| self.vars.variables().into_iter().map(|(name, t)| (name, t.copy())).collect())
    }

    /// Converts the weights to `precision`'s kind, in place.
    pub fn convert(&mut self, precision: Precision) {
        self.vars.set_kind(precision.kind());
    }

    /// Puts back weights taken by [`Encoder::snapshot`], with their kind.
    pub fn restore(&mut self, snapshot: &[(String, Tensor)]) {
        if let Some((_, first)) = snapshot.first() {
            self.vars.set_kind(first.kind());
        }
        let mut variables = self.vars.variables();
        tch::no_grad(|| {
            for (name, saved) in snapshot {
                if let Some(var) = variables.get_mut(name) {
                    var.copy_(saved);
                }
            }
        });
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
