# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM Roles for Service Accounts: the trust policy that lets exactly one Kubernetes service account
of one cluster assume a role through the cluster's IAM OIDC provider."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

_PROVIDER_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/(?P<issuer>.+)$")
_K8S_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def issuer_host_path(issuer_url):
    """``oidc.eks.<region>.amazonaws.com/id/<ID>``: the form IAM uses in ARNs and condition keys."""
    text = (issuer_url or "").strip()
    if text.startswith("https://"):
        text = text[len("https://") :]
    text = text.rstrip("/")
    if not text or "/" not in text or " " in text:
        raise WandbModuleError(
            "OIDC issuer %r is not a URL such as https://oidc.eks.us-west-2.amazonaws.com/id/ABC" % (issuer_url,)
        )
    return text


def _service_accounts(namespace, service_account):
    """``service_account`` (one name or a list) as a list, every name and the namespace checked as Kubernetes names."""
    accounts = service_account if isinstance(service_account, (list, tuple)) else [service_account]
    if not accounts:
        raise WandbModuleError("at least one service account is needed")
    for what, value in [("namespace", namespace)] + [("service account", name) for name in accounts]:
        if not _K8S_NAME_RE.match(value or ""):
            raise WandbModuleError("%s %r is not a valid Kubernetes name" % (what, value))
    return list(accounts)


def irsa_trust_policy(oidc_provider_arn, namespace, service_account):
    """Trust policy for sts:AssumeRoleWithWebIdentity by ``system:serviceaccount:<namespace>:<service_account>``.

    StringEquals on both ``sub`` (these service accounts only: one name or a list) and ``aud`` (tokens minted for
    STS only).
    """
    match = _PROVIDER_ARN_RE.match(oidc_provider_arn or "")
    if not match:
        raise WandbModuleError("%r is not an IAM OIDC provider ARN" % (oidc_provider_arn,))
    accounts = _service_accounts(namespace, service_account)
    issuer = match.group("issuer")
    subjects = ["system:serviceaccount:%s:%s" % (namespace, name) for name in accounts]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "%s:sub" % issuer: subjects[0] if len(subjects) == 1 else subjects,
                        "%s:aud" % issuer: "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


_CLUSTER_ARN_RE = re.compile(r"^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster/[A-Za-z0-9][A-Za-z0-9_-]*$")


def pod_identity_trust_policy(cluster_arn, namespace, service_account):
    """Trust policy for EKS Pod Identity (``pods.eks.amazonaws.com``: ``sts:AssumeRole`` and ``sts:TagSession``),
    limited by the session tags Pod Identity sets to one cluster and these service accounts (one name or a list)."""
    if not _CLUSTER_ARN_RE.match(cluster_arn or ""):
        raise WandbModuleError("%r is not an EKS cluster ARN" % (cluster_arn,))
    accounts = _service_accounts(namespace, service_account)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {
                        "aws:RequestTag/eks-cluster-arn": cluster_arn,
                        "aws:RequestTag/kubernetes-namespace": namespace,
                        "aws:RequestTag/kubernetes-service-account": accounts[0]
                        if len(accounts) == 1
                        else list(accounts),
                    }
                },
            }
        ],
    }
