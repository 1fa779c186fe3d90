#!/usr/bin/env bash
# The vulnerability benchmark: how reading Amazon Inspector scales with the account's findings.
# One moto cluster of NODES nodes; Inspector first holds no findings (the baseline), then TOTAL
# active findings (default 10,000: ten per node of the cluster, the rest about 500 other
# instances of the account). In the same run it measures, with hyperfine (median of RUNS):
#
#   - sek collecting what vuln-nodes needs (--checks vuln-nodes --no-kubernetes), before and
#     after the findings were added: the ratio is what 10,000 findings cost a scan;
#   - the requests sek made (ListCoverage, ListFindings) against the account's size;
#   - a naive reader listing every active finding of the account, page by page (what a tool
#     that does not filter by resource reads), against sek's filtered read.
#
#   bench/vulnerabilities.sh [NODES] [TOTAL]      (default: 50 nodes, 10000 findings)
#
# Environment: SEK_BIN (default target/release/sek), RUNS (default 5).
# Needs a release build (cargo build --release -p sek), hyperfine and Python 3; installs moto
# (scripts/setup-test-env.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nodes="${1:-50}"
total="${2:-10000}"
runs="${RUNS:-5}"
sek="${SEK_BIN:-$root/target/release/sek}"
region=eu-west-1

[ -x "$sek" ] || { echo "error: $sek missing: run cargo build --release -p sek" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "error: hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
"$root/scripts/setup-test-env.sh"

out="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

port="$(free_port)"
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$root/.venv/bin/python" "$root/tests/moto/server.py" --fast-lookups \
  -H 127.0.0.1 -p "$port" >"$out/moto.log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
wait_port "$port"
endpoint="http://127.0.0.1:$port"

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=$region
export AWS_DEFAULT_REGION=$region AWS_EC2_METADATA_DISABLED=true NO_COLOR=1 AWS_ENDPOINT_URL="$endpoint"
cluster="$("$root/.venv/bin/python" "$root/bench/fleet-build.py" --endpoint "$endpoint" --region $region \
  --clusters 1 --nodes "$nodes" | head -1)"
"$root/.venv/bin/python" -c "
import sys; sys.path.insert(0, '$root/tests/moto'); import fixtures
env = fixtures.Env('$endpoint', '$region'); env.inspector.enable(accountIds=[env.account_id()], resourceTypes=['EC2'])"

scan=("$sek" collect --cluster "$cluster" --checks vuln-nodes --no-kubernetes -o "$out/snapshot.json")
calls() { python3 -c "
import json; c = json.load(open('$out/snapshot.json'))['meta']['api_calls_by_action']
print(c.get('inspector2:ListCoverage', 0), c.get('inspector2:ListFindings', 0), sum(c.values()))"; }
verdicts() { "$sek" scan --snapshot "$out/snapshot.json" --checks vuln-nodes -f json | python3 -c "
import json, sys, collections
r = json.load(sys.stdin)['clusters'][0]['results'][0]['findings']
print(dict(collections.Counter(f['status'] for f in r)))"; }

hyperfine --runs "$runs" --warmup 1 --export-json "$out/empty.json" "${scan[*]}" >/dev/null 2>&1
read -r coverage_empty findings_empty all_empty < <(calls)
echo "adding $total findings..." >&2
posted="$("$root/.venv/bin/python" "$root/bench/inspector-findings.py" --endpoint "$endpoint" --region $region \
  post --cluster "$cluster" --total "$total")"
hyperfine --runs "$runs" --warmup 1 --export-json "$out/full.json" "${scan[*]}" >/dev/null 2>&1
read -r coverage_full findings_full all_full < <(calls)
naive="$("$root/.venv/bin/python" "$root/bench/inspector-findings.py" --endpoint "$endpoint" --region $region read-all)"
median() { python3 -c "import json; print(json.load(open('$1'))['results'][0]['median'])"; }
cpu() { python3 -c "import json; r = json.load(open('$1'))['results'][0]; print(r['user'] + r['system'])"; }

python3 - "$(median "$out/empty.json")" "$(median "$out/full.json")" "$posted" "$naive" \
  "$coverage_empty" "$findings_empty" "$all_empty" "$coverage_full" "$findings_full" "$all_full" "$(verdicts)" \
  "$(cpu "$out/empty.json")" "$(cpu "$out/full.json")" <<'PY'
import json, sys
empty, full = float(sys.argv[1]), float(sys.argv[2])
cpu_empty, cpu_full = float(sys.argv[12]), float(sys.argv[13])
posted, naive = json.loads(sys.argv[3]), json.loads(sys.argv[4])
ce, fe, ae, cf, ff, af = map(int, sys.argv[5:11])
print(f"cluster of {posted['nodes']} nodes; Inspector holds {posted['total']} active findings, {posted['about_cluster']} about the cluster's nodes")
print(f"sek collect (vuln-nodes), median of runs: {empty:.3f} s with no findings, {full:.3f} s with {posted['total']}: x{full / empty:.2f}")
print(f"sek's own CPU (user + system, mean): {cpu_empty:.3f} s -> {cpu_full:.3f} s: x{cpu_full / cpu_empty:.2f} (the rest of the wall time is the emulator filtering {posted['total']} findings per request)")
print(f"sek's Inspector requests: ListCoverage {ce} -> {cf}, ListFindings {fe} -> {ff} (all requests {ae} -> {af})")
print(f"naive full read of the account's findings: {naive['pages']} ListFindings pages, {naive['findings']} findings, {naive['seconds']:.3f} s")
print(f"sek's filtered read: {ff} ListFindings requests, x{naive['pages'] / max(ff, 1):.1f} fewer than the naive read")
print(f"verdicts: {sys.argv[11]}")
PY
