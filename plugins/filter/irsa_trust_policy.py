# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: irsa_trust_policy
short_description: IAM trust policy for one Kubernetes service account (IRSA)
version_added: 0.1.0
description:
  - Returns the trust policy that lets exactly one service account of one EKS cluster assume a role
    through the cluster's IAM OIDC provider (C(sts:AssumeRoleWithWebIdentity) with C(StringEquals) on
    the token's C(sub) and C(aud)).
author:
  - selfmanaged.wandb contributors (@selfmanaged)
positional: namespace, service_account
options:
  _input:
    description: ARN of the cluster's IAM OIDC provider (see P(selfmanaged.wandb.iam_oidc_provider#module)).
    type: str
    required: true
  namespace:
    description: Namespace of the service account.
    type: str
    required: true
  service_account:
    description: Name of the service account, or a list of names (any of them may assume the role).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Role for the EBS CSI controller
  amazon.aws.iam_role:
    name: wandb-ebs-csi
    assume_role_policy_document: "{{ oidc.arn | selfmanaged.wandb.irsa_trust_policy('kube-system', 'ebs-csi-controller-sa') | to_json }}"
    managed_policies:
      - arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy
"""

RETURN = r"""
_value:
  description: The trust policy document.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.irsa import irsa_trust_policy
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError


def _irsa_trust_policy(oidc_provider_arn, namespace, service_account):
    try:
        return irsa_trust_policy(oidc_provider_arn, namespace, service_account)
    except WandbModuleError as exc:
        raise AnsibleFilterError("irsa_trust_policy: %s" % exc.msg) from exc


class FilterModule(object):
    def filters(self):
        return {"irsa_trust_policy": _irsa_trust_policy}
