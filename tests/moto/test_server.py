"""The launcher's changes keep moto's answers honest: --fast-lookups answers exactly as moto
does (each narrowed lookup is compared with moto's own on the same in-process EC2 backend, over
filters that match, miss, combine, use wildcards and name ids that do not exist), presigned
requests are verified as AWS verifies them (against URLs botocore's own signer makes), and
Inspector's findings are filtered and paged, and its coverage answered, as the API defines them.

  .venv/bin/python -m unittest discover -s tests/moto -p 'test_*.py'
"""

import os
import unittest

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.ec2 import ec2_backends  # noqa: E402
from moto.ec2.models.elastic_block_store import EBSBackend  # noqa: E402
from moto.ec2.models.instances import InstanceBackend  # noqa: E402

import server  # noqa: E402

REGION = "eu-west-1"
AMI = "ami-12c6146b"


def reservations_view(reservations):
    """What DescribeInstances would return: reservation ids with their instance ids, in order."""
    return [(r.id, [i.id for i in r.instances]) for r in reservations]


@mock_aws
class FastLookupsMatchMoto(unittest.TestCase):
    def setUp(self):
        ec2 = boto3.client("ec2", region_name=REGION)
        self.instances = {}
        for cluster, tags in (
            ("alpha", {"kubernetes.io/cluster/alpha": "owned", "eks:cluster-name": "alpha"}),
            ("alphabet", {"kubernetes.io/cluster/alphabet": "shared", "eks:cluster-name": "alphabet"}),
            ("beta", {"eks:cluster-name": "beta"}),
            ("untagged", {}),
        ):
            spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}] if tags else []
            launched = ec2.run_instances(ImageId=AMI, MinCount=3, MaxCount=3, TagSpecifications=spec)["Instances"]
            self.instances[cluster] = [i["InstanceId"] for i in launched]
        ec2.stop_instances(InstanceIds=self.instances["beta"][:1])
        self.volumes = [ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8)["VolumeId"] for _ in range(4)]
        self.backend = ec2_backends[DEFAULT_ACCOUNT_ID][REGION]

    def assert_same_reservations(self, filters):
        expected = reservations_view(InstanceBackend.all_reservations(self.backend, filters))
        actual = reservations_view(server._all_reservations_narrowed(self.backend, filters))
        self.assertEqual(actual, expected, filters)
        return actual

    def test_instance_filters_give_moto_results(self):
        alpha, beta = self.instances["alpha"], self.instances["beta"]
        cases = [
            None,
            {},
            {"tag:kubernetes.io/cluster/alpha": ["owned", "shared"]},
            {"tag:eks:cluster-name": ["alpha"]},
            {"tag:eks:cluster-name": ["alpha*"]},
            {"tag:eks:cluster-name": ["?eta"]},
            {"tag:eks:cluster-name": ["beta"], "instance-state-name": ["running", "pending"]},
            {"tag:eks:cluster-name": ["nobody"]},
            {"tag:no-such-key": ["x"]},
            {"instance-id": alpha[:2]},
            {"instance-id": [alpha[0], "i-00000000000000000"], "instance-state-name": ["running"]},
            {"instance-id": beta, "tag:eks:cluster-name": ["alpha"]},
            {"instance-state-name": ["stopped"]},
        ]
        for filters in cases:
            with self.subTest(filters=filters):
                self.assert_same_reservations(filters)

    def test_narrowing_finds_what_the_filters_name(self):
        # Guards against both sides being empty: the comparison above would then pass vacuously.
        found = self.assert_same_reservations({"tag:eks:cluster-name": ["alpha*"]})
        ids = {i for _, instances in found for i in instances}
        self.assertEqual(ids, set(self.instances["alpha"]) | set(self.instances["alphabet"]))

    def test_volume_filters_give_moto_results(self):
        cases = [
            (None, None),
            (None, {"volume-id": self.volumes[1:3]}),
            (None, {"volume-id": [self.volumes[0], "vol-00000000000000000"]}),
            (None, {"volume-id": self.volumes, "status": ["available"]}),
            ([self.volumes[0]], None),
        ]
        for volume_ids, filters in cases:
            with self.subTest(volume_ids=volume_ids, filters=filters):
                expected = [v.id for v in EBSBackend.describe_volumes(self.backend, volume_ids, filters)]
                actual = [v.id for v in server._describe_volumes_narrowed(self.backend, volume_ids, filters)]
                self.assertEqual(actual, expected)
        self.assertEqual(
            [v.id for v in server._describe_volumes_narrowed(self.backend, None, {"volume-id": self.volumes[1:3]})],
            self.volumes[1:3],
        )


if __name__ == "__main__":
    unittest.main()


@mock_aws
class PresignedRequestsAreVerified(unittest.TestCase):
    """The launcher checks presigned (query-string SigV4) requests as AWS does: botocore's own
    signer makes the URLs here, independently of sek's."""

    def setUp(self):
        iam = boto3.client("iam", region_name=REGION)
        iam.create_user(UserName="scanner")
        key = iam.create_access_key(UserName="scanner")["AccessKey"]
        self.key, self.secret = key["AccessKeyId"], key["SecretAccessKey"]

    def presigned(self, cluster, key=None, secret=None):
        from botocore.auth import SigV4QueryAuth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        request = AWSRequest(
            method="GET",
            url="http://127.0.0.1:5000/?Action=GetCallerIdentity&Version=2011-06-15",
            headers={"x-k8s-aws-id": cluster},
        )
        SigV4QueryAuth(Credentials(key or self.key, secret or self.secret), "sts", REGION, expires=60).add_auth(request)
        return request.url.split("?", 1)[1]

    def verdict(self, query, cluster):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/",
            "QUERY_STRING": query,
            "HTTP_HOST": "127.0.0.1:5000",
            "HTTP_X_K8S_AWS_ID": cluster,
        }
        error = server._presigned_error(environ, lambda code, message: code)
        return error[1] if error else "ok"

    def test_a_url_signed_for_the_cluster_verifies(self):
        self.assertEqual(self.verdict(self.presigned("prod"), "prod"), "ok")

    def test_the_signed_header_binds_the_cluster(self):
        self.assertEqual(self.verdict(self.presigned("prod"), "staging"), "SignatureDoesNotMatch")

    def test_a_wrong_secret_or_an_unknown_key_is_refused(self):
        self.assertEqual(self.verdict(self.presigned("prod", secret="wrong"), "prod"), "SignatureDoesNotMatch")
        self.assertEqual(
            self.verdict(self.presigned("prod", key="AKIAUNKNOWN00000000"), "prod"), "InvalidClientTokenId"
        )

    def test_an_expired_url_is_refused(self):
        import datetime
        from unittest import mock

        real = datetime.datetime

        class TwoMinutesLater(real):
            @classmethod
            def now(cls, tz=None):
                return real.now(tz) + datetime.timedelta(minutes=2)

        query = self.presigned("prod")
        with mock.patch.object(server.datetime, "datetime", TwoMinutesLater):
            self.assertEqual(self.verdict(query, "prod"), "AccessDenied")


def image_finding(number, digest, severity="CRITICAL", status="ACTIVE"):
    """An Inspector finding about an ECR image, shaped as ListFindings returns it."""
    return {
        "findingArn": f"arn:aws:inspector2:{REGION}:{DEFAULT_ACCOUNT_ID}:finding/{number}",
        "awsAccountId": DEFAULT_ACCOUNT_ID,
        "type": "PACKAGE_VULNERABILITY",
        "severity": severity,
        "status": status,
        "resources": [{
            "type": "AWS_ECR_CONTAINER_IMAGE",
            "id": f"arn:aws:ecr:{REGION}:{DEFAULT_ACCOUNT_ID}:repository/api/{digest}",
            "details": {"awsEcrContainerImage": {"imageHash": digest, "repositoryName": "api", "registry": DEFAULT_ACCOUNT_ID}},
        }],
        "packageVulnerabilityDetails": {"vulnerabilityId": f"CVE-2026-{number}", "source": "NVD", "vulnerablePackages": []},
    }


@mock_aws
class InspectorFiltersAndPages(unittest.TestCase):
    def setUp(self):
        from moto.inspector2.models import inspector2_backends

        backend = inspector2_backends[DEFAULT_ACCOUNT_ID][REGION]
        findings = [image_finding(n, f"sha256:{n % 3}", "CRITICAL" if n % 2 else "HIGH") for n in range(250)]
        findings.append(image_finding(999, "sha256:0", status="CLOSED"))
        backend.findings_queue.append(findings)
        self.client = boto3.client("inspector2", region_name=REGION)

    def test_findings_are_filtered_by_image_status_and_severity_then_paged(self):
        criteria = {
            "ecrImageHash": [{"comparison": "EQUALS", "value": "sha256:0"}, {"comparison": "EQUALS", "value": "sha256:1"}],
            "findingStatus": [{"comparison": "EQUALS", "value": "ACTIVE"}],
            "severity": [{"comparison": "EQUALS", "value": "CRITICAL"}],
        }
        expected = [f"CVE-2026-{n}" for n in range(250) if n % 3 in (0, 1) and n % 2]
        pages, token = [], None
        while True:
            kwargs = {"filterCriteria": criteria, "maxResults": 40}
            if token:
                kwargs["nextToken"] = token
            page = self.client.list_findings(**kwargs)
            pages.append(page["findings"])
            token = page.get("nextToken")
            if not token:
                break
        ids = [f["packageVulnerabilityDetails"]["vulnerabilityId"] for page in pages for f in page]
        self.assertEqual(ids, expected)
        self.assertEqual([len(p) for p in pages[:-1]], [40] * (len(pages) - 1))

    def test_an_unemulated_filter_is_refused_not_ignored(self):
        with self.assertRaisesRegex(Exception, "not emulated"):
            self.client.list_findings(filterCriteria={"vendorSeverity": [{"comparison": "EQUALS", "value": "x"}]})


@mock_aws
class InspectorCoverage(unittest.TestCase):
    def test_instances_are_covered_once_ec2_scanning_is_enabled(self):
        ec2 = boto3.client("ec2", region_name=REGION)
        ids = [i["InstanceId"] for i in ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2)["Instances"]]
        inspector = boto3.client("inspector2", region_name=REGION)
        criteria = {"resourceId": [{"comparison": "EQUALS", "value": ids[0]}]}
        self.assertEqual(inspector.list_coverage(filterCriteria=criteria)["coveredResources"], [])
        inspector.enable(accountIds=[DEFAULT_ACCOUNT_ID], resourceTypes=["EC2"])
        covered = inspector.list_coverage(filterCriteria=criteria)["coveredResources"]
        self.assertEqual([(c["resourceId"], c["scanStatus"]["statusCode"]) for c in covered], [(ids[0], "ACTIVE")])
