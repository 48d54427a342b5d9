#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eks_nodegroup
short_description: EKS managed node groups, with in-place scaling, labels, taints and version updates
version_added: 0.1.0
description:
  - Creates, updates and deletes an EKS managed node group.
  - Updates in place the scaling sizes, labels, taints, update config, Kubernetes version and AMI release
    version, and tags.
  - Refuses, before any change, new instance types, AMI type, disk size, capacity type, node role or
    subnets, which EKS cannot change; create another node group instead.
  - Checks input first, such as instance type format (C(m5.2xlarge)) and C(min_size <= desired_size <= max_size).
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reports what would be created, updated or deleted; no AWS write.
  diff_mode:
    support: none
    description: Not supported; RV(updates) lists what changes.
options:
  cluster_name:
    description: The EKS cluster.
    type: str
    required: true
  name:
    description: Node group name.
    type: str
    required: true
  state:
    description: Whether the node group should exist.
    type: str
    choices: [present, absent]
    default: present
  node_role_arn:
    description: IAM role of the nodes. Required to create.
    type: str
  subnet_ids:
    description: Subnets of the nodes. Required to create.
    type: list
    elements: str
  instance_types:
    description: EC2 instance types, such as C(r6i.2xlarge) (8 vCPU, 64 GiB, what W&B's Weave guide asks for ClickHouse).
    type: list
    elements: str
  ami_type:
    description: AMI type, such as C(AL2023_x86_64_STANDARD).
    type: str
  disk_size:
    description: Root volume size in GiB.
    type: int
  capacity_type:
    description: On-demand or spot.
    type: str
    choices: [ON_DEMAND, SPOT, CAPACITY_BLOCK]
  scaling:
    description: Node counts.
    type: dict
    suboptions:
      min_size:
        description: Minimum nodes.
        type: int
      max_size:
        description: Maximum nodes.
        type: int
      desired_size:
        description: Desired nodes.
        type: int
  labels:
    description: Kubernetes labels of the nodes. Unset leaves labels alone.
    type: dict
  taints:
    description: Kubernetes taints of the nodes. Unset leaves taints alone.
    type: list
    elements: dict
    suboptions:
      key:
        description: Taint key.
        type: str
        required: true
      value:
        description: Taint value.
        type: str
      effect:
        description: Taint effect.
        type: str
        required: true
        choices: [NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE]
  update_config:
    description: How many nodes may be unavailable during an update.
    type: dict
    suboptions:
      max_unavailable:
        description: A number of nodes.
        type: int
      max_unavailable_percentage:
        description: A percentage of nodes.
        type: int
  version:
    description: Kubernetes version of the nodes (default the cluster's).
    type: str
  release_version:
    description: AMI release version.
    type: str
  wait:
    description: Wait until the node group is ACTIVE (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 1800
"""

EXAMPLES = r"""
- name: Nodes sized for W&B and ClickHouse
  selfmanaged.wandb.eks_nodegroup:
    cluster_name: wandb
    name: default
    node_role_arn: "{{ node_role.arn }}"
    subnet_ids: "{{ private_subnet_ids }}"
    instance_types: [r6i.2xlarge]
    scaling: {min_size: 3, max_size: 6, desired_size: 3}
    labels: {workload: wandb}
"""

RETURN = r"""
action:
  description: What was done.
  returned: always
  type: str
  choices: [none, create, update, delete]
updates:
  description: The in-place updates made (or that would be made).
  returned: always
  type: list
  elements: str
nodegroup:
  description: The node group as EKS describes it (null when absent or planned).
  returned: always
  type: dict
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_nodegroup import NodegroupRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        cluster_name=dict(type="str", required=True),
        name=dict(type="str", required=True),
        node_role_arn=dict(type="str"),
        subnet_ids=dict(type="list", elements="str"),
        instance_types=dict(type="list", elements="str"),
        ami_type=dict(type="str"),
        disk_size=dict(type="int"),
        capacity_type=dict(type="str", choices=["ON_DEMAND", "SPOT", "CAPACITY_BLOCK"]),
        scaling=dict(
            type="dict",
            options=dict(min_size=dict(type="int"), max_size=dict(type="int"), desired_size=dict(type="int")),
        ),
        labels=dict(type="dict"),
        taints=dict(
            type="list",
            elements="dict",
            options=dict(
                key=dict(type="str", required=True, no_log=False),
                value=dict(type="str"),
                effect=dict(type="str", required=True, choices=["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]),
            ),
        ),
        update_config=dict(
            type="dict",
            options=dict(max_unavailable=dict(type="int"), max_unavailable_percentage=dict(type="int")),
            mutually_exclusive=[("max_unavailable", "max_unavailable_percentage")],
            required_one_of=[("max_unavailable", "max_unavailable_percentage")],
        ),
        version=dict(type="str"),
        release_version=dict(type="str"),
    )
    aws_main(spec, NodegroupRunner, wait_timeout=1800)


if __name__ == "__main__":
    main()
