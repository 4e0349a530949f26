#!/usr/bin/env bash
# Soak test of `cyberie extract --resume` (issue 16): N articles, SIGKILL at K
# random moments, restart each time; the final output must equal an
# uninterrupted run's byte for byte. Prints, for each kill, when it came, how
# many documents the killed run had checkpointed, and the work redone: the
# time from its last checkpoint to the kill (lost, done again by the next run)
# and the documents that is at the killed run's own speed.
#
#   scripts/soak-resume.sh [N] [KILLS] [MODEL_DIR] [extra extract args...]
#
# Defaults: 20000 articles, 3 kills, the tiny test model (fast; plumbing, not
# accuracy). Give models/cyberie-ner-minilm for the bundled model. The kill
# moments are drawn from $SOAK_SEED (default: random) and printed.
set -euo pipefail
# One precision for the uninterrupted run and every restart: --precision auto chooses by timing in
# each process, and the outputs are compared exactly.
export CYBERIE_PRECISION="${CYBERIE_PRECISION:-fp32}"
cd "$(dirname "$0")/.."

n=${1:-20000}
kills=${2:-3}
model=${3:-tests/fixtures/tiny-model}
shift $(( $# < 3 ? $# : 3 ))
extra=("$@")
command -v bc > /dev/null || { echo "soak: needs bc (apt-get install bc) and python3" >&2; exit 2; }
bin=target/release/cyberie
[ -x "$bin" ] || { echo "soak: build first: cargo build --release" >&2; exit 2; }
seed=${SOAK_SEED:-$RANDOM}
RANDOM=$seed
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$n" > "$work/in.jsonl" <<'PY'
import json, sys
n = int(sys.argv[1])
actors = ["Sandworm", "Lazarus Group", "APT28", "LockBit", "Clop", "ScarCruft"]
victims = ["Ukraine", "Sony Pictures", "the Bundestag", "Boeing", "Toyota", "South Korean journalists"]
for i in range(n):
    a, v = actors[i % 6], victims[(i // 6) % 6]
    if i % 3 == 0:
        text = f"Report {i}. {a} targeted {v} in May 2021, researchers said. The campaign went on for weeks."
    else:
        text = f"Article {i} is quiet. Nothing happened on Monday in Springfield, officials said. Rain fell."
    # Every 500th article repeats the id of the one before (scraped feeds do).
    doc_id = f"doc{i - 1:06}" if i % 500 == 499 else f"doc{i:06}"
    print(json.dumps({"id": doc_id, "text": text}))
PY

run=("$bin" extract --model "$model" "$work/in.jsonl" "${extra[@]}")
start=$(date +%s.%N)
"${run[@]}" -q -o "$work/reference.csv" 2> "$work/reference.log"
reference_s=$(echo "$(date +%s.%N) - $start" | bc)
rate=$(echo "$n / $reference_s" | bc -l)
printf 'soak: %d articles, model %s, seed %d; uninterrupted run %.1f s (%.0f documents/s)\n' \
    "$n" "$model" "$seed" "$reference_s" "$rate"

committed() { # documents listed before the last commit line of the checkpoint
    [ -f "$work/out.csv.done" ] || { echo 0; return; }
    python3 - "$work/out.csv.done" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
last = max([i for i, l in enumerate(lines) if '"commit"' in l], default=0)
print(sum('"id"' in l for l in lines[:last]))
PY
}

total_s=0
for k in $(seq 1 "$kills"); do
    # A random moment of the rest of the work: once a random share (10-60%)
    # of the remaining documents is checkpointed, plus a random part of the
    # time 1.5 groups take (so the kill falls anywhere between checkpoints).
    before=$(committed)
    target=$(( before + (n - before) * (10 + RANDOM % 51) / 100 ))
    extra_s=$(echo "($RANDOM / 32767) * 1.5 * 1000 / $rate" | bc -l)
    start=$(date +%s.%N)
    "${run[@]}" -q --resume -o "$work/out.csv" 2>> "$work/killed.log" &
    pid=$!
    while [ "$(committed)" -lt "$target" ] && kill -0 "$pid" 2>/dev/null; do [ -n "${SOAK_DEBUG:-}" ] && echo "poll $(committed) < $target" >&2; sleep 0.2; done
    sleep "$extra_s"
    if ! kill -KILL "$pid" 2>/dev/null; then
        echo "soak: run $k finished before its kill (the machine is faster than the poll): no kill" >&2
    fi
    killed_at=$(date +%s.%N)
    wait "$pid" 2>/dev/null || true
    wall=$(echo "$killed_at - $start" | bc)
    total_s=$(echo "$total_s + $wall" | bc)
    after=$(committed)
    # The list is written at each checkpoint: its time is the last one's.
    last=$(python3 -c 'import os, sys; print(os.path.getmtime(sys.argv[1]))' "$work/out.csv.done")
    lost_s=$(echo "$killed_at - $last" | bc -l)
    speed=$(echo "($after - $before) / ($last - $start + 0.000001)" | bc -l)
    printf 'soak: kill %d after %.1f s: %d documents checkpointed before the run, %d after (+%d, %.0f documents/s); work redone: %.1f s since the last checkpoint, ~%.0f documents\n' \
        "$k" "$wall" "$before" "$after" "$((after - before))" "$speed" "$lost_s" "$(echo "$lost_s * $speed" | bc -l)"
done
start=$(date +%s.%N)
"${run[@]}" --resume -o "$work/out.csv" 2> "$work/last.log"
wall=$(echo "$(date +%s.%N) - $start" | bc)
total_s=$(echo "$total_s + $wall" | bc)
grep -E "resuming|documents read" "$work/last.log" | sed 's/^/soak: final run: /'
printf 'soak: all runs %.1f s against %.1f s uninterrupted\n' "$total_s" "$reference_s"
if cmp -s "$work/reference.csv" "$work/out.csv"; then
    echo "soak: PASS: the resumed output equals the uninterrupted run's byte for byte ($(wc -l < "$work/out.csv") lines)"
else
    echo "soak: FAIL: the outputs differ:" >&2
    diff "$work/reference.csv" "$work/out.csv" | head -20 >&2
    exit 1
fi
