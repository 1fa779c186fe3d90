"""Build EKS environments on a moto server, through the AWS API, for sek's live tests and benchmark.

Usage:
  fixtures.py --endpoint URL build SCENARIO [SCENARIO...]   # prints a JSON manifest
  fixtures.py --endpoint URL user --deny ACTION [--deny ACTION...]  # prints access keys
  fixtures.py --endpoint URL auth on|off                    # enforce IAM policies from now on, or stop

Known moto (5.2.x) gaps worked around here, as the real services would behave:
- no cluster security group is created: one is created and passed in resourcesVpcConfig;
- node groups get no Auto Scaling group or instances: both are created (tagged as EKS tags them)
  and attached;
- launch-template MetadataOptions and encryption are ignored at launch: they are set on RunInstances;
- an unencrypted root volume is added unless BlockDeviceMappings are given: they always are;
- only the first of several instances launched together gets the instance profile: one per call;
- AWS managed policies exist only with MOTO_IAM_LOAD_MANAGED_POLICIES=true (set by the tests);
- DescribeCluster reports no vpcId: it is added to resourcesVpcConfig like the cluster group.
moto has no EKS add-ons, access entries, Pod Identity, updates or cluster versions (those reads
fail with HTTP 404 and the checks that need them report `error`), and DescribeCluster has no
accessConfig. The launcher tests/moto/server.py fixes two behaviours (node group remote access,
Inspector account status); see there.

The `region-hardened` and `region-lax` scenarios set up what the region's clusters share
(CloudTrail, GuardDuty, Inspector, ECR, EventBridge, EBS encryption by default).
"""

import argparse
import base64
import json
import sys
import urllib.request

import boto3
from botocore.config import Config

AMI = "ami-12c6146b"  # an AMI moto knows (Windows Server, owned by Amazon)
EKS_AMI = "ami-ekslinux"  # moto's "amazon-eks-node-linux", owned by Amazon
AWS_POLICY = "arn:aws:iam::aws:policy/"


def account_credentials(endpoint, account):
    """Credentials of `account` (moto files what they create under the role's account)."""
    sts = boto3.client(
        "sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    role = f"arn:aws:iam::{account}:role/sek-fixtures"
    issued = sts.assume_role(RoleArn=role, RoleSessionName="fixtures")["Credentials"]
    return dict(
        aws_access_key_id=issued["AccessKeyId"],
        aws_secret_access_key=issued["SecretAccessKey"],
        aws_session_token=issued["SessionToken"],
    )


class Env:
    def __init__(self, endpoint, region, account=None):
        self.endpoint = endpoint
        credentials = (
            account_credentials(endpoint, account)
            if account
            else dict(aws_access_key_id="testing", aws_secret_access_key="testing")
        )
        kwargs = dict(
            endpoint_url=endpoint,
            region_name=region,
            config=Config(retries={"max_attempts": 1}),
            **credentials,
        )
        self.credentials = credentials
        self.ec2 = boto3.client("ec2", **kwargs)
        self.eks = boto3.client("eks", **kwargs)
        self.iam = boto3.client("iam", **kwargs)
        self.asg = boto3.client("autoscaling", **kwargs)
        self.kms = boto3.client("kms", **kwargs)
        self.logs = boto3.client("logs", **kwargs)
        self.ecr = boto3.client("ecr", **kwargs)
        self.s3 = boto3.client("s3", **kwargs)
        self.cloudtrail = boto3.client("cloudtrail", **kwargs)
        self.guardduty = boto3.client("guardduty", **kwargs)
        self.inspector = boto3.client("inspector2", **kwargs)
        self.events = boto3.client("events", **kwargs)
        self.region = region
        # CreateCluster has no clusterSecurityGroupId or vpcId (EKS fills them in, moto does
        # not); moto stores resourcesVpcConfig as sent, so the fields are added to the body.
        self.cluster_group = None
        self.cluster_vpc = None
        self.eks.meta.events.register("before-sign.eks.CreateCluster", self._add_cluster_group)

    def account_id(self):
        return boto3.client(
            "sts", endpoint_url=self.endpoint, region_name=self.region, **self.credentials
        ).get_caller_identity()["Account"]

    def inspector_findings(self, findings):
        """Add Amazon Inspector findings (ListFindings shapes) to the account's, through moto's
        results queue (the launcher reads every queued result as one of the account's)."""
        body = {"results": [findings], "account_id": self.account_id(), "region": self.region}
        moto_api(self.endpoint, "/moto-api/static/inspector2/findings-results", json.dumps(body))

    def node_finding(self, instance, cve, severity, package, version, fixed):
        """An active Inspector finding about an EC2 instance's package."""
        return {
            "findingArn": f"arn:aws:inspector2:{self.region}:{self.account_id()}:finding/{instance}-{cve}",
            "awsAccountId": self.account_id(),
            "type": "PACKAGE_VULNERABILITY",
            "severity": severity,
            "status": "ACTIVE",
            "title": f"{cve} - {package}",
            "description": f"{cve} in {package}",
            "firstObservedAt": 1764979200,
            "lastObservedAt": 1764979200,
            "fixAvailable": "YES" if fixed else "NO",
            "exploitAvailable": "YES",
            "resources": [{"type": "AWS_EC2_INSTANCE", "id": instance}],
            "packageVulnerabilityDetails": {
                "vulnerabilityId": cve,
                "source": "NVD",
                "vulnerablePackages": [{"name": package, "version": version, **({"fixedInVersion": fixed} if fixed else {})}],
            },
        }

    def _add_cluster_group(self, request, **_):
        body = json.loads(request.data)
        body["resourcesVpcConfig"]["clusterSecurityGroupId"] = self.cluster_group
        body["resourcesVpcConfig"]["vpcId"] = self.cluster_vpc
        request.data = json.dumps(body).encode()

    # --- network -------------------------------------------------------------------------
    def vpc(self, cidr):
        return self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]

    def subnet(self, vpc, cidr, public=False, igw=None):
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
        if public:
            self.ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
            table = self.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
            self.ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
            self.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        return subnet

    def private_endpoints(self, vpc, subnets, group):
        """The VPC endpoints nodes without Internet access need: interface endpoints for ECR,
        STS, EC2 and CloudWatch Logs, and a gateway endpoint for S3."""
        region = self.ec2.meta.region_name
        for service in ["ecr.api", "ecr.dkr", "sts", "ec2", "logs"]:
            self.ec2.create_vpc_endpoint(
                VpcId=vpc,
                ServiceName=f"com.amazonaws.{region}.{service}",
                VpcEndpointType="Interface",
                SubnetIds=subnets,
                SecurityGroupIds=[group],
                PrivateDnsEnabled=True,
            )
        tables = self.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
        self.ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=f"com.amazonaws.{region}.s3",
            VpcEndpointType="Gateway",
            RouteTableIds=[t["RouteTableId"] for t in tables],
        )

    def internet_gateway(self, vpc):
        igw = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        return igw

    def group(self, vpc, name, rules):
        group = self.ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        permissions = []
        for protocol, ports, source in rules:
            rule = {"IpProtocol": protocol}
            if ports is not None:
                rule["FromPort"], rule["ToPort"] = ports
            if source == "self":
                rule["UserIdGroupPairs"] = [{"GroupId": group}]
            elif source.startswith("sg-"):
                rule["UserIdGroupPairs"] = [{"GroupId": source}]
            elif ":" in source:
                rule["Ipv6Ranges"] = [{"CidrIpv6": source}]
            else:
                rule["IpRanges"] = [{"CidrIp": source}]
            permissions.append(rule)
        if permissions:
            self.ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=permissions)
        return group

    # --- identity -------------------------------------------------------------------------
    def role(self, name, service, managed=(), inline=None):
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        for policy in managed:
            self.iam.attach_role_policy(RoleName=name, PolicyArn=policy if policy.startswith("arn:") else AWS_POLICY + policy)
        for policy_name, document in (inline or {}).items():
            self.iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
        return arn

    def node_identity(self, name, managed, inline=None):
        role_arn = self.role(name, "ec2.amazonaws.com", managed, inline)
        profile = self.iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Arn"]
        self.iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        return role_arn, profile

    # --- compute ----------------------------------------------------------------------------
    def launch_template(self, name, tokens, hops, encrypted, groups, ami=AMI, user_data=None):
        data = {
            **({"UserData": base64.b64encode(user_data.encode()).decode()} if user_data else {}),
            "ImageId": ami,
            "MetadataOptions": {"HttpTokens": tokens, "HttpPutResponseHopLimit": hops, "HttpEndpoint": "enabled"},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "Encrypted": encrypted}}],
            "SecurityGroupIds": groups,
        }
        template = self.ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)
        return template["LaunchTemplate"]["LaunchTemplateId"]

    def node(self, subnet, groups, profile, tokens, hops, encrypted, tags, ami=AMI, key=None):
        extra = {"KeyName": key} if key else {}
        run = self.ec2.run_instances(
            **extra,
            ImageId=ami,
            MinCount=1,
            MaxCount=1,
            InstanceType="m5.large",
            SubnetId=subnet,
            SecurityGroupIds=groups,
            IamInstanceProfile={"Arn": profile},
            MetadataOptions={"HttpTokens": tokens, "HttpPutResponseHopLimit": hops, "HttpEndpoint": "enabled"},
            BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "Encrypted": encrypted}}],
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
            if tags
            else [],
        )
        return run["Instances"][0]["InstanceId"]

    def cluster(self, name, vpc, subnets, cluster_group, extra_groups, role_arn, public, private, cidrs, logging, key):
        self.cluster_group = cluster_group
        self.cluster_vpc = vpc
        vpc_config = {
            "subnetIds": subnets,
            "securityGroupIds": extra_groups,
            "endpointPublicAccess": public,
            "endpointPrivateAccess": private,
        }
        if cidrs is not None:
            vpc_config["publicAccessCidrs"] = cidrs
        kwargs = dict(name=name, version="1.31", roleArn=role_arn, resourcesVpcConfig=vpc_config, logging=logging)
        if key:
            kwargs["encryptionConfig"] = [{"resources": ["secrets"], "provider": {"keyArn": key}}]
        return self.eks.create_cluster(**kwargs)["cluster"]

    def nodegroup(self, cluster, name, subnets, role_arn, template, version=None):
        self.eks.create_nodegroup(
            clusterName=cluster,
            nodegroupName=name,
            subnets=subnets,
            nodeRole=role_arn,
            launchTemplate={"id": template, "version": "1"},
            **({"version": version} if version else {}),
        )
        described = self.eks.describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]
        asg = described["resources"]["autoScalingGroups"][0]["name"]
        self.asg.create_auto_scaling_group(
            AutoScalingGroupName=asg,
            LaunchTemplate={"LaunchTemplateId": template, "Version": "1"},
            MinSize=0,
            MaxSize=10,
            DesiredCapacity=0,
            VPCZoneIdentifier=subnets[0],
            Tags=[
                {"Key": key, "Value": value, "PropagateAtLaunch": True}
                for key, value in self.eks_group_tags(cluster, name).items()
            ],
        )
        return asg

    @staticmethod
    def eks_group_tags(cluster, nodegroup):
        """The tags EKS puts on a managed node group's Auto Scaling group."""
        return {
            "eks:cluster-name": cluster,
            "eks:nodegroup-name": nodegroup,
            "k8s.io/cluster-autoscaler/enabled": "true",
            f"k8s.io/cluster-autoscaler/{cluster}": "owned",
        }

    def attach(self, asg, instances):
        self.asg.attach_instances(AutoScalingGroupName=asg, InstanceIds=instances)

    # --- around the cluster -----------------------------------------------------------------
    def irsa_role(self, name, issuer, sub, aud=True, managed=(), inline=None):
        """An OIDC provider for the cluster's issuer (once) and a role its service accounts can
        assume, with `sub` matched by StringLike and, if `aud`, the STS audience."""
        host = issuer.removeprefix("https://")
        account = "123456789012"  # moto's default account
        provider = f"arn:aws:iam::{account}:oidc-provider/{host}"
        existing = [p["Arn"] for p in self.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
        if provider not in existing:
            self.iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["sts.amazonaws.com"], ThumbprintList=["9" * 40])
        condition = {"StringLike": {f"{host}:sub": sub}}
        if aud:
            condition["StringEquals"] = {f"{host}:aud": "sts.amazonaws.com"}
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": condition,
                }
            ],
        }
        arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        for policy in managed:
            self.iam.attach_role_policy(RoleName=name, PolicyArn=AWS_POLICY + policy)
        for policy_name, document in (inline or {}).items():
            self.iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
        return arn

    def control_plane_logs(self, cluster, retention, key):
        name = f"/aws/eks/{cluster}/cluster"
        self.logs.create_log_group(logGroupName=name, **({"kmsKeyId": key} if key else {}))
        if retention:
            self.logs.put_retention_policy(logGroupName=name, retentionInDays=retention)

    def flow_log(self, vpc, traffic="ALL"):
        # The destination log group exists, so the flow log delivers (moto, like AWS, reports a
        # FAILED delivery to a missing group).
        self.logs.create_log_group(logGroupName=f"/vpc/{vpc}")
        self.ec2.create_flow_logs(
            ResourceIds=[vpc],
            ResourceType="VPC",
            TrafficType=traffic,
            LogDestinationType="cloud-watch-logs",
            LogGroupName=f"/vpc/{vpc}",
            DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs",
        )


ALL_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def secure(env, name):
    """Everything compliant. Nodes: one found by tags and its ASG, one only through the ASG, one
    self-managed found only by the kubernetes.io/cluster tag."""
    vpc = env.vpc("10.10.0.0/16")
    subnets = [env.subnet(vpc, "10.10.1.0/24"), env.subnet(vpc, "10.10.2.0/24")]
    cluster_group = env.group(vpc, f"{name}-cluster", [("-1", None, "self")])
    extra_group = env.group(vpc, f"{name}-extra", [("tcp", (443, 443), "10.10.0.0/16")])
    node_group = env.group(vpc, f"{name}-node", [("-1", None, "self"), ("tcp", (443, 443), cluster_group), ("tcp", (10250, 10250), cluster_group)])
    # Private subnets without a NAT gateway: the nodes reach AWS through VPC endpoints.
    env.private_endpoints(vpc, subnets, node_group)
    key = env.kms.create_key(Description=f"{name} secrets")["KeyMetadata"]["Arn"]
    cluster_role = env.role(f"{name}-cluster", "eks.amazonaws.com", ["AmazonEKSClusterPolicy"])
    node_role, profile = env.node_identity(
        f"{name}-node", ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"]
    )
    env.kms.enable_key_rotation(KeyId=key)
    # The EKS bootstrap: a CA bundle and an endpoint, nothing secret.
    bootstrap = f"#!/bin/bash\n/etc/eks/bootstrap.sh {name} --b64-cluster-ca LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n"
    template = env.launch_template(f"{name}-lt", "required", 1, True, [node_group], ami=EKS_AMI, user_data=bootstrap)
    logging = {"clusterLogging": [{"types": ALL_LOGS, "enabled": True}]}
    cluster = env.cluster(name, vpc, subnets, cluster_group, [extra_group], cluster_role, False, True, None, logging, key)
    asg = env.nodegroup(name, "workers", subnets, node_role, template, version="1.31")
    tags = {"eks:cluster-name": name, "eks:nodegroup-name": "workers", f"kubernetes.io/cluster/{name}": "owned"}
    tagged = env.node(subnets[0], [node_group], profile, "required", 1, True, tags, ami=EKS_AMI)
    asg_only = env.node(subnets[1], [node_group], profile, "required", 1, True, {}, ami=EKS_AMI)
    env.attach(asg, [tagged, asg_only])
    self_managed = env.node(
        subnets[0], [node_group], profile, "required", 1, True, {f"kubernetes.io/cluster/{name}": "shared"}, ami=EKS_AMI
    )
    env.control_plane_logs(name, 365, key)
    env.flow_log(vpc)
    irsa = env.irsa_role(
        f"{name}-app", cluster["identity"]["oidc"]["issuer"], "system:serviceaccount:app:api", managed=["AmazonS3ReadOnlyAccess"],
        inline={"own-bucket": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{name}-app/*"}]}},
    )
    return {
        "cluster_arn": cluster["arn"],
        "irsa_role": irsa,
        "instances": {"tagged": tagged, "asg_only": asg_only, "self_managed": self_managed},
        "groups": {"cluster": cluster_group, "extra": extra_group, "node": node_group},
        "template": template,
        "node_role": node_role,
    }


def insecure(env, name):
    """Everything non-compliant: open endpoint and security groups, no secrets key, partial
    logging, IMDSv1 with hop limit 2, an unencrypted volume, a public node, an admin node role."""
    vpc = env.vpc("10.20.0.0/16")
    igw = env.internet_gateway(vpc)
    subnet = env.subnet(vpc, "10.20.1.0/24", public=True, igw=igw)
    cluster_group = env.group(vpc, f"{name}-cluster", [("-1", None, "self"), ("tcp", (22, 22), "0.0.0.0/0")])
    extra_group = env.group(vpc, f"{name}-extra", [("-1", None, "::/0")])
    node_group = env.group(vpc, f"{name}-node", [("tcp", (0, 65535), "0.0.0.0/0")])
    cluster_role = env.role(f"{name}-cluster", "eks.amazonaws.com", ["AmazonEKSClusterPolicy", "AmazonEC2FullAccess"])
    push = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ecr:PutImage"], "Resource": "*"}]}
    node_role, profile = env.node_identity(
        f"{name}-node", ["AmazonEKSWorkerNodePolicy", "AdministratorAccess"], {"push": push}
    )
    # A leftover deployment key (AWS's documentation example, not a real one).
    leaky = "#!/bin/bash\nset -e\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    template = env.launch_template(f"{name}-lt", "optional", 2, False, [node_group], user_data=leaky)
    env.ec2.create_key_pair(KeyName=f"{name}-ops")
    logging = {
        "clusterLogging": [
            {"types": ["api"], "enabled": True},
            {"types": ["audit", "authenticator", "controllerManager", "scheduler"], "enabled": False},
        ]
    }
    cluster = env.cluster(name, vpc, [subnet], cluster_group, [extra_group], cluster_role, True, False, ["0.0.0.0/0"], logging, None)
    asg = env.nodegroup(name, "legacy", [subnet], node_role, template)
    tags = {"eks:cluster-name": name, "eks:nodegroup-name": "legacy"}
    node = env.node(subnet, [node_group], profile, "optional", 2, False, tags, key=f"{name}-ops")
    env.attach(asg, [node])
    # Inspector found a critical, exploited kernel vulnerability on the node (and a medium one,
    # below the default threshold).
    env.inspector_findings([
        env.node_finding(node, "CVE-2024-1086", "CRITICAL", "kernel", "5.10.205-195.807.amzn2", "5.10.209-198.812.amzn2"),
        env.node_finding(node, "CVE-2023-0001", "MEDIUM", "curl", "8.3.0", None),
    ])
    # A CI role any service account can assume, with administrator access.
    irsa = env.irsa_role(
        f"{name}-ci", cluster["identity"]["oidc"]["issuer"], "system:serviceaccount:*:*", aud=False, managed=["AdministratorAccess"],
        inline={"pass-any-role": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}},
    )
    return {
        "cluster_arn": cluster["arn"],
        "irsa_role": irsa,
        "instances": {"legacy": node},
        "groups": {"cluster": cluster_group, "extra": extra_group, "node": node_group},
        "template": template,
        "node_role": node_role,
    }


def insecure_untagged_group(env, name):
    """`insecure`, its node group's Auto Scaling group stripped of the tags EKS put on it (found
    by name only)."""
    built = insecure(env, name)
    described = env.eks.describe_nodegroup(clusterName=name, nodegroupName="legacy")["nodegroup"]
    asg = described["resources"]["autoScalingGroups"][0]["name"]
    env.asg.delete_tags(
        Tags=[
            {"ResourceId": asg, "ResourceType": "auto-scaling-group", "Key": key}
            for key in env.eks_group_tags(name, "legacy")
        ]
    )
    return built


def empty(env, name):
    """A compliant control plane with no node groups and no nodes."""
    vpc = env.vpc("10.30.0.0/16")
    subnet = env.subnet(vpc, "10.30.1.0/24")
    cluster_group = env.group(vpc, f"{name}-cluster", [("-1", None, "self")])
    key = env.kms.create_key(Description=f"{name} secrets")["KeyMetadata"]["Arn"]
    cluster_role = env.role(f"{name}-cluster", "eks.amazonaws.com", ["AmazonEKSClusterPolicy"])
    logging = {"clusterLogging": [{"types": ALL_LOGS, "enabled": True}]}
    cluster = env.cluster(name, vpc, [subnet], cluster_group, [], cluster_role, True, True, ["203.0.113.0/24"], logging, key)
    return {"cluster_arn": cluster["arn"], "groups": {"cluster": cluster_group}}


def region_hardened(env, name):
    """The region's shared settings all in place: EBS encryption by default, a multi-region trail
    with log file validation logging management events, GuardDuty with EKS audit log and runtime
    monitoring, Inspector for EC2 and ECR, a compliant ECR repository, an EKS event rule with a
    target."""
    env.ec2.enable_ebs_encryption_by_default()
    bucket = f"{name}-trail"
    env.s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": env.region})
    env.cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True, EnableLogFileValidation=True)
    env.cloudtrail.put_event_selectors(
        TrailName=name, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    env.cloudtrail.start_logging(Name=name)
    env.guardduty.create_detector(
        Enable=True,
        Features=[{"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"}, {"Name": "RUNTIME_MONITORING", "Status": "ENABLED"}],
    )
    env.inspector.enable(accountIds=["123456789012"], resourceTypes=["EC2", "ECR"])
    key = env.kms.create_key(Description="ecr")["KeyMetadata"]["Arn"]
    env.ecr.create_repository(
        repositoryName=f"{name}/app",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key},
    )
    lifecycle = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50}, "action": {"type": "expire"}}]}
    env.ecr.put_lifecycle_policy(repositoryName=f"{name}/app", lifecyclePolicyText=json.dumps(lifecycle))
    env.events.put_rule(Name=f"{name}-eks", EventPattern=json.dumps({"source": ["aws.eks"]}), State="ENABLED")
    env.events.put_targets(Rule=f"{name}-eks", Targets=[{"Id": "1", "Arn": "arn:aws:sns:eu-west-1:123456789012:alerts"}])
    return {"repository": f"{name}/app"}


def region_lax(env, name):
    """The region's shared settings done halfway: a single-region trail without validation,
    GuardDuty without runtime monitoring, Inspector for EC2 only, a public, mutable, unencrypted
    ECR repository without lifecycle, an EKS event rule with no target."""
    bucket = f"{name}-trail"
    env.s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": env.region})
    env.cloudtrail.create_trail(Name=name, S3BucketName=bucket)
    env.cloudtrail.start_logging(Name=name)
    env.guardduty.create_detector(Enable=True, Features=[{"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"}])
    env.inspector.enable(accountIds=["123456789012"], resourceTypes=["EC2"])
    env.ecr.create_repository(repositoryName=f"{name}/legacy", imageTagMutability="MUTABLE")
    public = {"Version": "2012-10-17", "Statement": [{"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}]}
    env.ecr.set_repository_policy(repositoryName=f"{name}/legacy", policyText=json.dumps(public))
    env.events.put_rule(Name=f"{name}-eks", EventPattern=json.dumps({"source": ["aws.eks"]}), State="ENABLED")
    return {"repository": f"{name}/legacy"}


def region_subtle(env, name):
    """Settings that look compliant and are not, each beside a compliant twin where the setting
    is per repository: a multi-region, validated, logging trail that records read-only management
    events; an ECR repository open through NotPrincipal, one open to `*` on the sole condition of
    TLS (twin: open to the organization only); ENHANCED registry scanning whose filter `ap`
    matches `app` by containment while `web`'s own scan-on-push no longer counts; tags immutable
    except `*` (twin: except `dev-*`); an EKS event rule in state
    ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (enabled); a cluster (the empty scenario's)
    whose VPC logs rejected traffic only."""
    cluster = empty(env, name)
    env.flow_log(env.cluster_vpc, traffic="REJECT")
    bucket = f"{name}-trail"
    env.s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": env.region})
    env.cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True, EnableLogFileValidation=True)
    env.cloudtrail.put_event_selectors(
        TrailName=name, EventSelectors=[{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]
    )
    env.cloudtrail.start_logging(Name=name)
    env.ecr.put_registry_scanning_configuration(
        scanType="ENHANCED",
        rules=[{"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "ap", "filterType": "WILDCARD"}]}],
    )
    def repository(repo, mutability, exclusions, policy=None, scan_on_push=False):
        kwargs = {}
        if exclusions is not None:
            kwargs["imageTagMutabilityExclusionFilters"] = [{"filterType": "WILDCARD", "filter": f} for f in exclusions]
        env.ecr.create_repository(
            repositoryName=f"{name}/{repo}", imageTagMutability=mutability,
            imageScanningConfiguration={"scanOnPush": scan_on_push}, **kwargs,
        )
        if policy:
            statement = {"Sid": "pull", "Effect": "Allow", "Action": ["ecr:BatchGetImage"], **policy}
            env.ecr.set_repository_policy(
                repositoryName=f"{name}/{repo}",
                policyText=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
            )
    repository("app", "IMMUTABLE_WITH_EXCLUSION", ["*"],
               {"NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/admin"}})
    repository("web", "IMMUTABLE_WITH_EXCLUSION", ["dev-*"],
               {"Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, scan_on_push=True)
    repository("org-api", "IMMUTABLE", None,
               {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}})
    env.events.put_rule(Name=f"{name}-eks", EventPattern=json.dumps({"source": ["aws.eks"]}),
                        State="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
    env.events.put_targets(Rule=f"{name}-eks", Targets=[{"Id": "1", "Arn": f"arn:aws:sns:{env.region}:123456789012:alerts"}])
    return cluster


def region_subtle_twin(env, name):
    """region_subtle's trail and VPC done right: advanced selectors recording every management
    event, and a flow log of all traffic."""
    cluster = empty(env, name)
    env.flow_log(env.cluster_vpc, traffic="ALL")
    bucket = f"{name}-trail"
    env.s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": env.region})
    env.cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True, EnableLogFileValidation=True)
    env.cloudtrail.put_event_selectors(
        TrailName=name,
        AdvancedEventSelectors=[{"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}],
    )
    env.cloudtrail.start_logging(Name=name)
    return cluster


SCENARIOS = {
    "secure": secure,
    "insecure": insecure,
    "insecure-untagged-group": insecure_untagged_group,
    "empty": empty,
    "region-hardened": region_hardened,
    "region-lax": region_lax,
    "region-subtle": region_subtle,
    "region-subtle-twin": region_subtle_twin,
}


def moto_api(endpoint, path, body):
    # text/plain: moto reads the raw body, which a form content type would consume.
    request = urllib.request.Request(
        endpoint.rstrip("/") + path, data=body.encode(), method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def scanner_user(env, denied, name=None):
    """An IAM user allowed everything except `denied` actions; returns its access key and ARN."""
    name = name or ("scanner-" + "-".join(a.replace(":", "_") for a in denied) if denied else "scanner")
    arn = env.iam.create_user(UserName=name)["User"]["Arn"]
    statements = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    if denied:
        statements.append({"Effect": "Deny", "Action": denied, "Resource": "*"})
    env.iam.put_user_policy(
        UserName=name, PolicyName="scan", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )
    key = env.iam.create_access_key(UserName=name)["AccessKey"]
    return {"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"], "arn": arn}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument("--account", help="build in this account (through an assumed role) instead of the caller's")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build")
    build.add_argument("scenarios", nargs="+", help="scenario[:cluster-name]")
    user = commands.add_parser("user")
    user.add_argument("--deny", action="append", default=[])
    user.add_argument("--name", help="the user's name (default: from the denied actions)")
    user.add_argument("--count", type=int, help="make this many users, NAME-0 ... NAME-(N-1); prints a list")
    org = commands.add_parser("org", help="create an organization with N member accounts; prints their ids")
    org.add_argument("members", type=int)
    auth = commands.add_parser("auth")
    auth.add_argument("state", choices=["on", "off"])
    args = parser.parse_args()

    if args.command == "auth":
        moto_api(args.endpoint, "/moto-api/reset-auth", "0" if args.state == "on" else "inf")
        return
    if args.command == "org":
        organizations = boto3.client(
            "organizations", endpoint_url=args.endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )
        organizations.create_organization(FeatureSet="ALL")
        ids = [
            organizations.create_account(Email=f"member{n}@example.com", AccountName=f"member{n}")["CreateAccountStatus"]["AccountId"]
            for n in range(args.members)
        ]
        json.dump(ids, sys.stdout)
        return
    env = Env(args.endpoint, args.region, args.account)
    if args.command == "user":
        if args.count is not None:
            users = [scanner_user(env, args.deny, f"{args.name}-{n}") for n in range(args.count)]
            json.dump(users, sys.stdout)
        else:
            json.dump(scanner_user(env, args.deny, args.name), sys.stdout)
        return
    manifest = {}
    for spec in args.scenarios:
        scenario, _, name = spec.partition(":")
        manifest[name or scenario] = SCENARIOS[scenario](env, name or scenario)
    json.dump(manifest, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
