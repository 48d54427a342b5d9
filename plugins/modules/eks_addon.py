#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eks_addon
short_description: EKS managed add-ons (vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver, ...)
version_added: 0.1.0
description:
  - Installs, updates and removes an EKS managed add-on, waiting for it to be ACTIVE (or gone).
  - O(version=latest) picks the newest add-on version compatible with the cluster's Kubernetes version.
  - Updates in place the version, the service account role (IRSA) and the configuration values.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reports what would change; no AWS write.
  diff_mode:
    support: none
    description: Not supported; RV(updates) lists what changes.
options:
  cluster_name:
    description: The EKS cluster.
    type: str
    required: true
  name:
    description: Add-on name, such as C(vpc-cni) or C(aws-ebs-csi-driver).
    type: str
    required: true
  state:
    description: Whether the add-on should be installed.
    type: str
    choices: [present, absent]
    default: present
  version:
    description: Add-on version, or C(latest) for the newest compatible with the cluster.
    type: str
    default: latest
  service_account_role_arn:
    description:
      - IAM role for the add-on's service account (IRSA). Unset leaves it alone. Empty - none (for EKS Pod Identity);
        an add-on that has one is refused then, as EKS cannot take it away in place (delete and create the add-on).
    type: str
  configuration_values:
    description: The add-on's configuration (its JSON schema from C(DescribeAddonConfiguration)). Unset leaves it alone.
    type: dict
  resolve_conflicts:
    description: What to do with fields changed outside EKS.
    type: str
    choices: [NONE, OVERWRITE, PRESERVE]
    default: OVERWRITE
  preserve:
    description: On removal, keep the add-on's Kubernetes objects running.
    type: bool
    default: false
  wait:
    description: Wait until ACTIVE (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 900
"""

EXAMPLES = r"""
- name: The EBS CSI driver as an EKS add-on, with its IRSA role
  selfmanaged.wandb.eks_addon:
    cluster_name: wandb
    name: aws-ebs-csi-driver
    version: latest
    service_account_role_arn: "{{ ebs_csi_role.iam_role.arn }}"
"""

RETURN = r"""
action:
  description: What was done.
  returned: always
  type: str
  choices: [none, create, update, delete]
version:
  description: The add-on version installed or kept.
  returned: when O(state=present)
  type: str
  sample: v1.37.0-eksbuild.1
updates:
  description: What changed (or would change).
  returned: always
  type: list
  elements: str
addon:
  description: The add-on as EKS describes it.
  returned: always
  type: dict
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_addon import AddonRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        cluster_name=dict(type="str", required=True),
        name=dict(type="str", required=True),
        version=dict(type="str", default="latest"),
        service_account_role_arn=dict(type="str"),
        configuration_values=dict(type="dict"),
        resolve_conflicts=dict(type="str", default="OVERWRITE", choices=["NONE", "OVERWRITE", "PRESERVE"]),
        preserve=dict(type="bool", default=False),
    )
    aws_main(spec, AddonRunner, wait_timeout=900)


if __name__ == "__main__":
    main()
