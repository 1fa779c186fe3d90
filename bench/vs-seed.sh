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
out="$(mktemp -d)"
hyperfine --warmup 1 --runs "$runs" -N --ignore-failure --export-json "$out/times.json" \
  -n "sek (Rust), one run per cluster" "sh -c 'for c in $list; do $sek scan --cluster \$c >/dev/null; done'" \
  -n "sek (Rust), one run for all" "$sek scan --cluster $list" \
  -n "sek 0.0.16 (Python)" "sh -c 'for c in $list; do $seed_venv/bin/sek --cloud aws --resource eks --name \$c >/dev/null; done'"

"$sek" collect --cluster bench-01 -o "$out/one.json" 2>/dev/null
# Peak resident memory of one scan of one cluster, and of one run over all of them (GNU time).
peak() { /usr/bin/time -f %M "$@" >/dev/null 2>"$out/time.txt" || true; tail -1 "$out/time.txt"; }
mem_each="$(peak "$sek" scan --cluster bench-01)"
mem_fleet="$(peak "$sek" scan --cluster ${names[*]})"
mem_seed="$(peak "$seed_venv/bin/sek" --cloud aws --resource eks --name bench-01)"
checks="$("$sek" checks list --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
python3 - "$out/times.json" "$out/one.json" "$clusters" "$checks" "$mem_each" "$mem_fleet" "$mem_seed" <<'PY'
import json, sys
times = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
calls = json.load(open(sys.argv[2]))["meta"]["api_calls"]
n, checks = int(sys.argv[3]), int(sys.argv[4])
mem_each, mem_fleet, mem_seed = (int(m) / 1024 for m in sys.argv[5:8])
each, fleet = times["sek (Rust), one run per cluster"], times["sek (Rust), one run for all"]
seed = times["sek 0.0.16 (Python)"]
print()
print(f"{n} clusters, per cluster (median of runs):")
print(f"  sek, a run per cluster ({checks} checks, {calls} API calls) : {each['median'] / n * 1000:7.1f} ms")
print(f"  sek, one run for all clusters                  : {fleet['median'] / n * 1000:7.1f} ms")
print(f"  sek 0.0.16 (Python, 5 checks, 2 calls)         : {seed['median'] / n * 1000:7.1f} ms")
print(f"  ratio Python / sek, a run per cluster          : {seed['median'] / each['median']:7.1f}x")
print(f"  ratio Python / sek, one run                    : {seed['median'] / fleet['median']:7.1f}x")
print(f"peak memory: sek one cluster {mem_each:.0f} MB, sek all {n} clusters {mem_fleet:.0f} MB, "
      f"sek 0.0.16 one cluster {mem_seed:.0f} MB")
PY
