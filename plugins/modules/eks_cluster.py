#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eks_cluster
short_description: EKS clusters, created, updated in place where EKS allows it, and deleted
version_added: 0.1.0
description:
  - Creates an EKS control plane, updates what EKS can change in place, and deletes it.
  - Updates in place, one at a time as EKS requires, the control-plane logging, the endpoint public and
    private access and public CIDRs, the Kubernetes version (one minor version per run), the
    authentication mode (towards API access entries only), and tags.
  - Refuses, with a clear message and before any change, a new role, new subnets, another secrets
    encryption key, a downgrade, or a version jump of more than one minor.
  - Waits with boto3's C(cluster_active) / C(cluster_deleted) waiters.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Describes the cluster and reports the updates it would make; no AWS write.
  diff_mode:
    support: partial
    description: Lists the updates that would be made.
options:
  name:
    description: Cluster name.
    type: str
    required: true
  state:
    description: Whether the cluster should exist.
    type: str
    choices: [present, absent]
    default: present
  version:
    description: Kubernetes version, C(MAJOR.MINOR). Default on create is EKS's default version.
    type: str
  update_version:
    description:
      - Whether a higher O(version) updates an existing cluster's control plane (one minor per run). C(false) - O(version)
        is the version a new cluster gets, and an existing cluster's version is left to M(selfmanaged.wandb.eks_upgrade),
        which takes every step with its node groups and add-ons (the C(eks_cluster) role's way). A downgrade is refused
        either way.
    type: bool
    default: true
  role_arn:
    description: IAM role of the control plane. Required to create.
    type: str
  subnet_ids:
    description: Subnets for the control plane's network interfaces, in at least two Availability Zones. Required to create.
    type: list
    elements: str
  security_group_ids:
    description: Extra security groups for the control plane's network interfaces (create only).
    type: list
    elements: str
  endpoint_public_access:
    description: Whether the API endpoint is reachable from the internet.
    type: bool
  endpoint_private_access:
    description: Whether the API endpoint is reachable from inside the VPC.
    type: bool
  public_access_cidrs:
    description: CIDRs allowed to reach the public endpoint.
    type: list
    elements: str
  logging_types:
    description: Control-plane log types to enable; the others are disabled. Unset leaves logging alone.
    type: list
    elements: str
    choices: [api, audit, authenticator, controllerManager, scheduler]
  encryption_key_arn:
    description: KMS key for envelope encryption of Kubernetes Secrets (create only).
    type: str
  authentication_mode:
    description: How the cluster authenticates IAM principals; EKS only moves towards C(API).
    type: str
    choices: [CONFIG_MAP, API_AND_CONFIG_MAP, API]
  bootstrap_cluster_creator_admin_permissions:
    description: Give the creating principal cluster-admin through an access entry (create only).
    type: bool
  wait:
    description: Wait until the cluster is ACTIVE (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each create, update or delete.
    type: int
    default: 1800
"""

EXAMPLES = r"""
- name: A cluster for W&B
  selfmanaged.wandb.eks_cluster:
    name: wandb
    region: us-west-2
    version: "1.31"
    role_arn: "{{ cluster_role.arn }}"
    subnet_ids: "{{ private_subnet_ids }}"
    endpoint_public_access: true
    endpoint_private_access: true
    logging_types: [api, audit, authenticator]
    authentication_mode: API_AND_CONFIG_MAP
    tags:
      project: wandb
  register: cluster

- name: Upgrade one minor version
  selfmanaged.wandb.eks_cluster:
    name: wandb
    version: "1.32"

- name: Delete it (node groups first)
  selfmanaged.wandb.eks_cluster:
    name: wandb
    state: absent
"""

RETURN = r"""
action:
  description: What was done.
  returned: always
  type: str
  choices: [none, create, update, delete]
updates:
  description: The in-place updates made (or that would be made in check mode).
  returned: always
  type: list
  elements: str
  sample: ["logging ['api'] -> ['api', 'audit']", "tags"]
exists:
  description: Whether the cluster exists after the run.
  returned: always
  type: bool
arn:
  description: Cluster ARN.
  returned: when the cluster exists
  type: str
endpoint:
  description: API server endpoint.
  returned: when the cluster exists
  type: str
certificate_authority:
  description: Base64 CA certificate of the API server.
  returned: when the cluster exists
  type: str
oidc_issuer:
  description: The cluster's OIDC issuer URL, for the IAM OIDC provider and IRSA.
  returned: when the cluster exists
  type: str
  sample: https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE
version:
  description: Kubernetes version.
  returned: when the cluster exists
  type: str
status:
  description: Cluster status.
  returned: when the cluster exists
  type: str
  sample: ACTIVE
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_cluster import LOG_TYPES, EksClusterRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        name=dict(type="str", required=True),
        version=dict(type="str"),
        update_version=dict(type="bool", default=True),
        role_arn=dict(type="str"),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str"),
        endpoint_public_access=dict(type="bool"),
        endpoint_private_access=dict(type="bool"),
        public_access_cidrs=dict(type="list", elements="str"),
        logging_types=dict(type="list", elements="str", choices=list(LOG_TYPES)),
        encryption_key_arn=dict(type="str", no_log=False),
        authentication_mode=dict(type="str", choices=["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"]),
        bootstrap_cluster_creator_admin_permissions=dict(type="bool"),
    )
    aws_main(spec, EksClusterRunner, wait_timeout=1800)


if __name__ == "__main__":
    main()
