# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workloads stopped for a while and started again as they were: each Deployment and StatefulSet scaled to 0 keeps its
replica count in an annotation, which starting reads back (a restore stops W&B's writers this way). W&B's controller
re-renders its chart only when its resource's spec changes, so a scaled-down workload stays down until started."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import KubeRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options

ANNOTATION = "selfmanaged.wandb/paused-replicas"
KINDS = (("deployments", "Deployment"), ("statefulsets", "StatefulSet"))


def plan_pause(workloads, state):
    """``[(kind, plural, name, patch, line)]`` for the workloads that change (pure). ``workloads``: the API's
    objects, each with its ``kind`` and ``plural``."""
    changes = []
    for item in workloads:
        meta, spec = item["metadata"], item.get("spec") or {}
        replicas = spec.get("replicas", 1)
        remembered = (meta.get("annotations") or {}).get(ANNOTATION)
        label = "%s/%s" % (item["kind"], meta["name"])
        if state == "paused" and replicas > 0:
            keep = remembered if remembered is not None else str(replicas)
            patch = {"metadata": {"annotations": {ANNOTATION: keep}}, "spec": {"replicas": 0}}
            changes.append((item["kind"], item["plural"], meta["name"], patch, "%s - %d -> 0" % (label, replicas)))
        elif state == "resumed" and remembered is not None:
            try:
                wanted = int(remembered)
            except ValueError:
                raise WandbModuleError(
                    "%s: annotation %s=%r is not a replica count" % (label, ANNOTATION, remembered)
                ) from None
            patch = {"metadata": {"annotations": {ANNOTATION: None}}, "spec": {"replicas": wanted}}
            changes.append(
                (item["kind"], item["plural"], meta["name"], patch, "%s - %d -> %d" % (label, replicas, wanted))
            )
    return changes


class WorkloadPauseRunner(KubeRunner):
    def workloads(self):
        p = self.params
        found = []
        for plural, kind in KINDS:
            path = "/apis/apps/v1/namespaces/%s/%s" % (quote(p["namespace"], safe=""), plural)
            for item in self.kube.list(path, label_selector=p["label_selector"] or None).get("items") or []:
                found.append(dict(item, kind=kind, plural=plural))
        return found

    def run(self):
        p = self.params
        check_options(p, [("namespace", "k8s_label"), ("wait_timeout", "positive_int")])
        self.require_namespace(p["namespace"])
        changes = plan_pause(self.workloads(), p["state"])
        if changes and not self.module.check_mode:
            for _kind, plural, name, patch, _line in changes:
                path = "/apis/apps/v1/namespaces/%s/%s/%s" % (quote(p["namespace"], safe=""), plural, quote(name))
                self.kube.patch(path, patch)
            if p["wait"]:
                self.wait_settled(changes)
        return dict(changed=bool(changes), changes=[c[4] for c in changes])

    def wait_settled(self, changes):
        """Until no pod of a stopped workload is left (terminating pods still write), or every started one is ready."""
        names = set(c[2] for c in changes)
        namespace = quote(self.params["namespace"], safe="")

        def pods_of(item):
            labels = ((item.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
            if not labels:  # a selector of expressions only: the workload's own count
                return [None] * (item.get("status") or {}).get("replicas", 0)
            selector = ",".join("%s=%s" % pair for pair in sorted(labels.items()))
            return self.kube.list("/api/v1/namespaces/%s/pods" % namespace, label_selector=selector).get("items") or []

        def settled():
            for item in self.workloads():
                if item["metadata"]["name"] not in names:
                    continue
                wanted = (item.get("spec") or {}).get("replicas", 1)
                if wanted == 0 and pods_of(item):
                    return False
                if wanted > 0 and (item.get("status") or {}).get("readyReplicas", 0) < wanted:
                    return False
            return True

        self.wait_until(
            settled,
            self.params["wait_timeout"],
            2,
            lambda: WandbModuleError(
                "workloads in %s did not reach their replicas within %d s: %s"
                % (self.params["namespace"], self.params["wait_timeout"], ", ".join(sorted(names)))
            ),
        )
