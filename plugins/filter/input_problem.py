# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: input_problem
short_description: What is wrong with an input under one of the collection's rules (empty when nothing)
version_added: 0.1.0
description:
  - Checks a value against a rule the collection's modules also apply to their own options, and returns what is wrong
    with it, phrased to follow the variable's name (C(must be ...)), or an empty string when the value is valid.
  - The roles' C(tasks/validate.yml), which C(playbooks/site.yml) runs before any stage changes anything, use it so
    that every message names the variable and the rule.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
positional: rule
options:
  _input:
    description: The value to check (any type; a wrong type is a problem, not an error).
    type: raw
    required: true
  rule:
    description:
      - The rule. Kubernetes names C(k8s_label), C(k8s_name), C(secret_key), C(helm_release_name); sizes and counts
        C(quantity), C(resources), C(positive_int), C(non_negative_int), C(positive_number); network C(cidr), C(cidrs),
        C(url_host_only), C(http_url); AWS C(eks_name), C(eks_nodegroup_name), C(iam_role_name), C(s3_bucket_name),
        C(instance_type), C(instance_types), C(subnet_id), C(subnet_ids), C(aws_region); C(kubernetes_version),
        C(identifier) and C(license_text).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Check the input (each failure names its variable)
  ansible.builtin.fail:
    msg: "clickhouse: {{ item.var }} {{ item.problem }}"
  when: item.problem | length > 0
  loop:
    - {var: clickhouse_namespace, problem: "{{ clickhouse_namespace | selfmanaged.wandb.input_problem('k8s_label') }}"}
    - {var: clickhouse_volume_size, problem: "{{ clickhouse_volume_size | selfmanaged.wandb.input_problem('quantity') }}"}
  loop_control:
    label: "{{ item.var }}"
"""

RETURN = r"""
_value:
  description: What is wrong (to follow the variable's name), or an empty string.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import problem


def _input_problem(value, rule, *args):
    try:
        return problem(value, rule, *args)
    except ValueError as exc:
        raise AnsibleFilterError("input_problem: %s" % exc) from exc


class FilterModule(object):
    def filters(self):
        return {"input_problem": _input_problem}
