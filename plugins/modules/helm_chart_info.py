#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: helm_chart_info
short_description: Tell whether a Helm chart (at a pinned version) can be fetched, before anything is installed
version_added: 0.1.0
description:
  - Checks a chart source as P(selfmanaged.wandb.helm_release#module) would use it, with the cheapest call that
    proves it can be fetched, and says which option is at fault when it cannot. The roles run it in their
    preflight, so that a chart version that does not exist or a repository that cannot be reached fails before
    the first change.
  - A pinned chart in a repository is one C(HEAD) request for C(<repo_url>/<chart>-<version>.tgz), where most
    repositories keep it, else the repository's C(index.yaml). An C(oci://) chart runs C(helm show chart). A local
    chart is read from disk. No Kubernetes cluster is needed.
  - Reads only; never reports a change.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.helm_chart_source
attributes:
  check_mode:
    support: full
    description: Checks in check mode too; it changes nothing.
  diff_mode:
    support: none
    description: Nothing changes.
notes:
  - Only the C(oci://) check needs helm.
"""

EXAMPLES = r"""
- name: The pinned ClickHouse chart exists in the mirror
  selfmanaged.wandb.helm_chart_info:
    chart: clickhouse
    repo_url: https://charts.example.com/bitnami
    chart_version: 8.0.10
  register: chart

- name: Fail naming the variable at fault
  ansible.builtin.fail:
    msg: "clickhouse_{{ chart.problem_option }}: {{ chart.problem }}"
  when: not chart.available
"""

RETURN = r"""
available:
  description: Whether the chart can be fetched at that version.
  type: bool
  returned: always
problem_option:
  description: When it cannot, the option at fault - C(chart), C(repo_url) or C(chart_version).
  type: str
  returned: always
  sample: chart_version
problem:
  description: When it cannot, why, for example C(chart clickhouse has no version 9.9.9 in https://... (newest 8.0.10)).
  type: str
  returned: always
chart:
  description: The chart's name, when available.
  type: str
  returned: always
  sample: clickhouse
version:
  description: The version that would be installed, when available.
  type: str
  returned: always
  sample: 8.0.10
source:
  description: Where the chart comes from - C(repository), C(OCI registry), C(local directory) or C(packaged chart).
  type: str
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.release import (
    CHART_SOURCE_ARGSPEC,
    ChartCheckRunner,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.module_runner import run_module


def main():
    module = AnsibleModule(
        argument_spec=dict(CHART_SOURCE_ARGSPEC),
        supports_check_mode=True,
    )
    run_module(module, lambda m: ChartCheckRunner(m).run())


if __name__ == "__main__":
    main()
