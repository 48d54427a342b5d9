#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: helm_images
short_description: The images a Helm chart runs with given values, rendered without a cluster
version_added: 0.2.0
description:
  - Renders the chart with C(helm template) and the given values (through helm's standard input, never a file) and
    lists the image of every container and init container of what it renders - Deployments, StatefulSets, DaemonSets,
    ReplicaSets, Jobs (hooks among them), CronJobs and Pods. That is what a private registry must hold for the chart
    with these values, before an air-gapped install.
  - Finds the chart as P(selfmanaged.wandb.helm_chart_info#module) does and fails naming the option at fault when it
    cannot.
  - Needs no Kubernetes cluster; reads only, never reports a change.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.helm_chart_source
attributes:
  check_mode:
    support: full
    description: Renders in check mode too; it changes nothing.
  diff_mode:
    support: none
    description: Nothing changes.
options:
  values:
    description: The values, as the release would be given them.
    type: dict
    default: {}
  release_name:
    description: The release's name (charts name their objects, and at times their images' settings, after it).
    type: str
    default: release
  namespace:
    description: The release's namespace.
    type: str
    default: default
  kube_version:
    description: The Kubernetes version the chart is rendered for (its C(kubeVersion) and capability checks); empty, Helm's default.
    type: str
  api_versions:
    description: API versions the chart may assume the cluster serves (C(--api-versions)), for charts that render some
      objects only then.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: What the EBS CSI driver's chart runs, from a mirror
  selfmanaged.wandb.helm_images:
    chart: aws-ebs-csi-driver
    repo_url: https://kubernetes-sigs.github.io/aws-ebs-csi-driver
    chart_version: 2.64.0
    values:
      image: {repository: registry.example.com/mirror/ebs-csi-driver/aws-ebs-csi-driver}
  register: ebs_csi

- name: Refuse what is not pinned
  ansible.builtin.assert:
    that: ebs_csi.unpinned | length == 0
    fail_msg: "not pinned: {{ ebs_csi.unpinned | join(', ') }}"
"""

RETURN = r"""
images:
  description: Every image the rendered workloads run, once each, sorted.
  type: list
  elements: str
  returned: always
  sample: ["public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.64.0"]
unpinned:
  description: The images among RV(images) without a tag or a digest, or tagged C(latest).
  type: list
  elements: str
  returned: always
workloads:
  description: Each workload's images, as C({workload, image}) in the order rendered (init containers first).
  type: list
  elements: dict
  returned: always
  sample: [{"workload": "Deployment/ebs-csi-controller", "image": "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.64.0"}]
chart:
  description: The chart's name.
  type: str
  returned: always
version:
  description: The chart version rendered.
  type: str
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.images import ChartImagesRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.release import CHART_SOURCE_ARGSPEC
from ansible_collections.selfmanaged.wandb.plugins.module_utils.module_runner import run_module


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CHART_SOURCE_ARGSPEC,
            values=dict(type="dict", default={}),
            release_name=dict(type="str", default="release"),
            namespace=dict(type="str", default="default"),
            kube_version=dict(type="str"),
            api_versions=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    run_module(module, lambda m: ChartImagesRunner(m).run())


if __name__ == "__main__":
    main()
