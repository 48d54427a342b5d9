# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every Kubernetes module's runner: the client built from the module's access options, server-side
apply with its dry run and conflicts explained, waiting against a deadline, and the namespace check."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from urllib.parse import quote

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import KubeApiError, WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.access import (
    k8s_access_argspec,
    k8s_access_mutually_exclusive,
    resolve_cluster_access,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.client import KubeClient
from ansible_collections.selfmanaged.wandb.plugins.module_utils.module_runner import run_module


def k8s_main(argument_spec, runner_class, mutually_exclusive=(), **module_kwargs):
    """A Kubernetes module's main(): its own options plus the shared access options (under the runner's
    ``api_host_option``; a clash is a bug), check mode, and ``runner_class(module).run()`` through run_module."""
    access = k8s_access_argspec(runner_class.api_host_option)
    clash = set(argument_spec) & set(access)
    if clash:
        raise ValueError("options shadow the Kubernetes access options: %s" % ", ".join(sorted(clash)))
    module = AnsibleModule(
        argument_spec=dict(argument_spec, **access),
        supports_check_mode=True,
        mutually_exclusive=k8s_access_mutually_exclusive(runner_class.api_host_option) + list(mutually_exclusive),
        **module_kwargs,
    )
    run_module(module, lambda m: runner_class(m).run())


class KubeRunner(object):
    """A module's runner: ``run()`` returns the result dict or raises WandbModuleError (see module_runner).

    The client is built on first use, so input checks that come first fail before any cluster is reached. Tests may
    set ``kube`` to a stand-in. ``sleep`` and ``clock`` are injected for the same reason.
    """

    api_host_option = "host"  # wandb_cr's host is W&B's URL: its API server option is k8s_host
    request_timeout = 60

    def __init__(self, module, sleep=time.sleep, clock=time.monotonic):
        self.module = module
        self.params = module.params
        self.sleep = sleep
        self.clock = clock
        self._access = None
        self._kube = None

    @property
    def access(self):
        if self._access is None:
            self._access = resolve_cluster_access(
                self.params, self.module.run_command, api_host_option=self.api_host_option
            )
        return self._access

    @property
    def kube(self):
        if self._kube is None:
            self._kube = KubeClient(self.access, timeout=self.request_timeout)
        return self._kube

    @kube.setter
    def kube(self, client):
        self._kube = client

    def run(self):
        raise NotImplementedError

    # -- what every Kubernetes module needs ------------------------------------------------------------
    def namespace_exists(self, namespace):
        return self.kube.get("/api/v1/namespaces/%s" % quote(namespace, safe=""), missing_ok=True) is not None

    def require_namespace(self, namespace):
        if not self.namespace_exists(namespace):
            raise WandbModuleError(
                "namespace %s does not exist; create it first (k8s_apply, or helm_release create_namespace)" % namespace
            )

    def apply(self, path, body, label, dry_run=False, force=None):
        """Server-side apply as ``field_manager``; a conflict or a rejection becomes one clear message. ``force``
        defaults to the module's ``force_conflicts``."""
        if force is None:
            force = self.params.get("force_conflicts", False)
        try:
            return self.kube.apply(path, body, field_manager=self.params["field_manager"], force=force, dry_run=dry_run)
        except KubeApiError as exc:
            if exc.status == 409:
                raise WandbModuleError(
                    "%s: another field manager owns fields this module sets (%s); set "
                    "force_conflicts=true to take them over" % (label, exc.msg)
                ) from exc
            if exc.status == 422:
                raise WandbModuleError("%s: the API server rejected it: %s" % (label, exc.msg)) from exc
            raise WandbModuleError("%s: %s" % (label, exc.msg)) from exc

    def apply_if_changed(self, path, body, label, existing, comparable):
        """The dry run shows exactly what the API server would store (defaults, other managers' fields); the object
        is applied only when that differs from ``existing`` as ``comparable`` sees them. Check mode stops at the
        dry run. Returns ``(changed, stored)``."""
        stored = self.apply(path, body, label, dry_run=True)
        changed = existing is None or comparable(stored) != comparable(existing)
        if changed and not self.module.check_mode:
            stored = self.apply(path, body, label)
        return changed, stored

    def wait_until(self, check, timeout, interval, timeout_message):
        """Call ``check()`` until it returns something true (returned), for up to ``timeout`` seconds; then fail with
        ``timeout_message()`` (a function, so it can say what is missing). The pauses between checks are 1, 2, 4...
        seconds up to ``interval``: what is ready in a moment is seen in a moment (an operator reconciles in seconds;
        waiting a whole interval for it cost each run seconds), a long wait checks every ``interval``."""
        deadline = self.clock() + timeout
        pause = min(1, interval)
        while True:
            outcome = check()
            if outcome:
                return outcome
            if self.clock() + pause > deadline:
                raise timeout_message()
            self.sleep(pause)
            pause = min(pause * 2, interval)

    def wait_gone(self, path, label, timeout, interval=1):
        """Until the object at ``path`` is deleted (finalizers run; a Namespace takes its contents with it)."""
        return self.wait_until(
            lambda: self.kube.get(path, missing_ok=True) is None,
            timeout,
            min(interval, timeout),
            lambda: WandbModuleError("%s: still there %d s after deletion (finalizers pending?)" % (label, timeout)),
        )
