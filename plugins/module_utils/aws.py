# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One AWS session for the collection: credentials, region, endpoint and retries in one place.

boto3 is imported lazily so that modules which only *may* talk to AWS (EKS mode of the
Kubernetes-facing modules) pay nothing for it when they do not.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import sys

from ansible.module_utils.basic import env_fallback

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import aws_region

# Options shared by every module that talks to AWS (documented in the ``aws`` doc fragment).
# boto3 itself reads AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, ...;
# the fallbacks below add the spellings amazon.aws users already have in their environment.
AWS_ARGSPEC = dict(
    region=dict(type="str", aliases=["aws_region"], fallback=(env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"])),
    profile=dict(type="str", aliases=["aws_profile"], fallback=(env_fallback, ["AWS_PROFILE"])),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url"], fallback=(env_fallback, ["AWS_ENDPOINT_URL"])),
    access_key=dict(type="str", aliases=["aws_access_key_id"], no_log=False),
    secret_key=dict(type="str", aliases=["aws_secret_access_key"], no_log=True),
    session_token=dict(type="str", aliases=["aws_session_token"], no_log=True),
)

# Shared by the modules that tag what they manage (documented by the aws.tags doc fragment).
TAGS_ARGSPEC = dict(tags=dict(type="dict"), purge_tags=dict(type="bool", default=True))


def state_wait_argspec(wait_timeout):
    """``state`` plus ``wait``/``wait_timeout`` (seconds) of the modules that wait for AWS."""
    return dict(state=dict(type="str", default="present", choices=["present", "absent"]),
                wait=dict(type="bool", default=True), wait_timeout=dict(type="int", default=wait_timeout))


# How long EKS accepts a token made from a presigned GetCallerIdentity URL (server side: 15 min).
EKS_TOKEN_PREFIX = "k8s-aws-v1."
_EKS_CLUSTER_ID_HEADER = "x-k8s-aws-id"
_PRESIGN_EXPIRES = 60


def _import_boto3():
    try:
        import boto3  # pylint: disable=import-outside-toplevel
        import botocore  # pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        raise WandbModuleError(
            "boto3 and botocore are required for AWS access (EKS mode); install them on the host "
            "that runs this module: pip install boto3"
        )
    return boto3


def aws_session(params):
    """A boto3 Session from the module's AWS options; environment and profile apply as in the AWS CLI."""
    boto3 = _import_boto3()
    from botocore.exceptions import BotoCoreError  # pylint: disable=import-outside-toplevel

    kwargs = {}
    if params.get("profile"):
        kwargs["profile_name"] = params["profile"]
    if params.get("access_key") or params.get("secret_key"):
        kwargs["aws_access_key_id"] = params.get("access_key")
        kwargs["aws_secret_access_key"] = params.get("secret_key")
        kwargs["aws_session_token"] = params.get("session_token")
    if params.get("region"):
        kwargs["region_name"] = params["region"]
    try:
        session = boto3.session.Session(**kwargs)
    except BotoCoreError as exc:
        raise WandbModuleError("cannot create an AWS session: %s" % exc)
    if not session.region_name:
        raise WandbModuleError("no AWS region: set region (or AWS_REGION / AWS_DEFAULT_REGION)")
    # An unknown region makes botocore build an endpoint that does not exist, retried 8 times to an unclear error.
    found = aws_region(session.region_name, _known_regions(session))
    if found:
        raise WandbModuleError("region %s" % found + ("" if params.get("region") else " (from AWS_REGION, AWS_DEFAULT_REGION or the profile)"))
    return session


def _known_regions(session):
    """Every region of every partition botocore knows (aws, aws-cn, aws-us-gov, ...)."""
    regions = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("ec2", partition_name=partition))
    return regions


def aws_client(session, service, params):
    """A client with standard-mode retries (exponential backoff with jitter on throttling)."""
    from botocore.config import Config  # pylint: disable=import-outside-toplevel

    config = Config(retries={"mode": "standard", "max_attempts": 8}, user_agent_extra="selfmanaged.wandb")
    return session.client(service, endpoint_url=params.get("endpoint_url") or None, config=config)


def eks_token(session, cluster_name, endpoint_url=None):
    """The bearer token ``aws eks get-token`` prints: ``k8s-aws-v1.`` + base64url(presigned STS URL).

    EKS authenticates the caller by replaying the presigned GetCallerIdentity request; the signed
    ``x-k8s-aws-id`` header binds the token to one cluster.
    """
    from botocore.signers import RequestSigner  # pylint: disable=import-outside-toplevel

    region = session.region_name
    credentials = session.get_credentials()
    if credentials is None:
        raise WandbModuleError(
            "no AWS credentials found for the EKS token: set access_key/secret_key, profile, "
            "or the AWS_* environment variables"
        )
    sts = session.client("sts", region_name=region, endpoint_url=endpoint_url or None)
    base_url = endpoint_url.rstrip("/") if endpoint_url else "https://sts.%s.amazonaws.com" % region
    signer = RequestSigner(
        sts.meta.service_model.service_id, region, "sts", "v4", credentials, session.events
    )
    request = {
        "method": "GET",
        "url": base_url + "/?Action=GetCallerIdentity&Version=2011-06-15",
        "body": {},
        "headers": {_EKS_CLUSTER_ID_HEADER: cluster_name},
        "context": {},
    }
    url = signer.generate_presigned_url(
        request, region_name=region, expires_in=_PRESIGN_EXPIRES, operation_name=""
    )
    encoded = base64.urlsafe_b64encode(url.encode("utf-8")).decode("utf-8").rstrip("=")
    return EKS_TOKEN_PREFIX + encoded


def describe_eks_cluster(session, cluster_name, params):
    """Endpoint and CA of an EKS cluster; a missing or unready cluster is a clear error."""
    from botocore.exceptions import BotoCoreError, ClientError  # pylint: disable=import-outside-toplevel

    eks = aws_client(session, "eks", params)
    try:
        cluster = eks.describe_cluster(name=cluster_name)["cluster"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "ResourceNotFoundException":
            raise WandbModuleError(
                "EKS cluster %r not found in %s" % (cluster_name, session.region_name)
            )
        raise WandbModuleError("cannot describe EKS cluster %r: %s" % (cluster_name, exc))
    except BotoCoreError as exc:
        raise WandbModuleError("cannot reach the EKS API: %s" % exc)
    endpoint = cluster.get("endpoint")
    ca_data = (cluster.get("certificateAuthority") or {}).get("data")
    if not endpoint:
        raise WandbModuleError(
            "EKS cluster %r has no API endpoint yet (status %s)" % (cluster_name, cluster.get("status"))
        )
    return endpoint, ca_data


def error_code(exc):
    """The AWS error code of a botocore ClientError (None for anything else)."""
    response = getattr(exc, "response", None) or {}
    return (response.get("Error") or {}).get("Code")


class _NeverRaised(Exception):
    """Matches nothing: what is_boto3_error_code gives when the exception in flight does not match."""


def is_boto3_error_code(*codes):
    """For ``except`` clauses: ``except is_boto3_error_code("NoSuchEntity"):``.

    Python evaluates the expression while the exception is in flight, so the in-flight exception
    decides: ClientError when its code is one of ``codes``, else a class nothing raises.
    """
    from botocore.exceptions import ClientError  # pylint: disable=import-outside-toplevel

    exc = sys.exc_info()[1]
    if isinstance(exc, ClientError) and error_code(exc) in codes:
        return ClientError
    return _NeverRaised


class AwsService(object):
    """Clients made once per module run; every AWS error becomes one clear WandbModuleError."""

    wait_delay = 10  # seconds between a waiter's polls (tests set 0)

    def __init__(self, params):
        self.params = params
        self.session = aws_session(params)
        self._clients = {}

    def client(self, service):
        if service not in self._clients:
            self._clients[service] = aws_client(self.session, service, self.params)
        return self._clients[service]

    def call(self, service, operation, missing_codes=(), **kwargs):
        """One API call; None when it fails with one of ``missing_codes`` (a thing that does not exist)."""
        from botocore.exceptions import BotoCoreError, ClientError  # pylint: disable=import-outside-toplevel

        try:
            return getattr(self.client(service), operation)(**kwargs)
        except is_boto3_error_code(*missing_codes) if missing_codes else _NeverRaised:
            return None
        except ClientError as exc:
            raise WandbModuleError("%s %s failed: %s" % (service.upper(), operation, exc), error_code=error_code(exc))
        except BotoCoreError as exc:
            raise WandbModuleError("%s %s failed: %s (check region, credentials and endpoint_url)" % (service.upper(), operation, exc))

    def wait(self, service, waiter_name, timeout, **kwargs):
        """A boto3 waiter bounded by ``timeout`` seconds; failure says what it waited for."""
        from botocore.exceptions import WaiterError  # pylint: disable=import-outside-toplevel

        waiter = self.client(service).get_waiter(waiter_name)
        attempts = max(1, int(timeout // self.wait_delay)) if self.wait_delay else 5
        try:
            waiter.wait(WaiterConfig={"Delay": self.wait_delay, "MaxAttempts": attempts}, **kwargs)
        except WaiterError as exc:
            raise WandbModuleError("timed out or failed waiting for %s (%s): %s" % (waiter_name, kwargs, exc.last_response.get("Error") or exc))
