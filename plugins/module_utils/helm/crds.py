# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place for a chart's CRDs (``helm_release``'s ``apply_crds`` and ``delete_crds``).

Helm installs a chart's ``crds/`` with the release's first install only, and never upgrades or removes them: after a
chart upgrade the controller runs against its old CRDs. Here the CRDs of the chart being installed are applied with
server-side apply before Helm runs (Helm then skips them), labelled with their release; on uninstall, the CRDs of
the chart Helm recorded for the release (its record keeps the chart's files, ``crds/`` among them) and those
labelled with the release are deleted - the label finds them again when a run stopped after the uninstall.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import time
from urllib.parse import quote

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.yaml_safe import safe_load_all, yaml

CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
RELEASE_LABEL = "selfmanaged.wandb/helm-release"
NAMESPACE_LABEL = "selfmanaged.wandb/helm-release-namespace"


def crds_in_text(text, source):
    """The CustomResourceDefinitions in a YAML stream (``helm show crds``, a chart's ``crds/`` file)."""
    try:
        documents = list(safe_load_all(text or ""))
    except yaml.YAMLError as exc:
        raise WandbModuleError("the CRDs of %s are not valid YAML: %s" % (source, exc)) from exc
    return [d for d in documents if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition"]


def crd_names_in_chart_files(files):
    """Names of the CRDs in the ``crds/`` files of a chart as Helm records it (``chart.files``: name, base64 data)."""
    names = []
    for entry in files or []:
        if not str(entry.get("name", "")).startswith("crds/"):
            continue
        try:
            text = base64.b64decode(entry.get("data") or "").decode("utf-8")
        except (TypeError, ValueError):
            continue
        try:
            crds = crds_in_text(text, entry["name"])
        except WandbModuleError:
            continue  # a file Helm itself would have refused to install
        names.extend(c["metadata"]["name"] for c in crds if (c.get("metadata") or {}).get("name"))
    return names


class ReleaseCrds(object):
    """The CRDs of one release (``name`` in ``namespace``) on one cluster."""

    def __init__(self, kube, name, namespace, field_manager="selfmanaged.wandb", sleep=time.sleep):
        self.kube = kube
        self.labels = {RELEASE_LABEL: name, NAMESPACE_LABEL: namespace}
        self.field_manager = field_manager
        self.sleep = sleep

    def labelled(self):
        """Names of the CRDs labelled with this release (one list call)."""
        selector = ",".join("%s=%s" % item for item in sorted(self.labels.items()))
        items = self.kube.list(CRD_PATH, label_selector=selector).get("items") or []
        return sorted(i["metadata"]["name"] for i in items)

    def apply(self, crds, timeout=120):
        """Server-side apply each CRD with this release's labels (taking over fields Helm set when it installed
        them), then wait until each is Established: a controller started before that fails on the new versions."""
        names = []
        for crd in crds:
            body = dict(crd)
            metadata = dict(body.get("metadata") or {})
            metadata["labels"] = dict(metadata.get("labels") or {}, **self.labels)
            body["metadata"] = metadata
            body.pop("status", None)
            path = "%s/%s" % (CRD_PATH, quote(metadata["name"], safe=""))
            self.kube.apply(path, body, self.field_manager, force=True)
            names.append(metadata["name"])
        deadline = time.time() + timeout
        for name in names:
            while not self._established(name):
                if time.time() > deadline:
                    raise WandbModuleError("CRD %s was applied but is not Established after %ss" % (name, timeout))
                self.sleep(1)
        return names

    def _established(self, name):
        crd = self.kube.get("%s/%s" % (CRD_PATH, quote(name, safe="")), missing_ok=True) or {}
        conditions = (crd.get("status") or {}).get("conditions") or []
        return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)

    def existing(self, names):
        return [n for n in names if self.kube.get("%s/%s" % (CRD_PATH, quote(n, safe="")), missing_ok=True)]

    def delete(self, names, wait=True, timeout=300):
        """Delete the CRDs (every custom resource of theirs goes with them); with ``wait``, until they are gone."""
        for name in names:
            self.kube.delete("%s/%s" % (CRD_PATH, quote(name, safe="")))
        deadline = time.time() + timeout
        while wait and self.existing(names):
            if time.time() > deadline:
                raise WandbModuleError(
                    "CRDs %s still exist %ss after their deletion (a finalizer of a custom resource?)"
                    % (", ".join(self.existing(names)), timeout)
                )
            self.sleep(1)
