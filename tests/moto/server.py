"""Start moto's server (same flags as `moto_server`) with fixes for moto 5.2.x behaviour that
differs from AWS in ways sek's tests depend on. Each fix is small and keeps moto's results.

- IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT / POST /moto-api/reset-auth): moto verifies a
  request's SigV4 signature against the parsed parameters when the body is empty, so every GET of
  a REST service (all EKS reads) fails SignatureDoesNotMatch. AWS signs the empty body; so does
  this launcher.
"""

import sys

from moto.iam import access_control
from moto.server import main

_create_aws_request = access_control.IAMRequestBase._create_aws_request


def _create_aws_request_with_empty_body(self):
    request = _create_aws_request(self)
    if self._method in ("GET", "HEAD", "DELETE") and not self._body:
        request.data = b""
    return request


access_control.IAMRequestBase._create_aws_request = _create_aws_request_with_empty_body

if __name__ == "__main__":
    main(sys.argv[1:])
