"""Start moto's server (same flags as `moto_server`, plus --fast-tags) with fixes for moto 5.2.x
behaviour that differs from AWS in ways sek's tests and benchmarks depend on. Each fix is small
and keeps moto's results the same.

- Always: IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT / POST /moto-api/reset-auth) verifies a
  request's SigV4 signature against the parsed parameters when the body is empty, so every GET of
  a REST service (all EKS reads) fails SignatureDoesNotMatch. AWS signs the empty body; so does
  this launcher.
- Always: a managed node group with a launch template reports the default remote access
  (`eksKeypair`) that moto gives every node group; AWS forbids remote access with a launch
  template and reports none.
- Always: every cluster gets the same OIDC issuer (drawn once per process); AWS gives each
  cluster its own, and IRSA checks tell clusters apart by it.
- Always: BatchGetAccountStatus without account ids returns nothing, and nothing for an account
  that never enabled Inspector; AWS returns the caller's account, DISABLED until enabled.
- With --fast-tags (benchmarks): moto finds an EC2 resource's own tags by scanning every tag of
  every resource with a regular expression, so describing N instances costs N x (all tags) and a
  tag-filtered DescribeInstances slows down as the environment grows, unlike AWS. The launcher
  replaces that scan with a dictionary lookup of the resource's id, which returns the same tags.
"""

import sys

from moto.ec2.models.core import TaggedEC2Resource
from moto.eks.models import Cluster, Nodegroup
from moto.moto_api._internal import mock_random
from moto.inspector2.models import AccountStatus, Inspector2Backend
from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix
from moto.iam import access_control
from moto.server import main

_create_aws_request = access_control.IAMRequestBase._create_aws_request


def _create_aws_request_with_empty_body(self):
    request = _create_aws_request(self)
    if self._method in ("GET", "HEAD", "DELETE") and not self._body:
        request.data = b""
    return request


def _get_tags_by_id(self):
    if not self.id:
        return []
    resource_type = EC2_PREFIX_TO_RESOURCE.get(get_prefix(self.id), "")
    return [
        {"resource_id": self.id, "key": key, "value": value, "resource_type": resource_type}
        for key, value in self.ec2_backend.tags.get(self.id, {}).items()
    ]


_cluster_init = Cluster.__init__


def _cluster_init_with_own_issuer(self, *args, **kwargs):
    _cluster_init(self, *args, **kwargs)
    issuer = self.identity["oidc"]["issuer"].rsplit("/", 1)[0]
    self.identity = {"oidc": {"issuer": f"{issuer}/{mock_random.get_random_hex(32).upper()}"}}


_nodegroup_init = Nodegroup.__init__


def _nodegroup_init_without_default_remote_access(self, *args, **kwargs):
    _nodegroup_init(self, *args, **kwargs)
    if kwargs.get("launch_template") and not kwargs.get("remote_access"):
        self.remote_access = None


def _batch_get_account_status(self, account_ids):
    for account in account_ids or [self.account_id]:
        self.account_status.setdefault(account, AccountStatus(account))
    return [status.to_batch_json() for a_id, status in self.account_status.items() if a_id in (account_ids or [self.account_id])]


access_control.IAMRequestBase._create_aws_request = _create_aws_request_with_empty_body
Cluster.__init__ = _cluster_init_with_own_issuer
Nodegroup.__init__ = _nodegroup_init_without_default_remote_access
Inspector2Backend.batch_get_account_status = _batch_get_account_status

if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--fast-tags" in argv:
        argv.remove("--fast-tags")
        TaggedEC2Resource.get_tags = _get_tags_by_id
    main(argv)
