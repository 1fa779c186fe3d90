#!/usr/bin/env python3
"""A Kubernetes API server stand-in for sek's tests, on 127.0.0.1 only.

It serves the objects of a `kubectl get -o json` List (e.g. testdata/k8s/demo-prod.json) as the
API would: cluster-wide List responses per resource path, paginated with `limit` and opaque
`continue` tokens (pages are capped at --max-page items whatever the limit, as a real server may
do), single objects by name, /version, 401 without the expected bearer token, and 403 for the
resources named with --forbid. Every request is appended to --log as "METHOD PATH" so tests can
prove sek only reads. Standard library only.
"""

import argparse
import base64
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

# Kind -> (group/version path prefix, plural), as the API serves them.
PATHS = {
    "Namespace": ("/api/v1", "namespaces"),
    "Pod": ("/api/v1", "pods"),
    "ServiceAccount": ("/api/v1", "serviceaccounts"),
    "Service": ("/api/v1", "services"),
    "ConfigMap": ("/api/v1", "configmaps"),
    "Secret": ("/api/v1", "secrets"),
    "Deployment": ("/apis/apps/v1", "deployments"),
    "DaemonSet": ("/apis/apps/v1", "daemonsets"),
    "StatefulSet": ("/apis/apps/v1", "statefulsets"),
    "ReplicaSet": ("/apis/apps/v1", "replicasets"),
    "Job": ("/apis/batch/v1", "jobs"),
    "CronJob": ("/apis/batch/v1", "cronjobs"),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles"),
    "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles"),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings"),
    "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings"),
    "NetworkPolicy": ("/apis/networking.k8s.io/v1", "networkpolicies"),
    "Ingress": ("/apis/networking.k8s.io/v1", "ingresses"),
    "ValidatingWebhookConfiguration": ("/apis/admissionregistration.k8s.io/v1", "validatingwebhookconfigurations"),
    "MutatingWebhookConfiguration": ("/apis/admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations"),
    "CustomResourceDefinition": ("/apis/apiextensions.k8s.io/v1", "customresourcedefinitions"),
    "CSIDriver": ("/apis/storage.k8s.io/v1", "csidrivers"),
    "Node": ("/api/v1", "nodes"),
}


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", required=True, help="a kubectl List JSON file")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--max-page", type=int, default=3)
    parser.add_argument("--forbid", action="append", default=[], help="plural resource to deny (403)")
    parser.add_argument("--log", required=True)
    parser.add_argument("--configz", help="JSON object: node name -> configz response")
    parser.add_argument("--forbid-configz", action="append", default=[], help="node whose proxy is denied (403)")
    parser.add_argument("--hang-configz", action="append", default=[], help="node whose kubelet never answers")
    args = parser.parse_args()

    configz = json.load(open(args.configz)) if args.configz else {}
    lists = {}
    for item in json.load(open(args.objects))["items"]:
        prefix, plural = PATHS[item["kind"]]
        lists.setdefault(f"{prefix}/{plural}", []).append(item)
    for prefix, plural in PATHS.values():
        lists.setdefault(f"{prefix}/{plural}", [])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def send(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            with open(args.log, "a") as log:
                log.write(f"{self.command} {self.path}\n")
            if self.headers.get("Authorization") != f"Bearer {args.token}":
                return self.send(401, status(401, "Unauthorized", "Unauthorized"))
            if self.command != "GET":
                return self.send(405, status(405, "MethodNotAllowed", "this test server only reads"))
            url = urlparse(self.path)
            query = parse_qs(url.query)
            path = url.path.rstrip("/")
            if path == "/version":
                return self.send(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.4-eks-2d5f260"})
            if path.startswith("/api/v1/nodes/") and path.endswith("/proxy/configz"):
                node = path.split("/")[4]
                if node in args.forbid_configz:
                    return self.send(403, status(403, "Forbidden",
                        f'nodes "{node}" is forbidden: User "scanner" cannot get resource "nodes/proxy" in API group "" at the cluster scope'))
                if node in args.hang_configz:
                    time.sleep(30)
                if node not in configz:
                    return self.send(503, status(503, "ServiceUnavailable", f"no kubelet for {node}"))
                return self.send(200, configz[node])
            plural = path.rsplit("/", 1)[-1]
            for forbidden in args.forbid:
                if f"/{forbidden}" in path:
                    return self.send(403, status(403, "Forbidden",
                        f'{forbidden} is forbidden: User "scanner" cannot list resource "{forbidden}" at the cluster scope'))
            if path in lists:
                items = lists[path]
                start = int(base64.b64decode(query["continue"][0]).decode()) if "continue" in query else 0
                limit = min(int(query.get("limit", ["500"])[0]), args.max_page)
                page = items[start:start + limit]
                meta = {"resourceVersion": "12345"}
                if start + limit < len(items):
                    meta["continue"] = base64.b64encode(str(start + limit).encode()).decode()
                kind = next((k for k, (p, pl) in PATHS.items() if f"{p}/{pl}" == path), "")
                # List responses omit `kind` on items, as the real API does.
                page = [{k: v for k, v in item.items() if k != "kind"} for item in page]
                return self.send(200, {"kind": f"{kind}List", "apiVersion": "v1", "metadata": meta, "items": page})
            # A single namespaced object: /api/v1/namespaces/NS/PLURAL/NAME
            parts = path.split("/")
            if len(parts) >= 7 and parts[-4] == "namespaces":
                namespace, plural, name = parts[-3], parts[-2], parts[-1]
                collection = "/".join(parts[:-4]) + f"/{plural}"
                for item in lists.get(collection, []):
                    if item["metadata"]["name"] == name and item["metadata"].get("namespace") == namespace:
                        return self.send(200, item)
                return self.send(404, status(404, "NotFound", f'{plural} "{name}" not found'))
            return self.send(404, status(404, "NotFound", "the server could not find the requested resource"))

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
