# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service behind the ``wandb_cr`` module: Secrets, the WeightsAndBiases resource, readiness."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.client import namespaced_path
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.objects import (
    MANAGED_BY,
    delete_owned_secrets,
    ensure_secret,
    events_for,
    list_workloads,
    split_image,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import KubeRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options
from ansible_collections.selfmanaged.wandb.plugins.module_utils.wandb.spec import (
    LICENSE_KEY,
    build_spec,
    check_no_downgrade,
    check_no_plain_secrets,
    secret_names,
    validate_name,
    versions_moving,
    wandb_built,
    wandb_version,
)

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None

API_VERSION = "apps.wandb.com/v1"
KIND = "WeightsAndBiases"
PLURAL = "weightsandbiases"
CRD_NAME = "weightsandbiases.apps.wandb.com"
COMPLETED = "Completed"
# Phases the operator sets when it gives up on a spec (wandb/operator pkg/wandb/status).
FAILED_PHASES = ("Invalid Config", "Invalid Version")
CR_LABEL = "wandb.selfmanaged/cr"


def phase_failed(phase):
    return bool(phase) and (phase in FAILED_PHASES or "fail" in phase.lower() or "error" in phase.lower())


def readiness(phase, workloads, need_weave_trace, version=None):
    """``(ready, what is missing)`` from the operator's phase and the workloads' readiness; with ``version`` (the W&B
    release the spec pins), also every W&B-built image at that tag: a workload the operator has not re-rendered yet
    can be ready on the old release."""
    missing = []
    if phase != COMPLETED:
        missing.append("operator phase is %s, not %s" % (phase or "unset", COMPLETED))
    if not workloads:
        missing.append("no Deployments or StatefulSets of W&B yet")
    missing.extend(
        "%s/%s %s/%s ready" % (w["kind"], w["name"], w["ready_replicas"], w["replicas"])
        for w in workloads
        if not w["ready"]
    )
    if need_weave_trace and workloads and not any("weave-trace" in w["name"] for w in workloads):
        missing.append("no weave-trace workload yet")
    if version:
        missing.extend(
            "%s/%s runs %s, not W&B %s" % (w["kind"], w["name"], image, version)
            for w in workloads
            for image in w.get("images") or []
            if wandb_built(image) and split_image(image)[1] not in (version, None)  # None: pinned by digest
        )
    return not missing, missing


def _server_time(text):
    """A managedFields time (RFC 3339, UTC, whole seconds) as a comparable value; None when absent."""
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ") if text else None
    except ValueError:
        return None


def status_is_current(obj, field_manager, applied_resource_version=None):
    """Whether the operator's status speaks of the spec this module last applied.

    The v1 operator writes no ``observedGeneration``; what it does leave is the time of its last status write, in
    the resource's ``managedFields`` (the entry with ``subresource: status``). The status is current when that
    write is later than this module's last apply (its ``Apply`` entry, server time too). Both have whole seconds:
    in the same second the status counts only when the resource was written after the apply (its
    ``resourceVersion`` moved on). A resource this module never applied is judged by its status alone.
    """
    entries = (obj.get("metadata") or {}).get("managedFields") or []
    applied = [
        _server_time(e.get("time"))
        for e in entries
        if e.get("manager") == field_manager and e.get("operation") == "Apply" and not e.get("subresource")
    ]
    reported = [_server_time(e.get("time")) for e in entries if e.get("subresource") == "status"]
    applied, reported = max([t for t in applied if t] or [None]), max([t for t in reported if t] or [None])
    if reported is None:
        return False  # the operator has not written any status yet
    if applied is None or reported > applied:
        return True
    if reported < applied:
        return False
    return (
        applied_resource_version is None
        or (obj.get("metadata") or {}).get("resourceVersion") != applied_resource_version
    )


def strip_for_output(obj):
    """The resource as returned: no managedFields (noise); the spec holds no secrets by construction."""
    if not obj:
        return obj
    result = dict(obj)
    metadata = dict(result.get("metadata") or {})
    metadata.pop("managedFields", None)
    result["metadata"] = metadata
    return result


class WandbCrRunner(KubeRunner):
    api_host_option = "k8s_host"  # this module's host is W&B's URL

    def run(self):
        p = self.params
        validate_name(p["name"])
        # the operator installs W&B as a Helm release named after the resource
        check_options(
            p,
            [
                ("name", "helm_release_name"),
                ("namespace", "k8s_label"),
                ("wait_timeout", "positive_int"),
                ("wait_interval", "positive_number"),
                ("version", "release_version"),
                ("console_version", "release_version"),
                ("image_registry", "image_registry"),
            ],
        )
        spec, secrets = None, []
        if p["state"] in ("present", "rendered"):
            spec, secrets = self._desired_spec()  # bad input fails here, before any API call
        if p["state"] == "rendered":  # no cluster: the resource as the settings make it, the Secrets left out
            return dict(changed=False, action="none", secrets=[], versions=[], resource=self._body(spec))
        path = namespaced_path(API_VERSION, PLURAL, p["namespace"], p["name"])
        if p["state"] == "absent":
            return self._absent(path)
        self._require_crd()
        self.require_namespace(p["namespace"])
        return self._present(path, spec, secrets)

    # -- present ---------------------------------------------------------------------------------
    def _desired_spec(self):
        p = self.params
        if p["spec"] is not None:
            check_no_plain_secrets(p["spec"])
            return p["spec"], []
        if p["state"] == "rendered" and not (p["license"] or p["license_secret"]):
            # the spec names the license's Secret, never the license: the same without it
            p = dict(p, license_secret={"name": secret_names(p["name"])["license"], "key": LICENSE_KEY})
        settings = dict(
            (key, p[key])
            for key in (
                "host",
                "license",
                "license_secret",
                "bucket",
                "mysql",
                "redis",
                "service_account_annotations",
                "ingress",
                "clickhouse",
                "weave_trace",
                "version",
                "console_version",
                "image_registry",
                "image_pull_secrets",
                "chart",
                "extra_values",
            )
        )
        return build_spec(p["name"], settings)

    def _require_crd(self):
        if self.kube.get("/apis/%s" % API_VERSION, missing_ok=True) is None:
            raise WandbModuleError(
                "the W&B operator is not installed: the cluster has no %s (CRD %s); install the "
                "operator chart first (selfmanaged.wandb.helm_release)" % (API_VERSION, CRD_NAME)
            )

    def _present(self, path, spec, secrets):
        p = self.params
        existing = self.kube.get(path, missing_ok=True)
        check_no_downgrade((existing or {}).get("spec"), spec)  # before anything is written
        labels = {"app.kubernetes.io/managed-by": MANAGED_BY, CR_LABEL: p["name"]}
        secret_actions = []
        for plan in secrets:
            action = ensure_secret(
                self.kube, p["namespace"], plan.name, plan.data, labels, p["field_manager"], self.module.check_mode
            )
            if action:
                secret_actions.append({"name": plan.name, "action": action, "purpose": plan.purpose})

        body = self._body(spec)
        # the operator's status, its finalizer and defaulted fields never count as a change
        cr_changed, stored = self.apply_if_changed(
            path,
            body,
            "WeightsAndBiases %s/%s" % (p["namespace"], p["name"]),
            existing,
            lambda obj: (
                obj.get("spec"),
                ((obj.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/managed-by"),
            ),
        )
        applied_version = None
        if cr_changed and not self.module.check_mode:
            applied_version = (stored.get("metadata") or {}).get("resourceVersion")

        result = dict(
            changed=cr_changed or bool(secret_actions),
            secrets=secret_actions,
            action=("create" if existing is None else "update") if cr_changed else "none",
            versions=versions_moving((existing or {}).get("spec"), spec) if existing is not None else [],
        )
        if self.module._diff:
            result["diff"] = dict(
                before=self._dump((existing or {}).get("spec")) if existing else "",
                after=self._dump(stored.get("spec")),
                before_header=path,
                after_header=path,
            )
        status = stored.get("status") or (existing or {}).get("status") or {}
        result.update(phase=status.get("phase"), version=status.get("version"), workloads=[])
        if p["wait"] and not self.module.check_mode:
            try:
                result.update(self._wait(path, applied_version, wandb_version(spec)))
            except WandbModuleError as exc:
                # what this run changed stays changed, whatever the operator then says
                exc.details.update(changed=result["changed"], action=result["action"], secrets=secret_actions)
                raise
        result["resource"] = strip_for_output(stored)
        return result

    def _body(self, spec):
        return {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "metadata": {
                "name": self.params["name"],
                "namespace": self.params["namespace"],
                "labels": {"app.kubernetes.io/managed-by": MANAGED_BY},
            },
            "spec": spec,
        }

    @staticmethod
    def _dump(value):
        return yaml.safe_dump(value, default_flow_style=False, sort_keys=True) if value is not None else ""

    # -- readiness -------------------------------------------------------------------------------
    def _wait(self, path, applied_version=None, version=None):
        """Until the operator reports ``Completed`` on the spec as applied (see status_is_current) and every workload
        is ready, with every W&B-built image at ``version`` when the spec pins one; a failed phase on that spec fails
        at once. A status from before the apply is not an answer."""
        p = self.params
        selector = p["wait_selector"] or "app.kubernetes.io/instance=%s" % p["name"]
        need_weave_trace = bool(p.get("weave_trace")) or bool(
            (((p.get("spec") or {}).get("values") or {}).get("weave-trace") or {}).get("install")
        )
        log, seen = [], {}

        def check():
            obj = self.kube.get(path)
            phase = (obj.get("status") or {}).get("phase")
            current = status_is_current(obj, p["field_manager"], applied_version)
            if current and phase_failed(phase):
                raise self._refused(phase, log, (obj.get("spec") or {}).get("chart"))
            workloads = list_workloads(self.kube, p["namespace"], selector)
            ready, missing = readiness(phase if current else None, workloads, need_weave_trace, version)
            if not current:
                missing[0] = (
                    "the operator has not reported on the applied spec yet (its phase %s is from before the apply)"
                    % (phase or "unset")
                )
            line = "phase %s%s; %d/%d workloads ready" % (
                phase or "unset",
                "" if current else " (before the apply)",
                sum(w["ready"] for w in workloads),
                len(workloads),
            )
            if not log or log[-1] != line:
                log.append(line)
                self.module.log("wandb_cr %s/%s: %s" % (p["namespace"], p["name"], line))
            seen.update(phase=phase, workloads=workloads, missing=missing)
            if ready:
                return dict(
                    phase=phase, version=(obj.get("status") or {}).get("version"), workloads=workloads, wait_log=log
                )
            return None

        def timed_out():
            return WandbModuleError(
                "timed out after %ss waiting for W&B %s/%s: %s"
                % (p["wait_timeout"], p["namespace"], p["name"], "; ".join(seen["missing"])),
                phase=seen["phase"],
                workloads=seen["workloads"],
                wait_log=log,
            )

        return self.wait_until(check, p["wait_timeout"], p["wait_interval"], timed_out)

    def _refused(self, phase, log, chart=None):
        """The operator's failed phase, with its Events (recorded just after the phase, at times)."""
        p = self.params
        events = events_for(self.kube, p["namespace"], KIND, p["name"])
        for _retry in range(3):
            if events:
                break
            self.sleep(1)
            events = events_for(self.kube, p["namespace"], KIND, p["name"])
        return WandbModuleError(
            "the W&B operator reports phase %r for %s/%s%s"
            % (
                phase,
                p["namespace"],
                p["name"],
                (": " + "; ".join(events[-5:])) if events else " (no events recorded)",
            )
            + (
                ""
                if chart
                else " - the resource names no chart (spec.chart): an operator that does not reach W&B's release "
                "channel (air-gapped, or offline) has nothing to install; set chart"
            ),
            phase=phase,
            events=events,
            wait_log=log,
        )

    # -- absent ----------------------------------------------------------------------------------
    def _absent(self, path):
        # Without the CRD (operator removed) or the namespace there is nothing left to delete: a teardown's
        # second run must pass, not fail.
        p = self.params
        if not self.namespace_exists(p["namespace"]):
            return dict(changed=False, action="none", secrets=[], phase=None, version=None, workloads=[], resource=None)
        existing = self.kube.get(path, missing_ok=True)  # 404 also when the CRD is gone
        if existing is not None and not self.module.check_mode:
            self.kube.delete(path)
            if p["wait"]:
                self.wait_gone(
                    path, "WeightsAndBiases %s/%s" % (p["namespace"], p["name"]), p["wait_timeout"], p["wait_interval"]
                )
        secrets = []
        if not p["keep_secrets"]:
            selector = "app.kubernetes.io/managed-by=%s,%s=%s" % (MANAGED_BY, CR_LABEL, p["name"])
            secrets = [
                {"name": name, "action": "deleted"}
                for name in delete_owned_secrets(self.kube, p["namespace"], selector, self.module.check_mode)
            ]
        result = dict(
            changed=existing is not None or bool(secrets),
            action="delete" if existing is not None else "none",
            secrets=secrets,
            phase=None,
            version=None,
            workloads=[],
            resource=None,
        )
        if self.module._diff:
            result["diff"] = dict(
                before=self._dump(existing.get("spec")) if existing else "",
                after="",
                before_header=path,
                after_header=path,
            )
        return result
