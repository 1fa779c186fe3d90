"""Start moto's server (same flags as `moto_server`, plus --fast-tags) with fixes for moto 5.2.x
behaviour that differs from AWS in ways sek's tests and benchmarks depend on. Each fix is small
and keeps moto's results the same.

- Always: IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT / POST /moto-api/reset-auth) verifies a
  request's SigV4 signature against the parsed parameters when the body is empty, so every GET of
  a REST service (all EKS reads) fails SignatureDoesNotMatch. AWS signs the empty body; so does
  this launcher.
- With --fast-tags (benchmarks): moto finds an EC2 resource's own tags by scanning every tag of
  every resource with a regular expression, so describing N instances costs N x (all tags) and a
  tag-filtered DescribeInstances slows down as the environment grows, unlike AWS. The launcher
  replaces that scan with a dictionary lookup of the resource's id, which returns the same tags.
"""

import sys

from moto.ec2.models.core import TaggedEC2Resource
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


access_control.IAMRequestBase._create_aws_request = _create_aws_request_with_empty_body

if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--fast-tags" in argv:
        argv.remove("--fast-tags")
        TaggedEC2Resource.get_tags = _get_tags_by_id
    main(argv)
