#!/usr/bin/env bash
# Export what sek reads of a cluster's Kubernetes side, for `sek scan --k8s-dir DIR` on a machine
# without access to the cluster. One file per kind, named after the kind (sek tells an empty list
# by its file name). Reads only: get/list. Secrets are not exported; of the ConfigMaps only
# kube-system/aws-auth is.
#
#   scripts/k8s-export.sh DIR [kubectl flags, e.g. --context prod]
set -euo pipefail

dir="${1:?usage: $0 DIR [kubectl flags]}"
shift
mkdir -p "$dir"
kinds=(
  namespaces pods serviceaccounts services
  deployments.apps daemonsets.apps statefulsets.apps replicasets.apps
  jobs.batch cronjobs.batch
  roles.rbac.authorization.k8s.io clusterroles.rbac.authorization.k8s.io
  rolebindings.rbac.authorization.k8s.io clusterrolebindings.rbac.authorization.k8s.io
  networkpolicies.networking.k8s.io ingresses.networking.k8s.io
  validatingwebhookconfigurations.admissionregistration.k8s.io
  mutatingwebhookconfigurations.admissionregistration.k8s.io
  customresourcedefinitions.apiextensions.k8s.io csidrivers.storage.k8s.io nodes
  storageclasses.storage.k8s.io
)
for kind in "${kinds[@]}"; do
  if ! kubectl get "$kind" --all-namespaces -o json "$@" > "$dir/$kind.json"; then
    echo "warning: could not list $kind; sek will report the checks that need it as errors" >&2
    rm -f "$dir/$kind.json"
  fi
done
# Karpenter's and EKS Auto Mode's kinds, when their CRDs are installed (sek reads a kind whose CRD
# is not in customresourcedefinitions.json as having no objects).
for kind in ec2nodeclasses.karpenter.k8s.aws nodepools.karpenter.sh nodeclasses.eks.amazonaws.com; do
  if ! kubectl get "$kind" -o json "$@" > "$dir/$kind.json" 2>/dev/null; then
    rm -f "$dir/$kind.json"
  fi
done
# The kube-system ConfigMaps sek reads, by name; either may not exist (access entries only, no
# kube-proxy): a List of those found says the others were looked for.
{
  echo '{"apiVersion":"v1","kind":"List","items":['
  first=1
  for name in aws-auth kube-proxy-config; do
    if body="$(kubectl get configmap "$name" -n kube-system -o json "$@" 2>/dev/null)"; then
      [ "$first" = 1 ] || echo ","
      first=0
      printf '%s\n' "$body"
    fi
  done
  echo ']}'
} > "$dir/configmaps.json"
# Each kubelet's effective configuration (needs get on nodes/proxy), as {"<node>": <configz>}.
{
  echo "{"
  first=1
  for node in $(kubectl get nodes -o jsonpath='{.items[*].metadata.name}' "$@"); do
    if body="$(kubectl get --raw "/api/v1/nodes/$node/proxy/configz" "$@" 2>/dev/null)"; then
      [ "$first" = 1 ] || echo ","
      first=0
      printf '"%s": %s\n' "$node" "$body"
    else
      echo "warning: could not read the kubelet configuration of $node (nodes/proxy)" >&2
    fi
  done
  echo "}"
} > "$dir/configz.json"
echo "exported to $dir; scan with: sek scan --k8s-dir $dir (add --snapshot FILE for the AWS side)"
