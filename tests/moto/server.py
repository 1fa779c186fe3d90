"""Start moto's server (same flags as `moto_server`, plus --fast-lookups) with fixes for moto 5.2.x
behaviour that differs from AWS in ways sek's tests and benchmarks depend on. Each fix is small
and keeps moto's results the same.

- Always: IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT / POST /moto-api/reset-auth) verifies a
  request's SigV4 signature against the parsed parameters when the body is empty, so every GET of
  a REST service (all EKS reads) fails SignatureDoesNotMatch. AWS signs the empty body; so does
  this launcher.
- Always: a managed node group with a launch template reports the default remote access
  (`eksKeypair`) that moto gives every node group; AWS forbids remote access with a launch
  template and reports none. And one whose launch template names an AMI reports the AMI type
  CUSTOM, as EKS does, instead of moto's default AL2_x86_64.
- Always: every cluster gets the same OIDC issuer (drawn once per process); AWS gives each
  cluster its own, and IRSA checks tell clusters apart by it.
- Always: BatchGetAccountStatus without account ids returns nothing, and nothing for an account
  that never enabled Inspector; AWS returns the caller's account, DISABLED until enabled.
- Always: presigned requests (SigV4 in the query string, as in an EKS token's presigned STS
  GetCallerIdentity URL) are routed by the service in their credential scope and answered as the
  caller whose access key signed them; their signature is verified against that key's secret
  (IAM users' keys and assumed roles' sessions), including the signed headers such as
  x-k8s-aws-id, and an expired URL is refused. moto ignores X-Amz-Credential and answers every
  presigned request as its default user, and checks no signature; AWS does both. With IAM
  enforcement on, a verified presigned GetCallerIdentity is not authorized again: AWS requires
  no permission for it, and moto would check the query signature as a header one and refuse it.
- Always: Inspector's ListFindings treats every result posted to moto's results queue
  (/moto-api/static/inspector2/findings-results) as one of the account's findings, and filters
  and pages them as AWS does: moto pops a queued list per distinct request and never pages, so a
  filtered, paginated reader got arbitrary lists. The filters sek sends are applied (ecrImageHash,
  resourceId, findingStatus, severity: EQUALS within a key is "any of", keys combine with "and";
  any other key is refused), and a nextToken is returned while findings remain.
- Always: Inspector's ListCoverage, which moto lacks, answers from moto's own state: the
  account's EC2 instances are covered (ACTIVE) once it enabled EC2 scanning, and none before;
  filtered by resourceId and paged like ListFindings.
- Always: a cluster's API endpoint is https://127.0.0.1:9 (nothing listens) instead of moto's
  made-up name under eks.amazonaws.com, so nothing that tries it leaves loopback. With
  --eks-endpoints FILE, a cluster created while FILE maps its name (or "*") to
  {"endpoint": URL, "ca": base64 PEM} gets that endpoint and CA bundle instead: the clusters of
  the Kubernetes tests point at the local kube-apiserver.
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
import datetime
import functools
import hashlib
import hmac
import json
import os
import re
import sys
import urllib.parse

import moto.backends
import moto.core.responses

from moto.ec2.models.core import TaggedEC2Resource
from moto.ec2.models.elastic_block_store import EBSBackend
from moto.ec2.models.instances import InstanceBackend
from moto.eks.models import Cluster, Nodegroup
from moto.moto_api._internal import mock_random
from moto.inspector2.models import AccountStatus, Inspector2Backend
from moto.inspector2.responses import Inspector2Response
import moto.inspector2.urls
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import JsonRESTError
from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, filter_reservations, generic_filter, get_prefix, simple_aws_filter_to_re
from moto.iam import access_control
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
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
EKS_ENDPOINTS = None


def _cluster_init_with_own_issuer(self, *args, **kwargs):
    _cluster_init(self, *args, **kwargs)
    issuer = self.identity["oidc"]["issuer"].rsplit("/", 1)[0]
    self.identity = {"oidc": {"issuer": f"{issuer}/{mock_random.get_random_hex(32).upper()}"}}
    # moto's made-up endpoint is a name under eks.amazonaws.com: a scanner that tried it would
    # leave loopback. Every cluster gets a loopback endpoint that refuses connections instead,
    # unless --eks-endpoints points it at a local API server.
    self.endpoint = "https://127.0.0.1:9"
    if EKS_ENDPOINTS and os.path.exists(EKS_ENDPOINTS):
        with open(EKS_ENDPOINTS) as f:
            endpoints = json.load(f)
        target = endpoints.get(self.name) or endpoints.get("*")
        if target:
            self.endpoint = target["endpoint"]
            self.certificate_authority = {"data": target["ca"]}


def _secret_of(access_key_id):
    """The secret of an access key moto issued (an IAM user's or an assumed role's), or None."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for account in list(sts_backends.keys()):
        for partition in list(sts_backends[account].keys()):
            for role in sts_backends[account][partition].assumed_roles:
                if role.access_key_id == access_key_id:
                    return role.secret_access_key
    for account in list(iam_backends.keys()):
        for partition in list(iam_backends[account].keys()):
            backend = iam_backends[account][partition]
            for user_name in list(backend.users):
                for key in backend.list_access_keys(user_name):
                    if key.access_key_id == access_key_id:
                        return key.secret_access_key
    return None


def _uri_encode(value):
    return urllib.parse.quote(value, safe="-_.~")


def _presigned_error(environ, code):
    """None when the presigned request in `environ` verifies, else (HTTP status, XML body)."""
    query = urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    params = dict(query)
    try:
        access_key, date, region, service, _ = params["X-Amz-Credential"].split("/")
        signed_at = datetime.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        expires = int(params["X-Amz-Expires"])
        signed_headers = params["X-Amz-SignedHeaders"].split(";")
        signature = params["X-Amz-Signature"]
    except (KeyError, ValueError):
        return 400, code("AuthorizationQueryParametersError", "malformed presigned request")
    if datetime.datetime.now(datetime.timezone.utc) > signed_at + datetime.timedelta(seconds=expires):
        return 403, code("AccessDenied", "Request has expired")
    secret = _secret_of(access_key)
    if secret is None:
        return 403, code("InvalidClientTokenId", "The security token included in the request is invalid.")
    canonical_query = "&".join(
        f"{_uri_encode(k)}={_uri_encode(v)}" for k, v in sorted(query) if k != "X-Amz-Signature"
    )
    def header(name):
        if name == "host":
            return environ.get("HTTP_HOST", "")
        return environ.get("HTTP_" + name.upper().replace("-", "_"), "")
    canonical_headers = "".join(f"{h}:{header(h).strip()}\n" for h in signed_headers)
    canonical_request = "\n".join([
        environ["REQUEST_METHOD"], _uri_encode(environ.get("PATH_INFO") or "/").replace("%2F", "/"),
        canonical_query, canonical_headers, ";".join(signed_headers), hashlib.sha256(b"").hexdigest(),
    ])
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256", params["X-Amz-Date"], scope, hashlib.sha256(canonical_request.encode()).hexdigest()
    ])
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return 403, code(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    return None


_dispatch = DomainDispatcherApplication.__call__


def _dispatch_presigned(self, environ, start_response):
    # The mark of a verified presigned request is the launcher's to set, never a client's.
    environ.pop("HTTP_X_SEK_PRESIGNED", None)
    query = environ.get("QUERY_STRING", "")
    if "X-Amz-Signature=" in query and "HTTP_AUTHORIZATION" not in environ:
        def code(name, message):
            return (
                '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                f"<Code>{name}</Code><Message>{message}</Message></Error><RequestId>presigned</RequestId></ErrorResponse>"
            )
        error = _presigned_error(environ, code)
        if error:
            status, body = error
            reason = {400: "Bad Request", 403: "Forbidden"}[status]
            data = body.encode()
            start_response(f"{status} {reason}", [("Content-Type", "text/xml"), ("Content-Length", str(len(data)))])
            return [data]
        # Verified: moto routes and identifies the caller by an Authorization header.
        params = dict(urllib.parse.parse_qsl(query))
        environ = dict(environ)
        environ["HTTP_AUTHORIZATION"] = (
            f"AWS4-HMAC-SHA256 Credential={params['X-Amz-Credential']}, "
            f"SignedHeaders={params['X-Amz-SignedHeaders']}, Signature={params['X-Amz-Signature']}"
        )
        environ["HTTP_X_SEK_PRESIGNED"] = "verified"
    return _dispatch(self, environ, start_response)


_authorize = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action


def _authorize_unless_caller_identity(self, resource="*"):
    # GetCallerIdentity needs no permission in AWS, and a presigned one was verified above
    # (moto would check its query signature again as a header signature, and refuse it).
    if self.headers.get("X-Sek-Presigned") == "verified" and self._get_action() == "GetCallerIdentity":
        return
    _authorize(self, resource)


_nodegroup_init = Nodegroup.__init__


def _nodegroup_init_without_default_remote_access(self, *args, **kwargs):
    _nodegroup_init(self, *args, **kwargs)
    template = kwargs.get("launch_template")
    if template and not kwargs.get("remote_access"):
        self.remote_access = None
    # A launch template that names an AMI makes the node group's AMI type CUSTOM (EKS: "if the
    # launch template specifies an AMI, amiType is CUSTOM"); moto keeps its default AL2 type.
    if template and not kwargs.get("ami_type"):
        from moto.ec2 import ec2_backends

        try:
            backend = ec2_backends[kwargs["account_id"]][kwargs["region_name"]]
            found = (
                backend.get_launch_template(template["id"])
                if template.get("id")
                else backend.get_launch_template_by_name(template["name"])
            )
            if found.get_version(template.get("version", "$Default")).image_id:
                self.ami_type = "CUSTOM"
        except Exception:  # noqa: BLE001 - an unknown template keeps moto's behaviour
            pass


def _batch_get_account_status(self, account_ids):
    for account in account_ids or [self.account_id]:
        self.account_status.setdefault(account, AccountStatus(account))
    return [status.to_batch_json() for a_id, status in self.account_status.items() if a_id in (account_ids or [self.account_id])]


_FINDING_FIELDS = {
    "findingStatus": lambda f: [f.get("status")],
    "severity": lambda f: [f.get("severity")],
    "resourceId": lambda f: [r.get("id") for r in f.get("resources", [])],
    "ecrImageHash": lambda f: [
        r.get("details", {}).get("awsEcrContainerImage", {}).get("imageHash") for r in f.get("resources", [])
    ],
}


def _matches(values, filters):
    for condition in filters:
        if condition.get("comparison") != "EQUALS":
            raise ValueError(f"comparison {condition.get('comparison')} is not emulated")
    return any(condition.get("value") in values for condition in filters)


def _page(items, max_results, next_token):
    start = int(next_token or 0)
    size = int(max_results or 100)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _all_findings(backend):
    findings = backend.__dict__.setdefault("sek_findings", [])
    while backend.findings_queue:
        findings.extend(backend.findings_queue.pop(0))
    return findings


def _list_findings_paged(self):
    criteria = self._get_param("filterCriteria") or {}
    unknown = set(criteria) - set(_FINDING_FIELDS)
    if unknown:
        raise JsonRESTError("ValidationException", f"filter criteria {sorted(unknown)} are not emulated")
    findings = [
        f
        for f in _all_findings(self.inspector2_backend)
        if all(_matches(_FINDING_FIELDS[key](f), filters) for key, filters in criteria.items())
    ]
    page, token = _page(findings, self._get_param("maxResults"), self._get_param("nextToken"))
    body = {"findings": page}
    if token:
        body["nextToken"] = token
    return json.dumps(body)


def _list_coverage(self):
    from moto.ec2.models import ec2_backends

    criteria = self._get_param("filterCriteria") or {}
    wanted = criteria.get("resourceId")
    status = self.inspector2_backend.account_status.get(self.current_account)
    covered = []
    if status is not None and status.ec2 == "ENABLED":
        backend = ec2_backends[self.current_account][self.region]
        for reservation in backend.reservations.values():
            for instance in reservation.instances:
                if instance.state == "terminated" or (wanted and not _matches([instance.id], wanted)):
                    continue
                covered.append({
                    "accountId": self.current_account,
                    "resourceId": instance.id,
                    "resourceType": "AWS_EC2_INSTANCE",
                    "scanType": "PACKAGE",
                    "scanStatus": {"statusCode": "ACTIVE", "reason": "SUCCESSFUL"},
                })
    page, token = _page(covered, self._get_param("maxResults"), self._get_param("nextToken"))
    body = {"coveredResources": page}
    if token:
        body["nextToken"] = token
    return json.dumps(body)


access_control.IAMRequestBase._create_aws_request = _create_aws_request_with_empty_body
Inspector2Response.list_findings = _list_findings_paged
Inspector2Response.list_coverage = _list_coverage
moto.inspector2.urls.url_paths["{0}/coverage/list$"] = Inspector2Response.dispatch
Cluster.__init__ = _cluster_init_with_own_issuer
Nodegroup.__init__ = _nodegroup_init_without_default_remote_access
Inspector2Backend.batch_get_account_status = _batch_get_account_status
DomainDispatcherApplication.__call__ = _dispatch_presigned
ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = _authorize_unless_caller_identity

if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--eks-endpoints" in argv:
        at = argv.index("--eks-endpoints")
        EKS_ENDPOINTS = argv[at + 1]
        del argv[at : at + 2]
    if "--fast-lookups" in argv:
        argv.remove("--fast-lookups")
        TaggedEC2Resource.get_tags = _get_tags_by_id
        InstanceBackend.all_reservations = _all_reservations_narrowed
        EBSBackend.describe_volumes = _describe_volumes_narrowed
        modules = tuple(moto.backends.list_of_moto_modules())
        moto.backends.list_of_moto_modules = lambda: modules
        moto.core.responses.method_names_from_class = functools.cache(moto.core.responses.method_names_from_class)
    main(argv)
