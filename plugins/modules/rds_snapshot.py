#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_snapshot
short_description: A named manual snapshot of an Aurora cluster or an RDS MySQL instance
version_added: 0.1.0
description:
  - Makes a manual snapshot of a database - an Aurora DB cluster snapshot (O(db_cluster)) or an RDS DB snapshot
    (O(db_instance)) - and waits until it is available, or deletes it.
  - Idempotent per O(name) - a snapshot of that name is not made again; one an interrupted run left being made is
    waited for. A snapshot of that name of another database is an error, not a success.
  - Manual snapshots stay until deleted (automated backups expire with the retention period), so a backup set keeps
    its database's state as long as the set is kept.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Reads the snapshot and reports what would be made or deleted; no RDS write.
  diff_mode:
    support: none
    description: Not supported; RV(changes) says what changed.
options:
  name:
    description: The snapshot's identifier.
    type: str
    required: true
  db_cluster:
    description: The Aurora DB cluster to snapshot.
    type: str
  db_instance:
    description: The RDS DB instance to snapshot.
    type: str
  state:
    description: Whether the snapshot should exist.
    type: str
    choices: [present, absent]
    default: present
  tags:
    description: Tags of a new snapshot.
    type: dict
  wait:
    description: Wait until the snapshot is available (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 3600
"""

EXAMPLES = r"""
- name: W&B's database, in the backup set 20261207T020000Z
  selfmanaged.wandb.rds_snapshot:
    name: wandb-wandb-mysql-20261207T020000Z
    db_cluster: wandb-wandb-mysql
    tags: {selfmanaged.wandb/backup: 20261207T020000Z}
  register: snapshot

- name: An older set's snapshot goes
  selfmanaged.wandb.rds_snapshot:
    name: wandb-wandb-mysql-20261130T020000Z
    db_cluster: wandb-wandb-mysql
    state: absent
"""

RETURN = r"""
snapshot:
  description: The snapshot (only C(exists) when there is none).
  returned: always
  type: dict
  contains:
    exists:
      description: Whether it exists.
      type: bool
    name:
      description: Its identifier.
      type: str
    arn:
      description: Its ARN.
      type: str
    source:
      description: The cluster or instance it is a snapshot of.
      type: str
    status:
      description: RDS's status, C(available) once made.
      type: str
    engine:
      description: The database engine.
      type: str
    engine_version:
      description: The engine version, which a restore starts from.
      type: str
    created:
      description: When RDS made it.
      type: str
    tags:
      description: Its tags.
      type: dict
changes:
  description: What changed, or would change in check mode.
  returned: always
  type: list
  elements: str
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.rds_snapshot import RdsSnapshotRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        name=dict(type="str", required=True),
        db_cluster=dict(type="str"),
        db_instance=dict(type="str"),
        tags=dict(type="dict"),
    )
    aws_main(
        spec,
        RdsSnapshotRunner,
        wait_timeout=3600,
        tags=False,
        required_one_of=[("db_cluster", "db_instance")],
        mutually_exclusive=[("db_cluster", "db_instance")],
    )


if __name__ == "__main__":
    main()
