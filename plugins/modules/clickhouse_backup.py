#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: clickhouse_backup
short_description: Back up a ClickHouse database to S3, or restore it, through the API server's service proxy
version_added: 0.1.0
description:
  - Runs ClickHouse's own C(BACKUP DATABASE ... TO S3) or C(RESTORE DATABASE ... FROM S3) through ClickHouse's
    HTTP interface, reached through the Kubernetes API server's service proxy (no port-forward, no route to the pods,
    so it works from a controller outside the cluster, in EKS mode too), and follows the operation in
    C(system.backups) until it is done; a failure is ClickHouse's own error.
  - No key is in a statement - ClickHouse takes S3 credentials from its environment (its service account's IAM role),
    so its role must allow the backup prefix. The password is read from its Secret, sent in ClickHouse's own
    headers, never returned or logged.
  - O(state=backed_up) is idempotent per O(url) - a backup already made there, or still running (resumed, not started
    twice), is not made again.
  - O(state=restored) restores into a database without data only - unless O(replace), which first renames the
    current database aside to C(<database>_before_restore) (kept; renamed back if the restore fails), so nothing is lost.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.k8s_access
  - selfmanaged.wandb.k8s_access.host
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Reads C(system.backups) and the database's tables, and says what it would do; runs no BACKUP or RESTORE.
  diff_mode:
    support: none
    description: A backup or a restore has no before and after to show; RV(msg) and RV(queries) say what was done.
options:
  state:
    description: Back the database up to O(url), or restore it from there.
    type: str
    choices: [backed_up, restored]
    default: backed_up
  namespace:
    description: Namespace of ClickHouse's Service and of the password Secret.
    type: str
    required: true
  service:
    description: ClickHouse's Service.
    type: str
    required: true
  port:
    description: The Service's HTTP port.
    type: str
    default: "8123"
  user:
    description: ClickHouse user, with the BACKUP or RESTORE grant.
    type: str
    default: default
  password_secret:
    description: The Secret holding the user's password (in O(namespace)).
    type: dict
    required: true
    suboptions:
      name:
        description: Secret name.
        type: str
        required: true
      key:
        description: Key of the password.
        type: str
        default: admin-password
  database:
    description: The database.
    type: str
    required: true
  url:
    description:
      - The backup's directory, an S3 URL ending in C(/), such as C(https://<bucket>.s3.<region>.amazonaws.com/<prefix>/<id>/).
    type: str
    required: true
  base_url:
    description: An earlier backup's directory, to back up incrementally on it (O(state=backed_up)).
    type: str
  cluster:
    description:
      - ClickHouse's cluster, to follow the operation in C(system.backups) on every replica (the Service may answer from
        any); unset for a single server.
    type: str
  on_cluster:
    description:
      - Run the statement C(ON CLUSTER) this cluster, for a cluster of several shards (each shard's data is then in the
        backup). One shard's replicas hold the same data, so they need it not.
    type: str
  replace:
    description: With O(state=restored), restore even into a database with data, which is first renamed aside.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the backup or restore to finish.
    type: int
    default: 3600
"""

EXAMPLES = r"""
- name: Weave's traces to the backup prefix
  selfmanaged.wandb.clickhouse_backup:
    eks_cluster_name: wandb
    region: us-west-2
    namespace: clickhouse
    service: clickhouse
    password_secret: {name: clickhouse-auth}
    cluster: weave_cluster
    database: wandb_weave
    url: https://wandb-weave-clickhouse-123456789012.s3.us-west-2.amazonaws.com/backups/20261207T020000Z/

- name: And back, keeping what is there aside
  selfmanaged.wandb.clickhouse_backup:
    state: restored
    namespace: clickhouse
    service: clickhouse
    password_secret: {name: clickhouse-auth}
    database: wandb_weave
    url: https://wandb-weave-clickhouse-123456789012.s3.us-west-2.amazonaws.com/backups/20261207T020000Z/
    replace: true
"""

RETURN = r"""
msg:
  description: What was done, or would be done in check mode.
  returned: success
  type: str
  sample: backed up database wandb_weave to https://bucket.s3.us-west-2.amazonaws.com/backups/20261207T020000Z/
url:
  description: The backup's directory.
  returned: success
  type: str
database:
  description: The database.
  returned: success
  type: str
operation:
  description:
    - The operation's row of C(system.backups) (id, name, status, error, start_time, num_files, total_size,
      total_rows); null when nothing ran and ClickHouse no longer lists the earlier backup.
  returned: success
  type: dict
kept_as:
  description: With O(replace), the database the current data was renamed to (null when there was none to keep).
  returned: when O(state=restored)
  type: str
queries:
  description: The statements sent to ClickHouse (none holds a secret).
  returned: always
  type: list
  elements: str
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.clickhouse.backup import BackupRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import k8s_main


def main():
    spec = dict(
        state=dict(type="str", default="backed_up", choices=["backed_up", "restored"]),
        namespace=dict(type="str", required=True),
        service=dict(type="str", required=True),
        port=dict(type="str", default="8123"),
        user=dict(type="str", default="default"),
        password_secret=dict(
            type="dict",
            required=True,
            no_log=False,  # where the password is, not the password
            options=dict(
                name=dict(type="str", required=True), key=dict(type="str", default="admin-password", no_log=False)
            ),
        ),
        database=dict(type="str", required=True),
        url=dict(type="str", required=True),
        base_url=dict(type="str"),
        cluster=dict(type="str"),
        on_cluster=dict(type="str"),
        replace=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=3600),
    )
    k8s_main(spec, BackupRunner)


if __name__ == "__main__":
    main()
