#!/usr/bin/env bash
# Side by side on one populated moto server: `blastgraph collect` and PMapper 1.1.5
# (`graph create` then `query "who can do secretsmanager:GetSecretValue with *"`).
# Prints wall times and the number of HTTP requests each tool sent to moto (counted in
# moto's request log). A measurement, not a test.
#
#   bash tests/moto/compare_pmapper.sh [ROLES]     (default 200 roles)
#
# Needs tests/moto/setup.sh's .venv; installs PMapper into .venv-pmapper/ (with the
# one-line Python 3.10+ fix: collections.Mapping moved to collections.abc, and a
# tolerance for moto's missing PolicyName).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
roles="${1:-200}"
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

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true; rm -rf "$work"' EXIT
endpoint="http://127.0.0.1:$port"
until curl -s "$endpoint/moto-api/" >/dev/null; do sleep 0.2; done

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
"$venv/bin/python" "$repo/tests/moto/populate.py" "$endpoint" --roles "$roles" >/dev/null
requests() { grep -c '" [0-9][0-9][0-9] ' "$work/moto.log" || true; }

# BLASTGRAPH_PROFILE=dev measures a debug build (the SDK unoptimised).
profile="${BLASTGRAPH_PROFILE:-release}"
cargo build --quiet --profile "$profile" -p blastgraph
dir="$profile"; [ "$profile" = dev ] && dir=debug
bin="${CARGO_TARGET_DIR:-$repo/target}/$dir/blastgraph"

before=$(requests); start=$(date +%s.%N)
"$bin" collect --quiet --endpoint-url "$endpoint" --region us-east-1 -o "$work/snap.bgs"
end=$(date +%s.%N); after=$(requests)
echo "blastgraph collect (enabled regions): $(echo "$end - $start" | bc) s, $((after - before)) requests"

before=$(requests); start=$(date +%s.%N)
"$bin" collect --quiet --endpoint-url "$endpoint" --region us-east-1 --regions us-east-1 -o "$work/snap1.bgs"
end=$(date +%s.%N); after=$(requests)
echo "blastgraph collect --regions us-east-1: $(echo "$end - $start" | bc) s, $((after - before)) requests"

export PMAPPER_STORAGE="$work/pmapper"
before=$(requests); start=$(date +%s.%N)
"$pvenv/bin/pmapper" graph create --localstack-endpoint "$endpoint" >"$work/pmapper-create.log" 2>&1
mid=$(date +%s.%N); middle=$(requests)
"$pvenv/bin/pmapper" --account 123456789012 query "who can do secretsmanager:GetSecretValue with *" >"$work/pmapper-query.log" 2>&1
end=$(date +%s.%N); after=$(requests)
echo "pmapper graph create: $(echo "$mid - $start" | bc) s, $((middle - before)) requests"
echo "pmapper query: $(echo "$end - $mid" | bc) s, $((after - middle)) requests"
echo "pmapper query answer lines: $(wc -l <"$work/pmapper-query.log")"
