"""Entity agreement of two `cyberie ner` outputs (JSON Lines): precision, recall
and F1 of CANDIDATE against REFERENCE, exact (doc_id, start, end, label) spans,
model labels only (DATE lines, from the temporal tagger, are left out).

    python bench/ner_agreement.py fp32.jsonl bf16.jsonl   # prints one JSON object
"""
import json
import sys


def spans(path):
    found = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                e = json.loads(line)
                if e["label"] != "DATE":
                    found.add((e["doc_id"], e["start"], e["end"], e["label"]))
    return found


def main():
    reference, candidate = spans(sys.argv[1]), spans(sys.argv[2])
    both = len(reference & candidate)
    p = both / len(candidate) if candidate else 1.0
    r = both / len(reference) if reference else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(json.dumps({"reference": len(reference), "candidate": len(candidate), "agree": both,
                      "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}))


if __name__ == "__main__":
    main()
