#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: helm_release
short_description: Idempotent Helm releases with Helm 3 or Helm 4, no plugins and no repository set-up
version_added: 0.1.0
description:
  - Installs, upgrades, recovers and uninstalls a Helm release.
  - The chart can be a name in a repository given by URL (no C(helm repo add), nothing left in the
    user's Helm configuration), an C(oci://) reference, a local chart directory or a packaged C(.tgz).
  - Idempotent without the helm-diff plugin. The release is unchanged when its latest revision is
    C(deployed), with the same chart name and version, and the same user-supplied values as this request
    after merging and normalising them as Helm stores them (key order, integral numbers).
  - A no-op run starts no helm process with Helm's default C(secret) (or C(configmap)) storage driver,
    because the release record is read from its storage object with one Kubernetes API call. With other
    storage drivers (E(HELM_DRIVER=sql)), it runs C(helm history) and C(helm get values).
  - A release left C(pending-install) by an interrupted run is uninstalled and installed again; one left
    C(pending-upgrade) or C(pending-rollback) is rolled back to its previous revision and then upgraded;
    a C(failed) release is upgraded. Runs no longer fail with "another operation is in progress".
  - Helm 3 (3.8 or newer) and Helm 4 are detected and each one's flags are used (for example
    O(atomic) is C(--atomic) for Helm 3 and C(--rollback-on-failure) for Helm 4).
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.k8s_access
  - selfmanaged.wandb.k8s_access.host
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Reads the release and reports what would change; runs no helm command that changes anything.
  diff_mode:
    support: full
    description: Shows the chart and the user-supplied values before and after; O(secret_values) are masked.
options:
  name:
    description: Release name.
    type: str
    required: true
    aliases: [release_name]
  namespace:
    description: Namespace of the release.
    type: str
    required: true
    aliases: [release_namespace]
  create_namespace:
    description: Create the namespace when it does not exist (Helm's C(--create-namespace)).
    type: bool
    default: false
  state:
    description: Whether the release should be installed or uninstalled.
    type: str
    choices: [present, absent]
    default: present
  chart:
    description:
      - The chart. With O(repo_url), its name in that repository. Otherwise an C(oci://) reference
        (optionally with C(:version)), a local chart directory or a packaged chart C(.tgz) on the host
        that runs the module.
      - Required with O(state=present).
    type: str
    aliases: [chart_ref]
  repo_url:
    description:
      - URL of the chart repository that holds O(chart). The repository is used for this command
        only; nothing is added to the user's Helm repositories.
    type: str
    aliases: [chart_repo_url]
  chart_version:
    description:
      - Chart version to install. Without it, the newest stable version in the repository (or the
        version in the local chart's C(Chart.yaml)).
      - Pin it for speed and repeatability, a no-op run then downloads nothing.
      - For a local chart it must match C(Chart.yaml).
    type: str
  values:
    description: Values, merged after O(values_files).
    type: dict
    default: {}
  values_files:
    description:
      - Values files on the host that runs the module, merged in order as Helm merges C(-f) files
        (maps merge, anything else replaces).
    type: list
    elements: path
    default: []
  secret_values:
    description:
      - Values merged last, for passwords and keys. They never appear in the module's output or
        diff (masked as C(********)).
      - Helm itself stores all values in the release record, so whoever can read Secrets in
        O(namespace) can read them there.
    type: dict
  wait:
    description: Wait until the release's resources are ready (Helm 4's C(--wait=watcher)).
    type: bool
    default: false
  timeout:
    description:
      - How long helm waits for any one operation, as seconds or a duration such as C(5m) or C(1h30m).
      - Helm's default is 5 minutes.
    type: str
  atomic:
    description:
      - Roll back (or uninstall a first install) when the install or upgrade fails. Implies O(wait).
    type: bool
    default: false
  skip_crds:
    description: Do not install the CRDs in the chart's C(crds/) directory.
    type: bool
    default: false
  apply_crds:
    description:
      - Helm installs the CRDs in a chart's C(crds/) with the release's first install only and never upgrades them.
        With this option, every install and upgrade first applies the CRDs of the chart being installed (server-side
        apply, taking over the fields Helm set, labelled with the release) and waits until they are Established;
        Helm then skips them. A no-op run reads nothing more.
      - Their names are returned in RV(crds) and, in check mode, listed among RV(reasons).
    type: bool
    default: false
  delete_crds:
    description:
      - With O(state=absent), after the uninstall, delete the release's CRDs - those in the chart Helm recorded for
        the release and those O(apply_crds) labelled with it (found again when a run stopped after the uninstall) -
        and wait until they are gone. Every custom resource of theirs goes with them, in every namespace.
    type: bool
    default: false
  history_max:
    description: Revisions to keep per release (Helm's C(--history-max); 0 keeps all). Helm's default is 10.
    type: int
  helm_binary:
    description: Path to the helm binary. Default is C(helm) on E(PATH).
    type: path
    aliases: [binary_path]
requirements:
  - helm 3.8 or newer, or helm 4
  - PyYAML
notes:
  - Local charts are compared by name and version like any other chart; bump C(version) in
    C(Chart.yaml) to roll out a changed local chart.
  - Values are compared with the values Helm stored for the release, not with live objects; use
    C(helm upgrade) or a values change to repair drift made outside Helm.
seealso:
  - module: kubernetes.core.helm
"""

EXAMPLES = r"""
- name: Install the W&B operator from its repository, pinned
  selfmanaged.wandb.helm_release:
    name: operator
    namespace: wandb
    create_namespace: true
    chart: operator
    repo_url: https://charts.wandb.ai
    chart_version: 1.4.2
    wait: true
    timeout: 10m

- name: Install ClickHouse from an OCI registry with a password that never shows in output
  selfmanaged.wandb.helm_release:
    name: clickhouse
    namespace: clickhouse
    chart: oci://registry-1.docker.io/bitnamicharts/clickhouse
    chart_version: 8.0.10
    values_files:
      - files/clickhouse-values.yaml
    values:
      shards: 1
      replicaCount: 3
    secret_values:
      auth:
        password: "{{ clickhouse_password }}"
    atomic: true

- name: Same release on an EKS cluster, with AWS credentials only
  selfmanaged.wandb.helm_release:
    name: demo
    namespace: demo
    chart: ./charts/demo
    eks_cluster_name: wandb
    region: us-west-2

- name: Share connection settings with module_defaults
  module_defaults:
    group/selfmanaged.wandb.k8s:
      kubeconfig: ~/.kube/wandb
      context: wandb-admin
  block:
    - name: Remove a release
      selfmanaged.wandb.helm_release:
        name: demo
        namespace: demo
        state: absent
        wait: true

- name: An operator whose chart upgrades change its CRDs - the new CRDs go in before the new controller
  selfmanaged.wandb.helm_release:
    name: clickhouse-operator
    namespace: clickhouse
    chart: altinity-clickhouse-operator
    repo_url: https://helm.altinity.com
    chart_version: 0.25.6
    apply_crds: true

- name: Remove it with its CRDs (and every ClickHouseInstallation in the cluster)
  selfmanaged.wandb.helm_release:
    name: clickhouse-operator
    namespace: clickhouse
    state: absent
    delete_crds: true
"""

RETURN = r"""
action:
  description: What was done (or would be done in check mode).
  returned: always
  type: str
  sample: upgrade
  choices: [none, install, upgrade, uninstall, reinstall, rollback-upgrade]
reasons:
  description: Why the release changed.
  returned: always
  type: list
  elements: str
  sample: ["chart version 1.0.0 -> 1.1.0", "values differ"]
name:
  description: Release name.
  returned: always
  type: str
  sample: operator
namespace:
  description: Release namespace.
  returned: always
  type: str
  sample: wandb
status:
  description: Helm status of the latest revision (C(deployed), C(failed), ...); null when absent.
  returned: always
  type: str
  sample: deployed
revision:
  description: Revision number of the latest release record.
  returned: always
  type: int
  sample: 3
chart:
  description: Chart name and version of the release, as C(name-version).
  returned: always
  type: str
  sample: operator-1.4.2
app_version:
  description: The chart's appVersion.
  returned: always
  type: str
  sample: 1.4.2
versions:
  description:
    - The part of RV(reasons) a plan shows - every version that moves, from -> to (the chart's, and each image tag,
      digest or app version in the values), and the CRDs applied first.
  returned: always
  type: list
  elements: str
  sample: ["chart version 0.25.4 -> 0.25.6", "operator.image.tag: 0.25.4 -> 0.25.6"]
crds:
  description: The CRDs applied before the install or upgrade (O(apply_crds)) or deleted after the uninstall (O(delete_crds)), or that would be.
  returned: always
  type: list
  elements: str
  sample: ["clickhouseinstallations.clickhouse.altinity.com"]
commands:
  description: The helm commands run, in order. They never contain values (values go through a private file).
  returned: always
  type: list
  elements: str
  sample: ["helm version --template {{.Version}}", "helm upgrade operator operator --namespace wandb --output json --install"]
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.release import HelmReleaseRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import k8s_main


def argument_spec():
    spec = dict(
        name=dict(type="str", required=True, aliases=["release_name"]),
        namespace=dict(type="str", required=True, aliases=["release_namespace"]),
        create_namespace=dict(type="bool", default=False),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        chart=dict(type="str", aliases=["chart_ref"]),
        repo_url=dict(type="str", aliases=["chart_repo_url"]),
        chart_version=dict(type="str"),
        values=dict(type="dict", default={}),
        values_files=dict(type="list", elements="path", default=[]),
        secret_values=dict(type="dict", no_log=True),
        wait=dict(type="bool", default=False),
        timeout=dict(type="str"),
        atomic=dict(type="bool", default=False),
        skip_crds=dict(type="bool", default=False),
        apply_crds=dict(type="bool", default=False),
        delete_crds=dict(type="bool", default=False),
        history_max=dict(type="int"),
        helm_binary=dict(type="path", aliases=["binary_path"]),
    )
    return spec


def main():
    k8s_main(argument_spec(), HelmReleaseRunner, required_if=[("state", "present", ["chart"])])


if __name__ == "__main__":
    main()
