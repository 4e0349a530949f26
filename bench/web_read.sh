#!/usr/bin/env bash
# Throughput and peak memory of reading web archives, without the model:
# `cyberie text` (WARC framing, HTTP, charset, main-text extraction, title,
# date, JSON Lines out) on a generated WARC of N HTML responses, each with its
# request, cycling over the 30 corpus articles as pages of three news sites,
# each page padded with inline scripts and styles to about 70 KB, the size of
# real news pages. Runs it on the .warc.gz and on the same archive
# uncompressed, under /usr/bin/time -v (wall time, peak RSS).
#
#   bash bench/web_read.sh [N]      # N responses, default 5000 (10,001 records)
#
# The archives are generated under $BENCH_WEB_DIR (default /tmp/cyberie-web-bench),
# never committed, with warcio in a throwaway virtualenv there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
n=${1:-5000}
dir=${BENCH_WEB_DIR:-/tmp/cyberie-web-bench}
mkdir -p "$dir"
venv="$dir/venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check warcio==1.8.1
fi
for ext in warc.gz warc; do
    [ -f "$dir/bench-$n.$ext" ] || "$venv/bin/python" scripts/web_fixtures.py --bench "$n" --out "$dir/bench-$n.$ext"
done
cargo build --release --quiet
for ext in warc.gz warc; do
    warc="$dir/bench-$n.$ext"
    echo "== cyberie text $warc ($(du -m "$warc" | cut -f1) MB)"
    /usr/bin/time -v target/release/cyberie text "$warc" -o "$dir/articles.jsonl" 2>"$dir/time.txt" || true
    grep -E "^cyberie:|Elapsed \(wall|Maximum resident|User time|System time" "$dir/time.txt"
done
