#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rds_mysql
short_description: W&B's MySQL on Amazon RDS - Aurora MySQL or RDS MySQL, password from a Kubernetes Secret
version_added: 0.2.0
description:
  - Creates, updates and removes a MySQL database for W&B - an Aurora MySQL cluster with O(instances) instances
    (C(<name>-1) the writer), or one RDS MySQL instance (Multi-AZ when O(instances) > 1) - with its DB subnet group
    and parameter group, all named O(name).
  - Storage is always encrypted and backups always kept (O(backup_retention_period) days).
  - The master password is read from the Kubernetes Secret O(master_password_secret) when the database is created and
    passed to RDS only; it is never returned or logged. Create the Secret first
    (M(selfmanaged.wandb.k8s_secret) with C(generate)).
  - Removal turns deletion protection off (a teardown asked for it) and keeps a final snapshot
    C(<name>-final-<UTC time>) unless O(skip_final_snapshot); the snapshot is returned and stays.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.k8s_access
  - selfmanaged.wandb.k8s_access.k8s_host
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reports what would be created, changed or deleted; no AWS write, no Secret read.
  diff_mode:
    support: full
    description: The database's settings before and after.
options:
  name:
    description: Identifier of the cluster (Aurora) or instance (MySQL), its subnet group and parameter group.
    type: str
    required: true
  state:
    description: Whether the database should exist.
    type: str
    choices: [present, absent]
    default: present
  engine:
    description: C(aurora-mysql) (Aurora MySQL 3, MySQL 8.0 compatible) or C(mysql) (RDS MySQL).
    type: str
    choices: [aurora-mysql, mysql]
    default: aurora-mysql
  engine_version:
    description:
      - Engine version. A prefix such as C(8.4) lets RDS pick the minor version and is not changed back afterwards.
      - Unset - C(8.0.mysql_aurora.3.10.0) (Aurora MySQL 3.10, long-term support) for Aurora, C(8.4) for MySQL
        (RDS MySQL 8.0 left standard support on 2026-07-31).
    type: str
  instance_class:
    description: Instance class of every instance.
    type: str
    default: db.r6g.large
  instances:
    description: Aurora - the number of instances (the first is the writer). MySQL - more than 1 means Multi-AZ.
    type: int
    default: 1
  allocated_storage:
    description: MySQL only - storage in GiB (gp3); grown, never shrunk.
    type: int
  subnet_ids:
    description:
      - Subnets of the DB subnet group (the cluster's private subnets, two zones at least).
      - Required with O(state=present), except in a check-mode plan made before the subnets exist.
    type: list
    elements: str
  security_group_ids:
    description: VPC security groups of the database.
    type: list
    elements: str
  database:
    description: Database created with the cluster or instance.
    type: str
    default: wandb_local
  master_username:
    description: The master user.
    type: str
    default: wandb
  master_password_secret:
    description: The Kubernetes Secret holding the master password, read only when the database is created.
    type: dict
    suboptions:
      name:
        description: Secret name.
        type: str
        required: true
      namespace:
        description: Secret namespace.
        type: str
        required: true
      key:
        description: Key in the Secret.
        type: str
        default: password
  update_password:
    description:
      - Set the master password of an existing database from O(master_password_secret) again - after the Secret was
        made anew (deleted with its namespace, say), so W&B and the database agree.
    type: bool
    default: false
  restore_snapshot:
    description:
      - Create the database from this snapshot (an Aurora cluster snapshot, or an RDS DB snapshot for C(mysql)) instead
        of empty - its data, master password and encryption are the snapshot's. Used only when the database is created;
        an existing database is left as it is. C(backup.yml) names its snapshots C(<name>-<backup id>).
    type: str
  secrets_manager_secret:
    description:
      - Also keep the password in this AWS Secrets Manager secret, as JSON (C(engine), C(host), C(port), C(dbname),
        C(username), C(password)), for tools outside the cluster; removal deletes it (recoverable for 7 days).
    type: str
  parameters:
    description: Settings of the parameter group (applied at the next reboot; a new database starts with them).
    type: dict
    default: {}
  backup_retention_period:
    description: Days automated backups are kept (1-35).
    type: int
    default: 7
  deletion_protection:
    description: Whether RDS refuses to delete the database (O(state=absent) turns it off first).
    type: bool
    default: true
  kms_key_id:
    description: KMS key for storage encryption; unset uses the account's RDS key.
    type: str
  skip_final_snapshot:
    description: On removal, delete without a final snapshot.
    type: bool
    default: false
  wait:
    description: Wait until the database is available (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 3600
"""

EXAMPLES = r"""
- name: The password, generated once, next to W&B
  selfmanaged.wandb.k8s_secret:
    name: wandb-mysql
    namespace: wandb
    generate: [password]
    eks_cluster_name: wandb

- name: Aurora MySQL for W&B
  selfmanaged.wandb.rds_mysql:
    name: wandb-mysql
    subnet_ids: "{{ eks_cluster_facts.private_subnet_ids }}"
    security_group_ids: [sg-0123456789abcdef0]
    master_password_secret: {namespace: wandb, name: wandb-mysql}
    eks_cluster_name: wandb
    parameters:
      binlog_format: ROW
      innodb_online_alter_log_max_size: 268435456
      max_prepared_stmt_count: 1048576
      sort_buffer_size: 67108864
  register: mysql

- name: Teardown, keeping a final snapshot
  selfmanaged.wandb.rds_mysql:
    name: wandb-mysql
    state: absent
  register: removed   # removed.final_snapshot names the snapshot
"""

RETURN = r"""
database:
  description: The database as it is (or would be); C(exists=false) when it does not.
  returned: always
  type: dict
  contains:
    host:
      description: The writer endpoint.
      type: str
    port:
      description: Port.
      type: int
    database:
      description: Database name.
      type: str
    user:
      description: Master user.
      type: str
    engine_version:
      description: Engine version.
      type: str
updates:
  description: What was (or would be) created, changed or deleted.
  returned: always
  type: list
  elements: str
final_snapshot:
  description: The final snapshot kept on removal (none when skipped or nothing was removed).
  returned: when O(state=absent)
  type: str
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.options import TAGS_ARGSPEC, state_wait_argspec
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.rds_mysql import RdsMysqlRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import k8s_main


def main():
    spec = dict(
        name=dict(type="str", required=True),
        engine=dict(type="str", default="aurora-mysql", choices=["aurora-mysql", "mysql"]),
        engine_version=dict(type="str"),
        instance_class=dict(type="str", default="db.r6g.large"),
        instances=dict(type="int", default=1),
        allocated_storage=dict(type="int"),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str"),
        database=dict(type="str", default="wandb_local"),
        master_username=dict(type="str", default="wandb"),
        master_password_secret=dict(
            type="dict",
            no_log=False,
            options=dict(
                name=dict(type="str", required=True),
                namespace=dict(type="str", required=True),
                key=dict(type="str", default="password", no_log=False),
            ),
        ),
        update_password=dict(type="bool", default=False, no_log=False),
        restore_snapshot=dict(type="str"),
        secrets_manager_secret=dict(type="str", no_log=False),
        parameters=dict(type="dict", default={}),
        backup_retention_period=dict(type="int", default=7),
        deletion_protection=dict(type="bool", default=True),
        kms_key_id=dict(type="str"),
        skip_final_snapshot=dict(type="bool", default=False),
    )
    spec.update(state_wait_argspec(3600))
    spec.update(TAGS_ARGSPEC)
    k8s_main(spec, RdsMysqlRunner, required_if=[("state", "present", ["master_password_secret"])])


if __name__ == "__main__":
    main()
