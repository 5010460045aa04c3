#!/usr/bin/env bash
# Creates (or reuses) the Python virtualenv the collector's emulator tests need:
# <repo>/.venv with moto's server and boto3. Idempotent: a second run only checks.
#
#   bash tests/moto/setup.sh
#
# Set BLASTGRAPH_VENV to put the virtualenv elsewhere.
set -euo pipefail

MOTO_VERSION="5.2.5"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${BLASTGRAPH_VENV:-$repo/.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating virtualenv $venv"
    "$python" -m venv "$venv"
fi

if "$venv/bin/python" - "$MOTO_VERSION" <<'PY' 2>/dev/null
import sys, importlib.metadata as m
assert m.version("moto") == sys.argv[1]
import boto3, flask, moto.server  # noqa: F401  (moto[server] extras present)
PY
then
    echo "setup: moto $MOTO_VERSION and boto3 already installed in $venv"
else
    echo "setup: installing moto[server]==$MOTO_VERSION and boto3 into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "moto[server]==$MOTO_VERSION" boto3
fi
test -x "$venv/bin/moto_server"
echo "setup: ok ($venv/bin/moto_server)"
