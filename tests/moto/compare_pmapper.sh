#!/usr/bin/env bash
# Side by side on one populated moto server: blastgraph (`collect` then `what-can-reach
# secretsmanager:GetSecretValue`) and PMapper 1.1.5 (`graph create` then `query "who can
# do secretsmanager:GetSecretValue with *"`). Prints wall times, the HTTP requests each
# tool sent (counted in moto's request log) and the ratio. A measurement, not a test.
#
#   bash tests/moto/compare_pmapper.sh [ROLES] [AWS_MANAGED]
#
# ROLES (default 200): bulk roles created by populate.py; AWS_MANAGED (default 0): AWS
# managed policies (ReadOnlyAccess, AmazonS3FullAccess, ...) attached to every bulk role.
#
# Needs tests/moto/setup.sh's .venv; installs PMapper into .venv-pmapper/ (with the
# one-line Python 3.10+ fix: collections.Mapping moved to collections.abc, and a
# tolerance for moto's missing PolicyName). blastgraph is the dev-profile binary
# (`cargo build -p blastgraph`, in $CARGO_TARGET_DIR or target/), or $BLASTGRAPH_BIN.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
roles="${1:-200}"
aws_managed="${2:-0}"
venv="${BLASTGRAPH_VENV:-$repo/.venv}"
pvenv="${BLASTGRAPH_PMAPPER_VENV:-$repo/.venv-pmapper}"
bash "$repo/tests/moto/setup.sh" >/dev/null

if [ ! -x "$pvenv/bin/pmapper" ]; then
    python3 -m venv "$pvenv"
    "$pvenv/bin/python" -m pip install --quiet --disable-pip-version-check principalmapper==1.1.5
fi
fix="$("$pvenv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/principalmapper/util/case_insensitive_dict.py"
sed -i 's/^from collections import Mapping, MutableMapping, OrderedDict$/from collections import OrderedDict\nfrom collections.abc import Mapping, MutableMapping/' "$fix"
# moto omits PolicyName in GAAD's Policies (real AWS has it); PMapper needs it: take it
# from the ARN for managed policies (line 140 of gathering.py in 1.1.5).
gathering="$(dirname "$(dirname "$fix")")/graphing/gathering.py"
sed -i "140s/p\['PolicyName'\],/p.get('PolicyName', p['Arn'].split('\/')[-1]),/" "$gathering"

if [ -n "${BLASTGRAPH_BIN:-}" ]; then
    bin="$BLASTGRAPH_BIN"
else
    # The dev profile: a release build of the AWS SDK takes far longer than collection.
    (cd "$repo" && cargo build --quiet -p blastgraph)
    bin="${CARGO_TARGET_DIR:-$repo/target}/debug/blastgraph"
fi

work="$(mktemp -d)"; echo "work dir: $work"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
endpoint="http://127.0.0.1:$port"
until curl -s "$endpoint/moto-api/" >/dev/null; do sleep 0.2; done

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
"$venv/bin/python" "$repo/tests/moto/populate.py" "$endpoint" --roles "$roles" \
    --aws-managed "$aws_managed" >/dev/null
requests() { grep -c '" [0-9][0-9][0-9] ' "$work/moto.log" || true; }
now() { date +%s.%N; }
secs() { printf '%.2f' "$(echo "$2 - $1" | bc)"; }

echo "moto, $roles bulk roles with $aws_managed AWS managed policies each; $(nproc) cores"
echo "blastgraph: $bin"

# blastgraph, every enabled region (moto enables all of its regions).
r0=$(requests); t0=$(now)
"$bin" collect --quiet --endpoint-url "$endpoint" --region us-east-1 -o "$work/snap.bgs" 2>"$work/collect.log"
t1=$(now); r1=$(requests)
"$bin" what-can-reach secretsmanager:GetSecretValue --snapshot "$work/snap.bgs" --format json >"$work/reach.json"
t2=$(now); r2=$(requests)
bg_total=$(echo "$t2 - $t0" | bc)
echo "blastgraph collect: $(secs "$t0" "$t1") s, $((r1 - r0)) requests ($(grep -o 'with [0-9]* API requests' "$work/collect.log"))"
echo "blastgraph what-can-reach: $(secs "$t1" "$t2") s, $((r2 - r1)) requests, $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$work/reach.json") findings"
echo "blastgraph total: $(printf '%.2f' "$bg_total") s"

# PMapper, its own region sweep.
export PMAPPER_STORAGE="$work/pmapper"
r0=$(requests); t0=$(now)
"$pvenv/bin/pmapper" graph create --localstack-endpoint "$endpoint" >"$work/pmapper-create.log" 2>&1
t1=$(now); r1=$(requests)
"$pvenv/bin/pmapper" --account 123456789012 query "who can do secretsmanager:GetSecretValue with *" >"$work/pmapper-query.log" 2>&1
t2=$(now); r2=$(requests)
pm_total=$(echo "$t2 - $t0" | bc)
echo "pmapper graph create: $(secs "$t0" "$t1") s, $((r1 - r0)) requests"
echo "pmapper query: $(secs "$t1" "$t2") s, $((r2 - r1)) requests, $(grep -c 'IS authorized' "$work/pmapper-query.log" || true) principals"
echo "pmapper total: $(printf '%.2f' "$pm_total") s"
echo "ratio pmapper / blastgraph: $(printf '%.1f' "$(echo "$pm_total / $bg_total" | bc -l)")"
