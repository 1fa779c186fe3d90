"""Inspector findings for the vulnerability benchmark, on a moto endpoint (tests/moto/server.py).

  inspector-findings.py --endpoint URL --region R post --cluster NAME --total 10000 --per-node 10
      Enable Inspector (EC2) and add TOTAL active findings: PER-NODE about each node of cluster
      NAME (one in five critical), the rest about 500 other instances of the account, as an
      account with other workloads holds them. Prints how many are about the cluster's nodes.
  inspector-findings.py --endpoint URL --region R read-all
      The naive reader, for comparison: every active finding of the account, page by page (100
      per page), as a tool without a filter would read them. Prints pages and findings.
"""

import argparse
import json
import os
import sys
import time

import boto3

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "moto"))
import fixtures  # noqa: E402


def node_ids(env, cluster):
    ids = []
    pages = env.ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "tag:eks:cluster-name", "Values": [cluster]}]
    )
    for page in pages:
        for reservation in page["Reservations"]:
            ids.extend(i["InstanceId"] for i in reservation["Instances"])
    return ids


def post(env, cluster, total, per_node):
    env.inspector.enable(accountIds=[env.account_id()], resourceTypes=["EC2"])
    nodes = node_ids(env, cluster)
    findings = []
    for node in nodes:
        for n in range(per_node):
            severity = "CRITICAL" if n % 5 == 0 else "MEDIUM"
            findings.append(env.node_finding(node, f"CVE-2026-{len(findings):05d}", severity, "openssl", "3.0.1", "3.0.7"))
    about_cluster = len(findings)
    n = 0
    while len(findings) < total:
        other = f"i-0other{n % 500:011d}"
        findings.append(env.node_finding(other, f"CVE-2026-{len(findings):05d}", "CRITICAL" if n % 5 == 0 else "HIGH", "glibc", "2.34", "2.35"))
        n += 1
    env.inspector_findings(findings)
    print(json.dumps({"nodes": len(nodes), "about_cluster": about_cluster, "total": len(findings)}))


def read_all(env):
    started = time.monotonic()
    pages = findings = 0
    token = None
    while True:
        kwargs = {"filterCriteria": {"findingStatus": [{"comparison": "EQUALS", "value": "ACTIVE"}]}, "maxResults": 100}
        if token:
            kwargs["nextToken"] = token
        page = env.inspector.list_findings(**kwargs)
        pages += 1
        findings += len(page["findings"])
        token = page.get("nextToken")
        if not token:
            break
    print(json.dumps({"pages": pages, "findings": findings, "seconds": round(time.monotonic() - started, 3)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="eu-west-1")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("post")
    add.add_argument("--cluster", required=True)
    add.add_argument("--total", type=int, default=10000)
    add.add_argument("--per-node", type=int, default=10)
    commands.add_parser("read-all")
    args = parser.parse_args()
    env = fixtures.Env(args.endpoint, args.region)
    if args.command == "post":
        post(env, args.cluster, args.total, args.per_node)
    else:
        read_all(env)


if __name__ == "__main__":
    main()
