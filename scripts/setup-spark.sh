#!/usr/bin/env bash
# Sets up what `make spark-test` needs, idempotently: a Java runtime (Debian's
# default-jre-headless, installed with apt-get when `java` is missing) and
# PySpark from PyPI in a virtualenv of its own, `.venv-spark/` (kept apart
# from `.venv/`, which holds libtorch for the build).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java > /dev/null 2>&1; then
    echo "setup-spark: no java: installing Debian's default-jre-headless" >&2
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends default-jre-headless > /dev/null
fi

venv=.venv-spark
req=dist/spark/requirements.txt
stamp="$venv/.requirements-installed"
if [ -f "$stamp" ] && cmp -s "$stamp" "$req" && [ -x "$venv/bin/spark-submit" ]; then
    exit 0
fi
python=${PYTHON:-python3}
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
echo "setup-spark: installing $(tr '\n' ' ' < "$req")into $venv (about 320 MB, a minute or two)" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
echo "setup-spark: $venv ready" >&2
