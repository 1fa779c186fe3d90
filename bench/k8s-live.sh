#!/usr/bin/env bash
# Reading a large cluster's Kubernetes side from a real kube-apiserver: sek's live collection
# against `kubectl get <the kinds sek reads> -A -o json`, with kubectl built from the same
# Kubernetes release as the API server, measured in the same run.
#
#   bench/k8s-live.sh [NAMESPACES PODS RBAC]      (default 5000 50000 20000)
#
# The synthetic cluster (bench/k8s-synthetic.py) is loaded through the API into the test control
# plane (tests/kube/cluster.py: kube-apiserver on etcd, built by scripts/setup-test-env.sh); moto
# gives sek the cluster's endpoint, and sek reads it with its own EKS token as a member of
# `sek-readers` (its ClusterRole). sek's AWS side is timed alone too (--no-kubernetes), so its
# Kubernetes side is the difference. kubectl reads as an administrator (client certificate), with
# its default 500-object pages.
#
# Needs: scripts/setup-test-env.sh (moto, kube-apiserver, etcd), a release build
# (cargo build --release -p sek), Go (kubectl is built here), hyperfine and GNU time (Debian:
# apt-get install hyperfine time).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sek="${SEK_BIN:-$root/target/release/sek}"
runs="${RUNS:-3}"
venv="$root/.venv"
command -v hyperfine >/dev/null || { echo "error: hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "error: GNU time is required (apt-get install time)" >&2; exit 1; }
[ -x "$sek" ] || { echo "error: $sek missing: run cargo build --release -p sek" >&2; exit 1; }
[ -x "$venv/bin/kube-apiserver" ] || { echo "error: run scripts/setup-test-env.sh first" >&2; exit 1; }

# kubectl from the API server's module set, cached beside it.
kubectl="$(dirname "$(readlink -f "$venv/bin/kube-apiserver")")/kubectl"
if [ ! -x "$kubectl" ]; then
  echo "building kubectl..." >&2
  (cd "$root/tests/kube/apiserver" && go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$kubectl" k8s.io/kubernetes/cmd/kubectl)
fi

work="$(mktemp -d)"
cleanup() {
  [ -n "${keepalive:-}" ] && kill "$keepalive" 2>/dev/null
  [ -n "${moto:-}" ] && kill "$moto" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
python3 "$root/bench/k8s-synthetic.py" "$work/export" --namespaces "${1:-5000}" --pods "${2:-50000}" --rbac "${3:-20000}"

# The control plane, loaded with the synthetic cluster (it stops when its stdin closes).
mkfifo "$work/stdin"
"$venv/bin/python" "$root/tests/kube/cluster.py" --apiserver "$venv/bin/kube-apiserver" --etcd "$venv/bin/etcd" \
  --objects "$work/export" --configz "" --bulk 0 < "$work/stdin" > "$work/cluster.json" &
launcher=$!
sleep infinity > "$work/stdin" &
keepalive=$!
started=$(date +%s)
until [ -s "$work/cluster.json" ]; do
  sleep 1
  kill -0 "$launcher" 2>/dev/null || { echo "error: the control plane did not start (above)" >&2; exit 1; }
done
loaded_s=$(( $(date +%s) - started ))
field() { python3 -c "import json,sys; print(json.load(open('$work/cluster.json'))$1)"; }
apiserver="$(field "['apiserver']")"; control="$(field "['control']")"

# moto with one cluster whose endpoint and CA are the control plane's; an IAM user let in.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "import json; d=json.load(open('$work/cluster.json')); json.dump({'bench': {'endpoint': d['apiserver'], 'ca': d['ca_data']}}, open('$work/endpoints.json','w'))"
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$venv/bin/python" "$root/tests/moto/server.py" -H 127.0.0.1 -p "$port" \
  --eks-endpoints "$work/endpoints.json" > "$work/moto.log" 2>&1 &
moto=$!
endpoint="http://127.0.0.1:$port"
until curl -s "$endpoint" >/dev/null; do sleep 0.2; done
"$venv/bin/python" "$root/tests/moto/fixtures.py" --endpoint "$endpoint" build empty:bench > /dev/null
"$venv/bin/python" "$root/tests/moto/fixtures.py" --endpoint "$endpoint" user --name sek-bench > "$work/user.json"
key="$(python3 -c "import json; print(json.load(open('$work/user.json'))['access_key_id'])")"
secret="$(python3 -c "import json; print(json.load(open('$work/user.json'))['secret_access_key'])")"
arn="$(python3 -c "import json; print(json.load(open('$work/user.json'))['arn'])")"
curl -s -X POST "$control/clusters" -d "{\"name\": \"bench\", \"entries\": [{\"arn\": \"$arn\", \"groups\": [\"sek-readers\"]}]}" > /dev/null

cat > "$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: bench, cluster: {server: "$apiserver", certificate-authority: "$(field "['ca']")"}}]
users: [{name: admin, user: {client-certificate: "$(field "['admin_cert']")", client-key: "$(field "['admin_key']")"}}]
contexts: [{name: bench, context: {cluster: bench, user: admin}}]
current-context: bench
EOF
kinds="namespaces,pods,deployments.apps,daemonsets.apps,statefulsets.apps,replicasets.apps,jobs.batch,cronjobs.batch,serviceaccounts,roles.rbac.authorization.k8s.io,clusterroles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io,clusterrolebindings.rbac.authorization.k8s.io,networkpolicies.networking.k8s.io,services,ingresses.networking.k8s.io,customresourcedefinitions.apiextensions.k8s.io,csidrivers.storage.k8s.io,storageclasses.storage.k8s.io,nodes"
cat > "$work/kubectl.sh" <<EOF
#!/bin/sh
"$kubectl" --kubeconfig "$work/kubeconfig" get $kinds -A -o json > /dev/null
EOF
cat > "$work/sek.sh" <<EOF
#!/bin/sh
env -i PATH="\$PATH" HOME="$work" AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL="$endpoint" AWS_REGION=eu-west-1 \
  AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" KUBECONFIG=/nonexistent \
  "$sek" collect --cluster bench --kubelet-timeout 2 -o "$work/snap.json" "\$@" 2>/dev/null
EOF
chmod +x "$work/kubectl.sh" "$work/sek.sh"

"$work/sek.sh"   # warm moto and the token cache of the authenticator
pages="$(python3 -c "import json; print(json.load(open('$work/snap.json'))['meta']['api_calls_by_action']['k8s:list:pods'])")"
objects="$(python3 -c "
import json; k=json.load(open('$work/snap.json'))['clusters'][0]['kubernetes']
assert not k['gaps'], k['gaps']
print(sum(len(k.get(f) or []) for f in ['namespaces','service_accounts','roles','role_bindings','network_policies','services']), sum(w['pods'] for w in k['workloads']))")"
hyperfine --warmup 1 --runs "$runs" -N --export-json "$work/times.json" \
  -n "kubectl get (the same kinds) -A -o json" "$work/kubectl.sh" \
  -n "sek collect (AWS and Kubernetes)" "$work/sek.sh" \
  -n "sek collect --no-kubernetes (AWS only)" "$work/sek.sh --no-kubernetes" >&2
peak() { /usr/bin/time -f "%M" -o "$work/peak" "$@" >/dev/null 2>&1 || true; echo $(( $(cat "$work/peak") / 1024 )); }
mem_kubectl="$(peak "$work/kubectl.sh")"
mem_sek="$(peak "$work/sek.sh")"
mem_aws="$(peak "$work/sek.sh" --no-kubernetes)"

python3 - "$work/times.json" "$mem_kubectl" "$mem_sek" "$mem_aws" "$loaded_s" "$objects" "$pages" "$(nproc)" <<'PY'
import json, sys
t = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
mem_kubectl, mem_sek, mem_aws, loaded_s, objects, pages, cores = sys.argv[2:]
kubectl = t["kubectl get (the same kinds) -A -o json"]
full = t["sek collect (AWS and Kubernetes)"]
aws = t["sek collect --no-kubernetes (AWS only)"]
kube = full - aws
n_objects, n_pods = objects.split()
print(f"\nloaded through the API in {loaded_s} s; sek read {n_pods} pods ({pages} pages of pods) and {n_objects} other objects; {cores} cores")
print(f"{'':44} {'median':>9} {'peak RSS':>9}")
print(f"{'kubectl get (same kinds) -A -o json':44} {kubectl*1000:7.0f} ms {mem_kubectl:>6} MB")
print(f"{'sek collect, AWS and Kubernetes':44} {full*1000:7.0f} ms {mem_sek:>6} MB")
print(f"{'sek collect --no-kubernetes (AWS only)':44} {aws*1000:7.0f} ms {mem_aws:>6} MB")
print(f"{'sek Kubernetes side (difference)':44} {kube*1000:7.0f} ms")
print(f"sek's Kubernetes side against kubectl: {kubectl/kube:.2f}x faster; whole collect {kubectl/full:.2f}x; "
      f"peak memory {int(mem_kubectl)/int(mem_sek):.1f}x smaller")
PY
