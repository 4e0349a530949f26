"""CoNLL-2003 file -> JSON Lines articles for `cyberie ner`/`extract`.

One article per -DOCSTART- document: id `testb-N`, text = its sentences, one per
line, tokens joined by single spaces (cyberie treats each line as a paragraph).

    python bench/conll_jsonl.py ../shared/conll2003/eng.testb > testb.jsonl
"""
import json
import sys


def documents(path):
    doc, sentence = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("-DOCSTART-"):
                if sentence:
                    doc.append(sentence)
                    sentence = []
                if doc:
                    yield doc
                doc = []
            elif not line:
                if sentence:
                    doc.append(sentence)
                    sentence = []
            else:
                sentence.append(line.split()[0])
    if sentence:
        doc.append(sentence)
    if doc:
        yield doc


def main():
    path = sys.argv[1]
    stem = path.rsplit("/", 1)[-1].replace("eng.", "")
    for n, doc in enumerate(documents(path)):
        text = "\n".join(" ".join(s) for s in doc)
        print(json.dumps({"id": f"{stem}-{n}", "text": text}, ensure_ascii=False))


if __name__ == "__main__":
    main()
