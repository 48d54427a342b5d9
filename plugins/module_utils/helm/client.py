# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Helm client: finds the binary, tells Helm 3 from Helm 4, speaks each one's flags.

Commands run with a private repository config and cache (``HELM_REPOSITORY_CONFIG`` /
``HELM_REPOSITORY_CACHE`` in the module's temporary directory), so ``--repo`` installs leave no
state in the user's Helm configuration. Registry logins (``HELM_REGISTRY_CONFIG``) are kept, so
private ``oci://`` charts work with the user's ``helm registry login``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import HelmError, WandbModuleError

_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")
_DURATION_RE = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")
MIN_HELM3 = (3, 8, 0)  # OCI support became stable in 3.8


def helm_duration(timeout):
    """``timeout`` as Helm wants it: an int (seconds) or a Go duration such as ``5m`` or ``1h30m``."""
    text = str(timeout).strip()
    if text.isdigit() and int(text) > 0:
        return "%ss" % text
    if _DURATION_RE.match(text):
        return text
    raise WandbModuleError(
        "timeout %r is neither seconds (more than 0) nor a duration such as 300s, 5m or 1h30m" % (timeout,)
    )


def helm_seconds(timeout, default=300):
    """``timeout`` (seconds or a Go duration, as ``helm_duration`` takes it) in seconds; ``default`` when unset."""
    if timeout is None:
        return default
    text, seconds = helm_duration(timeout), 0.0
    for number, unit in re.findall(r"([0-9.]+)(ms|h|m|s)", text):
        seconds += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[unit]
    return seconds or default


class HelmFlags(object):
    """Flag spellings that differ between Helm 3 and Helm 4."""

    def __init__(self, major):
        self.major = major

    def wait(self):
        # Helm 4 made --wait a strategy; "watcher" (kstatus) is its equivalent of Helm 3's --wait.
        return ["--wait=watcher"] if self.major >= 4 else ["--wait"]

    def atomic(self):
        return ["--rollback-on-failure"] if self.major >= 4 else ["--atomic"]

    def upgrade(
        self,
        release,
        chart_ref,
        namespace,
        values_file,
        chart_version=None,
        repo_url=None,
        wait=False,
        atomic=False,
        timeout=None,
        skip_crds=False,
        history_max=None,
        create_namespace=False,
        install=True,
    ):
        args = ["upgrade", release, chart_ref, "--namespace", namespace, "--output", "json"]
        if install:
            args.append("--install")
        if create_namespace:
            args.append("--create-namespace")
        if repo_url:
            args += ["--repo", repo_url]
        if chart_version:
            args += ["--version", chart_version]
        if values_file:
            args += ["--values", values_file]
        if atomic:
            args += self.atomic()
        if wait or atomic:
            args += self.wait()
        if timeout is not None:
            args += ["--timeout", helm_duration(timeout)]
        if skip_crds:
            args.append("--skip-crds")
        if history_max is not None:
            args += ["--history-max", str(history_max)]
        return args

    def uninstall(self, release, namespace, wait=False, timeout=None):
        args = ["uninstall", release, "--namespace", namespace]
        if wait:
            args += self.wait()
        if timeout is not None:
            args += ["--timeout", helm_duration(timeout)]
        return args

    def rollback(self, release, namespace, revision=None):
        args = ["rollback", release]
        if revision:
            args.append(str(revision))
        return args + ["--namespace", namespace]


class HelmClient(object):
    """Runs helm through AnsibleModule.run_command; records every command (never any values)."""

    def __init__(self, module, binary=None, kube_args=None, env=None, pass_fds=()):
        self.module = module
        self.binary = self._find(binary)
        self.kube_args = list(kube_args or [])
        self.env = dict(env or {})
        self.pass_fds = tuple(pass_fds)  # file descriptors helm reads through /dev/fd (see private_file)
        self.commands = []
        self._version = None

    def _find(self, binary):
        if binary:
            path = os.path.expanduser(binary)
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                raise WandbModuleError("helm_binary %s is not an executable file" % path)
            return path
        found = self.module.get_bin_path("helm")
        if not found:
            raise WandbModuleError(
                "helm was not found on PATH: install Helm %s or newer (or Helm 4) on the host that runs "
                "this module, or set helm_binary" % ".".join(str(x) for x in MIN_HELM3)
            )
        return found

    def run(self, args, kube=True, stdin=None):
        """helm ``args``; ``stdin`` (text) is how values reach it (``--values -``): they never touch a file."""
        command = [self.binary] + list(args) + (self.kube_args if kube else [])
        self.commands.append(" ".join(command))
        extra = dict(data=stdin, binary_data=True) if stdin is not None else {}
        if self.pass_fds and kube:
            extra["pass_fds"] = self.pass_fds
        rc, out, err = self.module.run_command(command, environ_update=self.env, **extra)
        if rc != 0:
            raise HelmError(self._explain(err or out, kube), command=" ".join(command), rc=rc)
        return out

    @staticmethod
    def _explain(text, kube=True):
        """helm's error, with a hint at what is unreachable when it is a network error."""
        text = (text or "").strip()
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("WARNING:")]
        message = "; ".join(lines) or "helm failed without an error message"
        if "connection refused" in text or "no such host" in text or "i/o timeout" in text:
            lowered = text.lower()
            if "chart repository" in lowered or "index.yaml" in lowered or ".tgz" in lowered or "oci://" in lowered:
                message += " (the chart repository is unreachable: check repo_url or the chart's oci:// address)"
            elif kube or "kubernetes cluster unreachable" in lowered:
                message += " (the Kubernetes API is unreachable: check kubeconfig/context/host)"
        return "helm: " + message

    @property
    def version(self):
        """(major, minor, patch) of the helm binary, asked once."""
        if self._version is None:
            out = self.run(["version", "--template", "{{.Version}}"], kube=False)
            match = _VERSION_RE.search(out or "")
            if not match:
                raise WandbModuleError("cannot tell the Helm version from %r" % (out,))
            self._version = tuple(int(x) for x in match.groups())
            if self._version[0] < 3 or (self._version[0] == 3 and self._version < MIN_HELM3):
                raise WandbModuleError(
                    "Helm %s is too old: use Helm %s or newer, or Helm 4"
                    % (".".join(str(x) for x in self._version), ".".join(str(x) for x in MIN_HELM3))
                )
        return self._version

    @property
    def flags(self):
        return HelmFlags(self.version[0])

    def run_json(self, args, kube=True, stdin=None):
        out = self.run(args, kube=kube, stdin=stdin)
        try:
            return json.loads(out)
        except ValueError:
            # Helm prints hook/NOTES text before the JSON on some versions; take the JSON object.
            start = out.find("{")
            try:
                return json.loads(out[start:]) if start >= 0 else {}
            except ValueError:
                raise WandbModuleError("helm printed output that is not JSON for: %s" % self.commands[-1]) from None
