# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: pinned_image
short_description: Whether an image reference names one build
version_added: 0.2.0
description:
  - True for a reference with a digest, or with a tag other than C(latest); false for a bare name (which means
    C(latest)) or C(latest) itself - an image whose content can change under the same name.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
options:
  _input:
    description: An image reference.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Refuse what is not pinned
  ansible.builtin.assert:
    that: images | reject('selfmanaged.wandb.pinned_image') | list == []
  vars:
    images: [clickhouse/clickhouse-server:25.8.30.16, busybox]  # fails: busybox
"""

RETURN = r"""
_value:
  description: Whether the reference is pinned.
  type: bool
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.images import pinned


class TestModule(object):
    def tests(self):
        return {"pinned_image": pinned}
