#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: elasticache_redis
short_description: W&B's Redis on ElastiCache - a replication group with TLS in transit and at rest
version_added: 0.2.0
description:
  - Creates, updates and removes an ElastiCache Redis replication group (cluster mode disabled) with TLS in transit
    and encryption at rest, and its cache subnet group, both named O(name).
  - O(nodes) is the primary plus replicas; more than one turns on automatic failover and Multi-AZ.
  - Updates in place the node type, the security groups, snapshot retention and tags. Encryption cannot be added to
    an existing group; one without it is an error, not silently kept.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reports what would be created, changed or deleted; no AWS write.
  diff_mode:
    support: full
    description: The group's settings before and after.
options:
  name:
    description: Replication group ID (also the subnet group's name).
    type: str
    required: true
  engine_version:
    description: Redis engine version.
    type: str
    default: "7.1"
  node_type:
    description: Cache node type.
    type: str
    default: cache.t4g.medium
  nodes:
    description: Nodes - the primary and its replicas (1-6).
    type: int
    default: 2
  subnet_ids:
    description:
      - Subnets of the cache subnet group (the cluster's private subnets).
      - Required with O(state=present), except in a check-mode plan made before the subnets exist.
    type: list
    elements: str
  security_group_ids:
    description: VPC security groups of the nodes.
    type: list
    elements: str
  kms_key_id:
    description: KMS key for encryption at rest; unset uses the ElastiCache service key.
    type: str
  snapshot_retention_limit:
    description: Days automatic snapshots are kept (0 turns them off).
    type: int
    default: 1
  state:
    description: Whether it should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until the group is available (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 1800
"""

EXAMPLES = r"""
- name: Redis for W&B
  selfmanaged.wandb.elasticache_redis:
    name: wandb-redis
    subnet_ids: "{{ eks_cluster_facts.private_subnet_ids }}"
    security_group_ids: [sg-0123456789abcdef0]
  register: redis   # redis.redis.host, redis.redis.port; always TLS
"""

RETURN = r"""
redis:
  description: The group as it is (or would be); C(exists=false) when it does not.
  returned: always
  type: dict
  contains:
    host:
      description: Primary endpoint.
      type: str
    port:
      description: Port.
      type: int
    tls:
      description: TLS in transit (always true for a group this module made).
      type: bool
updates:
  description: What was (or would be) created, changed or deleted.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.elasticache_redis import RedisRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        name=dict(type="str", required=True),
        engine_version=dict(type="str", default="7.1"),
        node_type=dict(type="str", default="cache.t4g.medium"),
        nodes=dict(type="int", default=2),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str"),
        kms_key_id=dict(type="str"),
        snapshot_retention_limit=dict(type="int", default=1),
    )
    aws_main(spec, RedisRunner, wait_timeout=1800)


if __name__ == "__main__":
    main()
