"""Build a benchmark fleet on a moto endpoint: N EKS clusters (alternately the compliant and the
non-compliant scenario of tests/moto/fixtures.py: VPC, subnets, security groups, KMS key, IAM
roles, launch template, managed node group with its Auto Scaling group, IRSA role, logs), each
grown to NODES tagged nodes like its first one.

  fleet-build.py --endpoint URL [--region R] [--clusters 200] [--nodes 20]

Prints the cluster names, one per line.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "moto"))
import fixtures  # noqa: E402


def grow(env, name, nodes):
    """Launch nodes like the cluster's tagged node until it has `nodes` of them."""
    instances = {}
    for tag, values in ((f"kubernetes.io/cluster/{name}", ["owned", "shared"]), ("eks:cluster-name", [name])):
        pages = env.ec2.get_paginator("describe_instances").paginate(Filters=[{"Name": f"tag:{tag}", "Values": values}])
        for page in pages:
            for reservation in page["Reservations"]:
                for instance in reservation["Instances"]:
                    instances[instance["InstanceId"]] = instance
    instances = list(instances.values())
    missing = nodes - len(instances)
    if missing <= 0:
        return
    model = instances[0]
    tags = [t for t in model.get("Tags", []) if not t["Key"].startswith("aws:")]
    env.ec2.run_instances(
        ImageId=model["ImageId"],
        MinCount=missing,
        MaxCount=missing,
        InstanceType=model.get("InstanceType", "m5.large"),
        SubnetId=model["SubnetId"],
        SecurityGroupIds=[g["GroupId"] for g in model["SecurityGroups"]],
        IamInstanceProfile={"Arn": model["IamInstanceProfile"]["Arn"]},
        MetadataOptions={
            "HttpTokens": model["MetadataOptions"]["HttpTokens"],
            "HttpPutResponseHopLimit": model["MetadataOptions"]["HttpPutResponseHopLimit"],
            "HttpEndpoint": "enabled",
        },
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--nodes", type=int, default=20)
    args = parser.parse_args()
    env = fixtures.Env(args.endpoint, args.region)
    for n in range(args.clusters):
        name = f"fleet-{n:04d}"
        scenario = fixtures.secure if n % 2 == 0 else fixtures.insecure
        scenario(env, name)
        grow(env, name, args.nodes)
        print(name, flush=True)


if __name__ == "__main__":
    main()
