#!/usr/bin/env bash
# Evaluation at scale: a synthetic cluster of 50,000 pods, 5,000 namespaces and 20,000 RBAC
# objects (bench/k8s-synthetic.py), exported as kubectl JSON and turned into a snapshot by sek;
# then the snapshot is scanned with every check and, as the baseline measured in the same run,
# with every check skipped (reading and parsing the snapshot, rendering an empty report).
#
#   bench/k8s-scale.sh [NAMESPACES PODS RBAC]      (default 5000 50000 20000)
#
# Needs: a release build (cargo build --release -p sek), hyperfine (Debian: apt-get install
# hyperfine), GNU time (/usr/bin/time, Debian: time) and Python 3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sek="${SEK_BIN:-$root/target/release/sek}"
runs="${RUNS:-5}"
command -v hyperfine >/dev/null || { echo "error: hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "error: GNU time is required (apt-get install time)" >&2; exit 1; }
[ -x "$sek" ] || { echo "error: $sek missing: run cargo build --release -p sek" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$root/bench/k8s-synthetic.py" "$work/export" --namespaces "${1:-5000}" --pods "${2:-50000}" --rbac "${3:-20000}"

# The export -> snapshot step reads every pod object (the 50,000), folds them into workloads.
/usr/bin/time -f "%e %M" -o "$work/convert.time" "$sek" collect --k8s-dir "$work/export" -o "$work/snap.json" 2>/dev/null
read -r convert_s convert_kb < "$work/convert.time"

skip="$("$sek" checks list --format json | python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(sys.stdin)))')"
checks="$(echo "$skip" | wc -w)"
hyperfine --warmup 1 --runs "$runs" -N --export-json "$work/times.json" \
  -n "parse only (all checks skipped)" "$sek scan --snapshot $work/snap.json --fail-on none --skip $skip" \
  -n "parse + evaluate, text report" "$sek scan --snapshot $work/snap.json --fail-on none" \
  -n "parse + evaluate, JSON report" "$sek scan --snapshot $work/snap.json --fail-on none --format json"

# The scan's own measure of evaluation alone (-v logs it), median of $runs runs.
eval_ms="$(for _ in $(seq "$runs"); do "$sek" scan -v --snapshot "$work/snap.json" --fail-on none 2>&1 >/dev/null | sed -n 's/.*evaluated .* in \([0-9]*\) ms.*/\1/p'; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
parse_ms="$(for _ in $(seq "$runs"); do "$sek" scan -v --snapshot "$work/snap.json" --fail-on none --skip $skip 2>&1 >/dev/null | sed -n 's/.*read snapshot .* in \([0-9]*\) ms.*/\1/p'; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
peak() { /usr/bin/time -f "%M" -o "$work/peak" "$@" >/dev/null 2>&1 || true; echo $(( $(cat "$work/peak") / 1024 )); }
mem_parse="$(peak "$sek" scan --snapshot "$work/snap.json" --fail-on none --skip $skip)"
mem_text="$(peak "$sek" scan --snapshot "$work/snap.json" --fail-on none)"
mem_json="$(peak "$sek" scan --snapshot "$work/snap.json" --fail-on none --format json)"
findings="$("$sek" scan --snapshot "$work/snap.json" --fail-on none --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(sum(len(x["findings"]) for c in r["clusters"] for x in c["results"]))')"

python3 - "$work/times.json" "$convert_s" "$convert_kb" "$mem_parse" "$mem_text" "$mem_json" "$checks" "$findings" "$(du -m "$work/snap.json" | cut -f1)" "$eval_ms" "$parse_ms" "$(nproc)" <<'PY'
import json, sys
times = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
convert_s, convert_kb, mem_parse, mem_text, mem_json, checks, findings, snap_mb, eval_ms, parse_ms, cores = sys.argv[2:]
parse = times["parse only (all checks skipped)"]
print()
print(f"snapshot {snap_mb} MB; {checks} checks, {findings} findings")
print(f"export -> snapshot (50,000 pod objects read): {float(convert_s):.2f} s, peak {int(convert_kb)//1024} MB")
print(f"{'':38} {'median':>9} {'over parse':>11} {'ratio':>7} {'peak':>8}")
for name, mem in [("parse only (all checks skipped)", mem_parse), ("parse + evaluate, text report", mem_text), ("parse + evaluate, JSON report", mem_json)]:
    t = times[name]
    print(f"{name:38} {t*1000:7.0f} ms {(t-parse)*1000:8.0f} ms {t/parse:6.2f}x {mem:>5} MB")
print(f"evaluation alone (the scan's own timing, {cores} cores): {eval_ms} ms; reading the snapshot: {parse_ms} ms "
      f"(evaluation / parse = {int(eval_ms)/max(int(parse_ms),1):.2f})")
PY
