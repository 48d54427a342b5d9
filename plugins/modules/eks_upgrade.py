#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eks_upgrade
short_description: Upgrades an EKS cluster in steps, its node groups and add-ons following the control plane
version_added: 0.2.0
description:
  - Takes an EKS cluster from its Kubernetes version to O(version) one minor version at a time, as EKS requires.
    For each step, in order - EKS's upgrade insights for the step's version (C(ListInsights), category
    C(UPGRADE_READINESS)); the control plane (C(UpdateClusterVersion)); every managed node group
    (C(UpdateNodegroupVersion)); every managed add-on, to the default version EKS gives that Kubernetes version or
    the version pinned in O(addon_versions) (C(UpdateAddon)). Each update is waited for.
  - An insight with status C(ERROR) stops the run before the step's control-plane update, with the insight's name,
    description and recommendation, unless O(force). Warnings are reported as Ansible warnings.
  - Node groups or add-ons behind the control plane (a run stopped half-way through a step) catch up first. An
    update EKS is still running is found (C(ListUpdates), C(DescribeUpdate)) and waited for, never started twice,
    so a re-run resumes.
  - A downgrade is refused before any change. A warning says when the cluster's version or O(version) is past EKS's
    standard support, with the date and the extended-support price.
  - Check mode reads only and returns the plan - the steps and, for each, the node groups and add-on versions that
    move.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Returns the plan; no AWS write.
  diff_mode:
    support: full
    description: The cluster's version before, the plan's steps after.
options:
  cluster_name:
    description: The EKS cluster.
    type: str
    required: true
  version:
    description: The Kubernetes version (MAJOR.MINOR) to end at. Its current version changes nothing.
    type: str
    required: true
  addon_versions:
    description:
      - Add-on versions to end at, by add-on name - a version EKS offers for O(version), or C(latest) for the newest
        it offers (as M(selfmanaged.wandb.eks_addon) reads C(latest)). A pin applies to the last step; at earlier
        steps, and for an add-on not named, O(addon_default) decides.
    type: dict
    default: {}
  addon_default:
    description:
      - The version an add-on without a pin goes to at each step. C(eks_default) - EKS's default version for that
        step's Kubernetes version; C(latest) - the newest EKS offers for it (what M(selfmanaged.wandb.eks_addon)
        installs with C(version=latest), so the two agree run after run).
    type: str
    choices: [eks_default, latest]
    default: eks_default
  force:
    description: Update even when EKS's upgrade insights report errors (C(force) of C(UpdateClusterVersion) too).
    type: bool
    default: false
  nodegroup_force_upgrade:
    description: Replace nodes even when a PodDisruptionBudget would block draining them.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for each update.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between two looks at an update EKS is running.
    type: int
    default: 15
"""

EXAMPLES = r"""
- name: EKS 1.34 -> 1.35 -> 1.36, node groups and add-ons following each step
  selfmanaged.wandb.eks_upgrade:
    cluster_name: wandb
    version: "1.36"
  async: 14400
  poll: 30

- name: The plan only
  selfmanaged.wandb.eks_upgrade:
    cluster_name: wandb
    version: "1.36"
  check_mode: true
  register: eks_upgrade_plan
"""

RETURN = r"""
from_version:
  description: The control plane's version before the run.
  returned: always
  type: str
  sample: "1.34"
version:
  description: The version asked for.
  returned: always
  type: str
  sample: "1.36"
plan:
  description: One line per step that moves something, with what moves.
  returned: always
  type: list
  elements: str
  sample:
    - "Kubernetes 1.35: control plane 1.34 -> 1.35; node group wandb-default 1.34 -> 1.35; add-on coredns v1.12.3-eksbuild.1 -> v1.12.4-eksbuild.1"
steps:
  description: Each step, its version, what moved (or would move) and the insights' warnings.
  returned: always
  type: list
  elements: dict
warnings:
  description: The support calendar's warnings for the cluster's version and O(version).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_upgrade import EksUpgradeRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        cluster_name=dict(type="str", required=True),
        version=dict(type="str", required=True),
        addon_versions=dict(type="dict", default={}),
        addon_default=dict(type="str", choices=["eks_default", "latest"], default="eks_default"),
        force=dict(type="bool", default=False),
        nodegroup_force_upgrade=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=3600),
        poll_interval=dict(type="int", default=15),
    )
    aws_main(spec, EksUpgradeRunner, tags=False)


if __name__ == "__main__":
    main()
