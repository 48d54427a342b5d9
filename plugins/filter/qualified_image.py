# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: qualified_image
short_description: An image reference with its registry spelled out, as a container runtime resolves it
version_added: 0.2.0
description:
  - Returns the reference with its registry - C(docker.io) when it names none, and Docker Hub's C(library/) before a
    one-part name - so that tools which copy images (C(crane copy), C(skopeo)) read it the same way a node pulls it.
    C(busybox:1.36) becomes C(docker.io/library/busybox:1.36); a tag or digest is kept.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
options:
  _input:
    description: An image reference.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Where Docker Hub's ClickHouse image comes from
  ansible.builtin.debug:
    msg: "{{ 'clickhouse/clickhouse-server:25.8.30.16' | selfmanaged.wandb.qualified_image }}"
  # docker.io/clickhouse/clickhouse-server:25.8.30.16
"""

RETURN = r"""
_value:
  description: The reference with its registry.
  type: str
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.images import qualified


class FilterModule(object):
    def filters(self):
        return {"qualified_image": qualified}
