"""A chart's CRDs (module_utils/helm/crds.py): found in Helm's record and in `helm show crds`, applied with the
release's labels and waited for, deleted and waited for."""

import base64

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.client import helm_seconds
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.crds import (
    CRD_PATH,
    ReleaseCrds,
    crd_names_in_chart_files,
    crds_in_text,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.release import ReleaseRecord

CRD = """---
# a comment, then two CRDs and something else
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com, labels: {app: widget}}
spec: {group: example.com}
status: {acceptedNames: {}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-crd}
"""


def chart_file(name, text):
    return {"name": name, "data": base64.b64encode(text.encode()).decode()}


def test_crds_are_read_from_yaml_and_from_the_chart_helm_recorded():
    assert [c["metadata"]["name"] for c in crds_in_text(CRD, "demo-1.0.0")] == [
        "widgets.example.com",
        "gadgets.example.com",
    ]
    with pytest.raises(WandbModuleError, match="the CRDs of demo-1.0.0 are not valid YAML"):
        crds_in_text("a: [", "demo-1.0.0")
    files = [chart_file("README.md", "kind: CustomResourceDefinition"), chart_file("crds/all.yaml", CRD)]
    assert crd_names_in_chart_files(files) == ["widgets.example.com", "gadgets.example.com"]
    release = {"name": "r", "namespace": "ns", "version": 2, "info": {"status": "deployed"}}
    release["chart"] = {"metadata": {"name": "demo", "version": "1.0.0"}, "files": files}
    assert ReleaseRecord.from_release(release).crd_names == ["widgets.example.com", "gadgets.example.com"]


class FakeKube(object):
    """CRDs by name; a CRD is Established after ``ready_after`` reads, gone after ``gone_after`` reads."""

    def __init__(self, ready_after=0, gone_after=0):
        self.crds, self.calls, self.reads = {}, [], {}
        self.ready_after, self.gone_after = ready_after, gone_after

    def apply(self, path, body, field_manager, force=False):
        self.calls.append(("apply", path, field_manager, force))
        self.crds[body["metadata"]["name"]] = body

    def get(self, path, missing_ok=False):
        name = path.rsplit("/", 1)[-1]
        self.reads[name] = self.reads.get(name, 0) + 1
        crd = self.crds.get(name)
        if crd is None:
            return None
        if crd.get("deleted") and self.reads[name] > self.gone_after:
            del self.crds[name]
            return None
        ready = self.reads[name] > self.ready_after
        return dict(crd, status={"conditions": [{"type": "Established", "status": "True" if ready else "False"}]})

    def list(self, path, label_selector=None):
        self.calls.append(("list", path, label_selector))
        wanted = dict(part.split("=") for part in label_selector.split(","))
        items = [c for c in self.crds.values() if wanted.items() <= (c["metadata"].get("labels") or {}).items()]
        return {"items": items}

    def delete(self, path):
        self.calls.append(("delete", path))
        name = path.rsplit("/", 1)[-1]
        if name in self.crds:
            self.crds[name]["deleted"] = True
            self.reads[name] = 0


def test_apply_labels_each_crd_with_its_release_and_waits_until_established():
    kube, slept = FakeKube(ready_after=2), []
    crds = ReleaseCrds(kube, "alb", "kube-system", sleep=slept.append)
    assert crds.apply(crds_in_text(CRD, "demo")) == ["widgets.example.com", "gadgets.example.com"]
    stored = kube.crds["widgets.example.com"]
    assert stored["metadata"]["labels"] == {
        "app": "widget",
        "selfmanaged.wandb/helm-release": "alb",
        "selfmanaged.wandb/helm-release-namespace": "kube-system",
    }
    assert "status" not in stored
    assert kube.calls[0] == ("apply", CRD_PATH + "/widgets.example.com", "selfmanaged.wandb", True)
    assert slept  # waited for Established
    assert crds.labelled() == ["gadgets.example.com", "widgets.example.com"]
    assert ReleaseCrds(kube, "alb", "other").labelled() == []  # the same release name elsewhere is not this one


def test_apply_fails_clearly_when_a_crd_never_becomes_established():
    crds = ReleaseCrds(FakeKube(ready_after=10**6), "alb", "ns", sleep=lambda s: None)
    with pytest.raises(WandbModuleError, match="CRD widgets.example.com was applied but is not Established"):
        crds.apply(crds_in_text(CRD, "demo"), timeout=0)


def test_delete_waits_until_gone_and_names_what_stays():
    kube = FakeKube(gone_after=1)
    crds = ReleaseCrds(kube, "alb", "ns", sleep=lambda s: None)
    crds.apply(crds_in_text(CRD, "demo"))
    crds.delete(["widgets.example.com", "gadgets.example.com"])
    assert kube.crds == {} and crds.existing(["widgets.example.com"]) == []
    kube = FakeKube(gone_after=10**6)
    crds = ReleaseCrds(kube, "alb", "ns", sleep=lambda s: None)
    crds.apply(crds_in_text(CRD, "demo"))
    with pytest.raises(WandbModuleError, match="CRDs widgets.example.com, gadgets.example.com still exist 0s after"):
        crds.delete(["widgets.example.com", "gadgets.example.com"], timeout=0)


@pytest.mark.parametrize("timeout, seconds", [(None, 300), ("600", 600), ("10m", 600), ("1h30m", 5400), ("90s", 90)])
def test_helm_timeouts_in_seconds(timeout, seconds):
    assert helm_seconds(timeout) == seconds
