#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: backup_sets
short_description: The backup sets of W&B's data under an S3 prefix, and their retention
version_added: 0.1.0
description:
  - Lists the backup sets C(playbooks/backup.yml) made under O(bucket) and O(prefix) - each set is C(<prefix>/<id>/)
    with ClickHouse's backup and, written last, C(manifest.json); a set with a manifest is complete - with each set's
    manifest, the newest set named after its time (RV(latest)), and the sets without a manifest (RV(incomplete)).
  - With O(keep), removes the oldest sets named after their time (C(YYYYMMDDTHHMMSSZ), the playbook's default id)
    beyond the newest O(keep) - their manifest first, their database snapshot, then their objects. A set named by hand
    (C(-e backup_id=before-upgrade)) is never removed, nor a set a kept set is incremental on.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Lists the sets and what retention would remove; deletes nothing.
  diff_mode:
    support: none
    description: Not supported; RV(changes) lists what retention removed.
options:
  bucket:
    description: The bucket of the backup sets.
    type: str
    required: true
  prefix:
    description: The key prefix of the backup sets (without the bucket).
    type: str
    required: true
  keep:
    description: How many sets named after their time to keep; older ones are removed. Unset or 0 removes none.
    type: int
  backup_id:
    description: A set to return as RV(set) - its id, or C(latest).
    type: str
"""

EXAMPLES = r"""
- name: The sets, keeping the newest 14 daily ones
  selfmanaged.wandb.backup_sets:
    bucket: wandb-weave-clickhouse-123456789012
    prefix: backups
    keep: 14
  register: sets

- name: The newest set
  selfmanaged.wandb.backup_sets:
    bucket: wandb-weave-clickhouse-123456789012
    prefix: backups
    backup_id: latest
  register: found
"""

RETURN = r"""
sets:
  description: The complete sets (after retention), oldest first, each C({id, manifest}).
  returned: always
  type: list
  elements: dict
latest:
  description: The id of the newest set named after its time (null when there is none).
  returned: always
  type: str
set:
  description: The set O(backup_id) names, C({id, manifest}); null when there is no such complete set.
  returned: when O(backup_id) is set
  type: dict
incomplete:
  description: Ids of sets without a manifest - a backup still running, or one that failed.
  returned: always
  type: list
  elements: str
removed:
  description: Ids of the sets retention removed (or would remove in check mode).
  returned: always
  type: list
  elements: str
changes:
  description: What retention deleted, one line each.
  returned: always
  type: list
  elements: str
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.backup_sets import BackupSetsRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        bucket=dict(type="str", required=True),
        prefix=dict(type="str", required=True),
        keep=dict(type="int"),
        backup_id=dict(type="str"),
    )
    aws_main(spec, BackupSetsRunner, tags=False)


if __name__ == "__main__":
    main()
