"""CoNLL-2003 reading (IOB1 -> BIO) and conlleval-style entity scoring (exact typed spans)."""
from collections import defaultdict
from pathlib import Path


def read_conll(path):
    """Sentences of a CoNLL-2003 file as (words, BIO tags) pairs; -DOCSTART- lines are dropped."""
    sents, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("-DOCSTART-"):
                if words:
                    sents.append((words, iob1_to_bio(tags)))
                    words, tags = [], []
                continue
            parts = line.split()
            words.append(parts[0])
            tags.append(parts[-1])
    if words:
        sents.append((words, iob1_to_bio(tags)))
    return sents


def iob1_to_bio(tags):
    """IOB1 (I- starts an entity unless it continues one of the same type) -> BIO."""
    out, prev = [], "O"
    for t in tags:
        if t.startswith("I-"):
            typ = t[2:]
            if prev == "O" or prev[2:] != typ:
                t = "B-" + typ
        out.append(t)
        prev = t
    return out


def spans(tags):
    """Entity spans (type, start, end exclusive) of a tag sequence, conlleval style: a chunk starts at
    B-X, or at I-X after O or after a different type, and ends before O, B-*, or a different type."""
    res, start, typ = [], None, None
    for i, t in enumerate(list(tags) + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != typ):
            if typ is not None:
                res.append((typ, start, i))
                typ, start = None, None
            if t != "O":
                typ, start = t[2:], i
    return res


def score(gold_seqs, pred_seqs, types=("PER", "ORG", "LOC", "MISC")):
    """Entity precision/recall/F1, overall and per type, exact typed spans (micro over entities)."""
    tp, ng, np_ = defaultdict(int), defaultdict(int), defaultdict(int)
    for g, p in zip(gold_seqs, pred_seqs):
        assert len(g) == len(p)
        gs, ps = set(spans(g)), set(spans(p))
        for s in gs:
            ng[s[0]] += 1
        for s in ps:
            np_[s[0]] += 1
        for s in gs & ps:
            tp[s[0]] += 1

    def prf(t, n_p, n_g):
        p = t / n_p if n_p else 0.0
        r = t / n_g if n_g else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "support": n_g, "predicted": n_p, "correct": t}

    out = {"overall": prf(sum(tp.values()), sum(np_.values()), sum(ng.values()))}
    for typ in types:
        out[typ] = prf(tp[typ], np_[typ], ng[typ])
    return out


def conll_dir(repo_root):
    d = (Path(repo_root) / ".." / "shared" / "conll2003").resolve()
    missing = [n for n in ("eng.train", "eng.testa", "eng.testb") if not (d / n).is_file()]
    if missing:
        raise SystemExit(
            f"error: CoNLL-2003 data not found: expected {', '.join(missing)} in {d} "
            "(the shared data directory ../shared/conll2003 beside the repository checkout)")
    return d


if __name__ == "__main__":
    # Self-test of the conversion and the scorer.
    assert iob1_to_bio(["I-ORG", "I-ORG", "B-ORG", "O", "I-PER", "I-LOC"]) == \
        ["B-ORG", "I-ORG", "B-ORG", "O", "B-PER", "B-LOC"]
    assert spans(["B-PER", "I-PER", "I-LOC", "O", "I-ORG", "B-ORG", "I-ORG"]) == \
        [("PER", 0, 2), ("LOC", 2, 3), ("ORG", 4, 5), ("ORG", 5, 7)]
    s = score([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "O", "O", "B-LOC"]])
    assert s["overall"]["correct"] == 1 and s["LOC"]["f1"] == 1.0 and s["PER"]["f1"] == 0.0
    print("conll.py self-test ok")
