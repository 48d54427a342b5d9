# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: unknown_variables
short_description: Variables with a role's prefix that the role does not know (typos), with the nearest known name
version_added: 0.1.0
description:
  - Returns the names in the input that start with O(prefix) but are not in O(known), each followed by the nearest
    known name, so that a typo such as C(clickhouse_replica) fails instead of being silently ignored.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
positional: known, prefix
options:
  _input:
    description: Variable names, for example C(q('ansible.builtin.varnames', '^clickhouse_')).
    type: list
    elements: str
    required: true
  known:
    description: The names the role knows (its argument spec's options, and what it publishes).
    type: list
    elements: str
    required: true
  prefix:
    description: The role's prefix, such as C(clickhouse_).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: No unknown clickhouse_ variables
  ansible.builtin.fail:
    msg: "clickhouse: unknown variables {{ unknown | join(', ') }}"
  when: unknown | length > 0
  vars:
    unknown: "{{ q('ansible.builtin.varnames', '^clickhouse_') | selfmanaged.wandb.unknown_variables(known, 'clickhouse_') }}"
    known: [clickhouse_replicas, clickhouse_shards]
"""

RETURN = r"""
_value:
  description: The unknown names, each as C(name (did you mean nearest?)) when a known name is close.
  type: list
  elements: str
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import unknown_names


class FilterModule(object):
    def filters(self):
        return {"unknown_variables": unknown_names}
