#!/usr/bin/env bash
# Builds the default model models/cyberie-ner-minilm/ from the PyPI all-MiniLM-L6-v2 encoder,
# CoNLL-2003 and the CASIE development split (../shared beside the repository root), in five stages:
#   1. the entity teacher: the encoder fine-tuned on CoNLL-2003 alone (train_ner.py);
#   2. the held-out model: the teacher widened to a second head, the attack-argument tagger, trained on
#      the training part of CASIE (files whose number ends in 0-4) while CoNLL-2003 and the teacher's
#      own entity tags on the CASIE sentences keep its entities (train_joint.py); it is the recipe's
#      model that never saw the calibration and validation parts, so every accuracy figure is its own;
#   3. three more trainings of the same recipe, one thread each on two lanes side by side: the shipped
#      model, on all of the development split (0-6: once the held-out model is measured, parts 5
#      and 6 may teach too, and the tagger still gains with data, models/README.md); and two
#      cross-fit models on the training part's halves (0-1 and 2-4), used only to read the half
#      each did not see;
#   4. the merger of the two readers, fitted with `cyberie calibrate` on the calibration part
#      (ending in 5) as the held-out model reads it, and on the training part as the cross-fit models
#      read it (merger.json), and how such a merger does on articles it was not fitted on: each of
#      those three inputs left out in turn (`calibrate --cross-validate`);
#   5. the validation figures on the held-out part (ending in 6), read by the held-out model: the
#      rules alone, the tagger alone and both merged, by the blind judge's rules (validate.py, which
#      also gives the shipped model the merger, its scores.json and MODEL_CARD.md).
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

stage "CASIE parts: training 0-4 (halves 0-1 and 2-4), calibration 5, validation 6, all 0-6"
for part in train:0-4 half01:0-1 half24:2-4 cal:5 val:6 all:0-6; do
    name=${part%%:*}
    "$bin" casie-import "$shared/casie-dev" --stems "${part#*:}" -o "$work/gold-$name.jsonl" \
        --articles "$work/articles-$name.jsonl" --tags "$work/tags-$name.jsonl"
done

stage "2/5 held-out model (entities + attack arguments, training part 0-4)"
held_out="$work/held-out"
"$py" models/train/train_joint.py --teacher "$work/teacher" --casie-train "$work/tags-train.jsonl" \
    --casie-eval "calibration=$work/tags-cal.jsonl" --casie-eval "validation=$work/tags-val.jsonl" \
    --out "$held_out" "$@"

stage "3/5 shipped model (all of 0-6) beside the cross-fit models (halves 0-1, then 2-4)"
# One thread each: two 1-thread trainings side by side finish sooner than one after the other. The
# shipped model's lane and the two cross-fit models' lane take about as long.
extra=("$@")
train() { # NAME TAGS OUT: one 1-thread training, logged to $work/NAME.log
    "$py" models/train/train_joint.py --teacher "$work/teacher" --casie-train "$2" --threads 1 \
        --out "$3" "${extra[@]}" > "$work/$1.log" 2>&1 && return
    echo "error: the training $1 failed; the end of its log:" >&2
    tail -20 "$work/$1.log" >&2
    return 1
}
train shipped "$work/tags-all.jsonl" "$out" &
shipped_lane=$!
{ train cross-fit-01 "$work/tags-half01.jsonl" "$work/cross-fit-01" &&
    train cross-fit-24 "$work/tags-half24.jsonl" "$work/cross-fit-24"; } &
cross_fit_lane=$!
failed=0
wait "$shipped_lane" || failed=1
wait "$cross_fit_lane" || failed=1
[ "$failed" = 0 ] || exit 1
tail -n 3 "$work"/shipped.log "$work"/cross-fit-*.log

stage "4/5 merger (calibration part, and the training part cross-fitted)"
cat "$work/gold-cal.jsonl" "$work/gold-half01.jsonl" "$work/gold-half24.jsonl" > "$work/gold-merger.jsonl"
"$bin" calibrate "$work/articles-cal.jsonl" --gold "$work/gold-merger.jsonl" --model "$held_out" -q \
    --cross-fit "$work/cross-fit-01=$work/articles-half24.jsonl" \
    --cross-fit "$work/cross-fit-24=$work/articles-half01.jsonl"
"$bin" calibrate "$work/articles-cal.jsonl" --gold "$work/gold-merger.jsonl" --model "$held_out" -q \
    --cross-fit "$work/cross-fit-01=$work/articles-half24.jsonl" \
    --cross-fit "$work/cross-fit-24=$work/articles-half01.jsonl" --cross-validate

stage "5/5 validation part (the held-out model), and the shipped model's merger and card"
"$py" models/train/validate.py --bin "$bin" --model "$held_out" --work "$work" --shipped "$out"

end=$(date +%s)
echo "model build: total $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s"
