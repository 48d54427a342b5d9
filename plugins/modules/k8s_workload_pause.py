#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: k8s_workload_pause
short_description: Stop a set of Deployments and StatefulSets, and start them again as they were
version_added: 0.1.0
description:
  - O(state=paused) scales every Deployment and StatefulSet in O(namespace) matching O(label_selector) to 0 replicas,
    keeping each one's replica count in the annotation C(selfmanaged.wandb/paused-replicas); O(state=resumed) scales
    each annotated one back to its count and removes the annotation. Both are idempotent.
  - Used by C(restore.yml) to stop W&B's writers while its data is restored. W&B's controller re-renders its chart
    only when its C(WeightsAndBiases) resource's spec changes, so stopped workloads stay stopped until resumed.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.k8s_access
  - selfmanaged.wandb.k8s_access.host
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Lists what would be scaled; changes nothing.
  diff_mode:
    support: none
    description: Not supported; RV(changes) lists each workload's replicas before and after.
options:
  namespace:
    description: Namespace of the workloads.
    type: str
    required: true
  label_selector:
    description: Which workloads (a Kubernetes label selector); empty, all of the namespace.
    type: str
    default: ""
  state:
    description: Stopped, or started again.
    type: str
    choices: [paused, resumed]
    default: paused
  wait:
    description:
      - Wait until no pod of a stopped workload is left (found by the workload's selector; a terminating pod may still
        write), or every started one reports all its replicas ready.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
"""

EXAMPLES = r"""
- name: W&B's writers stopped
  selfmanaged.wandb.k8s_workload_pause:
    namespace: wandb
    label_selector: app.kubernetes.io/instance=wandb

- name: And started again
  selfmanaged.wandb.k8s_workload_pause:
    namespace: wandb
    label_selector: app.kubernetes.io/instance=wandb
    state: resumed
"""

RETURN = r"""
changes:
  description: Each workload scaled, as C(<Kind>/<name> - <before> -> <after>).
  returned: always
  type: list
  elements: str
  sample: ["Deployment/wandb-app - 2 -> 0"]
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import k8s_main
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.workload_pause import WorkloadPauseRunner


def main():
    spec = dict(
        namespace=dict(type="str", required=True),
        label_selector=dict(type="str", default=""),
        state=dict(type="str", default="paused", choices=["paused", "resumed"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    k8s_main(spec, WorkloadPauseRunner)


if __name__ == "__main__":
    main()
