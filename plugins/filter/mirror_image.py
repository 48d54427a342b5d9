# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: mirror_image
short_description: An image reference as pulled from a private registry that mirrors it
version_added: 0.2.0
description:
  - Returns the image under the mirror with its path and without its own registry, the rule every role of the
    collection applies with O(registry) set from C(wandb_image_registry) - C(docker.io/clickhouse/clickhouse-server)
    and C(clickhouse/clickhouse-server) both become C(REGISTRY/clickhouse/clickhouse-server),
    C(public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0) becomes C(REGISTRY/eks/aws-load-balancer-controller:v3.5.0),
    C(busybox:1.36) becomes C(REGISTRY/library/busybox:1.36).
  - A tag or digest is kept. An empty O(registry) returns the reference unchanged.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
positional: registry
options:
  _input:
    description: An image reference, or a repository without a tag.
    type: str
    required: true
  registry:
    description: The mirror, a registry host with an optional path (C(registry.example.com/mirror)); empty for none.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The ALB controller's image from the mirror
  ansible.builtin.debug:
    msg: "{{ 'public.ecr.aws/eks/aws-load-balancer-controller' | selfmanaged.wandb.mirror_image('registry.example.com/mirror') }}"
  # registry.example.com/mirror/eks/aws-load-balancer-controller
"""

RETURN = r"""
_value:
  description: The reference under the mirror (or unchanged when there is none).
  type: str
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.images import mirrored


class FilterModule(object):
    def filters(self):
        return {"mirror_image": mirrored}
