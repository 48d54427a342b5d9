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
import random
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.options import (
    AWS_ARGSPEC,
    TAGS_ARGSPEC,
    state_wait_argspec,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.module_runner import run_module
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import aws_region

# How long EKS accepts a token made from a presigned GetCallerIdentity URL (server side: 15 min).
EKS_TOKEN_PREFIX = "k8s-aws-v1."
_EKS_CLUSTER_ID_HEADER = "x-k8s-aws-id"
_PRESIGN_EXPIRES = 60


def _import_boto3():
    try:
        import boto3  # pylint: disable=import-outside-toplevel
        import botocore  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        raise WandbModuleError(
            "boto3 and botocore are required for AWS access (EKS mode); install them on the host "
            "that runs this module: pip install boto3"
        ) from None
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
        raise WandbModuleError("cannot create an AWS session: %s" % exc) from exc
    if not session.region_name:
        raise WandbModuleError("no AWS region: set region (or AWS_REGION / AWS_DEFAULT_REGION)")
    # An unknown region makes botocore build an endpoint that does not exist, retried 8 times to an unclear error.
    found = aws_region(session.region_name)
    if found:
        raise WandbModuleError(
            "region %s" % found
            + ("" if params.get("region") else " (from AWS_REGION, AWS_DEFAULT_REGION or the profile)")
        )
    return session


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
    signer = RequestSigner(sts.meta.service_model.service_id, region, "sts", "v4", credentials, session.events)
    request = {
        "method": "GET",
        "url": base_url + "/?Action=GetCallerIdentity&Version=2011-06-15",
        "body": {},
        "headers": {_EKS_CLUSTER_ID_HEADER: cluster_name},
        "context": {},
    }
    url = signer.generate_presigned_url(request, region_name=region, expires_in=_PRESIGN_EXPIRES, operation_name="")
    encoded = base64.urlsafe_b64encode(url.encode("utf-8")).decode("utf-8").rstrip("=")
    return EKS_TOKEN_PREFIX + encoded


def error_code(exc):
    """The AWS error code of a botocore ClientError (None for anything else)."""
    response = getattr(exc, "response", None) or {}
    return (response.get("Error") or {}).get("Code")


def iam_not_yet_usable(exc):
    """An IAM role made moments ago that EKS cannot use yet: IAM is eventually consistent, so this passes."""
    message = str(exc).lower()
    return (
        error_code(exc) in ("InvalidParameterException", "AccessDeniedException", "InvalidRequestException")
        and "role" in message
        and ("assume" in message or "cannot be found" in message or "does not exist" in message)
    )


def plan_tags(current, desired, purge):
    """``{"set": {...}, "unset": [...]}`` to make ``current`` tags ``desired``, or None when tags are not managed
    (``desired`` None) or already right. amazon.aws's compare_aws_tags decides."""
    if desired is None:
        return None
    to_set, to_unset = compare_aws_tags(current or {}, desired, purge_tags=purge)
    if not to_set and not to_unset:
        return None
    return {"set": to_set, "unset": sorted(to_unset)}


class AwsService(object):
    """Every AWS call of the collection: clients made once per module run, each error one clear WandbModuleError,
    and retries with jittered backoff where AWS is eventually consistent (a role just made in IAM)."""

    wait_delay = 10  # seconds between a waiter's polls (tests set 0)
    propagation_timeout = 90  # seconds an IAM role may take before EKS can use it
    sleep = staticmethod(time.sleep)

    def __init__(self, params):
        self.params = params
        self.session = aws_session(params)
        self._clients = {}

    def client(self, service):
        if service not in self._clients:
            self._clients[service] = aws_client(self.session, service, self.params)
        return self._clients[service]

    def call(self, service, operation, missing_codes=(), iam_roles=False, **kwargs):
        """One API call; None when it fails with one of ``missing_codes`` (a thing that does not exist). With
        ``iam_roles``, an IAM role EKS cannot use yet is waited for (full-jitter backoff, up to propagation_timeout)."""
        from botocore.exceptions import BotoCoreError, ClientError  # pylint: disable=import-outside-toplevel

        waited, attempt = 0.0, 0
        while True:
            try:
                return getattr(self.client(service), operation)(**kwargs)
            except is_boto3_error_code(list(missing_codes)):
                return None
            except ClientError as exc:
                if iam_roles and iam_not_yet_usable(exc) and waited < self.propagation_timeout:
                    delay = random.uniform(0, min(20, 2**attempt))  # noqa: S311 - backoff jitter, not a secret
                    self.sleep(delay)
                    waited, attempt = waited + delay, attempt + 1
                    continue
                raise WandbModuleError(
                    "%s %s failed: %s" % (service.upper(), operation, exc), error_code=error_code(exc)
                ) from exc
            except BotoCoreError as exc:
                raise WandbModuleError(
                    "%s %s failed: %s (check region, credentials and endpoint_url)" % (service.upper(), operation, exc)
                ) from exc

    def paginate(self, service, operation, result_key, **kwargs):
        """Every item of a paginated listing (``result_key`` of each page), errors as ``call`` makes them."""
        items = []

        def all_pages():
            for page in self.client(service).get_paginator(operation).paginate(**kwargs):
                items.extend(page.get(result_key) or [])
            return items

        from botocore.exceptions import BotoCoreError, ClientError  # pylint: disable=import-outside-toplevel

        try:
            return all_pages()
        except ClientError as exc:
            raise WandbModuleError(
                "%s %s failed: %s" % (service.upper(), operation, exc), error_code=error_code(exc)
            ) from exc
        except BotoCoreError as exc:
            raise WandbModuleError(
                "%s %s failed: %s (check region, credentials and endpoint_url)" % (service.upper(), operation, exc)
            ) from exc

    def describe_cluster(self, name, missing_ok=True):
        """An EKS cluster (DescribeCluster), None when it does not exist; with ``missing_ok=False`` that is an error."""
        response = self.call("eks", "describe_cluster", missing_codes=("ResourceNotFoundException",), name=name)
        if response is None and not missing_ok:
            raise WandbModuleError("EKS cluster %r not found in %s" % (name, self.session.region_name))
        return response["cluster"] if response else None

    def cluster_endpoint(self, name):
        """Endpoint and CA (base64) of an EKS cluster, for EKS mode; a cluster without an endpoint is an error."""
        cluster = self.describe_cluster(name, missing_ok=False)
        if not cluster.get("endpoint"):
            raise WandbModuleError("EKS cluster %r has no API endpoint yet (status %s)" % (name, cluster.get("status")))
        return cluster["endpoint"], (cluster.get("certificateAuthority") or {}).get("data")

    def wait(self, service, waiter_name, timeout, **kwargs):
        """A boto3 waiter bounded by ``timeout`` seconds; failure says what it waited for."""
        from botocore.exceptions import WaiterError  # pylint: disable=import-outside-toplevel

        waiter = self.client(service).get_waiter(waiter_name)
        attempts = max(1, int(timeout // self.wait_delay)) if self.wait_delay else 5
        try:
            waiter.wait(WaiterConfig={"Delay": self.wait_delay, "MaxAttempts": attempts}, **kwargs)
        except WaiterError as exc:
            raise WandbModuleError(
                "timed out or failed waiting for %s (%s): %s"
                % (waiter_name, kwargs, exc.last_response.get("Error") or exc)
            ) from exc


class AwsRunner(object):
    """The base of the AWS modules' runners: the module and its AwsService; ``run()`` returns the result dict or
    raises WandbModuleError (see module_runner)."""

    def __init__(self, module, aws):
        self.module = module
        self.params = module.params
        self.aws = aws

    def run(self):
        raise NotImplementedError


def aws_main(argument_spec, runner_class, wait_timeout=None, tags=True, **module_kwargs):
    """An AWS module's main(): its own options, ``state``/``wait``/``wait_timeout`` when it waits, the shared AWS
    options and tags, check mode, and ``runner_class(module, AwsService(params)).run()`` through run_module."""
    spec = dict(argument_spec)
    if wait_timeout is not None:
        spec.update(state_wait_argspec(wait_timeout))
    spec.update(AWS_ARGSPEC)
    if tags:
        spec.update(TAGS_ARGSPEC)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **module_kwargs)
    run_module(module, lambda m: runner_class(m, AwsService(m.params)).run())
