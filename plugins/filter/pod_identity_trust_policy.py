# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: pod_identity_trust_policy
short_description: IAM trust policy for EKS Pod Identity, limited to one cluster's service accounts
version_added: 0.2.0
description:
  - Returns the trust policy EKS Pod Identity needs (C(pods.eks.amazonaws.com) may C(sts:AssumeRole) and
    C(sts:TagSession)), limited by the session tags Pod Identity sets - C(eks-cluster-arn), C(kubernetes-namespace),
    C(kubernetes-service-account) - to one cluster and the given service accounts. Pair it with
    M(selfmanaged.wandb.eks_pod_identity_association); no OIDC provider is involved.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
positional: namespace, service_account
options:
  _input:
    description: The EKS cluster's ARN.
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
- name: Role for the EBS CSI controller, through Pod Identity
  selfmanaged.wandb.iam_role:
    name: wandb-ebs-csi
    trust_policy: "{{ cluster.arn | selfmanaged.wandb.pod_identity_trust_policy('kube-system', 'ebs-csi-controller-sa') }}"
    managed_policies:
      - arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy
"""

RETURN = r"""
_value:
  description: The trust policy document.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.irsa import pod_identity_trust_policy
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError


def _pod_identity_trust_policy(cluster_arn, namespace, service_account):
    try:
        return pod_identity_trust_policy(cluster_arn, namespace, service_account)
    except WandbModuleError as exc:
        raise AnsibleFilterError("pod_identity_trust_policy: %s" % exc.msg) from exc


class FilterModule(object):
    def filters(self):
        return {"pod_identity_trust_policy": _pod_identity_trust_policy}
