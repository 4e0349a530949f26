#!/usr/bin/env bash
# Builds the default NER model models/cyberie-ner-minilm/ from the PyPI all-MiniLM-L6-v2 encoder and
# CoNLL-2003 (../shared/conll2003 beside the repository root). Prints the scores and the total time.
# Extra arguments go to train_ner.py (e.g. --epochs 2, --out DIR).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
py="$root/.venv/bin/python"
if [ ! -x "$py" ]; then
    echo "error: $py not found: run scripts/setup-venv.sh first" >&2
    exit 1
fi
if [ ! -d "$root/../shared/conll2003" ]; then
    echo "error: CoNLL-2003 data not found at $(cd "$root/.." && pwd)/shared/conll2003 (eng.train, eng.testa, eng.testb)" >&2
    exit 1
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
start=$(date +%s)
"$py" models/train/conll.py
"$py" models/train/train_ner.py "$@"
end=$(date +%s)
echo "model build: total $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s"
