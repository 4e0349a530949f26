#!/usr/bin/env bash
# Builds the default model models/cyberie-ner-minilm/ from the PyPI all-MiniLM-L6-v2 encoder,
# CoNLL-2003 and the CASIE development split (../shared beside the repository root), in five stages:
#   1. the entity teacher: the encoder fine-tuned on CoNLL-2003 alone (train_ner.py);
#   2. the joint model: the teacher widened to a second head, the attack-argument tagger, trained on
#      the training part of CASIE (files whose number ends in 0-4) while CoNLL-2003 and the teacher's
#      own entity tags on the CASIE sentences keep its entities (train_joint.py);
#   3. two cross-fit models, the same recipe on the training part's halves (0-1 and 2-4, side by
#      side with one thread each), used only to read the half each did not see;
#   4. the merger of the two readers, fitted with `cyberie calibrate` on the calibration part
#      (ending in 5) as the shipped model reads it, and on the training part as the cross-fit models
#      read it (merger.json), and how such a merger does on articles it was not fitted on: each of
#      those three inputs left out in turn (`calibrate --cross-validate`);
#   5. the validation figures on the held-out part (ending in 6): the rules alone, the tagger alone and
#      both merged, by the blind judge's rules (validate.py; also written to scores.json).
# Needs the release binary (make build). Prints the scores and the total time. Arguments go to
# train_joint.py (`--max-steps 10` for a smoke test); TEACHER=DIR reuses an exported teacher (stage 1's
# output, target/model-build/teacher) instead of training one.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# TEACHER as an absolute path, before the cd below changes what a relative one means.
teacher="${TEACHER:+$(cd "$TEACHER" && pwd)}"
cd "$root"
py="$root/.venv/bin/python"
bin="$root/target/release/cyberie"
shared="$root/../shared"
out="${OUT:-$root/models/cyberie-ner-minilm}"
for need in "$py:run scripts/setup-venv.sh first" "$bin:run make build first"; do
    if [ ! -x "${need%%:*}" ]; then
        echo "error: ${need%%:*} not found: ${need#*:}" >&2
        exit 1
    fi
done
for dir in conll2003 casie-dev; do
    if [ ! -d "$shared/$dir" ]; then
        echo "error: $(cd "$root/.." && pwd)/shared/$dir not found (CoNLL-2003 and the CASIE dev split live in ../shared)" >&2
        exit 1
    fi
done
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
work="$root/target/model-build"
if [ -n "$teacher" ]; then
    # Set aside first: the teacher may live in the work folder that is about to be emptied.
    kept="$(mktemp -d)"
    cp -r "$teacher" "$kept/teacher"
fi
rm -rf "$work"
mkdir -p "$work"
start=$(date +%s)
stage() { echo "== $(date +%H:%M:%S) $*"; }

stage "1/5 entity teacher (CoNLL-2003)"
"$py" models/train/conll.py
if [ -n "$teacher" ]; then
    mv "$kept/teacher" "$work/teacher"
    rmdir "$kept"
    echo "reusing the teacher $teacher"
else
    "$py" models/train/train_ner.py --out "$work/teacher"
fi

stage "CASIE parts: training 0-4 (halves 0-1 and 2-4), calibration 5, validation 6"
for part in train:0-4 half01:0-1 half24:2-4 cal:5 val:6; do
    name=${part%%:*}
    "$bin" casie-import "$shared/casie-dev" --stems "${part#*:}" -o "$work/gold-$name.jsonl" \
        --articles "$work/articles-$name.jsonl" --tags "$work/tags-$name.jsonl"
done

stage "2/5 joint model (entities + attack arguments)"
"$py" models/train/train_joint.py --teacher "$work/teacher" --casie-train "$work/tags-train.jsonl" \
    --casie-eval "calibration=$work/tags-cal.jsonl" --casie-eval "validation=$work/tags-val.jsonl" \
    --out "$out" "$@"

stage "3/5 cross-fit models (training halves 0-1 and 2-4, side by side)"
# One thread each: two 1-thread trainings side by side finish sooner than one after the other.
halves=(01 24)
pids=()
for half in "${halves[@]}"; do
    "$py" models/train/train_joint.py --teacher "$work/teacher" --casie-train "$work/tags-half$half.jsonl" \
        --threads 1 --out "$work/cross-fit-$half" "$@" > "$work/cross-fit-$half.log" 2>&1 &
    pids+=($!)
done
for i in "${!halves[@]}"; do
    if ! wait "${pids[$i]}"; then
        echo "error: the cross-fit training on half ${halves[$i]} failed; the end of its log:" >&2
        tail -20 "$work/cross-fit-${halves[$i]}.log" >&2
        exit 1
    fi
done
tail -n 3 "$work"/cross-fit-*.log

stage "4/5 merger (calibration part, and the training part cross-fitted)"
cat "$work/gold-cal.jsonl" "$work/gold-half01.jsonl" "$work/gold-half24.jsonl" > "$work/gold-merger.jsonl"
"$bin" calibrate "$work/articles-cal.jsonl" --gold "$work/gold-merger.jsonl" --model "$out" -q \
    --cross-fit "$work/cross-fit-01=$work/articles-half24.jsonl" \
    --cross-fit "$work/cross-fit-24=$work/articles-half01.jsonl"
"$bin" calibrate "$work/articles-cal.jsonl" --gold "$work/gold-merger.jsonl" --model "$out" -q \
    --cross-fit "$work/cross-fit-01=$work/articles-half24.jsonl" \
    --cross-fit "$work/cross-fit-24=$work/articles-half01.jsonl" --cross-validate

stage "5/5 validation part"
"$py" models/train/validate.py --bin "$bin" --model "$out" --work "$work"

end=$(date +%s)
echo "model build: total $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s"
