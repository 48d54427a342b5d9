#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eks_cluster_info
short_description: Read an EKS cluster and its IAM OIDC provider, as the eks_cluster role publishes them
version_added: 0.1.0
description:
  - Reads one EKS cluster (C(DescribeCluster)) and, when it has an OIDC issuer, the ARN of the IAM OIDC provider for
    it. That is what the P(selfmanaged.wandb.eks_cluster#role) role publishes as C(eks_cluster_facts), for playbooks that
    need it without creating anything (C(playbooks/teardown.yml), a stage run against an existing cluster).
  - A cluster that does not exist is not an error; RV(exists) says so.
  - Reads only; never reports a change.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Reads in check mode too; it changes nothing.
  diff_mode:
    support: none
    description: Nothing changes.
options:
  name:
    description: The cluster's name.
    type: str
    required: true
  versions:
    description:
      - Also read each managed node group's and each managed add-on's version (RV(nodegroup_versions),
        RV(addon_versions)) - what an upgrade moves - and whether NetworkPolicies are enforced (RV(network_policy)); a few
        more reads.
    type: bool
    default: false
  access:
    description:
      - Also read who may use the cluster - its access entries with their access policies (RV(access_entries)) and its
        EKS Pod Identity associations (RV(pod_identity_associations)); a few more reads.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The W&B cluster, if it is there
  selfmanaged.wandb.eks_cluster_info:
    name: wandb
    region: us-west-2
  register: cluster

- name: The cluster with its node groups' and add-ons' versions, before and after an upgrade
  selfmanaged.wandb.eks_cluster_info:
    name: wandb
    region: us-west-2
    versions: true
  register: versions

- name: Publish it as the eks_cluster role would
  ansible.builtin.set_fact:
    eks_cluster_facts: "{{ cluster }}"
  when: cluster.exists
"""

RETURN = r"""
exists:
  description: Whether the cluster exists.
  returned: always
  type: bool
name:
  description: The cluster's name.
  returned: always
  type: str
region:
  description: The region asked.
  returned: always
  type: str
  sample: us-west-2
arn:
  description: Cluster ARN.
  returned: when the cluster exists
  type: str
status:
  description: Cluster status.
  returned: when the cluster exists
  type: str
  sample: ACTIVE
version:
  description: Kubernetes version.
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
  description: The cluster's OIDC issuer URL.
  returned: when the cluster exists
  type: str
oidc_provider_arn:
  description: ARN of the IAM OIDC provider for the issuer; null when there is none (yet).
  returned: always
  type: str
vpc_id:
  description: The cluster's VPC.
  returned: when the cluster exists
  type: str
subnet_ids:
  description: The cluster's subnets.
  returned: when the cluster exists
  type: list
  elements: str
tags:
  description: The cluster's tags.
  returned: when the cluster exists
  type: dict
nodegroup_versions:
  description: Kubernetes version of each managed node group, by name.
  returned: when the cluster exists and O(versions)
  type: dict
  sample: {wandb-default: "1.35"}
addon_versions:
  description: Version of each managed add-on, by name.
  returned: when the cluster exists and O(versions)
  type: dict
  sample: {kube-proxy: v1.35.1-eksbuild.2}
network_policy:
  description:
    - Whether NetworkPolicies are enforced - the C(vpc-cni) add-on runs its network policy agent (its configuration's
      C(enableNetworkPolicy)). False without the add-on.
  returned: when the cluster exists and O(versions)
  type: bool
  sample: true
access_entries:
  description: Each access entry's principal with its access policies (C(policy), C(namespaces) or null for the cluster).
  returned: when the cluster exists and O(access)
  type: dict
  sample: {"arn:aws:iam::123456789012:role/platform-admins": [{policy: AmazonEKSClusterAdminPolicy, namespaces: null}]}
pod_identity_associations:
  description: The IAM role of each service account with an EKS Pod Identity association, by C(namespace/name).
  returned: when the cluster exists and O(access)
  type: dict
  sample: {kube-system/ebs-csi-controller-sa: "arn:aws:iam::123456789012:role/wandb-ebs-csi"}
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_cluster import EksClusterInfoRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    aws_main(
        dict(
            name=dict(type="str", required=True),
            versions=dict(type="bool", default=False),
            access=dict(type="bool", default=False),
        ),
        EksClusterInfoRunner,
        tags=False,
    )


if __name__ == "__main__":
    main()
