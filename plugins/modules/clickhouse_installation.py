#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: clickhouse_installation
short_description: Altinity ClickHouseInstallation or ClickHouseKeeperInstallation, applied and waited for
version_added: 0.2.0
description:
  - Applies a C(ClickHouseInstallation) or C(ClickHouseKeeperInstallation) (server-side apply; a dry run decides
    whether anything changes) and waits until Altinity's clickhouse-operator has reconciled exactly this spec.
  - The module sets C(spec.taskID) to a digest of the rest of the spec - the ID the operator gives the task that
    reconciles it - and waits until that task is completed with every host; an C(Aborted) status of that task fails
    at once with the operator's own error. A status left from an earlier spec is never taken for this one.
  - With O(state=absent), deletes the installation and waits until the operator's finalizer has let it go.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.k8s_access
  - selfmanaged.wandb.k8s_access.host
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: A server-side dry run shows what would change; nothing is written.
  diff_mode:
    support: full
    description: The spec before and after.
options:
  definition:
    description:
      - The installation - C(kind) and C(metadata.name) at least, and C(spec). C(apiVersion) and the namespace are
        set by the module.
    type: dict
    required: true
  namespace:
    description: Namespace of the installation.
    type: str
    required: true
  state:
    description: Whether the installation should exist.
    type: str
    choices: [present, absent]
    default: present
  field_manager:
    description: Server-side apply field manager.
    type: str
    default: selfmanaged.wandb
  force_conflicts:
    description: Take over fields another field manager owns.
    type: bool
    default: false
  wait:
    description: Wait until the operator has reconciled the spec (or let a deleted installation go).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 900
  wait_interval:
    description:
      - The longest pause between looks at the status, in seconds. The first pauses are shorter (1, 2... seconds),
        so an installation the operator completes in a moment is seen in a moment.
    type: int
    default: 3
"""

EXAMPLES = r"""
- name: ClickHouse Keeper, 3 replicas
  selfmanaged.wandb.clickhouse_installation:
    namespace: clickhouse
    definition:
      kind: ClickHouseKeeperInstallation
      metadata: {name: keeper}
      spec:
        configuration:
          clusters: [{name: keeper, layout: {replicasCount: 3}}]
"""

RETURN = r"""
action:
  description: What was done.
  returned: always
  type: str
  choices: [none, create, update, delete]
images:
  description:
    - "Each container image that moves on an existing installation, C(<pod template>/<container>: old -> new), for a
      plan of the versions that move (empty when none does, or when the installation is new)."
  returned: when O(state=present) and the operator's CRDs exist
  type: list
  elements: str
  sample: ["clickhouse/clickhouse: clickhouse/clickhouse-server:25.8.2.29 -> clickhouse/clickhouse-server:25.8.30.16"]
task_id:
  description: The operator's task ID of this spec (C(spec.taskID)).
  returned: when O(state=present)
  type: str
status:
  description: The operator's C(status.status) (C(Completed) once waited for).
  returned: when O(state=present)
  type: str
endpoint:
  description: The installation's Service, as the operator reports it.
  returned: when O(state=present)
  type: str
hosts:
  description: The number of hosts the operator runs.
  returned: when O(state=present)
  type: int
pending:
  description: In check mode before the operator's CRDs exist, what a real run would create.
  returned: when the plan cannot be checked against the cluster yet
  type: str
fqdns:
  description: The hosts' names.
  returned: when O(state=present)
  type: list
  elements: str
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.clickhouse.installation import InstallationRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import k8s_main


def main():
    spec = dict(
        definition=dict(type="dict", required=True),
        namespace=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        field_manager=dict(type="str", default="selfmanaged.wandb"),
        force_conflicts=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        wait_interval=dict(type="int", default=3),
    )
    k8s_main(spec, InstallationRunner)


if __name__ == "__main__":
    main()
