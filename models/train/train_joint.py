#!/usr/bin/env python3
"""Fine-tune all-MiniLM-L6-v2 with two token-classification heads on one encoder, and export the cyberie
default model: the entity head (CoNLL-2003 PER/ORG/LOC/MISC) and the attack-argument head (CASIE's
trigger, Attacker, Victim and Time spans).

The two heads are one linear layer whose output rows are split: rows 0-8 are the entity labels, rows
9-17 the argument labels (config.json `cyberie_heads`), so that one forward pass gives both and the
Rust runtime loads it as an ordinary `BertForTokenClassification`. Each training batch comes from one
corpus and trains its head alone (the other head's labels are ignored): CoNLL-2003 sentences for the
entities, CASIE sentences (from `cyberie casie-import --tags`, split into words by the pipeline
itself) for the arguments. The tokenization contract is that of train_ner.py: words encoded as
pre-tokenized input, each word's label read at its first word piece.

Usage (from the repository root; models/train/build.sh does this):
    .venv/bin/python models/train/train_joint.py --casie-train TAGS.jsonl [--casie-eval NAME=TAGS.jsonl ...]
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
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
from common import LABELS  # noqa: E402
from conll import conll_dir, read_conll, score  # noqa: E402
import train_ner  # noqa: E402
from transformers import BertForTokenClassification  # noqa: E402

ARG_LABELS = ["O", "B-TRIGGER", "I-TRIGGER", "B-ATTACKER", "I-ATTACKER", "B-VICTIM", "I-VICTIM",
              "B-TIME", "I-TIME"]
ARG_TYPES = ("TRIGGER", "ATTACKER", "VICTIM", "TIME")
N_NER = len(LABELS)
ALL_LABELS = LABELS + ARG_LABELS
HEADS = {"entities": [0, N_NER], "arguments": [N_NER, N_NER + len(ARG_LABELS)]}
MAX_PIECES = {"ner": 128, "arg": 192}


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def read_tags(path):
    """Sentences of a tagging file (`cyberie casie-import --tags`) as (words, tags) pairs."""
    sents = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            sents.append((r["words"], r["tags"]))
    return sents


def encode(tok, sents, label_ids, max_pieces, head):
    """Like train_ner.encode, for one head's labels (`head` "entities" or "arguments"): each item has
    `labels` for both heads (absolute row ids at each word's first piece, -100 elsewhere and for the
    other head)."""
    offset = HEADS[head][0]
    encs = tok.encode_batch([w for w, _ in sents], is_pretokenized=True)
    out = []
    for (words, tags), enc in zip(sents, encs):
        ids, wids = enc.ids, enc.word_ids
        if len(ids) > max_pieces:
            ids = ids[:max_pieces - 1] + [ids[-1]]
            wids = wids[:max_pieces - 1] + [None]
        first = [-1] * len(words)
        labels = {h: [-100] * len(ids) for h in HEADS}
        prev = None
        for i, w in enumerate(wids):
            if w is not None and w != prev:
                first[w] = i
                labels[head][i] = label_ids[tags[w]] + offset
            prev = w
        out.append({"ids": ids, "labels": labels, "first": first})
    return out


def collate(items, b):
    """Padded ids, mask, and each head's labels for batch `b`."""
    n = max(len(items[j]["ids"]) for j in b)
    ids = torch.zeros((len(b), n), dtype=torch.long)
    mask = torch.zeros((len(b), n), dtype=torch.long)
    labels = {h: torch.full((len(b), n), -100, dtype=torch.long) for h in HEADS}
    for r, j in enumerate(b):
        L = len(items[j]["ids"])
        ids[r, :L] = torch.tensor(items[j]["ids"])
        mask[r, :L] = 1
        for h in HEADS:
            labels[h][r, :L] = torch.tensor(items[j]["labels"][h])
    return ids, mask, labels


def loss_of(logits, labels, arg_weight=1.0):
    """Sum over the heads of each head's cross-entropy on its rows of the logits, where it has labels;
    the argument head's labels other than O weigh `arg_weight` (a recall knob: arguments are rare)."""
    total = logits.sum() * 0.0
    for head, (start, end) in HEADS.items():
        mask = labels[head] >= 0
        if mask.any():
            weight = None
            if head == "arguments" and arg_weight != 1.0:
                weight = torch.full((end - start,), arg_weight)
                weight[0] = 1.0
            total = total + F.cross_entropy(logits[mask][:, start:end], labels[head][mask] - start, weight=weight)
    return total


@torch.no_grad()
def teacher_labels(teacher, items, batch_size=64):
    """Sets the entity labels of CASIE items to the teacher's predictions (word-level, first piece)."""
    teacher.eval()
    for b in train_ner.batches_by_length(items, batch_size, None, shuffle=False):
        ids, mask, _ = collate(items, b)
        best = teacher(input_ids=ids, attention_mask=mask).logits[:, :, :N_NER].argmax(-1)
        for r, j in enumerate(b):
            row = best[r].tolist()
            for f in items[j]["first"]:
                if f >= 0:
                    items[j]["labels"]["entities"][f] = row[f]


@torch.no_grad()
def predict(model, items, head, batch_size=64):
    """Word-level predictions of one head (label of each word's first piece; O without a piece)."""
    model.eval()
    start, end = HEADS[head]
    names = ALL_LABELS[start:end]
    preds = [None] * len(items)
    for b in train_ner.batches_by_length(items, batch_size, None, shuffle=False):
        ids, mask, _ = collate(items, b)
        am = model(input_ids=ids, attention_mask=mask).logits[:, :, start:end].argmax(-1)
        for r, j in enumerate(b):
            row = am[r].tolist()
            preds[j] = [names[row[f]] if f >= 0 else "O" for f in items[j]["first"]]
    return preds


def evaluate(model, ner_sets, arg_sets):
    out = {}
    for name, (sents, items) in ner_sets.items():
        out[name] = score([t for _, t in sents], predict(model, items, "entities"))
    for name, (sents, items) in arg_sets.items():
        out[name] = score([t for _, t in sents], predict(model, items, "arguments"), types=ARG_TYPES)
    return out


def fmt(scores):
    lines = []
    for name, s in scores.items():
        types = [t for t in s if t != "overall"]
        per = "  ".join(f"{t} {s[t]['f1']:.3f}" for t in types)
        o = s["overall"]
        lines.append(f"{name}: F1 {o['f1']:.4f} (P {o['precision']:.4f} R {o['recall']:.4f})  {per}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--casie-train", required=True, help="tagging file of the training part")
    ap.add_argument("--casie-eval", action="append", default=[], metavar="NAME=TAGS.jsonl",
                    help="tagging files to score the argument head on (not trained on)")
    ap.add_argument("--teacher", help="an exported entity model (train_ner.py) to start from and to label "
                    "the CASIE sentences' entities with, so that the shared encoder keeps its entity "
                    "behaviour on cyber news")
    ap.add_argument("--ner-epochs", type=float, default=1)
    ap.add_argument("--arg-epochs", type=float, default=6)
    ap.add_argument("--negatives", type=float, default=0.5,
                    help="share of the CASIE sentences without any argument drawn in each epoch")
    ap.add_argument("--arg-weight", type=float, default=2.0,
                    help="weight of the argument labels other than O in the loss")
    ap.add_argument("--attacker-decode-weight", type=float, default=3.0,
                    help="written to config.json as cyberie_role_weights: cyberie weighs the argument head's "
                         "attacker tags by this when it chooses each word's tag (the tagger leaves many "
                         "attackers unmarked; 3 was best held out on the calibration inputs, models/README.md)")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke tests)")
    ap.add_argument("--out", default=str(REPO / "models" / "cyberie-ner-minilm"))
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    data_dir = conll_dir(REPO)
    src = train_ner.minilm_dir()
    tok = train_ner.load_tokenizer(src / "tokenizer.json")
    log(f"encoder {src}; data {data_dir}; torch {torch.__version__}, {torch.get_num_threads()} threads")
    ner_ids = {l: i for i, l in enumerate(LABELS)}
    arg_ids = {l: i for i, l in enumerate(ARG_LABELS)}

    ner_train = encode(tok, read_conll(data_dir / "eng.train"), ner_ids, MAX_PIECES["ner"], "entities")
    arg_sents = read_tags(args.casie_train)
    arg_train = encode(tok, arg_sents, arg_ids, MAX_PIECES["arg"], "arguments")
    positives = [i for i, (_, t) in enumerate(arg_sents) if any(x != "O" for x in t)]
    negatives = [i for i, (_, t) in enumerate(arg_sents) if all(x == "O" for x in t)]
    ner_sets = {}
    for n in ("eng.testa", "eng.testb"):
        sents = read_conll(data_dir / n)
        ner_sets[n] = (sents, encode(tok, sents, ner_ids, 512, "entities"))
    arg_sets = {}
    for spec in args.casie_eval:
        name, path = spec.split("=", 1)
        sents = read_tags(path)
        arg_sets[name] = (sents, encode(tok, sents, arg_ids, 512, "arguments"))
    log(f"train: {len(ner_train)} CoNLL sentences; {len(arg_train)} CASIE sentences "
        f"({len(positives)} with arguments) from {args.casie_train}")

    if args.teacher:
        model = BertForTokenClassification.from_pretrained(args.teacher, torch_dtype=torch.float32)
        teacher_labels(model, arg_train)
        log(f"started from {args.teacher}; CASIE entity labels from its predictions")
    else:
        model = train_ner.build_model(src, args.seed)
    # One linear layer, two heads: widen the classifier to both label sets (the entity rows kept).
    hidden = model.config.hidden_size
    old = model.classifier
    model.classifier = torch.nn.Linear(hidden, len(ALL_LABELS))
    torch.manual_seed(args.seed)
    model.classifier.weight.data.normal_(0.0, model.config.initializer_range)
    model.classifier.bias.data.zero_()
    if args.teacher:
        model.classifier.weight.data[:N_NER] = old.weight.data
        model.classifier.bias.data[:N_NER] = old.bias.data
    model.num_labels = len(ALL_LABELS)
    model.config.num_labels = len(ALL_LABELS)
    model.config.id2label = {i: l for i, l in enumerate(ALL_LABELS)}
    model.config.label2id = {l: i for i, l in enumerate(ALL_LABELS)}

    rng = random.Random(args.seed)

    def epoch_batches(epoch):
        """One epoch's batches: each corpus in proportion to its epoch count, shuffled together."""
        batches = []
        for head, epochs in (("entities", args.ner_epochs), ("arguments", args.arg_epochs)):
            share = epochs / max(args.ner_epochs, args.arg_epochs)
            if head == "entities":
                chosen = rng.sample(range(len(ner_train)), int(round(len(ner_train) * share)))
                pool = [ner_train[i] for i in chosen]
            else:
                n_neg = int(round(len(negatives) * args.negatives))
                chosen = positives + rng.sample(negatives, n_neg)
                chosen = rng.sample(chosen, int(round(len(chosen) * share)))
                pool = [arg_train[i] for i in chosen]
            for b in train_ner.batches_by_length(pool, args.batch_size, rng, shuffle=True):
                batches.append((head, pool, b))
        rng.shuffle(batches)
        return batches

    epochs = int(math.ceil(max(args.ner_epochs, args.arg_epochs)))
    plan = [epoch_batches(e) for e in range(epochs)]
    total = sum(len(p) for p in plan)
    if args.max_steps:
        total = min(total, args.max_steps)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, fused=True)
    warm = max(1, int(round(args.warmup * total)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    log(f"training: {total} steps over {epochs} epochs (CoNLL x{args.ner_epochs}, CASIE x{args.arg_epochs}, "
        f"negatives {args.negatives}), lr {args.lr}, batch {args.batch_size}, warm-up {warm}, seed {args.seed}")

    step, t_train = 0, time.time()
    for e, batches in enumerate(plan):
        model.train()
        t_ep, loss_sum = time.time(), {head: [0.0, 0] for head in HEADS}
        for head, pool, b in batches:
            if step >= total:
                break
            ids, mask, labels = collate(pool, b)
            logits = model(input_ids=ids, attention_mask=mask).logits
            loss = loss_of(logits, labels, args.arg_weight)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            loss_sum[head][0] += loss.item()
            loss_sum[head][1] += 1
            if step % 50 == 0:
                el = time.time() - t_train
                losses = ", ".join(f"{k} {v[0] / max(1, v[1]):.4f}" for k, v in loss_sum.items())
                log(f"step {step}/{total} loss {losses} lr {sched.get_last_lr()[0]:.2e} "
                    f"{el / step:.3f} s/step, eta {(total - step) * el / step / 60:.1f} min")
        log(f"epoch {e + 1} done in {(time.time() - t_ep) / 60:.1f} min")
    train_min = (time.time() - t_train) / 60
    log(f"training took {train_min:.1f} min")

    scores = evaluate(model, ner_sets, arg_sets)
    print("scores (float32, before export):\n" + fmt(scores), flush=True)
    if args.no_export:
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    train_ner.export(model, src, out)
    config = json.loads((out / "config.json").read_text())
    config["id2label"] = {str(i): l for i, l in enumerate(ALL_LABELS)}
    config["label2id"] = {l: i for i, l in enumerate(ALL_LABELS)}
    config["cyberie_heads"] = HEADS
    config["cyberie_role_weights"] = {"attacker": args.attacker_decode_weight}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    total_min = (time.time() - t_start) / 60
    result = {
        "model": "cyberie-ner-minilm",
        "metric": "span precision/recall/F1, exact typed spans (conlleval style)",
        "float32_before_export": scores,
        "training": {"casie_train": Path(args.casie_train).name, "teacher": bool(args.teacher),
                     "ner_epochs": args.ner_epochs,
                     "arg_epochs": args.arg_epochs, "arg_weight": args.arg_weight,
                     "attacker_decode_weight": args.attacker_decode_weight,
                     "negatives": args.negatives, "lr": args.lr,
                     "batch_size": args.batch_size, "seed": args.seed, "steps": total,
                     "train_minutes": round(train_min, 1), "total_minutes": round(total_min + 0.05, 1)},
    }
    (out / "scores.json").write_text(json.dumps(result, indent=2) + "\n")
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    log(f"exported to {out} ({size / 1e6:.1f} MB); total time {total_min:.1f} min")


if __name__ == "__main__":
    main()
