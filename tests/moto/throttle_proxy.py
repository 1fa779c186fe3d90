"""A loopback HTTP proxy in front of moto that answers some requests with the service's own
throttling error instead of forwarding them, the way AWS does under load.

  throttle_proxy.py --upstream http://127.0.0.1:PORT [--every N] [--always ACTION ...]

--every N     throttle every Nth request (counted across all services)
--always A    always throttle operation A (e.g. DescribeVolumes)
--deny A[@T]  answer operation A with the service's access-denied error; with @T, only when T
              is the request's region or appears in its parameters (e.g. a role's account id)
--fail A      always answer operation A with HTTP 500 and the service's InternalError (a
              persistent server error, not throttling)

Prints the port it listens on, then serves until killed. GET /__proxy/stats returns
{"forwarded": n, "throttled": {"Operation": n}, "failed": {"Operation": n}}.
"""

import argparse
import http.client
import json
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATS = {"forwarded": 0, "throttled": {}, "failed": {}, "seen": 0}

EC2_THROTTLE = (
    503,
    {"Content-Type": "text/xml"},
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>'
    b"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>throttle</RequestID></Response>",
)
QUERY_THROTTLE = (
    400,
    {"Content-Type": "text/xml"},
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
    b"</Error><RequestId>throttle</RequestId></ErrorResponse>",
)
EC2_INTERNAL = (
    500,
    {"Content-Type": "text/xml"},
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InternalError</Code>'
    b"<Message>An internal error has occurred.</Message></Error></Errors><RequestID>fail</RequestID></Response>",
)
QUERY_INTERNAL = (
    500,
    {"Content-Type": "text/xml"},
    b"<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>Internal failure</Message>"
    b"</Error><RequestId>fail</RequestId></ErrorResponse>",
)
JSON_INTERNAL = (
    500,
    {"Content-Type": "application/x-amz-json-1.1"},
    b'{"__type": "InternalFailure", "message": "Internal failure"}',
)
JSON_THROTTLE = (
    429,
    {"Content-Type": "application/json", "x-amzn-ErrorType": "ThrottlingException"},
    b'{"message":"Rate exceeded"}',
)


EC2_DENIED = (
    403,
    {"Content-Type": "text/xml"},
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code>'
    b"<Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>deny</RequestID></Response>",
)
QUERY_DENIED = (
    403,
    {"Content-Type": "text/xml"},
    b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform this action</Message>"
    b"</Error><RequestId>deny</RequestId></ErrorResponse>",
)
JSON_DENIED = (
    403,
    {"Content-Type": "application/json", "x-amzn-ErrorType": "AccessDeniedException"},
    b'{"message":"User is not authorized to perform this action"}',
)


def region_of(headers):
    """The signing region from the SigV4 credential scope."""
    match = re.search(r"Credential=[^/]+/\d+/([^/]+)/[^/]+/aws4_request", headers.get("Authorization", ""))
    return match.group(1) if match else ""


def service_of(headers):
    """The signing service from the SigV4 credential scope: .../<region>/<service>/aws4_request."""
    match = re.search(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/aws4_request", headers.get("Authorization", ""))
    return match.group(1) if match else ""


# Services whose protocol is JSON (awsJson1.1 or restJson1): they read the error type from the
# x-amzn-ErrorType header.
JSON_SERVICES = {"eks", "kms", "logs", "ecr", "cloudtrail", "events", "guardduty", "inspector2"}


def operation_of(method, path, body, headers):
    action = urllib.parse.parse_qs(body.decode(errors="replace")).get("Action")
    if action:
        return action[0]
    target = headers.get("X-Amz-Target")  # awsJson1.1: "TrailService.DescribeTrails"
    if target:
        return target.rsplit(".", 1)[-1]
    # EKS (REST): enough to name the calls sek makes.
    if re.fullmatch(r"/clusters/[^/]+", path) and method == "GET":
        return "DescribeCluster"
    if re.fullmatch(r"/clusters/[^/]+/node-groups/[^/]+", path):
        return "DescribeNodegroup"
    if re.fullmatch(r"/clusters/[^/]+/node-groups", path):
        return "ListNodegroups"
    if path == "/clusters":
        return "ListClusters"
    return path


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None
    every = 0
    always = ()
    deny = ()
    fail = ()

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/__proxy/stats":
            with LOCK:
                body = json.dumps(STATS).encode()
            return self.reply(200, {"Content-Type": "application/json"}, body)
        self.forward()

    def do_POST(self):
        self.forward()

    def reply(self, status, headers, body):
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_as_service(self, ec2, json_protocol, query_protocol):
        """Answer with the error shaped as the request's service speaks: EC2's XML, the JSON
        protocol, or the query protocol's XML."""
        service = service_of(self.headers)
        if service == "ec2":
            return self.reply(*ec2)
        if service in JSON_SERVICES:
            return self.reply(*json_protocol)
        return self.reply(*query_protocol)

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(self.path).path
        operation = operation_of(self.command, path, body, self.headers)
        with LOCK:
            STATS["seen"] += 1
            throttle = operation in self.always or (self.every and STATS["seen"] % self.every == 0)
            if throttle:
                STATS["throttled"][operation] = STATS["throttled"].get(operation, 0) + 1
        params = urllib.parse.unquote(body.decode(errors="replace"))
        for rule in self.deny:
            action, _, target = rule.partition("@")
            if action == operation and (not target or target == region_of(self.headers) or target in params):
                return self.reply_as_service(EC2_DENIED, JSON_DENIED, QUERY_DENIED)
        if operation in self.fail:
            with LOCK:
                STATS["failed"][operation] = STATS["failed"].get(operation, 0) + 1
            return self.reply_as_service(EC2_INTERNAL, JSON_INTERNAL, QUERY_INTERNAL)
        if throttle:
            return self.reply_as_service(EC2_THROTTLE, JSON_THROTTLE, QUERY_THROTTLE)
        upstream = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        out_headers = {k: v for k, v in response.getheaders() if k.lower() not in ("content-length", "transfer-encoding", "connection")}
        upstream.close()
        with LOCK:
            STATS["forwarded"] += 1
        self.reply(response.status, out_headers, payload)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--every", type=int, default=0)
    parser.add_argument("--always", action="append", default=[])
    parser.add_argument("--deny", action="append", default=[])
    parser.add_argument("--fail", action="append", default=[])
    args = parser.parse_args()
    Proxy.upstream = urllib.parse.urlsplit(args.upstream)
    Proxy.every = args.every
    Proxy.always = tuple(args.always)
    Proxy.deny = tuple(args.deny)
    Proxy.fail = tuple(args.fail)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
