# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An HTTP check of a Service through the API server's service proxy: no port-forward, no route to pods."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import KubeRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options


def proxy_path(namespace, service, port, path, scheme="http"):
    """``/api/v1/namespaces/N/services/scheme:name:port/proxy/path``."""
    return "/api/v1/namespaces/%s/services/%s:%s:%s/proxy/%s" % (
        quote(namespace, safe=""),
        scheme,
        quote(service, safe=""),
        port,
        path.lstrip("/"),
    )


def answer_ok(status, text, expect_status, expect_body):
    return status == expect_status and (not expect_body or expect_body in text)


class ProbeRunner(KubeRunner):
    def run(self):
        p = self.params
        check_options(p, [("namespace", "k8s_label"), ("timeout", "positive_int"), ("interval", "positive_int")])
        self.request_timeout = min(30, max(5, p["timeout"]))
        path = proxy_path(p["namespace"], p["service"], p["port"], p["path"], p["scheme"])
        attempts, last = [0], [None, ""]

        def answered():
            attempts[0] += 1
            last[:] = self.kube.get_text(path)
            return answer_ok(last[0], last[1], p["expect_status"], p["expect_body"])

        def timed_out():
            return WandbModuleError(
                "service %s/%s port %s did not answer %s on /%s within %d s (last answer: %s %s)"
                % (
                    p["namespace"],
                    p["service"],
                    p["port"],
                    p["expect_status"],
                    p["path"].lstrip("/"),
                    p["timeout"],
                    last[0],
                    last[1].strip()[:200] or "empty",
                ),
                status=last[0],
                attempts=attempts[0],
            )

        self.wait_until(answered, p["timeout"], p["interval"], timed_out)
        return dict(changed=False, status=last[0], body=last[1][:1000], attempts=attempts[0])
