#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_oidc_provider
short_description: The IAM OIDC provider for an EKS cluster's issuer, for IAM Roles for Service Accounts
version_added: 0.1.0
description:
  - Ensures the IAM OpenID Connect provider for an EKS cluster's OIDC issuer exists (what
    C(eksctl utils associate-iam-oidc-provider) does), with client id C(sts.amazonaws.com), or removes it.
  - Give the issuer URL, or the cluster name to read it from EKS.
  - Use the returned RV(arn) with the P(selfmanaged.wandb.irsa_trust_policy#filter) filter for IRSA roles.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reports what would be created, changed or deleted; no AWS write.
  diff_mode:
    support: none
    description: Not supported; RV(changes) lists what changes.
options:
  eks_cluster_name:
    description: EKS cluster whose issuer to use.
    type: str
  url:
    description: The OIDC issuer URL, instead of O(eks_cluster_name).
    type: str
  state:
    description: Whether the provider should exist.
    type: str
    choices: [present, absent]
    default: present
  client_ids:
    description: Audiences (client ids) the provider accepts.
    type: list
    elements: str
    default: [sts.amazonaws.com]
  thumbprints:
    description:
      - Server certificate thumbprints. IAM does not need them for EKS issuers (it trusts their CA
        itself); unset, none are sent on create and existing ones are left alone.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: OIDC provider of the W&B cluster
  selfmanaged.wandb.iam_oidc_provider:
    eks_cluster_name: wandb
    region: us-west-2
    tags:
      project: wandb
  register: oidc
"""

RETURN = r"""
arn:
  description: ARN of the provider (null once absent).
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE
url:
  description: The issuer URL.
  returned: always
  type: str
issuer:
  description: The issuer without C(https://), as IAM condition keys use it.
  returned: always
  type: str
action:
  description: What was done.
  returned: always
  type: str
  choices: [none, create, update, delete]
changes:
  description: Client ids, thumbprints and tags changed on an existing provider.
  returned: when the provider existed
  type: dict
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.iam_oidc import STS_AUDIENCE, OidcProviderRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        eks_cluster_name=dict(type="str"),
        url=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        client_ids=dict(type="list", elements="str", default=[STS_AUDIENCE]),
        thumbprints=dict(type="list", elements="str"),
    )
    aws_main(
        spec,
        OidcProviderRunner,
        required_one_of=[("eks_cluster_name", "url")],
        mutually_exclusive=[("eks_cluster_name", "url")],
    )


if __name__ == "__main__":
    main()
