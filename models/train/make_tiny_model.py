#!/usr/bin/env python3
"""Write a tiny, randomly initialised BertForTokenClassification fixture model.

Same label set and file layout as the real model (models/cyberie-ner-minilm/):
config.json, tokenizer.json (BERT WordPiece, lowercase, no padding/truncation),
model.safetensors (HF BertForTokenClassification tensor names). Its predictions are
meaningless: it exists only to test the Rust plumbing quickly. Deterministic (fixed seed).

Usage: .venv/bin/python models/train/make_tiny_model.py [OUT_DIR]
       (default OUT_DIR: tests/fixtures/tiny-model relative to the repository root)
"""
import json
import os
import string
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from transformers import BertConfig, BertForTokenClassification  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import LABELS, bert_tokenizer_json  # noqa: E402

SEED = 1234
REPO = Path(__file__).resolve().parents[2]

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

# A few hundred common English words plus news / cyber-security words.
WORDS = """
the of and to a in is it you that he was for on are with as i his they be at one have this from
or had by not but what all were we when your can said there use an each which she do how their if
will up other about out many then them these so some her would make like him into time has look two
more write go see number no way could people my than first water been call who oil its now find long
down day did get come made may part over new sound take only little work know place year live me back
give most very after thing our just name good sentence man think say great where help through much
before line right too mean old any same tell boy follow came want show also around form three small
set put end does another well large must big even such because turn here why ask went men read need
land different home us move try kind hand picture again change off play spell air away animal house
point page letter mother answer found study still learn should world high every near add food between
own below country plant last school father keep tree never start city earth eye light thought head
under story saw left few while along might close something seem next hard open example begin life
always those both paper together got group often run important until children side feet car mile night
walk white sea began grow took river four carry state once book hear stop without second later miss
idea enough eat face watch far really almost let above girl sometimes mountain cut young talk soon
list song being leave family monday tuesday wednesday thursday friday saturday sunday january february
march april june july august september october november december today yesterday week month
attack attacks attacked attacker attackers hack hacked hackers hacker breach breached group groups
company government ministry agency bank network networks data systems system security cyber malware
ransomware espionage intrusion campaign report reported researchers north south korea korean china
chinese russia russian japan japanese iran united states america american defense defence military
intelligence email phishing vulnerability exploit targeted target targets victim victims stole stolen
according officials spokesman microsoft google apple lazarus apt28 apt29 mr ms dr inc corp ltd
""".split()


def build_vocab():
    vocab = list(SPECIALS)
    seen = set(vocab)

    def add(tok):
        if tok not in seen:
            seen.add(tok)
            vocab.append(tok)

    for c in string.punctuation:
        add(c)
    for c in string.digits:
        add(c)
    for c in string.ascii_lowercase:
        add(c)
    for c in string.digits:
        add("##" + c)
    for c in string.ascii_lowercase:
        add("##" + c)
    for suffix in ["s", "ed", "ing", "er", "ly", "ion", "es"]:
        add("##" + suffix)
    for w in WORDS:
        add(w.lower())
    return {tok: i for i, tok in enumerate(vocab)}


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "tests" / "fixtures" / "tiny-model"
    out.mkdir(parents=True, exist_ok=True)
    vocab = build_vocab()

    torch.manual_seed(SEED)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        type_vocab_size=2,
        hidden_act="gelu",
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
        initializer_range=0.02,
        layer_norm_eps=1e-12,
        pad_token_id=0,
        num_labels=len(LABELS),
        id2label={i: l for i, l in enumerate(LABELS)},
        label2id={l: i for i, l in enumerate(LABELS)},
        architectures=["BertForTokenClassification"],
    )
    model = BertForTokenClassification(config).eval()
    # Give the classifier a non-trivial bias so the fixture predicts some entity labels.
    with torch.no_grad():
        model.classifier.weight.normal_(0.0, 0.5)
        model.classifier.bias.copy_(torch.linspace(0.2, -0.2, len(LABELS)))
    model.save_pretrained(out, safe_serialization=True)

    tok = bert_tokenizer_json(vocab, lowercase=True)
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    # Self-check: tokenizes arbitrary text, loads back, runs forward.
    from tokenizers import Tokenizer

    t = Tokenizer.from_file(str(out / "tokenizer.json"))
    words = ["North", "Korean", "hackers", "(", "Lazarus", ")", "breached", "NPO", "Mashinostroyeniya", "'s",
             "network", "in", "2022", "—", "日本", "."]
    enc = t.encode(words, is_pretokenized=True)
    assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]", enc.tokens
    with torch.no_grad():
        re = BertForTokenClassification.from_pretrained(out).eval()
        logits = re(torch.tensor([enc.ids])).logits
    assert logits.shape == (1, len(enc.ids), len(LABELS))
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    print(f"tiny model -> {out} ({size} bytes, vocab {len(vocab)}); sample tokens: {enc.tokens}")


if __name__ == "__main__":
    main()
