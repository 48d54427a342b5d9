# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An HTTP check of a Service through the API server's service proxy: no port-forward, no route to pods."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from urllib.parse import quote

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s_access import resolve_cluster_access
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s_client import KubeClient
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options


def proxy_path(namespace, service, port, path, scheme="http"):
    """``/api/v1/namespaces/N/services/scheme:name:port/proxy/path``."""
    return "/api/v1/namespaces/%s/services/%s:%s:%s/proxy/%s" % (
        quote(namespace, safe=""), scheme, quote(service, safe=""), port, path.lstrip("/"))


def answer_ok(status, text, expect_status, expect_body):
    return status == expect_status and (not expect_body or expect_body in text)


class ProbeRunner(object):
    def __init__(self, module, sleep=time.sleep, clock=time.monotonic):
        self.module = module
        self.params = module.params
        self.sleep = sleep
        self.clock = clock

    def run(self):
        p = self.params
        check_options(p, [("namespace", "k8s_label"), ("timeout", "positive_int"), ("interval", "positive_int")])
        kube = KubeClient(resolve_cluster_access(p, self.module.run_command), timeout=min(30, max(5, p["timeout"])))
        path = proxy_path(p["namespace"], p["service"], p["port"], p["path"], p["scheme"])
        deadline = self.clock() + p["timeout"]
        attempts = 0
        while True:
            attempts += 1
            status, text = kube.get_text(path)
            if answer_ok(status, text, p["expect_status"], p["expect_body"]):
                return dict(changed=False, status=status, body=text[:1000], attempts=attempts)
            if self.clock() + p["interval"] > deadline:
                raise WandbModuleError(
                    "service %s/%s port %s did not answer %s on /%s within %d s (last answer: %s %s)"
                    % (p["namespace"], p["service"], p["port"], p["expect_status"], p["path"].lstrip("/"),
                       p["timeout"], status, text.strip()[:200] or "empty"),
                    status=status, attempts=attempts)
            self.sleep(p["interval"])
