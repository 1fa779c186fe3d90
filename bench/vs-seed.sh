#!/usr/bin/env bash
# Times sek against the original Python sek (PyPI sek==0.0.16) on the same clusters of one moto
# environment, in the same run, and prints the ratio of wall times per cluster.
#
#   bench/vs-seed.sh [CLUSTERS]        (default 10: half compliant, half not)
#
# Needs: a release build (cargo build --release -p sek), hyperfine (Debian: apt-get install
# hyperfine), GNU time (/usr/bin/time, Debian: time) and Python 3. It installs moto (scripts/setup-test-env.sh) and the original sek in
# bench/.venv-seed. Both tools scan the same clusters through the same loopback moto server; the
# emulator answers in about a millisecond, so this measures each tool's own cost per cluster
# (start-up, API calls it makes, evaluation), not network latency.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clusters="${1:-10}"
runs="${RUNS:-10}"
sek="${SEK_BIN:-$root/target/release/sek}"

command -v hyperfine >/dev/null || { echo "error: hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
[ -x "$sek" ] || { echo "error: $sek missing: run cargo build --release -p sek" >&2; exit 1; }
"$root/scripts/setup-test-env.sh"
seed_venv="$root/bench/.venv-seed"
if [ ! -x "$seed_venv/bin/sek" ]; then
  python3 -m venv "$seed_venv"
  "$seed_venv/bin/pip" install --quiet --disable-pip-version-check sek==0.0.16
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$root/.venv/bin/python" "$root/tests/moto/server.py" ${FAST_LOOKUPS---fast-lookups} -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null' EXIT
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

specs=()
names=()
for i in $(seq -w 1 "$clusters"); do
  if (( 10#$i % 2 )); then scenario=secure; else scenario=insecure; fi
  specs+=("$scenario:bench-$i")
  names+=("bench-$i")
done
"$root/.venv/bin/python" "$root/tests/moto/fixtures.py" --endpoint "http://127.0.0.1:$port" build "${specs[@]}" >/dev/null

export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 AWS_EC2_METADATA_DISABLED=true NO_COLOR=1

list="${names[*]}"
all_checks="$("$sek" checks list --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
out="$(mktemp -d)"
hyperfine --warmup 1 --runs "$runs" -N --ignore-failure --export-json "$out/times.json" \
  -n "sek (Rust), original invocation, a run per cluster" "sh -c 'for c in $list; do $sek --cloud aws --resource eks --name \$c >/dev/null; done'" \
  -n "sek (Rust), full scan, a run per cluster" "sh -c 'for c in $list; do $sek scan --cluster \$c >/dev/null; done'" \
  -n "sek (Rust), full scan, one run for all" "$sek scan --cluster $list" \
  -n "sek 0.0.16 (Python)" "sh -c 'for c in $list; do $seed_venv/bin/sek --cloud aws --resource eks --name \$c >/dev/null; done'"

# API calls of one cluster of each kind: the original invocation's ten checks, and every check.
seed_list="$(python3 -c 'print(",".join(["service-logging","service-secrets","service-endpoint","service-endpoint-firewall","service-sgs","node-imds","node-volumes","node-sgs","node-private","node-role"]))')"
"$sek" collect --cluster bench-01 --checks "$seed_list" -o "$out/seed-secure.json" 2>/dev/null
"$sek" collect --cluster bench-02 --checks "$seed_list" -o "$out/seed-insecure.json" 2>/dev/null
"$sek" collect --cluster bench-01 -o "$out/one.json" 2>/dev/null
# Peak resident memory of one scan of one cluster, and of one run over all of them (GNU time).
peak() { /usr/bin/time -f %M "$@" >/dev/null 2>"$out/time.txt" || true; tail -1 "$out/time.txt"; }
mem_seed_rust="$(peak "$sek" --cloud aws --resource eks --name bench-01)"
mem_each="$(peak "$sek" scan --cluster bench-01)"
mem_fleet="$(peak "$sek" scan --cluster ${names[*]})"
mem_seed="$(peak "$seed_venv/bin/sek" --cloud aws --resource eks --name bench-01)"
python3 - "$out" "$clusters" "$all_checks" "$mem_seed_rust" "$mem_each" "$mem_fleet" "$mem_seed" <<'PY'
import json, sys
out = sys.argv[1]
times = {r["command"]: r for r in json.load(open(f"{out}/times.json"))["results"]}
calls = lambda name: json.load(open(f"{out}/{name}.json"))["meta"]["api_calls"]
n, checks = int(sys.argv[2]), int(sys.argv[3])
mem_seed_rust, mem_each, mem_fleet, mem_seed = (int(m) / 1024 for m in sys.argv[4:8])
seed_rust = times["sek (Rust), original invocation, a run per cluster"]
each = times["sek (Rust), full scan, a run per cluster"]
fleet = times["sek (Rust), full scan, one run for all"]
seed = times["sek 0.0.16 (Python)"]
ms = lambda r, key="median": r[key] / n * 1000
cpu = lambda r: (r["user"] + r["system"]) / n * 1000
print()
print(f"{n} clusters, per cluster (median of runs; CPU = user + system, mean):")
print(f"{'':52} {'wall':>8} {'CPU':>8} {'peak':>7} {'calls':>12}")
print(f"{'sek, original invocation (10 checks), a run each':52} {ms(seed_rust):6.1f}ms {cpu(seed_rust):6.1f}ms {mem_seed_rust:5.0f}MB "
      f"{calls('seed-secure'):>5} / {calls('seed-insecure'):<5}")
print(f"{'sek, full scan (' + str(checks) + ' checks), a run each':52} {ms(each):6.1f}ms {cpu(each):6.1f}ms {mem_each:5.0f}MB {calls('one'):>5}")
print(f"{'sek, full scan, one run for all clusters':52} {ms(fleet):6.1f}ms {cpu(fleet):6.1f}ms {mem_fleet:5.0f}MB")
print(f"{'sek 0.0.16 (Python, 5 checks, 2 calls)':52} {ms(seed):6.1f}ms {cpu(seed):6.1f}ms {mem_seed:5.0f}MB")
print(f"ratio Python / sek, original invocation : {seed['median'] / seed_rust['median']:5.1f}x wall, {cpu(seed) / cpu(seed_rust):5.1f}x CPU")
print(f"ratio Python / sek, full scan, a run each: {seed['median'] / each['median']:5.1f}x wall")
print(f"ratio Python / sek, full scan, one run   : {seed['median'] / fleet['median']:5.1f}x wall")
print("(calls of the original invocation: a compliant cluster / a non-compliant one)")
PY
