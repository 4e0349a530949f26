#!/usr/bin/env bash
# Runs one cargo-fuzz target on the stable toolchain (see README.md):
#
#   fuzz/run.sh TARGET [SECONDS] [more libFuzzer flags...]
#
# TARGET is dates, read_jsonl, read_text or relate; SECONDS defaults to 600.
# The corpus grows in fuzz/corpus/TARGET (seeded from fuzz/seeds/TARGET), crashes
# land in fuzz/artifacts/TARGET. SANITIZER=none builds without AddressSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]}
seconds=${2:-600}
shift $(($# < 2 ? $# : 2))
# The same dependency versions as the main build.
[[ -f fuzz/Cargo.lock ]] || cp Cargo.lock fuzz/Cargo.lock
dict=()
[[ -f fuzz/dicts/$target.dict ]] && dict=("-dict=fuzz/dicts/$target.dict")
mkdir -p "fuzz/corpus/$target"
# cargo-fuzz passes -Z flags to rustc (sanitizer, coverage): let stable accept them.
export RUSTC_BOOTSTRAP=1
exec cargo fuzz run --release --debug-assertions --sanitizer "${SANITIZER:-address}" \
    "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    "${dict[@]}" "$@"
