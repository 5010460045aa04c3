#!/usr/bin/env bash
# Runs every test of blastgraph, installing what the tests need first:
#   - graphviz (`dot`), to render the Graphviz exports;
#   - a Python virtualenv (.venv/) with moto[server] and boto3, the AWS API emulator the
#     collector is tested against;
#   - the npm packages of the IAM evaluation oracle (tests/oracle/node_modules), for the
#     differential test of the policy engine.
# Then: formatting, clippy with warnings as errors, and `cargo test` on the whole
# workspace (dev profile). Safe to run again: every install step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "graphviz"
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  fi
fi
dot -V

if [ -f tests/moto/setup.sh ]; then
  step "moto (AWS API emulator) in .venv"
  bash tests/moto/setup.sh
fi

if [ -f tests/oracle/package.json ]; then
  step "IAM evaluation oracle (npm)"
  if [ ! -d tests/oracle/node_modules ] || [ tests/oracle/package-lock.json -nt tests/oracle/node_modules ]; then
    npm ci --prefix tests/oracle --no-audit --no-fund --loglevel=error
  fi
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked
