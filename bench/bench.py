"""`make bench`: cyberie's end-to-end speed and memory against its peers, on the
CASIE dev texts, in one run on this machine; prints a table (and writes
bench/out/results.json).

Runs, each as its own process (peak RSS from wait4's rusage, wall time around
the whole process, model loading included); the runs on the 1x corpus are
repeated (BENCH_REPEAT, default 2) and the fastest kept, since the machine may
be shared:

1. `cyberie extract` on the corpus (default precision), with `--timings`, for
   words/s, peak RSS and the forward-pass share of the wall time;
2. the Hugging Face transformers token-classification pipeline, NER alone, same
   texts and model directory (bench/peers.py hf), best of batch sizes 1/8/32;
3. spaCy en_core_web_sm NER alone (bench/peers.py spacy);
4. `cyberie extract --precision fp32` (the reference precision), and the share
   of triples both precisions agree on;
5. `cyberie extract` on the corpus repeated 10 times (ids made unique), for
   memory scaling (and words/s on a long run);
6. `cyberie ner` on CoNLL-2003 eng.testb in both precisions: entity F1 of the
   default precision against fp32.

Environment: BENCH_THREADS (default 2), BENCH_REPEAT (1x runs, best of; default 2), BENCH_OUT (default bench/out),
BENCH_SKIP (comma list of x10, fp32, hf, spacy, conll), CYBERIE_MODEL (default
models/cyberie-ner-minilm), BENCH_SHARED (default ../shared).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "cyberie"
PY = ROOT / ".venv" / "bin" / "python"
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "out"))
SHARED = Path(os.environ.get("BENCH_SHARED", ROOT.parent / "shared"))
MODEL = os.environ.get("CYBERIE_MODEL", str(ROOT / "models" / "cyberie-ner-minilm"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load():
    return os.getloadavg()[0]


def best_of(runs, make):
    """Runs `make(i)` `runs` times and keeps the fastest (the machine may be shared: the slower runs are
    the ones something else slowed down); records every wall time and the highest peak RSS."""
    results = [make(i) for i in range(runs)]
    best = min(results, key=lambda r: r["wall_s"])
    best["all_wall_s"] = [round(r["wall_s"], 1) for r in results]
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
    return best


def measure(name, command, stdout=None):
    """Runs `command`; returns wall seconds, peak RSS (MB), exit status, stderr and the load around it."""
    log(f"{name}: {' '.join(str(c) for c in command)}")
    err_path = OUT / f"{name}.stderr"
    load_before = load()
    with open(err_path, "wb") as err, open(stdout or os.devnull, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen([str(c) for c in command], stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    if code != 0:
        sys.exit(f"bench: {name} failed with exit status {code}:\n{stderr[-3000:]}")
    result = {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
              "load_before": load_before, "load_after": load(), "stderr": stderr}
    log(f"{name}: {wall:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB, load {load_before:.2f} -> {result['load_after']:.2f}")
    return result


def corpus():
    """The CASIE dev articles via `cyberie casie-import`, and the same repeated 10 times."""
    articles = OUT / "casie.jsonl"
    subprocess.run([BIN, "casie-import", SHARED / "casie-dev", "-o", OUT / "casie-gold.jsonl", "--articles", articles],
                   check=True, stderr=subprocess.DEVNULL)
    lines = [json.loads(line) for line in articles.read_text(encoding="utf-8").splitlines() if line.strip()]
    with open(OUT / "casie-x10.jsonl", "w", encoding="utf-8") as f:
        for copy in range(10):
            for article in lines:
                f.write(json.dumps({**article, "id": f"{article['id']}#{copy}"}, ensure_ascii=False) + "\n")
    words = sum(len(a["text"].split()) for a in lines)
    return articles, OUT / "casie-x10.jsonl", len(lines), words


def cyberie_extract(name, articles, words, *extra):
    output = OUT / f"{name}.csv"
    r = measure(name, [BIN, "extract", articles, "--model", MODEL, "--threads", THREADS, "--timings", "-o", output,
                       *extra])
    r["words"] = words
    r["words_per_s"] = words / r["wall_s"]
    m = re.search(r"wall ([\d.]+) s = model forward ([\d.]+) s \(([\d.]+)%\) \+ everything else ([\d.]+) s \(([\d.]+)%\)",
                  r["stderr"])
    if m:
        r["run_wall_s"], r["forward_s"], r["forward_pct"], r["other_s"], r["other_pct"] = map(float, m.groups())
    r["output"] = str(output)
    return r


def triples(path):
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        return {(row["doc_id"], row["attacker"], row["victim"], row["date_iso"]) for row in csv.DictReader(f)}


def agreement(reference, candidate):
    both = len(reference & candidate)
    p = both / len(candidate) if candidate else 1.0
    r = both / len(reference) if reference else 1.0
    return {"reference": len(reference), "candidate": len(candidate), "agree": both,
            "f1": 2 * p * r / (p + r) if p + r else 0.0}


def peer(name, kind, articles):
    stdout = OUT / f"{name}.json"
    r = measure(name, [PY, ROOT / "bench" / "peers.py", kind, MODEL, articles, "--threads", THREADS], stdout=stdout)
    r.update(json.loads(stdout.read_text()))
    return r


def conll_agreement():
    testb = SHARED / "conll2003" / "eng.testb"
    jsonl = OUT / "testb.jsonl"
    with open(jsonl, "w", encoding="utf-8") as f:
        subprocess.run([PY, ROOT / "bench" / "conll_jsonl.py", testb], stdout=f, check=True)
    runs = {}
    for precision in ("fp32", "default"):
        extra = ["--precision", "fp32"] if precision == "fp32" else []
        out = OUT / f"testb-{precision}.jsonl"
        runs[precision] = measure(f"ner-testb-{precision}",
                                  [BIN, "ner", jsonl, "--model", MODEL, "--threads", THREADS, "-o", out, *extra])
    result = subprocess.run([PY, ROOT / "bench" / "ner_agreement.py", OUT / "testb-fp32.jsonl",
                             OUT / "testb-default.jsonl"], check=True, capture_output=True, text=True)
    agree = json.loads(result.stdout)
    agree["fp32_wall_s"] = runs["fp32"]["wall_s"]
    agree["default_wall_s"] = runs["default"]["wall_s"]
    return agree


def cpu_name():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def main():
    global BIN
    if not BIN.exists():
        sys.exit(f"bench: {BIN} is missing: run `cargo build --release`")
    OUT.mkdir(parents=True, exist_ok=True)
    # A private copy, so that a rebuild during the run (a shared checkout) cannot mix versions.
    shutil.copy2(BIN, OUT / "cyberie")
    BIN = OUT / "cyberie"
    articles, x10, documents, words = corpus()
    log(f"corpus: {documents} articles, {words} words; x10: {10 * words} words; model {MODEL}; {THREADS} threads")
    results = {"documents": documents, "words": words, "threads": THREADS, "model": MODEL, "cpu": cpu_name(),
               "nproc": os.cpu_count()}
    results["repeat"] = REPEAT
    results["extract"] = best_of(REPEAT, lambda i: cyberie_extract(f"extract-1x-{i}", articles, words))
    if "hf" not in SKIP:
        results["hf"] = best_of(REPEAT, lambda i: peer(f"transformers-{i}", "hf", articles))
    if "spacy" not in SKIP:
        results["spacy"] = best_of(REPEAT, lambda i: peer(f"spacy-{i}", "spacy", articles))
    if "fp32" not in SKIP:
        results["extract_fp32"] = best_of(
            REPEAT, lambda i: cyberie_extract(f"extract-1x-fp32-{i}", articles, words, "--precision", "fp32"))
        results["triple_agreement"] = agreement(triples(results["extract_fp32"]["output"]),
                                                triples(results["extract"]["output"]))
    if "x10" not in SKIP:
        results["extract_x10"] = cyberie_extract("extract-10x", x10, 10 * words)
    if "conll" not in SKIP:
        results["conll_agreement"] = conll_agreement()
    for r in results.values():
        if isinstance(r, dict):
            r.pop("stderr", None)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))


def table(res):
    lines = []
    add = lines.append
    add(f"cyberie benchmark: CASIE dev, {res['documents']} articles, {res['words']:,} words; {res['cpu']}, "
        f"{res['nproc']} CPUs, {res['threads']} threads; model {res['model']}")
    add(f"1x runs: best of {res['repeat']} (all wall times in results.json); load = 1-minute load average before "
        f"and after the kept run (a run of cyberie itself adds about 2)")
    add("")
    add(f"| {'run':<52} | {'wall s':>7} | {'words/s':>8} | {'peak RSS MB':>11} | {'load':>11} |")
    add(f"|{'-' * 54}|{'-' * 9}|{'-' * 10}|{'-' * 13}|{'-' * 13}|")

    def row(label, r):
        if r:
            add(f"| {label:<52} | {r['wall_s']:>7.1f} | {r['words_per_s']:>8.0f} | {r['peak_rss_mb']:>11.0f} | "
                f"{r['load_before']:>4.2f}->{r['load_after']:<5.2f} |")

    row("cyberie extract, end to end (default: bf16)", res.get("extract"))
    row("cyberie extract, end to end, --precision fp32", res.get("extract_fp32"))
    row("cyberie extract, end to end, corpus x10", res.get("extract_x10"))
    hf = res.get("hf")
    if hf:
        row(f"transformers pipeline, NER only (batch {hf['batch_size']}, fp32)", hf)
    row("spaCy en_core_web_sm, NER only", res.get("spacy"))
    add("")
    e = res["extract"]
    if hf:
        trials = ", ".join(f"batch {b}: {v:.0f}" for b, v in hf["trials_words_per_s"].items())
        add(f"transformers batch sizes on a 100-article sample (words/s): {trials}")
        add(f"ratio cyberie extract / transformers NER: {e['words_per_s'] / hf['words_per_s']:.2f}x (target >= 2x)")
    if res.get("spacy"):
        add(f"ratio cyberie extract / spaCy sm NER: {e['words_per_s'] / res['spacy']['words_per_s']:.2f}x")
    if "forward_pct" in e:
        add(f"where the time goes (1x run, cyberie's own clock, model load excluded): forward pass {e['forward_s']:.1f} s "
            f"({e['forward_pct']:.1f}%), everything else {e['other_s']:.1f} s ({e['other_pct']:.1f}%) (target <= 10%)")
    add(f"end to end >= 2,500 words/s on {res['threads']} threads: {e['words_per_s']:.0f} words/s "
        f"({'met' if e['words_per_s'] >= 2500 else 'NOT met'})")
    x10 = res.get("extract_x10")
    if x10:
        growth = 100 * (x10["peak_rss_mb"] / e["peak_rss_mb"] - 1)
        add(f"memory: peak RSS 1x {e['peak_rss_mb']:.0f} MB, 10x {x10['peak_rss_mb']:.0f} MB ({growth:+.1f}%; "
            f"target within 10%, <= 1536 MB)")
    if res.get("extract_fp32"):
        f = res["extract_fp32"]
        t = res["triple_agreement"]
        add(f"bf16 vs fp32: end to end {e['words_per_s']:.0f} vs {f['words_per_s']:.0f} words/s "
            f"({e['words_per_s'] / f['words_per_s']:.2f}x); CASIE triples agree F1 {t['f1']:.4f} "
            f"({t['agree']} of {t['reference']} fp32 / {t['candidate']} bf16)")
    c = res.get("conll_agreement")
    if c:
        add(f"bf16 vs fp32 entities on CoNLL-2003 eng.testb (cyberie ner): F1 {c['f1']:.4f} "
            f"({c['agree']} of {c['reference']} agree; target >= 0.99); ner wall {c['default_wall_s']:.1f} s bf16 vs "
            f"{c['fp32_wall_s']:.1f} s fp32")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
