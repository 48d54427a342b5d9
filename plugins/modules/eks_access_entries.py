#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eks_access_entries
short_description: Who may use an EKS cluster's Kubernetes API - access entries and their access policies
version_added: 0.2.0
description:
  - Manages EKS access entries, the C(API) authentication mode's replacement for the C(aws-auth) ConfigMap - for
    each IAM role or user in O(entries), the entry (C(CreateAccessEntry), C(UpdateAccessEntry) for its Kubernetes
    groups and user name) and exactly the access policies listed, at cluster or namespace scope
    (C(AssociateAccessPolicy), C(DisassociateAccessPolicy)).
  - The cluster's authentication mode must be C(API) or C(API_AND_CONFIG_MAP)
    (M(selfmanaged.wandb.eks_cluster)'s O(selfmanaged.wandb.eks_cluster#module:authentication_mode)).
  - Entries the module creates are tagged C(selfmanaged.wandb/access-entry); with O(purge), those that O(entries) no
    longer lists are deleted. Entries EKS makes itself (the node role's) and entries made by hand are never touched
    unless listed.
  - Every entry is checked before any call - a principal that is not an IAM role or user ARN, a policy that is not an
    EKS access policy, a principal listed twice - and the failure names the entry.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reads only and returns the changes it would make.
  diff_mode:
    support: full
    description: The changes, one line each.
options:
  cluster_name:
    description: The EKS cluster.
    type: str
    required: true
  entries:
    description: The IAM roles and users that may use the cluster, with their access policies.
    type: list
    elements: dict
    default: []
    suboptions:
      principal_arn:
        description: The IAM role's or user's ARN.
        type: str
        required: true
      policies:
        description:
          - EKS access policies, by name (C(AmazonEKSClusterAdminPolicy), C(AmazonEKSAdminPolicy),
            C(AmazonEKSEditPolicy), C(AmazonEKSViewPolicy), C(AmazonEKSAdminViewPolicy), ...) or ARN, each with the
            C(namespaces) it is limited to (none - the whole cluster). Policies not listed are disassociated.
        type: list
        elements: dict
        default: []
      kubernetes_groups:
        description: Kubernetes groups the principal is in (for your own RBAC bindings).
        type: list
        elements: str
        default: []
      username:
        description: The Kubernetes user name; EKS's default when left out.
        type: str
  purge:
    description: Delete the entries this module made that O(entries) no longer lists.
    type: bool
    default: true
notes:
  - O(tags) go on the entries the module creates; an existing entry's tags are left as they are.
"""

EXAMPLES = r"""
- name: The platform team administers the cluster; the W&B team reads its two namespaces
  selfmanaged.wandb.eks_access_entries:
    cluster_name: wandb
    entries:
      - principal_arn: arn:aws:iam::123456789012:role/platform-admins
        policies:
          - policy: AmazonEKSClusterAdminPolicy
      - principal_arn: arn:aws:iam::123456789012:role/wandb-team
        policies:
          - policy: AmazonEKSAdminViewPolicy
            namespaces: [wandb, clickhouse]
"""

RETURN = r"""
changes:
  description: What changed (or would change), one line each.
  returned: always
  type: list
  elements: str
  sample:
    - create access entry arn:aws:iam::123456789012:role/platform-admins
    - associate AmazonEKSClusterAdminPolicy with arn:aws:iam::123456789012:role/platform-admins (cluster)
principals:
  description: The principals with an access entry on the cluster (after the change; in check mode those read).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_access import EksAccessEntriesRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    entry = dict(
        principal_arn=dict(type="str", required=True),
        policies=dict(type="list", elements="dict", default=[]),
        kubernetes_groups=dict(type="list", elements="str", default=[]),
        username=dict(type="str"),
    )
    spec = dict(
        cluster_name=dict(type="str", required=True),
        entries=dict(type="list", elements="dict", default=[], options=entry),
        purge=dict(type="bool", default=True),
    )
    aws_main(spec, EksAccessEntriesRunner)


if __name__ == "__main__":
    main()
