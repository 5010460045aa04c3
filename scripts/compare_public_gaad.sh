#!/usr/bin/env bash
# Installs Cloudsplaining (PyPI) into .venv-cloudsplaining/ and prints the side-by-side
# comparison of scripts/compare_public_gaad.py on the public GAAD files. A measurement,
# not a test; docs/public-datasets.md keeps the last run.
#
#   scripts/compare_public_gaad.sh            # builds the blastgraph binary (release)
#   BLASTGRAPH_BIN=path scripts/compare_public_gaad.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CLOUDSPLAINING_VENV:-$repo/.venv-cloudsplaining}"
if [ ! -x "$venv/bin/cloudsplaining" ]; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check cloudsplaining==0.9.1
fi
if [ -z "${BLASTGRAPH_BIN:-}" ]; then
    (cd "$repo" && cargo build --quiet --release -p blastgraph --no-default-features)
    BLASTGRAPH_BIN="${CARGO_TARGET_DIR:-$repo/target}/release/blastgraph"
fi
python3 "$repo/scripts/compare_public_gaad.py" "$BLASTGRAPH_BIN" "$venv/bin/cloudsplaining"
