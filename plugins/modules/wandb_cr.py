#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: wandb_cr
short_description: The W&B operator's WeightsAndBiases resource, with honest readiness and no plain-text secrets
version_added: 0.1.0
description:
  - Manages a C(WeightsAndBiases) resource (C(apps.wandb.com/v1)) that the W&B Kubernetes operator
    turns into a W&B deployment with the operator-wandb chart.
  - Builds C(spec.values) from high-level settings (O(host), O(license), O(bucket), O(mysql),
    O(clickhouse), O(weave_trace), O(chart), O(extra_values)), or takes a whole O(spec).
  - The license and every password go into Kubernetes Secrets that the module creates or updates
    (C(<name>-license), C(<name>-mysql), C(<name>-clickhouse)), or that the user names; the resource
    only references them. No secret appears in the spec, the module's output, its diff, or logs.
  - Applies with server-side apply and a field manager. Check mode runs a server-side dry run, so the
    reported change and diff are exactly what the API server would store.
  - With O(wait), waits until the operator reports C(status.phase=Completed) B(and) the app's and
    weave-trace's Deployments and StatefulSets are ready, every image W&B builds with its server release
    (C(wandb/local), C(wandb/megabinary), C(wandb/weave-trace), ...; a mirror's prefix too) at the version the
    spec pins, so that an upgrade is done only when no workload runs the old release; fails at once, with the
    operator's Events for the resource, when the operator reports C(Invalid Config), C(Invalid Version) or
    another failed phase.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.k8s_access
  - selfmanaged.wandb.k8s_access.k8s_host
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Server-side dry run of Secrets and the resource; nothing is stored.
  diff_mode:
    support: full
    description: The resource's spec before and after; Secrets appear by name only.
options:
  name:
    description: Name of the WeightsAndBiases resource (also the operator's Helm release name).
    type: str
    default: wandb
  namespace:
    description: Namespace of the resource; it must exist.
    type: str
    required: true
  state:
    description:
      - Whether the resource should exist.
      - C(rendered) builds the resource's spec from the settings and returns it as RV(resource) without reaching any
        cluster (no Secret is written, the license and passwords stay out of it as always); what
        C(playbooks/images.yml) renders the operator-wandb chart with, as the W&B operator would.
    type: str
    choices: [present, absent, rendered]
    default: present
  host:
    description: URL users reach W&B at, for example C(https://wandb.example.com) (C(global.host)).
    type: str
  license:
    description: The W&B license. Stored in the Secret C(<name>-license), key C(license).
    type: str
  license_secret:
    description: An existing Secret that holds the license, instead of O(license).
    type: dict
    suboptions:
      name:
        description: Secret name.
        type: str
        required: true
      key:
        description: Key in the Secret.
        type: str
        default: license
  bucket:
    description: Object store for W&B files (C(global.bucket)). Credentials come from the workload identity (IRSA on EKS).
    type: dict
    suboptions:
      provider:
        description: Object store kind.
        type: str
        choices: [s3, gcs, az]
        default: s3
      name:
        description: Bucket name.
        type: str
        required: true
      path:
        description: Prefix inside the bucket.
        type: str
      region:
        description: Bucket region.
        type: str
      kms_key:
        description: KMS key ARN for server-side encryption.
        type: str
  mysql:
    description: External MySQL (C(global.mysql)).
    type: dict
    suboptions:
      host:
        description: MySQL host.
        type: str
        required: true
      port:
        description: MySQL port.
        type: int
        default: 3306
      database:
        description: Database name.
        type: str
        default: wandb_local
      user:
        description: User name.
        type: str
        default: wandb
      password:
        description: Password; stored in the Secret C(<name>-mysql).
        type: str
      password_secret:
        description: An existing Secret holding the password, instead of O(mysql.password).
        type: dict
        suboptions:
          name:
            description: Secret name.
            type: str
            required: true
          key:
            description: Key in the Secret.
            type: str
            default: password
  redis:
    description:
      - External Redis (C(global.redis)); the chart's own Redis is turned off (C(redis.install=false)).
    type: dict
    suboptions:
      host:
        description: Redis host (ElastiCache's primary endpoint).
        type: str
        required: true
      port:
        description: Redis port.
        type: int
        default: 6379
      tls:
        description: Connect with TLS (C(global.redis.params.tls)); ElastiCache with encryption in transit needs it.
        type: bool
        default: true
      password:
        description: AUTH password; stored in the Secret C(<name>-redis).
        type: str
      password_secret:
        description: An existing Secret holding the AUTH password, instead of O(redis.password).
        type: dict
        suboptions:
          name:
            description: Secret name.
            type: str
            required: true
          key:
            description: Key in the Secret.
            type: str
            default: password
  service_account_annotations:
    description:
      - Annotations of the service accounts of W&B's components that use the files bucket (C(app), C(parquet)), such
        as C(eks.amazonaws.com/role-arn) for an IAM role (IRSA) instead of static keys.
    type: dict
  ingress:
    description: W&B's Ingress (C(ingress)) - its class and annotations, such as an ALB's certificate.
    type: dict
    suboptions:
      ingress_class:
        description: The IngressClass, such as C(alb).
        type: str
        aliases: [class]
      annotations:
        description: Annotations of the Ingress.
        type: dict
  clickhouse:
    description: ClickHouse for Weave traces (C(global.clickhouse)).
    type: dict
    suboptions:
      host:
        description: ClickHouse host, for example the chart's headless service C(clickhouse-headless.clickhouse.svc.cluster.local).
        type: str
        required: true
      port:
        description: ClickHouse HTTP port (weave-trace speaks HTTP; 9000/9440 are refused).
        type: int
        default: 8123
      user:
        description: ClickHouse user.
        type: str
        default: default
      password:
        description: Password; stored in the Secret C(<name>-clickhouse).
        type: str
      password_secret:
        description: An existing Secret holding the password, instead of O(clickhouse.password).
        type: dict
        suboptions:
          name:
            description: Secret name.
            type: str
            required: true
          key:
            description: Key in the Secret.
            type: str
            default: password
      database:
        description: Database weave-trace uses.
        type: str
        default: wandb_weave
      replicated:
        description: ClickHouse runs replicated (ReplicatedMergeTree, C(ON CLUSTER)).
        type: bool
        default: false
      cluster:
        description:
          - ClickHouse cluster name, with O(clickhouse.replicated). Set in weave-trace's environment as
            C(WF_CLICKHOUSE_REPLICATED_CLUSTER); default C(weave_cluster), the name W&B's guide expects.
        type: str
  weave_trace:
    description: Enable W&B Weave (C(global.weave-trace.enabled), C(weave-trace.install)); needs O(clickhouse).
    type: bool
    default: false
  version:
    description:
      - W&B's server release, such as C(0.85.0), written into the tag of every image W&B builds that operator-wandb
        renders (C(wandb/local), C(wandb/megabinary) for each of its components, C(weave-python), C(weave-trace) and
        its workers, C(frontend-nginx), C(anaconda2), the migration jobs); the chart's own default is C(latest).
      - A version lower than the one the resource has is refused before anything is written (W&B's database
        migrations run forward only).
      - Unset, the operator takes the tags from W&B's release channel (none when air-gapped, so C(latest)).
    type: str
  console_version:
    description: The System Console's release (C(wandb/console), versioned on its own), such as C(2.18.16).
    type: str
  chart:
    description:
      - The operator-wandb chart the operator installs (C(spec.chart)). Without it the operator asks W&B's release
        channel for one, and an air-gapped operator reports C(Invalid Config).
      - A chart repository (O(chart.url), O(chart.name), O(chart.version)) or an OCI reference (O(chart.url)
        C(oci://...), O(chart.version)).
    type: dict
    suboptions:
      url:
        description: Chart repository URL, or the chart's C(oci://) reference.
        type: str
      name:
        description: Chart name, in a chart repository.
        type: str
      version:
        description: Chart version.
        type: str
  image_registry:
    description:
      - A registry that mirrors every image W&B's chart runs, a host with an optional path such as
        C(registry.example.com/mirror) - C(spec.values.global.repositoryPrefix) for W&B's own components and the charts
        they share (C(wandb/local) is pulled as C(registry.example.com/mirror/wandb/local)), and
        C(spec.values.global.imageRegistry) for its Bitnami-style subcharts.
      - Not set, the images come from their own registries. Image keys in O(extra_values) win.
    type: str
  image_pull_secrets:
    description:
      - Secrets (names, in O(namespace)) W&B's pods pull their images with, for a mirror that needs credentials -
        C(spec.values.global.imagePullSecrets), which W&B's components and its subcharts read.
    type: list
    elements: str
  extra_values:
    description: Values deep-merged last into C(spec.values). Plain-text secrets there are refused.
    type: dict
  spec:
    description:
      - The whole spec, instead of the settings above. Plain-text secrets in it are refused.
    type: dict
  field_manager:
    description: Server-side apply field manager.
    type: str
    default: selfmanaged.wandb
  force_conflicts:
    description: Take over fields another field manager owns.
    type: bool
    default: false
  wait:
    description:
      - With O(state=present), wait for the operator and the workloads (see description).
      - With O(state=absent), wait until the resource is gone (finalizers done).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 900
  wait_interval:
    description:
      - The longest pause between readiness checks, in seconds. The first pauses are shorter (1, 2, 4... seconds), so
        a resource the operator reconciles in a moment is seen ready in a moment.
    type: int
    default: 5
  wait_selector:
    description: Label selector of the W&B workloads to wait for. Default C(app.kubernetes.io/instance=<name>).
    type: str
  keep_secrets:
    description: With O(state=absent), keep the Secrets this module created.
    type: bool
    default: false
notes:
  - A module cannot stream output. Progress is returned in RV(wait_log) and written to the host's log;
    run the task with C(async) and C(poll) to see it is alive while waiting.
requirements:
  - PyYAML
"""

EXAMPLES = r"""
- name: W&B with Weave, ClickHouse wired in, license in a Secret
  selfmanaged.wandb.wandb_cr:
    name: wandb
    namespace: wandb
    host: https://wandb.example.com
    license: "{{ wandb_license }}"
    bucket:
      name: my-wandb-files
      region: us-west-2
    mysql:
      host: wandb-mysql.example.internal
      password: "{{ mysql_password }}"
    clickhouse:
      host: clickhouse-headless.clickhouse.svc.cluster.local
      password_secret:
        name: clickhouse
        key: admin-password
      replicated: true
      cluster: weave_cluster
    weave_trace: true
    version: 0.85.0
    console_version: 2.18.16
    chart:
      url: https://charts.wandb.ai
      name: operator-wandb
      version: 0.43.8
    wait: true
    wait_timeout: 1200
  async: 1500
  poll: 15

- name: Remove it, keeping the Secrets
  selfmanaged.wandb.wandb_cr:
    name: wandb
    namespace: wandb
    state: absent
    keep_secrets: true
    wait: true
"""

RETURN = r"""
action:
  description: What happened to the resource.
  returned: always
  type: str
  choices: [none, create, update, delete]
  sample: create
resource:
  description:
    - The resource as stored (or as it would be stored, in check mode), without managedFields.
    - With O(state=rendered), the resource the settings make (C(apiVersion), C(kind), C(metadata), C(spec)).
  returned: always
  type: dict
secrets:
  description: Secrets created, updated or deleted, by name (never their content).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "wandb-license", "action": "created", "purpose": "license"}]
versions:
  description:
    - What this run moves, from -> to - the chart and every image tag (a W&B version change moves them all); empty
      when the resource is created or unchanged. In check mode, the plan.
  returned: always
  type: list
  elements: str
  sample: ["chart: operator-wandb 0.43.0 -> operator-wandb 0.43.8", "app.image.tag: 0.84.2 -> 0.85.0"]
phase:
  description: The operator's C(status.phase).
  returned: always
  type: str
  sample: Completed
version:
  description: The operator's C(status.version).
  returned: always
  type: str
workloads:
  description: With O(wait), the Deployments and StatefulSets waited for and whether each is ready.
  returned: always
  type: list
  elements: dict
  sample: [{"kind": "Deployment", "name": "wandb-app", "ready": true, "replicas": 1, "ready_replicas": 1,
            "images": ["wandb/local:0.85.0"]}]
wait_log:
  description: Each change of readiness seen while waiting.
  returned: when O(wait) ran
  type: list
  elements: str
  sample: ["phase Applying; 0/0 workloads ready", "phase Completed; 2/2 workloads ready"]
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import k8s_main
from ansible_collections.selfmanaged.wandb.plugins.module_utils.wandb.cr import WandbCrRunner


def _secret_ref(default_key):
    # A reference to a Secret, not secret material itself.
    return dict(
        type="dict",
        no_log=False,
        options=dict(name=dict(type="str", required=True), key=dict(type="str", default=default_key, no_log=False)),
    )


def argument_spec():
    database = dict(
        host=dict(type="str", required=True),
        user=dict(type="str"),
        password=dict(type="str", no_log=True),
        password_secret=_secret_ref("password"),
        database=dict(type="str"),
        port=dict(type="int"),
    )
    mysql = dict(
        database,
        port=dict(type="int", default=3306),
        database=dict(type="str", default="wandb_local"),
        user=dict(type="str", default="wandb"),
    )
    clickhouse = dict(
        database,
        port=dict(type="int", default=8123),
        database=dict(type="str", default="wandb_weave"),
        user=dict(type="str", default="default"),
        replicated=dict(type="bool", default=False),
        cluster=dict(type="str"),
    )
    spec = dict(
        name=dict(type="str", default="wandb"),
        namespace=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent", "rendered"]),
        host=dict(type="str"),
        license=dict(type="str", no_log=True),
        license_secret=_secret_ref("license"),
        bucket=dict(
            type="dict",
            options=dict(
                provider=dict(type="str", default="s3", choices=["s3", "gcs", "az"]),
                name=dict(type="str", required=True),
                path=dict(type="str"),
                region=dict(type="str"),
                kms_key=dict(type="str", no_log=False),
            ),
        ),
        mysql=dict(type="dict", options=mysql, mutually_exclusive=[("password", "password_secret")]),
        redis=dict(
            type="dict",
            options=dict(
                host=dict(type="str", required=True),
                port=dict(type="int", default=6379),
                tls=dict(type="bool", default=True),
                password=dict(type="str", no_log=True),
                password_secret=_secret_ref("password"),
            ),
            mutually_exclusive=[("password", "password_secret")],
        ),
        service_account_annotations=dict(type="dict"),
        ingress=dict(
            type="dict", options=dict(ingress_class=dict(type="str", aliases=["class"]), annotations=dict(type="dict"))
        ),
        clickhouse=dict(type="dict", options=clickhouse, mutually_exclusive=[("password", "password_secret")]),
        weave_trace=dict(type="bool", default=False),
        version=dict(type="str"),
        console_version=dict(type="str"),
        chart=dict(type="dict", options=dict(url=dict(type="str"), name=dict(type="str"), version=dict(type="str"))),
        image_registry=dict(type="str"),
        image_pull_secrets=dict(type="list", elements="str", no_log=False),
        extra_values=dict(type="dict"),
        spec=dict(type="dict"),
        field_manager=dict(type="str", default="selfmanaged.wandb"),
        force_conflicts=dict(type="bool", default=False),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=900),
        wait_interval=dict(type="int", default=5),
        wait_selector=dict(type="str"),
        keep_secrets=dict(type="bool", default=False),
    )
    return spec


SETTINGS = [
    "host",
    "license",
    "license_secret",
    "bucket",
    "mysql",
    "redis",
    "service_account_annotations",
    "ingress",
    "clickhouse",
    "version",
    "console_version",
    "chart",
    "image_registry",
    "image_pull_secrets",
    "extra_values",
]


def main():
    k8s_main(
        argument_spec(),
        WandbCrRunner,
        mutually_exclusive=[("license", "license_secret")] + [("spec", s) for s in SETTINGS],
        required_if=[("state", "present", ["host", "spec"], True), ("state", "rendered", ["host", "spec"], True)],
    )


if __name__ == "__main__":
    main()
