"""A local EKS-like Kubernetes control plane for sek's tests, on 127.0.0.1 only.

It runs a real kube-apiserver on etcd (both built from the Go module proxy by
scripts/setup-test-env.sh, see tests/kube/apiserver/go.mod) with TLS, RBAC and Node authorization,
service-account tokens, an audit log of every request, and webhook token authentication that
checks EKS tokens the way EKS does. Beside it, in this process:

- the EKS authenticator stand-in (the TokenReview webhook): it decodes a `k8s-aws-v1.` token,
  checks that it is a presigned STS GetCallerIdentity URL with `x-k8s-aws-id` signed in and at
  most 15 minutes old, calls that URL with the cluster's name in the header (the AWS emulator
  verifies the signature, so a token minted for another cluster or with other credentials fails),
  and maps the caller's ARN to a username and groups through the cluster's access entries. The
  one deviation from EKS: it accepts only the emulator's STS on 127.0.0.1 instead of
  sts.amazonaws.com, and since one API server stands for several clusters, it tries each
  registered cluster name;
- kubelet stand-ins: a TLS server per Node that requires the API server's kubelet client
  certificate and answers `/configz` (or refuses with 403, or never answers), reached through
  the API server's real node proxy. Node proxies refuse loopback addresses, so Nodes carry
  addresses in 192.0.2.0/24 (TEST-NET-1, never routed) and the API server's egress to nodes
  goes through an HTTP CONNECT proxy on a Unix socket that maps them to 127.0.0.1: nothing
  leaves loopback;
- "fronts": TLS endpoints for what the real server cannot be made to do on demand: a 429 burst
  and a 500 on one kind in front of the real server, an endpoint that answers HTML, one that
  closes the connection and one that never answers;
- a control API for the tests: register clusters and their access entries, apply objects as
  an administrator, mint service-account tokens, read stats.

It loads the demo cluster's objects (testdata/k8s/demo-prod.json, kubelet configurations from
demo-prod-configz.json) and a namespace with more than 1,000 ServiceAccounts through the API,
prints one JSON line describing all endpoints when ready, and stops everything when its stdin
closes (the test process ended) or on SIGTERM.
"""

import argparse
import base64
import datetime
import http.client
import http.server
import ipaddress
import json
import os
import select
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_NET = ipaddress.ip_network("192.0.2.0/24")
# The query parameters of a presigned GetCallerIdentity URL (aws-iam-authenticator's list).
TOKEN_PARAMS = {
    "action", "version", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires",
    "x-amz-security-token", "x-amz-signature", "x-amz-signedheaders",
}
TOKEN_MAX_AGE = datetime.timedelta(minutes=15)


def log(*args):
    print("cluster.py:", *args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Certificates


class Pki:
    """A CA and the certificates it issues, written under `directory`."""

    def __init__(self, directory, name):
        self.directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file = self.write(f"{name}-ca.crt", self.pem())

    def pem(self):
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def write(self, name, data):
        path = os.path.join(self.directory, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def issue(self, name, common_name, orgs=(), dns=(), ips=(), server=False, client=False):
        """A key pair signed by this CA; returns (cert path, key path)."""
        key = ec.generate_private_key(ec.SECP256R1())
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
        attributes += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
        now = datetime.datetime.now(datetime.timezone.utc)
        usages = ([ExtendedKeyUsageOID.SERVER_AUTH] if server else []) + (
            [ExtendedKeyUsageOID.CLIENT_AUTH] if client else []
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attributes))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        )
        names = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return (
            self.write(f"{name}.crt", cert.public_bytes(serialization.Encoding.PEM)),
            self.write(f"{name}.key", key_pem),
        )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, what, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not start on port {port}")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-handshake or mid-request is part of the tests.
        pass


def tls_server(handler, cert, key, client_ca=None):
    """An HTTPS server on 127.0.0.1 (TLS done per connection, in the handler's thread)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if client_ca:
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_REQUIRED

    class TlsServer(Server):
        def get_request(self):
            sock, address = self.socket.accept()
            return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    server = TlsServer(("127.0.0.1", 0), handler)
    return server


class QuietHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError):
                self.close_connection = True
                raise

    def handle(self):
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, OSError):
            pass

    def send_json(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


# ---------------------------------------------------------------------------------------------
# The EKS authenticator stand-in


class Authenticator:
    """Verifies EKS tokens as EKS's authenticator does and maps ARNs through access entries."""

    def __init__(self):
        self.lock = threading.Lock()
        # cluster name -> {canonical principal ARN -> {"username":..., "groups": [...]}}
        self.clusters = {}
        # cluster name -> how far this authenticator's clock is ahead (for expired tokens)
        self.skews = {}
        self.decisions = []

    def register(self, name, entries, skew_seconds=0):
        with self.lock:
            cluster = self.clusters.setdefault(name, {})
            self.skews[name] = datetime.timedelta(seconds=skew_seconds)
            for entry in entries:
                cluster[entry["arn"]] = {
                    "username": entry.get("username") or entry["arn"],
                    "groups": entry.get("groups", []),
                }

    def review(self, token):
        """(user dict, or None with a reason)."""
        if not token.startswith("k8s-aws-v1."):
            return None, "not an EKS token"
        try:
            raw = token[len("k8s-aws-v1."):]
            url = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        except ValueError:
            return None, "the token is not base64url"
        parsed = urllib.parse.urlsplit(url)
        # EKS accepts sts.amazonaws.com and the regional STS hosts; this stand-in, the emulator.
        if parsed.scheme != "http" or parsed.hostname != "127.0.0.1" or parsed.path not in ("", "/"):
            return None, f"not an STS endpoint: {parsed.scheme}://{parsed.netloc}{parsed.path}"
        query = urllib.parse.parse_qs(parsed.query)
        unknown = {k for k in query if k.lower() not in TOKEN_PARAMS}
        if unknown:
            return None, f"unexpected query parameters {sorted(unknown)}"
        params = {k.lower(): v[0] for k, v in query.items()}
        if params.get("action", "").lower() != "getcalleridentity":
            return None, "not a GetCallerIdentity request"
        if "x-k8s-aws-id" not in params.get("x-amz-signedheaders", "").split(";"):
            return None, "x-k8s-aws-id is not a signed header"
        try:
            signed_at = datetime.datetime.strptime(params["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc
            )
        except (KeyError, ValueError):
            return None, "no valid X-Amz-Date"
        with self.lock:
            names = list(self.clusters)
        for name in names:
            arn, why = self.caller(parsed, url, name)
            if arn is None:
                continue
            with self.lock:
                entry = self.clusters[name].get(canonical_arn(arn))
                now = datetime.datetime.now(datetime.timezone.utc) + self.skews.get(name, datetime.timedelta(0))
            if now > signed_at + TOKEN_MAX_AGE:
                return None, "X-Amz-Date parameter is expired (15 minute expiration)"
            if entry is None:
                return None, f"{arn} has no access entry on cluster {name}"
            return {
                "username": entry["username"],
                "uid": f"aws-iam-authenticator:{canonical_arn(arn)}",
                "groups": entry["groups"] + ["system:authenticated"],
                "extra": {"arn": [arn], "cluster": [name]},
            }, f"cluster {name}"
        return None, "STS rejected the token for every cluster this server serves"

    @staticmethod
    def caller(parsed, url, cluster):
        """The ARN STS returns for the presigned URL with `cluster` in x-k8s-aws-id, or None."""
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        try:
            target = parsed.path or "/"
            connection.request("GET", f"{target}?{parsed.query}", headers={"x-k8s-aws-id": cluster})
            response = connection.getresponse()
            body = response.read()
        except OSError as e:
            return None, str(e)
        finally:
            connection.close()
        if response.status != 200:
            return None, f"STS answered {response.status}"
        root = ET.fromstring(body)
        arn = next((e.text for e in root.iter() if e.tag.endswith("Arn")), None)
        return arn, "ok"


def canonical_arn(arn):
    """An assumed-role session ARN as its role's ARN (how access entries name principals)."""
    parts = arn.split(":")
    if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("assumed-role/"):
        role = parts[5].split("/")[1]
        return f"arn:{parts[1]}:iam::{parts[4]}:role/{role}"
    return arn


def authenticator_handler(authenticator):
    class Handler(QuietHandler):
        def do_POST(self):
            review = self.body()
            token = review.get("spec", {}).get("token", "")
            user, why = authenticator.review(token)
            with authenticator.lock:
                authenticator.decisions.append({"authenticated": user is not None, "why": why})
            status = {"authenticated": True, "user": user} if user else {"authenticated": False, "error": why}
            self.send_json(200, {"apiVersion": review.get("apiVersion"), "kind": "TokenReview", "status": status})

    return Handler


# ---------------------------------------------------------------------------------------------
# Kubelets and the egress proxy


def kubelet_handler(behaviour, configz):
    class Handler(QuietHandler):
        def do_GET(self):
            if behaviour == "hang":
                # Never answer: wait until the caller gives up and drops the connection.
                try:
                    self.connection.recv(1)
                except OSError:
                    pass
                self.close_connection = True
                return
            if behaviour == "refuse":
                body = "Forbidden (user=kube-apiserver-kubelet-client, verb=get, resource=nodes, subresource=proxy)"
                data = body.encode()
                self.send_response(403)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if self.path.split("?")[0] == "/configz":
                self.send_json(200, configz)
            else:
                self.send_json(404, {"error": "not found"})

    return Handler


class ConnectProxy(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """The API server's egress to nodes: `CONNECT 192.0.2.N:PORT` goes to 127.0.0.1:PORT when a
    kubelet stand-in listens there; anything else is refused."""

    daemon_threads = True

    def __init__(self, path, ports):
        self.ports = ports
        super().__init__(path, ConnectHandler)


class ConnectHandler(socketserver.StreamRequestHandler):
    def handle(self):
        request = self.rfile.readline().decode(errors="replace").split()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        if len(request) < 2 or request[0] != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            return
        host, _, port = request[1].rpartition(":")
        try:
            allowed = ipaddress.ip_address(host.strip("[]")) in NODE_NET and int(port) in self.server.ports
        except ValueError:
            allowed = False
        if not allowed:
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            return
        upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        upstream.settimeout(None)
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        pipe(self.connection, upstream)


def pipe(a, b):
    sockets = [a, b]
    try:
        while True:
            ready, _, _ = select.select(sockets, [], [], 60)
            if not ready:
                continue
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        pass
    finally:
        for s in sockets:
            try:
                s.close()
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------
# Fronts


class Faults:
    """Per-path faults of the fault front: `429xN` (the first N requests) or `500` (all)."""

    def __init__(self, specs):
        self.lock = threading.Lock()
        self.rules = []
        self.counts = {}
        for spec in specs:
            path, _, fault = spec.rpartition("=")
            self.rules.append((path, fault))

    def fault_for(self, path):
        base = path.split("?")[0]
        with self.lock:
            self.counts[base] = self.counts.get(base, 0) + 1
            seen = self.counts[base]
        for prefix, fault in self.rules:
            if base == prefix:
                if fault == "500":
                    return 500
                if fault.startswith("429x") and seen <= int(fault[4:]):
                    return 429
        return None


def fault_front_handler(apiserver_port, ca_file, faults):
    context = ssl.create_default_context(cafile=ca_file)

    class Handler(QuietHandler):
        def do_GET(self):
            fault = faults.fault_for(self.path)
            if fault == 429:
                self.send_json(
                    429,
                    {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "TooManyRequests",
                     "message": "Too many requests, please try again later.", "code": 429},
                    headers=[("Retry-After", "1")],
                )
                return
            if fault == 500:
                self.send_json(
                    500,
                    {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "InternalError",
                     "message": "an error on the server (\"etcdserver: request timed out\") has prevented the request from succeeding",
                     "code": 500},
                )
                return
            connection = http.client.HTTPSConnection("127.0.0.1", apiserver_port, context=context, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "accept", "user-agent")}
            connection.request("GET", self.path, headers=headers)
            response = connection.getresponse()
            data = response.read()
            connection.close()
            self.send_response(response.status)
            self.send_header("Content-Type", response.getheader("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            self.send_json(405, {"message": "the fault front forwards reads only"})

        do_PUT = do_PATCH = do_DELETE = do_POST

    return Handler


class HtmlHandler(QuietHandler):
    def do_GET(self):
        data = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Corporate proxy: please sign in.</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def raw_listener(behaviour):
    """A TCP listener that closes every connection at once, or holds it and never answers."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held = []

    def run():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            if behaviour == "close":
                connection.close()
            else:
                held.append(connection)

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Talking to the API server as an administrator


class Admin:
    def __init__(self, port, ca_file, cert, key):
        self.port = port
        self.context = ssl.create_default_context(cafile=ca_file)
        self.context.load_cert_chain(cert, key)
        self.local = threading.local()

    def request(self, method, path, body=None, content_type="application/json"):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": content_type, "Accept": "application/json"} if data else {"Accept": "application/json"}
        for attempt in range(3):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=60)
                self.local.connection = connection
            try:
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                break
            except (OSError, http.client.HTTPException):
                # The server closes idle or long-used keep-alive connections: reconnect.
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise
        if "json" not in (response.getheader("Content-Type") or ""):
            return response.status, {"message": payload.decode(errors="replace")}
        return response.status, json.loads(payload)

    def apply(self, obj):
        """Create `obj`, or replace it when it exists. Returns the stored object."""
        path, name = object_path(obj)
        status, result = self.request("POST", path, clean(obj))
        if status == 409:
            status, current = self.request("GET", f"{path}/{name}")
            replacement = clean(obj)
            replacement["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            status, result = self.request("PUT", f"{path}/{name}", replacement)
        if status >= 300:
            raise RuntimeError(f"{obj['kind']} {name}: {status} {result.get('message', result)}")
        if obj["kind"] == "Pod" and obj.get("status"):
            # A pod's status is the kubelet's to write, through its subresource: what an export
            # holds (the images each container pulled) is set there, as a node would.
            result["status"] = obj["status"]
            status, result = self.request("PUT", f"{path}/{name}/status", result)
            if status >= 300:
                raise RuntimeError(f"Pod {name} status: {status} {result.get('message', result)}")
        return result

    def delete(self, obj):
        path, name = object_path(obj)
        status, result = self.request("DELETE", f"{path}/{name}")
        if status >= 300 and status != 404:
            raise RuntimeError(f"deleting {obj['kind']} {name}: {status} {result.get('message')}")

    def ready(self):
        try:
            status, _ = self.request("GET", "/readyz")
            return status == 200
        except (OSError, http.client.HTTPException, ValueError):
            return False


# kind -> (API prefix, plural, namespaced)
KINDS = {
    "Namespace": ("/api/v1", "namespaces", False),
    "Node": ("/api/v1", "nodes", False),
    "Pod": ("/api/v1", "pods", True),
    "ServiceAccount": ("/api/v1", "serviceaccounts", True),
    "Service": ("/api/v1", "services", True),
    "ConfigMap": ("/api/v1", "configmaps", True),
    "Secret": ("/api/v1", "secrets", True),
    "Deployment": ("/apis/apps/v1", "deployments", True),
    "DaemonSet": ("/apis/apps/v1", "daemonsets", True),
    "StatefulSet": ("/apis/apps/v1", "statefulsets", True),
    "ReplicaSet": ("/apis/apps/v1", "replicasets", True),
    "Job": ("/apis/batch/v1", "jobs", True),
    "CronJob": ("/apis/batch/v1", "cronjobs", True),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles", True),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", True),
    "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles", False),
    "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
    "NetworkPolicy": ("/apis/networking.k8s.io/v1", "networkpolicies", True),
    "Ingress": ("/apis/networking.k8s.io/v1", "ingresses", True),
    "ValidatingWebhookConfiguration": ("/apis/admissionregistration.k8s.io/v1", "validatingwebhookconfigurations", False),
    "MutatingWebhookConfiguration": ("/apis/admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations", False),
    "CustomResourceDefinition": ("/apis/apiextensions.k8s.io/v1", "customresourcedefinitions", False),
    "CSIDriver": ("/apis/storage.k8s.io/v1", "csidrivers", False),
    "StorageClass": ("/apis/storage.k8s.io/v1", "storageclasses", False),
    "EC2NodeClass": ("/apis/karpenter.k8s.aws/v1", "ec2nodeclasses", False),
    "NodePool": ("/apis/karpenter.sh/v1", "nodepools", False),
    "NodeClass": ("/apis/eks.amazonaws.com/v1", "nodeclasses", False),
}


def object_path(obj):
    prefix, plural, namespaced = KINDS[obj["kind"]]
    meta = obj["metadata"]
    if namespaced:
        return f"{prefix}/namespaces/{meta.get('namespace') or 'default'}/{plural}", meta["name"]
    return f"{prefix}/{plural}", meta["name"]


def clean(obj):
    """The object as a client creates it: without the server-set metadata of an export."""
    obj = json.loads(json.dumps(obj))
    meta = obj["metadata"]
    for field in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink"):
        meta.pop(field, None)
    if obj["kind"] != "Node":
        obj.pop("status", None)
    return obj


# ---------------------------------------------------------------------------------------------
# The cluster


class Cluster:
    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="sek-kube-")
        self.children = []
        self.pki = Pki(self.dir, "cluster")
        self.wrong_pki = Pki(self.dir, "other")

    def start(self):
        args = self.args
        pki = self.pki
        apiserver_port = free_port()
        etcd_port, peer_port = free_port(), free_port()
        serving = pki.issue("apiserver", "kube-apiserver", dns=["localhost", "kubernetes", "kubernetes.default"],
                            ips=["127.0.0.1", "10.96.0.1"], server=True)
        kubelet_client = pki.issue("apiserver-kubelet-client", "kube-apiserver-kubelet-client",
                                   orgs=["kubeadm:cluster-admins"], client=True)
        admin = pki.issue("admin", "sek-test-admin", orgs=["system:masters"], client=True)
        front = pki.issue("front", "front", ips=["127.0.0.1"], dns=["localhost"], server=True)
        sa_key = ec.generate_private_key(ec.SECP256R1())
        sa_key_file = pki.write("sa.key", sa_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        sa_pub_file = pki.write("sa.pub", sa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))

        # The authenticator, the kubelets and their egress proxy come up before the API server.
        self.authenticator = Authenticator()
        authenticator_port = serve(Server(("127.0.0.1", 0), authenticator_handler(self.authenticator)))
        objects = read_objects(args.objects)
        configz = json.load(open(args.configz)) if args.configz else {}
        behaviours = dict(b.split("=", 1) for b in args.kubelet)
        kubelet_ports = {}
        self.node_addresses = {}
        for index, node in enumerate(o for o in objects if o["kind"] == "Node"):
            name = node["metadata"]["name"]
            address = str(NODE_NET[10 + index])
            cert = pki.issue(f"kubelet-{index}", f"system:node:{name}", ips=[address], dns=[name], server=True)
            handler = kubelet_handler(behaviours.get(name, "answer"), configz.get(name, {}))
            kubelet_ports[name] = serve(tls_server(handler, *cert, client_ca=pki.ca_file))
            self.node_addresses[name] = address
        egress_socket = os.path.join(self.dir, "egress.sock")
        proxy = ConnectProxy(egress_socket, set(kubelet_ports.values()))
        threading.Thread(target=proxy.serve_forever, daemon=True).start()

        webhook_config = self.write_yaml("authn-webhook.yaml", {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "eks-authenticator", "cluster": {"server": f"http://127.0.0.1:{authenticator_port}/authenticate"}}],
            "users": [{"name": "kube-apiserver", "user": {}}],
            "contexts": [{"name": "webhook", "context": {"cluster": "eks-authenticator", "user": "kube-apiserver"}}],
            "current-context": "webhook",
        })
        egress_config = self.write_yaml("egress.yaml", {
            "apiVersion": "apiserver.k8s.io/v1beta1", "kind": "EgressSelectorConfiguration",
            "egressSelections": [{"name": "cluster", "connection": {
                "proxyProtocol": "HTTPConnect", "transport": {"uds": {"udsName": egress_socket}}}}],
        })
        audit_policy = self.write_yaml("audit-policy.yaml", {
            "apiVersion": "audit.k8s.io/v1", "kind": "Policy",
            "omitStages": ["RequestReceived"], "rules": [{"level": "Metadata"}],
        })
        self.audit_log = os.path.join(self.dir, "audit.log")

        etcd_dir = os.path.join(self.dir, "etcd")
        self.spawn("etcd", [args.etcd, "--data-dir", etcd_dir,
                            "--listen-client-url", f"http://127.0.0.1:{etcd_port}",
                            "--listen-peer-url", f"http://127.0.0.1:{peer_port}"])
        wait_for_port(etcd_port, "etcd")
        self.spawn("kube-apiserver", [
            args.apiserver,
            "--bind-address=127.0.0.1", f"--secure-port={apiserver_port}", "--advertise-address=127.0.0.1",
            f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            f"--tls-cert-file={serving[0]}", f"--tls-private-key-file={serving[1]}",
            f"--client-ca-file={pki.ca_file}",
            "--authorization-mode=Node,RBAC", "--enable-admission-plugins=NodeRestriction",
            f"--service-account-issuer=https://127.0.0.1:{apiserver_port}",
            f"--service-account-key-file={sa_pub_file}", f"--service-account-signing-key-file={sa_key_file}",
            # Room for the benchmark's 10,000 Services.
            "--service-cluster-ip-range=10.96.0.0/16", "--allow-privileged=true",
            f"--authentication-token-webhook-config-file={webhook_config}",
            "--authentication-token-webhook-cache-ttl=2s", "--authentication-token-webhook-version=v1",
            f"--audit-policy-file={audit_policy}", f"--audit-log-path={self.audit_log}",
            "--audit-log-format=json", "--audit-log-mode=blocking",
            f"--egress-selector-config-file={egress_config}",
            f"--kubelet-client-certificate={kubelet_client[0]}", f"--kubelet-client-key={kubelet_client[1]}",
            f"--kubelet-certificate-authority={pki.ca_file}", "--kubelet-preferred-address-types=InternalIP",
            # The one API server address is loopback, which the Endpoints of `kubernetes` refuse.
            "--endpoint-reconciler-type=none",
            "--profiling=false", "--v=0",
        ])
        self.admin = Admin(apiserver_port, pki.ca_file, *admin)
        deadline = time.time() + 180
        while not self.admin.ready():
            if time.time() > deadline:
                raise SystemExit("kube-apiserver did not become ready; see " + self.dir)
            for name, child in self.children:
                if child.poll() is not None:
                    raise SystemExit(f"{name} exited with {child.returncode}; see {self.dir}/{name}.log")
            time.sleep(0.25)

        started = time.time()
        self.load(objects, kubelet_ports)
        counts = self.load_bulk(args.bulk)
        clusterrole = os.path.join(ROOT, "docs", "kubernetes-clusterrole.yaml")
        for doc in yaml.safe_load_all(open(clusterrole)):
            self.admin.apply(doc)
        log(f"loaded {len(objects)} objects and {counts} bulk objects in {time.time() - started:.1f} s")

        self.faults = Faults(args.fault)
        fronts = {
            "faults": serve(tls_server(fault_front_handler(apiserver_port, pki.ca_file, self.faults), *front)),
            "html": serve(tls_server(HtmlHandler, *front)),
            "close": raw_listener("close"),
            "stall": raw_listener("stall"),
        }
        control_port = serve(Server(("127.0.0.1", 0), self.control_handler()))
        return {
            "apiserver": f"https://127.0.0.1:{apiserver_port}",
            "ca": pki.ca_file,
            "ca_data": base64.b64encode(pki.pem()).decode(),
            "other_ca_data": base64.b64encode(self.wrong_pki.pem()).decode(),
            "admin_cert": admin[0],
            "admin_key": admin[1],
            "audit_log": self.audit_log,
            "control": f"http://127.0.0.1:{control_port}",
            "fronts": {name: f"https://127.0.0.1:{port}" for name, port in fronts.items()},
            "node_addresses": self.node_addresses,
            "bulk_service_accounts": counts,
            "dir": self.dir,
        }

    def write_yaml(self, name, doc):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            yaml.safe_dump(doc, f)
        return path

    def spawn(self, name, argv):
        out = open(os.path.join(self.dir, f"{name}.log"), "w")
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.children.append((name, child))

    def load(self, objects, kubelet_ports):
        """Load an export as its cluster would have come to be: namespaces (without their Pod
        Security labels, which admission would otherwise apply to the pods that predate them),
        service accounts (with each namespace's `default`, which the controller manager would
        make), the rest, then the labels; webhooks last, so they judge nothing loaded here."""
        namespaces = [o for o in objects if o["kind"] == "Namespace"]
        bare = []
        for ns in namespaces:
            copy = json.loads(json.dumps(ns))
            copy["metadata"]["labels"] = {k: v for k, v in ns["metadata"].get("labels", {}).items()
                                          if not k.startswith("pod-security.kubernetes.io/")}
            bare.append(copy)
        self.apply_all(bare)
        exported = {(o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objects if o["kind"] == "ServiceAccount"}
        self.apply_all([{"apiVersion": "v1", "kind": "ServiceAccount",
                         "metadata": {"name": "default", "namespace": ns["metadata"]["name"]}}
                        for ns in namespaces if (ns["metadata"]["name"], "default") not in exported])
        order = ["ServiceAccount", "CustomResourceDefinition"]
        last = ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]
        for kind in order:
            self.apply_all([o for o in objects if o["kind"] == kind])
        self.wait_established([o for o in objects if o["kind"] == "CustomResourceDefinition"])
        rest = [self.node(o, kubelet_ports) if o["kind"] == "Node" else o
                for o in objects if o["kind"] not in order + last + ["Namespace"]]
        self.apply_all(rest)
        self.apply_all(namespaces)
        self.apply_all([o for o in objects if o["kind"] in last])

    def wait_established(self, crds, timeout=30):
        """Wait until the API server serves the kinds of `crds` (custom objects are refused
        until then)."""
        deadline = time.monotonic() + timeout
        for crd in crds:
            path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{crd['metadata']['name']}"
            while True:
                _, current = self.admin.request("GET", path)
                conditions = (current.get("status") or {}).get("conditions") or []
                if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"CRD {crd['metadata']['name']} not established in {timeout}s")
                time.sleep(0.1)

    def apply_all(self, objects):
        """Create (or replace) objects as an administrator, many at once."""
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(self.admin.apply, objects))

    def node(self, node, kubelet_ports):
        """The Node as its kubelet registers it here: its stand-in's address and port."""
        node = json.loads(json.dumps(node))
        name = node["metadata"]["name"]
        status = node.setdefault("status", {})
        status["addresses"] = [{"type": "InternalIP", "address": self.node_addresses[name]},
                               {"type": "Hostname", "address": name}]
        status["daemonEndpoints"] = {"kubeletEndpoint": {"Port": kubelet_ports[name]}}
        return node

    def load_bulk(self, count):
        """A namespace with `count` ServiceAccounts: more than one List page of a kind."""
        if count <= 0:
            return 0
        self.admin.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bulk"}})
        objects = [{"apiVersion": "v1", "kind": "ServiceAccount", "automountServiceAccountToken": False,
                    "metadata": {"name": f"sa-{i:05d}", "namespace": "bulk"}} for i in range(count)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(self.admin.apply, objects))
        return count

    def control_handler(self):
        cluster = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.body()
                try:
                    if self.path == "/clusters":
                        cluster.authenticator.register(
                            body["name"], body.get("entries", []), body.get("skew_seconds", 0))
                        self.send_json(200, {})
                    elif self.path == "/objects":
                        applied = [cluster.admin.apply(o) for o in body["items"]]
                        self.send_json(200, {"items": applied})
                    elif self.path == "/delete":
                        for o in body["items"]:
                            cluster.admin.delete(o)
                        self.send_json(200, {})
                    elif self.path == "/token":
                        # A service account's token (TokenRequest), for kubeconfig tests.
                        ns, name = body["namespace"], body["name"]
                        status, result = cluster.admin.request(
                            "POST", f"/api/v1/namespaces/{ns}/serviceaccounts/{name}/token",
                            {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                             "spec": {"expirationSeconds": 3600}})
                        if status >= 300:
                            raise RuntimeError(result.get("message"))
                        self.send_json(200, {"token": result["status"]["token"]})
                    elif self.path == "/access-review":
                        # Whether `user` (with `groups`) may `verb` `resource`: to wait for RBAC.
                        status, result = cluster.admin.request(
                            "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                            {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                             "spec": {"user": body["user"], "groups": body.get("groups", []),
                                      "resourceAttributes": body["resource"]}})
                        self.send_json(200, {"allowed": result.get("status", {}).get("allowed", False)})
                    else:
                        self.send_json(404, {"message": "unknown control path"})
                except Exception as e:  # noqa: BLE001 - every failure goes back to the test
                    self.send_json(500, {"message": str(e)})

            def do_GET(self):
                if self.path == "/stats":
                    with cluster.faults.lock:
                        counts = dict(cluster.faults.counts)
                    with cluster.authenticator.lock:
                        decisions = list(cluster.authenticator.decisions)
                    self.send_json(200, {"front_requests": counts, "decisions": decisions})
                else:
                    self.send_json(404, {"message": "unknown control path"})

        return Handler

    def stop(self):
        for _, child in reversed(self.children):
            if child.poll() is None:
                child.terminate()
        for _, child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def read_objects(path):
    """The objects of a kubectl export: one List file, or a directory of them."""
    files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".json")) if os.path.isdir(path) else [path]
    objects = []
    for name in files:
        with open(name) as f:
            objects.extend(json.load(f).get("items", []))
    return objects


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apiserver", required=True, help="the kube-apiserver binary")
    parser.add_argument("--etcd", required=True, help="the etcd binary")
    parser.add_argument("--objects", default=os.path.join(ROOT, "testdata/k8s/demo-prod.json"),
                        help="a kubectl export to load: one List file or a directory of them")
    parser.add_argument("--configz", default=os.path.join(ROOT, "testdata/k8s/demo-prod-configz.json"),
                        help="each node's kubelet configuration (empty: none)")
    parser.add_argument("--kubelet", action="append", default=[], metavar="NODE=answer|refuse|hang",
                        help="how a node's kubelet stand-in behaves (default: answer)")
    parser.add_argument("--bulk", type=int, default=1100, help="ServiceAccounts in namespace `bulk`")
    parser.add_argument("--fault", action="append", default=[], metavar="PATH=429xN|500",
                        help="a fault of the fault front for one list path")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()

    cluster = Cluster(args)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        ready = cluster.start()
        print(json.dumps(ready), flush=True)
        # Stop when the parent goes (its end of stdin closes) or on SIGTERM.
        threading.Thread(target=lambda: (sys.stdin.read(), stopping.set()), daemon=True).start()
        stopping.wait()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
