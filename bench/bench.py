"""`make bench`: cyberie's end-to-end speed and memory against its peers, on the
CASIE dev texts, in one run on this machine; prints a table (and writes
bench/out/results.json).

Runs, each as its own process (peak RSS from wait4's rusage, wall time around
the whole process, model loading included); the runs on the 1x corpus are
repeated (BENCH_REPEAT, default 2) and the fastest kept, since the machine may
be shared:

1. `cyberie extract` on the corpus, default precision (`auto`: the faster of
   fp32 and bf16, timed on the run's first batches), with `--timings`, for
   words/s, peak RSS, the precision chosen and the forward-pass share;
2. the same forced to `--precision fp32` and to `--precision bf16`, and the
   share of triples each agrees on with fp32; on a CPU with AMX, the three
   again with oneDNN capped below AMX (ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16),
   as a CPU with AVX-512 BF16 but no usable AMX runs;
3. the Hugging Face transformers token-classification pipeline, NER alone, same
   texts and model directory (bench/peers.py hf), best of batch sizes 1/8/32;
4. spaCy en_core_web_sm NER alone (bench/peers.py spacy);
5. the baseline: the same binary with the model and relation stage of before
   the attack-argument tagger (BENCH_BASELINE_REV's NER-only model, so the
   rules alone), default precision, for the before/after of that change;
6. start-up: process start to the first (one-sentence) document done, default
   and fp32 (best of 3);
7. `cyberie extract` on the corpus repeated 10 times (ids made unique), for
   memory scaling (and words/s on a long run);
8. `cyberie ner` on CoNLL-2003 eng.testb in fp32 and bf16: entity F1 of bf16
   against fp32.

Environment: BENCH_THREADS (default 2), BENCH_REPEAT (1x runs, best of; default 2), BENCH_OUT (default bench/out),
BENCH_SKIP (comma list of bf16, fp32, noamx, hf, spacy, baseline, startup, x10, conll), BENCH_BASELINE_REV (default
5d64759, the last commit with the NER-only model), CYBERIE_MODEL (default models/cyberie-ner-minilm),
BENCH_SHARED (default ../shared).
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
BASELINE_REV = os.environ.get("BENCH_BASELINE_REV", "5d64759")
# oneDNN's ISA capped below AMX: how a CPU with AVX-512 BF16 but no usable AMX runs.
NO_AMX = {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_BF16"}
# The CPU features that decide which precision is fast.
CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8")


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


def measure(name, command, stdout=None, env=None):
    """Runs `command` (with `env` added to the environment); returns wall seconds, peak RSS (MB), exit
    status, stderr and the load around it."""
    log(f"{name}: {' '.join(f'{k}={v}' for k, v in (env or {}).items())} {' '.join(str(c) for c in command)}")
    err_path = OUT / f"{name}.stderr"
    load_before = load()
    with open(err_path, "wb") as err, open(stdout or os.devnull, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen([str(c) for c in command], stdout=out, stderr=err, cwd=ROOT,
                                   env={**os.environ, **(env or {})})
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


def cyberie_extract(name, articles, words, *extra, model=None, env=None):
    output = OUT / f"{name}.csv"
    r = measure(name, [BIN, "extract", articles, "--model", model or MODEL, "--threads", THREADS, "--timings", "-o",
                       output, *extra], env=env)
    r["words"] = words
    r["words_per_s"] = words / r["wall_s"]
    m = re.search(r"; precision: (.*)", r["stderr"])
    r["precision"] = m.group(1).strip() if m else "?"
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
    for precision in ("fp32", "bf16"):
        extra = ["--precision", "fp32" if precision == "fp32" else "bf16"]
        out = OUT / f"testb-{precision}.jsonl"
        runs[precision] = measure(f"ner-testb-{precision}",
                                  [BIN, "ner", jsonl, "--model", MODEL, "--threads", THREADS, "-o", out, *extra])
    result = subprocess.run([PY, ROOT / "bench" / "ner_agreement.py", OUT / "testb-fp32.jsonl",
                             OUT / "testb-bf16.jsonl"], check=True, capture_output=True, text=True)
    agree = json.loads(result.stdout)
    agree["fp32_wall_s"] = runs["fp32"]["wall_s"]
    agree["default_wall_s"] = runs["bf16"]["wall_s"]
    return agree


def cpu():
    """The CPU's model name and which of the flags that matter for bf16 it has."""
    name, flags = "unknown CPU", set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
    return name, [f for f in CPU_FLAGS if f in flags], [f for f in CPU_FLAGS if f not in flags]


def baseline_model():
    """The NER-only model of BENCH_BASELINE_REV, from git, or None (with a reason) when it cannot be had."""
    target = OUT / f"baseline-{BASELINE_REV}"
    model = target / "models" / "cyberie-ner-minilm"
    if (model / "model.safetensors").exists():
        return model
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", BASELINE_REV, "models/cyberie-ner-minilm"], cwd=ROOT,
                             capture_output=True)
    if archive.returncode != 0:
        log(f"baseline skipped: git archive {BASELINE_REV} failed: {archive.stderr.decode().strip()}")
        return None
    subprocess.run(["tar", "-x", "-C", target], input=archive.stdout, check=True)
    return model


def startup(name, *extra):
    """Process start to the first document done: one one-sentence article, best of 3."""
    one = OUT / "one.txt"
    one.write_text("LockBit hacked Boeing in October 2023.\n", encoding="utf-8")
    return best_of(3, lambda i: measure(f"{name}-{i}", [BIN, "extract", one, "--model", MODEL, "--threads", THREADS,
                                                         "-q", "-o", OUT / f"{name}.csv", *extra]))


def main():
    global BIN
    if not BIN.exists():
        sys.exit(f"bench: {BIN} is missing: run `cargo build --release`")
    OUT.mkdir(parents=True, exist_ok=True)
    # A private copy, so that a rebuild during the run (a shared checkout) cannot mix versions.
    shutil.copy2(BIN, OUT / "cyberie")
    BIN = OUT / "cyberie"
    articles, x10, documents, words = corpus()
    name, has, lacks = cpu()
    log(f"corpus: {documents} articles, {words} words; x10: {10 * words} words; model {MODEL}; {THREADS} threads; "
        f"{name}, has {' '.join(has) or '-'}, lacks {' '.join(lacks) or '-'}")
    results = {"documents": documents, "words": words, "threads": THREADS, "model": MODEL, "cpu": name,
               "cpu_has": has, "cpu_lacks": lacks, "nproc": os.cpu_count(), "repeat": REPEAT}
    results["extract"] = best_of(REPEAT, lambda i: cyberie_extract(f"extract-1x-{i}", articles, words))
    for precision in ("fp32", "bf16"):
        if precision not in SKIP:
            run = best_of(REPEAT, lambda i: cyberie_extract(f"extract-1x-{precision}-{i}", articles, words,
                                                            "--precision", precision))
            results[f"extract_{precision}"] = run
    if "noamx" not in SKIP and "amx_tile" in has:
        # The CPU without AMX (as on Xeons whose kernel or hypervisor does not enable it): oneDNN
        # capped at AVX-512 BF16, so bf16 matmuls run on avx512_core_bf16 kernels.
        for precision in ("auto", "fp32", "bf16"):
            results[f"noamx_{precision}"] = cyberie_extract(f"extract-1x-noamx-{precision}", articles, words,
                                                            "--precision", precision, env=NO_AMX)
    if "fp32" not in SKIP:
        reference = triples(results["extract_fp32"]["output"])
        for key in ("extract", "extract_bf16"):
            if key in results:
                results[key]["triple_agreement"] = agreement(reference, triples(results[key]["output"]))
    if "hf" not in SKIP:
        results["hf"] = best_of(REPEAT, lambda i: peer(f"transformers-{i}", "hf", articles))
    if "spacy" not in SKIP:
        results["spacy"] = best_of(REPEAT, lambda i: peer(f"spacy-{i}", "spacy", articles))
    if "baseline" not in SKIP and (old := baseline_model()):
        results["baseline"] = best_of(
            REPEAT, lambda i: cyberie_extract(f"extract-1x-baseline-{i}", articles, words, model=old))
        results["baseline"]["rev"] = BASELINE_REV
    if "startup" not in SKIP:
        results["startup"] = startup("startup")
        results["startup_fp32"] = startup("startup-fp32", "--precision", "fp32")
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
    add(f"CPU flags: has {' '.join(res['cpu_has']) or '-'}; lacks {' '.join(res['cpu_lacks']) or '-'}")
    add(f"1x runs: best of {res['repeat']} (all wall times in results.json); load = 1-minute load average before "
        f"and after the kept run (a run of cyberie itself adds about 2)")
    add("")
    add(f"| {'run':<58} | {'wall s':>7} | {'words/s':>8} | {'peak RSS MB':>11} | {'load':>11} |")
    add(f"|{'-' * 60}|{'-' * 9}|{'-' * 10}|{'-' * 13}|{'-' * 13}|")

    def row(label, r):
        if r:
            add(f"| {label:<58} | {r['wall_s']:>7.1f} | {r['words_per_s']:>8.0f} | {r['peak_rss_mb']:>11.0f} | "
                f"{r['load_before']:>4.2f}->{r['load_after']:<5.2f} |")

    e = res["extract"]
    row(f"cyberie extract, end to end, default (auto: chose {e['precision'].split(' ')[0]})", e)
    row("cyberie extract, end to end, --precision fp32", res.get("extract_fp32"))
    row("cyberie extract, end to end, --precision bf16", res.get("extract_bf16"))
    for precision in ("auto", "fp32", "bf16"):
        r = res.get(f"noamx_{precision}")
        if r:
            label = f"auto: chose {r['precision'].split(' ')[0]}" if precision == "auto" else precision
            row(f"without AMX (ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16), {label}", r)
    b = res.get("baseline")
    if b:
        row(f"baseline: NER-only model of {b['rev']}, rules alone (default)", b)
    row("cyberie extract, end to end, corpus x10 (default)", res.get("extract_x10"))
    hf = res.get("hf")
    if hf:
        row(f"transformers pipeline, NER only (batch {hf['batch_size']}, fp32)", hf)
    row("spaCy en_core_web_sm, NER only", res.get("spacy"))
    add("")
    add(f"default precision: {e['precision']}")
    fastest = max((res[k] for k in ("extract_fp32", "extract_bf16") if k in res), key=lambda r: r["words_per_s"],
                  default=None)
    if fastest:
        ratio = e["words_per_s"] / fastest["words_per_s"]
        add(f"default / the faster forced precision: {ratio:.2f}x (target >= 0.95x)")
    na = res.get("noamx_auto")
    if na:
        faster = max(res["noamx_fp32"]["words_per_s"], res["noamx_bf16"]["words_per_s"])
        add(f"without AMX: default precision {na['precision']}; default / the faster forced precision: "
            f"{na['words_per_s'] / faster:.2f}x; bf16 / fp32 "
            f"{res['noamx_bf16']['words_per_s'] / res['noamx_fp32']['words_per_s']:.2f}x")
    if hf:
        trials = ", ".join(f"batch {b}: {v:.0f}" for b, v in hf["trials_words_per_s"].items())
        add(f"transformers batch sizes on a 100-article sample (words/s): {trials}")
        add(f"ratio cyberie extract (default) / transformers NER: {e['words_per_s'] / hf['words_per_s']:.2f}x "
            f"(target >= 2x)")
    if res.get("spacy"):
        add(f"ratio cyberie extract / spaCy sm NER: {e['words_per_s'] / res['spacy']['words_per_s']:.2f}x")
    if b:
        add(f"after / before the attack-argument tagger (default precision both): "
            f"{e['words_per_s'] / b['words_per_s']:.2f}x words/s (target >= 0.8x); peak RSS {e['peak_rss_mb']:.0f} "
            f"vs {b['peak_rss_mb']:.0f} MB")
    if "forward_pct" in e:
        add(f"where the time goes (1x run, cyberie's own clock, model load excluded): forward pass {e['forward_s']:.1f} s "
            f"({e['forward_pct']:.1f}%), everything else {e['other_s']:.1f} s ({e['other_pct']:.1f}%)")
    s, s32 = res.get("startup"), res.get("startup_fp32")
    if s:
        add(f"start-up (process start to one one-sentence document done, best of 3): default {s['wall_s']:.2f} s, "
            f"peak RSS {s['peak_rss_mb']:.0f} MB" + (f"; --precision fp32 {s32['wall_s']:.2f} s" if s32 else ""))
    x10 = res.get("extract_x10")
    if x10:
        growth = 100 * (x10["peak_rss_mb"] / e["peak_rss_mb"] - 1)
        add(f"memory: peak RSS 1x {e['peak_rss_mb']:.0f} MB, 10x {x10['peak_rss_mb']:.0f} MB ({growth:+.1f}%; "
            f"target within 10%)")
    for key, label in (("extract", "default"), ("extract_bf16", "bf16")):
        t = res.get(key, {}).get("triple_agreement")
        if t:
            add(f"CASIE triples, {label} vs fp32: agree F1 {t['f1']:.4f} ({t['agree']} of {t['reference']} fp32 / "
                f"{t['candidate']} {label})")
    c = res.get("conll_agreement")
    if c:
        add(f"bf16 vs fp32 entities on CoNLL-2003 eng.testb (cyberie ner): F1 {c['f1']:.4f} "
            f"({c['agree']} of {c['reference']} agree; target >= 0.99); ner wall {c['default_wall_s']:.1f} s bf16 vs "
            f"{c['fp32_wall_s']:.1f} s fp32")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
