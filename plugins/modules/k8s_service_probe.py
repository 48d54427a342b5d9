#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: k8s_service_probe
short_description: Check that a Service answers HTTP, through the API server's service proxy
version_added: 0.1.0
description:
  - Sends C(GET) to a path of a Service through the Kubernetes API server's service proxy
    (C(/api/v1/namespaces/N/services/scheme:name:port/proxy/path)) until it answers with O(expect_status)
    (and O(expect_body), when set), or fails after O(timeout) seconds with the last answer.
  - Needs no port-forward and no network route to the pods, so it works from a controller outside the
    cluster, in EKS mode too. For example ClickHouse's C(/ping), which answers C(Ok.).
  - Reads only; never reports a change.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.k8s_access
  - selfmanaged.wandb.k8s_access.host
  - selfmanaged.wandb.aws
attributes:
  check_mode:
    support: full
    description: Probes in check mode too; it changes nothing.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
options:
  service:
    description: Service name.
    type: str
    required: true
  namespace:
    description: Service namespace.
    type: str
    required: true
  port:
    description: Service port, by number or name.
    type: str
    required: true
  path:
    description: HTTP path on the service.
    type: str
    default: /
  scheme:
    description: Scheme the proxy uses towards the service.
    type: str
    choices: [http, https]
    default: http
  expect_status:
    description: HTTP status that counts as an answer.
    type: int
    default: 200
  expect_body:
    description: Text the answer must contain.
    type: str
  timeout:
    description: Seconds to keep trying.
    type: int
    default: 120
  interval:
    description:
      - The longest pause between tries, in seconds. The first pauses are shorter (1, 2, 4... seconds), so a Service
        that answers in a moment is seen in a moment.
    type: int
    default: 5
"""

EXAMPLES = r"""
- name: ClickHouse answers /ping
  selfmanaged.wandb.k8s_service_probe:
    eks_cluster_name: wandb
    region: us-west-2
    namespace: clickhouse
    service: clickhouse
    port: "8123"
    path: /ping
    expect_body: Ok.
"""

RETURN = r"""
status:
  description: HTTP status of the last answer.
  returned: success
  type: int
  sample: 200
body:
  description: The answer's first 1000 characters.
  returned: success
  type: str
  sample: "Ok.\n"
attempts:
  description: Requests made.
  returned: success
  type: int
"""


from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import k8s_main
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.service_probe import ProbeRunner


def main():
    spec = dict(
        service=dict(type="str", required=True),
        namespace=dict(type="str", required=True),
        port=dict(type="str", required=True),
        path=dict(type="str", default="/"),
        scheme=dict(type="str", default="http", choices=["http", "https"]),
        expect_status=dict(type="int", default=200),
        expect_body=dict(type="str"),
        timeout=dict(type="int", default=120),
        interval=dict(type="int", default=5),
    )
    k8s_main(spec, ProbeRunner)


if __name__ == "__main__":
    main()
