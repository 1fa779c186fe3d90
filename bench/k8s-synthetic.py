#!/usr/bin/env python3
"""Write a synthetic cluster's Kubernetes side as a kubectl export (one file per kind), for
bench/k8s-scale.sh and bench/k8s-live.sh: NAMESPACES namespaces, PODS pods (Deployments with their
ReplicaSets and pods, plus bare pods), RBAC Roles, ClusterRoles and their bindings, service
accounts and network policies. The objects are valid API objects (bench/k8s-live.sh loads them
into a real kube-apiserver). Deterministic: the same arguments write the same files.

    bench/k8s-synthetic.py DIR [--namespaces 5000] [--pods 50000] [--rbac 20000]
"""
import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("--namespaces", type=int, default=5000)
parser.add_argument("--pods", type=int, default=50000)
parser.add_argument("--rbac", type=int, default=20000)
args = parser.parse_args()
os.makedirs(args.dir, exist_ok=True)

def meta(name, ns=None, **extra):
    team = int(ns[3:]) % 50 if ns else 0
    m = {"name": name, "uid": f"{ns}-{name}", "resourceVersion": "1",
         "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {"app": name, "team": f"t{team}"},
         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{" + "x" * 400 + "}"}}
    if ns:
        m["namespace"] = ns
    m.update(extra)
    return m

def pod_spec(i):
    hardened = i % 3 != 0
    c = {"name": "app", "image": f"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app{i % 200}:1.{i % 9}",
         "ports": [{"containerPort": 8080}], "env": [{"name": "MODE", "value": "prod"}],
         "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}} if hardened else {}}
    if hardened:
        c["securityContext"] = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]}}
    else:
        c["env"].append({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}})
    spec = {"containers": [c, {"name": "sidecar", "image": "envoyproxy/envoy:v1.31.0"}],
            "serviceAccountName": "app" if hardened else "default"}
    if hardened:
        spec["securityContext"] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    return spec

API_VERSIONS = {"Namespace": "v1", "Pod": "v1", "ServiceAccount": "v1", "Service": "v1",
                "Deployment": "apps/v1", "ReplicaSet": "apps/v1", "NetworkPolicy": "networking.k8s.io/v1",
                "Role": "rbac.authorization.k8s.io/v1", "ClusterRole": "rbac.authorization.k8s.io/v1",
                "RoleBinding": "rbac.authorization.k8s.io/v1", "ClusterRoleBinding": "rbac.authorization.k8s.io/v1"}
RBAC = "rbac.authorization.k8s.io"

def write(kind, items):
    for item in items:
        item["apiVersion"] = API_VERSIONS[item["kind"]]
    with open(os.path.join(args.dir, f"{kind}.json"), "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f, separators=(",", ":"))

namespaces = [f"ns-{i:05d}" for i in range(args.namespaces)]
write("namespaces", [{"kind": "Namespace", "metadata": meta(ns, labels={"pod-security.kubernetes.io/enforce": "baseline"} if i % 2 else {})} for i, ns in enumerate(namespaces)])

# Three quarters of the pods in Deployments of 4 replicas, the rest bare.
deployments, replicasets, pods = [], [], []
in_deployments = args.pods * 3 // 4
for d in range(in_deployments // 4):
    ns = namespaces[d % len(namespaces)]
    name = f"svc-{d}"
    spec = pod_spec(d)
    template = {"metadata": {"labels": {"app": name}}, "spec": spec}
    selector = {"matchLabels": {"app": name}}
    deployments.append({"kind": "Deployment", "metadata": meta(name, ns), "spec": {"replicas": 4, "selector": selector, "template": template}})
    rs = f"{name}-6b7c8d9f"
    owner = {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": f"{ns}-{name}", "controller": True}
    replicasets.append({"kind": "ReplicaSet", "metadata": meta(rs, ns, ownerReferences=[owner]), "spec": {"replicas": 4, "selector": selector, "template": template}})
    for r in range(4):
        owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": f"{ns}-{rs}", "controller": True}
        pods.append({"kind": "Pod", "metadata": meta(f"{rs}-{r}", ns, ownerReferences=[owner]), "spec": spec, "status": {"phase": "Running"}})
for b in range(args.pods - len(pods)):
    ns = namespaces[b % len(namespaces)]
    pods.append({"kind": "Pod", "metadata": meta(f"job-{b}", ns), "spec": pod_spec(b), "status": {"phase": "Succeeded"}})
write("deployments.apps", deployments)
write("replicasets.apps", replicasets)
write("pods", pods)
for kind in ["daemonsets.apps", "statefulsets.apps", "jobs.batch", "cronjobs.batch",
             "ingresses.networking.k8s.io", "validatingwebhookconfigurations.admissionregistration.k8s.io",
             "mutatingwebhookconfigurations.admissionregistration.k8s.io",
             "customresourcedefinitions.apiextensions.k8s.io", "csidrivers.storage.k8s.io", "storageclasses.storage.k8s.io", "configmaps"]:
    write(kind, [])

sas = []
for ns in namespaces:
    sas.append({"kind": "ServiceAccount", "metadata": meta("default", ns)})
    sas.append({"kind": "ServiceAccount", "metadata": meta("app", ns), "automountServiceAccountToken": False})
write("serviceaccounts", sas)
write("services", [{"kind": "Service", "metadata": meta(f"svc-{i}", namespaces[i % len(namespaces)]), "spec": {"type": "ClusterIP", "ports": [{"port": 80}]}} for i in range(args.namespaces * 2)])
write("networkpolicies.networking.k8s.io", [{"kind": "NetworkPolicy", "metadata": meta("default-deny", ns), "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}} for ns in namespaces[::2]])

quarter = args.rbac // 4
rules = [{"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["get", "list"]},
         {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "create", "update"]}]
write("roles.rbac.authorization.k8s.io", [{"kind": "Role", "metadata": meta(f"role-{i}", namespaces[i % len(namespaces)]), "rules": rules + ([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}] if i % 10 == 0 else [])} for i in range(quarter)])
write("clusterroles.rbac.authorization.k8s.io", [{"kind": "ClusterRole", "metadata": meta(f"cluster-role-{i}"), "rules": rules + ([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}] if i % 100 == 0 else [])} for i in range(quarter)])
write("rolebindings.rbac.authorization.k8s.io", [{"kind": "RoleBinding", "metadata": meta(f"rb-{i}", namespaces[i % len(namespaces)]), "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": f"role-{i}"}, "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": namespaces[i % len(namespaces)]}, {"apiGroup": RBAC, "kind": "Group", "name": f"team-{i % 50}"}]} for i in range(quarter)])
write("clusterrolebindings.rbac.authorization.k8s.io", [{"kind": "ClusterRoleBinding", "metadata": meta(f"crb-{i}"), "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": f"cluster-role-{i}"}, "subjects": [{"apiGroup": RBAC, "kind": "User", "name": f"user-{i}"}]} for i in range(args.rbac - 3 * quarter)])
print(f"{args.dir}: {len(namespaces)} namespaces, {len(pods)} pods ({len(deployments)} deployments), {args.rbac} RBAC objects")
