"""Start moto's server (same flags as `moto_server`, plus --fast-lookups) with fixes for moto 5.2.x
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
- With --fast-lookups (benchmarks), three lookups that slow down with the size of the whole
  environment, unlike AWS, are answered from dictionaries; each returns the same results:
  - moto finds an EC2 resource's own tags by scanning every tag of every resource with a regular
    expression, so describing N instances costs N x (all tags): the launcher looks the resource's
    id up in the tag table instead;
  - DescribeInstances with `tag:KEY` or `instance-id` filters runs moto's per-instance filter over
    every instance of the region: the launcher first narrows the reservations to the instances
    the tag table (same wildcard matching as moto) or the id list allows, then runs moto's filter
    on those;
  - DescribeVolumes with a `volume-id` filter runs moto's generic filter over every volume: the
    launcher narrows to the listed ids first, in moto's order.
  Two per-request costs of moto's server are also computed once: the list of its service modules
  (a directory listing and a stat per module on every request) and each response class's method
  names (inspected on every request); neither changes while the server runs.
"""

import copy
import functools
import re
import sys

import moto.backends
import moto.core.responses

from moto.ec2.models.core import TaggedEC2Resource
from moto.ec2.models.elastic_block_store import EBSBackend
from moto.ec2.models.instances import InstanceBackend
from moto.eks.models import Cluster, Nodegroup
from moto.moto_api._internal import mock_random
from moto.inspector2.models import AccountStatus, Inspector2Backend
from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, filter_reservations, generic_filter, get_prefix, simple_aws_filter_to_re
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


def _ids_allowed_by(backend, filters):
    """The ids of the resources that can pass the `instance-id` and `tag:KEY` filters (a superset
    of moto's answer: moto's own filter still runs on them), or None when no filter narrows."""
    allowed = None
    for name, values in (filters or {}).items():
        if name == "instance-id":
            ids = set(values)
        elif name.startswith("tag:"):
            key = name[4:]
            # moto's tag_filter_matches: a value matches as a wildcard pattern or exactly.
            patterns = [re.compile(simple_aws_filter_to_re(v)) for v in values]
            ids = {
                rid
                for rid, tags in backend.tags.items()
                if key in tags and (tags[key] in values or any(p.match(tags[key]) for p in patterns))
            }
        else:
            continue
        allowed = ids if allowed is None else allowed & ids
    return allowed


_all_reservations = InstanceBackend.all_reservations


def _all_reservations_narrowed(self, filters=None):
    allowed = _ids_allowed_by(self, filters)
    if allowed is None:
        return _all_reservations(self, filters)
    reservations = [
        copy.copy(r) for r in self.reservations.copy().values() if any(i.id in allowed for i in r.instances)
    ]
    return filter_reservations(reservations, filters)


_describe_volumes = EBSBackend.describe_volumes


def _describe_volumes_narrowed(self, volume_ids=None, filters=None):
    if volume_ids or not filters or "volume-id" not in filters:
        return _describe_volumes(self, volume_ids, filters)
    # moto's own body (all volumes, then generic_filter), on the listed ones only.
    wanted = set(filters["volume-id"])
    return generic_filter(filters, [volume for volume in self.volumes.values() if volume.id in wanted])


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
    if "--fast-lookups" in argv:
        argv.remove("--fast-lookups")
        TaggedEC2Resource.get_tags = _get_tags_by_id
        InstanceBackend.all_reservations = _all_reservations_narrowed
        EBSBackend.describe_volumes = _describe_volumes_narrowed
        modules = tuple(moto.backends.list_of_moto_modules())
        moto.backends.list_of_moto_modules = lambda: modules
        moto.core.responses.method_names_from_class = functools.cache(moto.core.responses.method_names_from_class)
    main(argv)
