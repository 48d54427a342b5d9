"""k8s_workload_pause's plan: stopped workloads remember their replicas, started ones get them back, once."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.workload_pause import ANNOTATION, plan_pause


def workload(name, replicas, remembered=None, kind="Deployment"):
    meta = {"name": name, "annotations": {ANNOTATION: remembered} if remembered is not None else {}}
    return {"kind": kind, "plural": kind.lower() + "s", "metadata": meta, "spec": {"replicas": replicas}}


def test_stopping_remembers_each_count_and_is_done_once():
    found = [
        workload("app", 2),
        workload("console", 1),
        workload("weave-trace", 0),
        workload("mysql", 1, kind="StatefulSet"),
    ]
    changes = plan_pause(found, "paused")
    assert [c[4] for c in changes] == [
        "Deployment/app - 2 -> 0",
        "Deployment/console - 1 -> 0",
        "StatefulSet/mysql - 1 -> 0",
    ]
    assert changes[0][3] == {"metadata": {"annotations": {ANNOTATION: "2"}}, "spec": {"replicas": 0}}
    stopped = [workload("app", 0, "2"), workload("console", 0, "1"), workload("weave-trace", 0)]
    assert plan_pause(stopped, "paused") == []
    # scaled up by hand while stopped: stopped again, the first count kept
    assert plan_pause([workload("app", 3, "2")], "paused")[0][3]["metadata"]["annotations"][ANNOTATION] == "2"


def test_starting_restores_each_remembered_count_and_forgets_it():
    changes = plan_pause([workload("app", 0, "2"), workload("weave-trace", 0)], "resumed")
    assert [c[4] for c in changes] == ["Deployment/app - 0 -> 2"]
    assert changes[0][3] == {"metadata": {"annotations": {ANNOTATION: None}}, "spec": {"replicas": 2}}
    assert plan_pause([workload("app", 2)], "resumed") == []
    with pytest.raises(WandbModuleError, match="is not a replica count"):
        plan_pause([workload("app", 0, "two")], "resumed")
