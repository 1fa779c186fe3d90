#!/usr/bin/env bash
# The fleet benchmark: one moto fleet (CLUSTERS EKS clusters of NODES nodes each, with node
# groups, launch templates, security groups, IAM roles, KMS keys, logs), scanned in the same run
# by sek, by Prowler (its EKS checks and the EKS-relevant EC2 checks) and by the original Python
# sek looped over the clusters; each behind a loopback proxy that holds every request DELAY ms
# (bench/delay_proxy.py), for each DELAY in DELAYS.
#
#   bench/fleet.sh [CLUSTERS] [NODES]        (default: 200 clusters of 20 nodes)
#
# Then, so that the emulator's one-request-at-a-time service is not what is measured, each tool
# is run again behind the proxy with --replay: answers the emulator gave to the tool's first run
# are served from memory, in parallel, after REPLAY_DELAY ms (as AWS serves reads).
#
# Environment: DELAYS (default "0 30", milliseconds), REPLAY_DELAY (default 30; empty: no
# replayed runs), SEK_BIN (default target/release/sek), SEK_RUNS (sek runs per delay, median
# taken; default 3), SKIP_PROWLER=1, SKIP_SEED=1.
#
# Needs a release build (cargo build --release -p sek), GNU time (/usr/bin/time, Debian: time)
# and Python 3. Installs moto (scripts/setup-test-env.sh), Prowler (bench/.venv-prowler) and
# the original sek (bench/.venv-seed).
#
# The emulator: moto 5.2.x looks up an EC2 resource's tags by scanning every tag of every
# resource, so a tag-filtered DescribeInstances over thousands of nodes takes tens of seconds
# and this fleet would take hours to scan. The launcher's --fast-lookups replaces that scan with
# a dictionary lookup by resource id, and narrows tag- and id-filtered DescribeInstances and
# id-filtered DescribeVolumes through dictionaries before moto's own filter runs (same results,
# see tests/moto/server.py). moto still serves one request at a time: its CPU time during each
# tool's run is reported, and where it is close to the tool's wall time, the emulator, not the
# tool, is the limit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clusters="${1:-200}"
nodes="${2:-20}"
delays="${DELAYS:-0 30}"
replay_delay="${REPLAY_DELAY-30}"
sek="${SEK_BIN:-$root/target/release/sek}"
sek_runs="${SEK_RUNS:-3}"
region=eu-west-1

[ -x "$sek" ] || { echo "error: $sek missing: run cargo build --release -p sek" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "error: GNU time is required (apt-get install time)" >&2; exit 1; }
"$root/scripts/setup-test-env.sh"
if [ -z "${SKIP_SEED:-}" ] && [ ! -x "$root/bench/.venv-seed/bin/sek" ]; then
  python3 -m venv "$root/bench/.venv-seed"
  "$root/bench/.venv-seed/bin/pip" install --quiet --disable-pip-version-check sek==0.0.16
fi
if [ -z "${SKIP_PROWLER:-}" ] && [ ! -x "$root/bench/.venv-prowler/bin/prowler" ]; then
  python3 -m venv "$root/bench/.venv-prowler"
  "$root/bench/.venv-prowler/bin/pip" install --quiet --disable-pip-version-check prowler==5.46.0
fi

out="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

moto_port="$(free_port)"
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$root/.venv/bin/python" "$root/tests/moto/server.py" --fast-lookups \
  -H 127.0.0.1 -p "$moto_port" >"$out/moto.log" 2>&1 &
moto_pid=$!
proxy_pid=""
trap 'kill $moto_pid $proxy_pid 2>/dev/null || true' EXIT
wait_port "$moto_port"

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=$region
export AWS_DEFAULT_REGION=$region AWS_EC2_METADATA_DISABLED=true NO_COLOR=1
echo "building $clusters clusters of $nodes nodes on moto..." >&2
started=$(date +%s)
"$root/.venv/bin/python" "$root/bench/fleet-build.py" --endpoint "http://127.0.0.1:$moto_port" \
  --region $region --clusters "$clusters" --nodes "$nodes" >"$out/names.txt"
echo "built in $(( $(date +%s) - started )) s" >&2

# What sek reads, to count distinct resources.
AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port" "$sek" collect --all-clusters --no-kubernetes \
  -o "$out/fleet.snapshot.json" 2>/dev/null

moto_cpu() { awk '{ print $14 + $15 }' "/proc/$moto_pid/stat"; }
ticks="$(getconf CLK_TCK)"
prowler_checks="eks_cluster_deletion_protection_enabled eks_cluster_kms_cmk_encryption_in_secrets_enabled
eks_cluster_network_policy_enabled eks_cluster_not_publicly_accessible eks_cluster_private_nodes_enabled
eks_cluster_uses_a_supported_version eks_cluster_vpc_cni_network_policy_enforced
eks_control_plane_logging_all_types_enabled ec2_instance_imdsv2_enabled ec2_launch_template_imdsv2_required
ec2_ebs_volume_encryption ec2_ebs_default_encryption ec2_instance_public_ip ec2_instance_profile_attached
ec2_securitygroup_allow_ingress_from_internet_to_all_ports ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22
ec2_instance_older_than_specific_days"

# run NAME LABEL COMMAND...: one timed run through the proxy; appends a result line.
run() {
  local name="$1" label="$2"; shift 2
  curl -s -X POST "http://127.0.0.1:$proxy_port/__proxy/reset" >/dev/null
  local before; before="$(moto_cpu)"
  /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || true
  local after; after="$(moto_cpu)"
  local requests replayed
  read -r requests replayed < <(curl -s "http://127.0.0.1:$proxy_port/__proxy/stats" |
    python3 -c 'import json,sys; s = json.load(sys.stdin); print(s["requests"], s["replayed"])')
  read -r wall rss user system < <(tail -1 "$out/time.txt")
  [ -n "${WARMUP:-}" ] ||
    echo "$name|$label|$wall|$rss|$requests|$(( after - before ))|$user|$system" >>"$out/results.txt"
  echo "  $name${WARMUP:+ (recording)}: ${wall} s, $(( rss / 1024 )) MB, $requests requests" \
    "($replayed replayed), emulator busy $(( (after - before) / ticks )) s" >&2
}

# each_tool LABEL RUNS: sek RUNS times, then Prowler and the looped original sek once.
each_tool() {
  local label="$1" runs="$2"
  for _ in $(seq "$runs"); do
    run sek "$label" "$sek" scan --all-clusters --no-kubernetes --fail-on none -f json
  done
  if [ -z "${SKIP_PROWLER:-}" ]; then
    # shellcheck disable=SC2086
    run prowler "$label" "$root/bench/.venv-prowler/bin/prowler" aws -f $region --checks $prowler_checks \
      --output-formats json-ocsf -o "$out/prowler" --no-banner
  fi
  if [ -z "${SKIP_SEED:-}" ]; then
    run "seed sek" "$label" sh -c "while read -r c; do '$root/bench/.venv-seed/bin/sek' --cloud aws --resource eks --name \"\$c\"; done <'$out/names.txt'"
  fi
}

# start_proxy DELAY [--replay]
start_proxy() {
  local port_file="$out/proxy.port"
  rm -f "$port_file"
  python3 "$root/bench/delay_proxy.py" --upstream "http://127.0.0.1:$moto_port" --delay-ms "$@" >"$port_file" &
  proxy_pid=$!
  for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.1; done
  proxy_port="$(cat "$port_file")"
  wait_port "$proxy_port"
  export AWS_ENDPOINT_URL="http://127.0.0.1:$proxy_port"
}

stop_proxy() { kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=""; }

for delay in $delays; do
  start_proxy "$delay"
  echo "delay $delay ms:" >&2
  each_tool "$delay ms" "$sek_runs"
  stop_proxy
done

# The emulator answers one request at a time; AWS does not. Each tool runs once to record the
# emulator's answers, then is measured with every read it repeats answered from memory, in
# parallel, after the same delay (bench/delay_proxy.py --replay).
if [ -n "$replay_delay" ]; then
  start_proxy "$replay_delay" --replay
  echo "delay $replay_delay ms, answers replayed:" >&2
  WARMUP=1 each_tool "" 1
  each_tool "$replay_delay ms, replayed" "$sek_runs"
  stop_proxy
fi

python3 - "$out/results.txt" "$out/fleet.snapshot.json" "$clusters" "$nodes" "$ticks" <<'PY'
import json, statistics, sys
rows = [line.strip().split("|") for line in open(sys.argv[1])]
snapshot = json.load(open(sys.argv[2]))
clusters, nodes, ticks = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def resources(obj, skip=("gaps", "kubernetes", "name", "region", "account_id", "partition")):
    """Distinct resources read: every item of every list in the inventory (nodes, groups,
    volumes, roles, templates, trails...), plus each cluster itself."""
    return sum(len(v) for k, v in obj.items() if isinstance(v, list) and k not in skip)

distinct = sum(1 + resources(c) for c in snapshot["clusters"])
distinct += sum(resources(r) for r in snapshot["regions"]) + sum(resources(a) for a in snapshot["accounts"])

by = {}
for name, delay, wall, rss, requests, busy, user, system in rows:
    by.setdefault((name, delay), []).append(
        (float(wall), int(rss), int(requests), int(busy) / ticks, float(user) + float(system))
    )
print(f"\nFleet: {clusters} clusters x {nodes} nodes on moto (one region); {distinct} distinct resources read by sek.\n")
print("| each request held | tool | wall (s) | emulator busy (s) | tool's own CPU (s) | peak memory (MB) | API calls | calls / resource | sek faster by (wall) | sek's CPU smaller by |")
print("|---|---|---|---|---|---|---|---|---|---|")
for delay in dict.fromkeys(d for _, d in by):  # in the order measured
    sek = by.get(("sek", delay))
    sek_wall = statistics.median(w for w, *_ in sek) if sek else None
    sek_cpu = statistics.median(c for *_, c in sek) if sek else None
    for name in ("sek", "prowler", "seed sek"):
        runs = by.get((name, delay))
        if not runs:
            continue
        wall = statistics.median(w for w, *_ in runs)
        rss = max(r for _, r, *_ in runs) / 1024
        requests = statistics.median(q for _, _, q, *_ in runs)
        busy = statistics.median(b for *_, b, _ in runs)
        cpu = statistics.median(c for *_, c in runs)
        wall_ratio = "1.0x" if name == "sek" or not sek_wall else f"{wall / sek_wall:.1f}x"
        cpu_ratio = "1.0x" if name == "sek" or not sek_cpu else f"{cpu / sek_cpu:.0f}x"
        print(
            f"| {delay} | {name} | {wall:.1f} | {busy:.1f} | {cpu:.1f} | {rss:.0f} | {requests:.0f} "
            f"| {requests / distinct:.2f} | {wall_ratio} | {cpu_ratio} |"
        )
PY
echo "raw results: $out/results.txt" >&2
