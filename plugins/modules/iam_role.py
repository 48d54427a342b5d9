#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_role
short_description: An IAM role with its trust policy, managed and inline policies and tags, in one call
version_added: 0.1.0
description:
  - Ensures an IAM role exists exactly as described - its trust policy, the managed policies attached to it, its
    inline policies and its tags - or removes it with everything attached to it.
  - One call reads the role (C(GetRole), its policy listings, each inline policy) and changes only what differs, so a
    run that changes nothing costs a few read calls. Policy documents compare as IAM treats them (a single value and a
    one-element list alike, the order of actions and resources irrelevant).
  - Makes no instance profile. On O(state=absent) the role leaves every instance profile it is in, and a profile named
    after the role (which C(amazon.aws.iam_role) made by default) is deleted.
  - Build IRSA trust policies with the P(selfmanaged.wandb.irsa_trust_policy#filter) filter.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reads the role and reports what would change; no IAM write.
  diff_mode:
    support: full
    description: The role before and after (policies in a canonical form), when something changes.
options:
  name:
    description: The role's name.
    type: str
    required: true
  state:
    description: Whether the role should exist.
    type: str
    choices: [present, absent]
    default: present
  trust_policy:
    description: The trust (assume role) policy document. Required with O(state=present).
    type: dict
  description:
    description: The role's description. Unset leaves it alone.
    type: str
  managed_policies:
    description: ARNs of the managed policies attached to the role; others are detached. Unset leaves them alone.
    type: list
    elements: str
  inline_policies:
    description:
      - The role's inline policies, name to policy document; others are deleted. Unset leaves them alone.
    type: dict
"""

EXAMPLES = r"""
- name: Role of the EBS CSI controller (IRSA)
  selfmanaged.wandb.iam_role:
    name: wandb-ebs-csi
    trust_policy: "{{ oidc.arn | selfmanaged.wandb.irsa_trust_policy('kube-system', 'ebs-csi-controller-sa') }}"
    managed_policies:
      - arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy
    inline_policies: {}
    tags:
      project: wandb
  register: ebs_role

- name: Role of ClickHouse, with an inline policy on its bucket
  selfmanaged.wandb.iam_role:
    name: wandb-clickhouse
    trust_policy: "{{ oidc.arn | selfmanaged.wandb.irsa_trust_policy('clickhouse', 'clickhouse') }}"
    managed_policies: []
    inline_policies:
      clickhouse-bucket:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [s3:ListBucket]
            Resource: arn:aws:s3:::wandb-clickhouse

- name: Remove it, with its policies
  selfmanaged.wandb.iam_role:
    name: wandb-clickhouse
    state: absent
"""

RETURN = r"""
arn:
  description: The role's ARN (null once absent, or in check mode before it exists).
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:role/wandb-ebs-csi
name:
  description: The role's name.
  returned: always
  type: str
changes:
  description: What changed, or would change in check mode, one line each.
  returned: always
  type: list
  elements: str
  sample: ["managed policy arn:aws:iam::aws:policy/AmazonEKSClusterPolicy attached", "trust policy replaced"]
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.iam_role import IamRoleRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        trust_policy=dict(type="dict"),
        description=dict(type="str"),
        managed_policies=dict(type="list", elements="str"),
        inline_policies=dict(type="dict"),
    )
    aws_main(spec, IamRoleRunner, required_if=[("state", "present", ("trust_policy",))])


if __name__ == "__main__":
    main()
