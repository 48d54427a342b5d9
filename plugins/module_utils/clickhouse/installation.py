# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Altinity's ClickHouseInstallation and ClickHouseKeeperInstallation: applied, and waited for until the operator has
reconciled exactly the applied spec.

Which spec a status is about: the operator runs one task per reconcile and records its ID (``status.taskID``,
``taskIDsStarted``, ``taskIDsCompleted``); ``spec.taskID``, when set, is the ID it uses. The module sets it to a digest
of the rest of the spec, so an unchanged spec keeps its ID (nothing to reconcile, a re-run changes nothing) and a
changed one gets a new ID, whose completion - not an older one's - is what readiness waits for. ``status.errors``
is never cleared by the operator, so only an ``Aborted`` status of this task is a failure, with its error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.apply import comparable
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.client import namespaced_path
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import KubeRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options

KINDS = {
    "ClickHouseInstallation": ("clickhouse.altinity.com/v1", "clickhouseinstallations"),
    "ClickHouseKeeperInstallation": ("clickhouse-keeper.altinity.com/v1", "clickhousekeeperinstallations"),
}
TASK_PREFIX = "selfmanaged-"


def task_id(spec):
    """The ID of the task that reconciles ``spec``: a digest of it (without its taskID)."""
    rest = dict((key, value) for key, value in (spec or {}).items() if key != "taskID")
    return TASK_PREFIX + hashlib.sha256(json.dumps(rest, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def images(spec):
    """``{"<pod template>/<container>": image}`` of an installation's pod templates."""
    found = {}
    for template in ((spec or {}).get("templates") or {}).get("podTemplates") or []:
        for container in ((template.get("spec") or {}).get("containers")) or []:
            if container.get("image"):
                found["%s/%s" % (template.get("name"), container.get("name"))] = container["image"]
    return found


def images_that_move(before, after):
    """``<pod template>/<container>: old -> new`` for each image that differs between two specs, for the plan."""
    old, new = images(before), images(after)
    return [
        "%s: %s -> %s" % (key, old.get(key, "(none)"), new.get(key, "(none)"))
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]


def readiness(status, task):
    """``(ready, failure)`` of the task ``task`` from an installation's status."""
    status = status or {}
    if status.get("taskID") == task and status.get("status") == "Aborted":
        errors = status.get("errors") or []
        return False, status.get("error") or (errors[0] if errors else "the operator aborted the reconcile")
    completed = (status.get("taskIDsCompleted") or [None])[0] == task
    hosts = status.get("hosts")
    ready = (
        completed
        and status.get("status") == "Completed"
        and hosts is not None
        and status.get("hostsCompleted", hosts) >= hosts
    )
    return ready, None


class InstallationRunner(KubeRunner):
    def run(self):
        p = self.params
        check_options(p, [("namespace", "k8s_label"), ("wait_timeout", "positive_int")])
        definition = json.loads(json.dumps(p["definition"] or {}))
        kind = definition.get("kind")
        if kind not in KINDS:
            raise WandbModuleError("definition.kind must be one of %s, not %r" % (", ".join(sorted(KINDS)), kind))
        api_version, plural = KINDS[kind]
        metadata = definition.setdefault("metadata", {})
        name = metadata.get("name")
        if not name:
            raise WandbModuleError("definition.metadata.name is required")
        metadata["namespace"] = p["namespace"]
        definition["apiVersion"] = api_version
        label = "%s %s/%s" % (kind, p["namespace"], name)
        path = namespaced_path(api_version, plural, p["namespace"], name)
        if self.kube.get("/apis/%s" % api_version, missing_ok=True) is None:
            if p["state"] == "absent":  # no CRD, no installation: a second teardown passes
                return dict(changed=False, action="none")
            if self.module.check_mode:  # a plan made before the operator's chart (and its CRDs) is installed
                return dict(changed=True, action="create", pending="%s: created once the operator's CRDs exist" % label)
            raise WandbModuleError(
                "%s: the cluster has no %s; install Altinity's clickhouse-operator chart first" % (label, api_version)
            )
        existing = self.kube.get(path, missing_ok=True)
        if p["state"] == "absent":
            return self.absent(path, label, existing)
        spec = definition.setdefault("spec", {})
        task = task_id(spec)
        spec["taskID"] = task
        if not self.module.check_mode:
            self.require_namespace(p["namespace"])
        changed, stored = self.apply_if_changed(path, definition, label, existing, comparable)
        result = dict(
            changed=changed,
            action="none" if not changed else ("create" if existing is None else "update"),
            task_id=task,
            images=images_that_move((existing or {}).get("spec"), spec) if existing is not None else [],
        )
        if self.module._diff:
            result["diff"] = dict(
                before=(existing or {}).get("spec") or {},
                after=(stored or {}).get("spec") or {},
                before_header=label,
                after_header=label,
            )
        if p["wait"] and not self.module.check_mode:
            stored = self.wait_ready(path, label, task)
        status = (stored or {}).get("status") or {}
        result.update(
            status=status.get("status"),
            endpoint=status.get("endpoint"),
            hosts=status.get("hosts"),
            fqdns=status.get("fqdns") or [],
        )
        return result

    def wait_ready(self, path, label, task):
        last = {}

        def check():
            obj = self.kube.get(path, missing_ok=True) or {}
            last["status"] = obj.get("status") or {}
            ready, failure = readiness(last["status"], task)
            if failure:
                raise WandbModuleError("%s: the operator aborted the reconcile: %s" % (label, failure), changed=True)
            return obj if ready else None

        def timed_out():
            status = last.get("status") or {}
            return WandbModuleError(
                "%s: not reconciled within %d s (status %s, task %s, hosts %s/%s); is the operator running and "
                "watching this namespace?"
                % (
                    label,
                    self.params["wait_timeout"],
                    status.get("status") or "none",
                    status.get("taskID") or "none",
                    status.get("hostsCompleted"),
                    status.get("hosts"),
                ),
                changed=True,
            )

        return self.wait_until(check, self.params["wait_timeout"], self.params["wait_interval"], timed_out)

    def absent(self, path, label, existing):
        if existing is not None and not self.module.check_mode:
            self.kube.delete(path)
            if self.params["wait"]:
                self.wait_gone(path, label, self.params["wait_timeout"])
        return dict(changed=existing is not None, action="delete" if existing is not None else "none")
