#!/usr/bin/env bash
# Creates the project-local Python virtualenv `.venv/` that provides libtorch 2.4.0
# (for tch/rust-bert at build and run time) and the build-time Python tools
# (model training, the benchmark's peers). Idempotent: does nothing when the
# stamp file for the current requirements already exists.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
stamp="$venv/.requirements-installed"
req=scripts/requirements.txt

if [ -f "$stamp" ] && cmp -s "$stamp" "$req" && [ -e "$venv/libtorch/lib/libtorch_cpu.so" ]; then
    exit 0
fi

python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating $venv with $($python --version)" >&2
    "$python" -m venv "$venv"
fi
echo "setup: installing Python requirements (torch 2.4.0 is ~5 GB with its CUDA libraries; a few minutes)" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
# A stable path to the torch package for .cargo/config.toml (LIBTORCH).
torch_dir=$("$venv/bin/python" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
ln -sfn "$torch_dir" "$venv/libtorch"
cp "$req" "$stamp"
echo "setup: $venv ready" >&2
