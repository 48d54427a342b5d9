#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eks_pod_identity_association
short_description: Gives Kubernetes service accounts an IAM role through EKS Pod Identity
version_added: 0.2.0
description:
  - The EKS Pod Identity association of a service account (C(CreatePodIdentityAssociation)), or of each of several in
    one namespace; a different O(role_arn) updates it in place (C(UpdatePodIdentityAssociation)); O(state=absent)
    deletes it. One C(ListPodIdentityAssociations) of the namespace finds them all.
  - The role must trust C(pods.eks.amazonaws.com) (P(selfmanaged.wandb.pod_identity_trust_policy#filter)); the
    cluster needs the C(eks-pod-identity-agent) add-on for the credentials to reach the pods; no OIDC provider and no
    C(eks.amazonaws.com/role-arn) annotation are involved.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reads only and says what it would do.
  diff_mode:
    support: full
    description: The service account's role before and after.
options:
  cluster_name:
    description: The EKS cluster.
    type: str
    required: true
  namespace:
    description: The service account's namespace.
    type: str
    required: true
  service_account:
    description: The service account's name, or a list of names in O(namespace) that each get O(role_arn).
    type: raw
    required: true
  role_arn:
    description: The IAM role the service account's pods get. Required with O(state=present).
    type: str
  state:
    description: Whether the association should exist. With C(absent), a cluster that does not exist has none.
    type: str
    choices: [present, absent]
    default: present
notes:
  - O(tags) go on a new association; an existing one's tags are left as they are.
"""

EXAMPLES = r"""
- name: The EBS CSI controller's role, through Pod Identity
  selfmanaged.wandb.eks_pod_identity_association:
    cluster_name: wandb
    namespace: kube-system
    service_account: ebs-csi-controller-sa
    role_arn: arn:aws:iam::123456789012:role/wandb-ebs-csi

- name: W&B's files role for each of its service accounts
  selfmanaged.wandb.eks_pod_identity_association:
    cluster_name: wandb
    namespace: wandb
    service_account: [wandb-app, wandb-parquet, wandb]
    role_arn: arn:aws:iam::123456789012:role/wandb-files
"""

RETURN = r"""
action:
  description: What was (or would be) done.
  returned: always
  type: str
  sample: create
  choices: [create, update, delete, none]
association:
  description: The association as EKS describes it (C(associationId), C(roleArn), ...); null when there is none.
  returned: when O(service_account) is one name
  type: dict
associations:
  description:
    - Per service account, in the order given - C(service_account), its C(action) and its C(association).
    - RV(action) is the first one that is not C(none).
  returned: always
  type: list
  elements: dict
  sample: [{"service_account": "wandb-app", "action": "create", "association": {"roleArn": "arn:aws:iam::123456789012:role/wandb-files"}}]
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_access import EksPodIdentityAssociationRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        cluster_name=dict(type="str", required=True),
        namespace=dict(type="str", required=True),
        service_account=dict(type="raw", required=True),
        role_arn=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    aws_main(spec, EksPodIdentityAssociationRunner)


if __name__ == "__main__":
    main()
