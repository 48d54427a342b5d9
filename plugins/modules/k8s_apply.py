#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: k8s_apply
short_description: Server-side apply of Kubernetes objects, with EKS mode
version_added: 0.1.0
description:
  - Applies one or more objects with server-side apply and a field manager, or deletes them.
  - Uses the collection's Kubernetes access, so it works in EKS mode with AWS credentials only, where
    C(kubernetes.core.k8s) needs a kubeconfig.
  - An object is changed only when what the API server would store (a server-side dry run) differs from
    what it has; check mode is that dry run. The values of Secrets never appear in output or diff.
  - Object kinds are resolved with API discovery, so custom resources work once their CRD is installed.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.k8s_access
  - selfmanaged.wandb.k8s_access.host
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Server-side dry run; nothing is stored.
  diff_mode:
    support: full
    description: Each object before and after (Secret values hidden).
options:
  definition:
    description: An object, or a list of objects, each with C(apiVersion), C(kind) and C(metadata.name).
    type: raw
    required: true
  namespace:
    description: Namespace for namespaced objects that do not set C(metadata.namespace).
    type: str
  state:
    description: Whether the objects should exist.
    type: str
    choices: [present, absent]
    default: present
  field_manager:
    description: Server-side apply field manager.
    type: str
    default: selfmanaged.wandb
  force_conflicts:
    description: Take over fields another field manager owns.
    type: bool
    default: false
  wait:
    description:
      - With O(state=absent), wait until each deleted object is gone (a Namespace is gone once everything in it is).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait).
    type: int
    default: 300
"""

EXAMPLES = r"""
- name: A gp3 StorageClass on an EKS cluster, with AWS credentials only
  selfmanaged.wandb.k8s_apply:
    eks_cluster_name: wandb
    region: us-west-2
    definition:
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: ebs-sc
      provisioner: ebs.csi.aws.com
      volumeBindingMode: WaitForFirstConsumer
      parameters: {type: gp3, encrypted: "true", csi.storage.k8s.io/fstype: ext4}
"""

RETURN = r"""
results:
  description: One entry per object.
  returned: always
  type: list
  elements: dict
  sample: [{"object": "StorageClass/ebs-sc", "action": "create", "changed": true}]
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.apply import ApplyRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import k8s_main


def main():
    spec = dict(
        definition=dict(type="raw", required=True),
        namespace=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        field_manager=dict(type="str", default="selfmanaged.wandb"),
        force_conflicts=dict(type="bool", default=False),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=300),
    )
    k8s_main(spec, ApplyRunner)


if __name__ == "__main__":
    main()
