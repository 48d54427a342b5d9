"""Altinity installations: which status is about the applied spec (the task ID), and when it is a failure."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.clickhouse.installation import (
    InstallationRunner,
    images_that_move,
    readiness,
    task_id,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

SPEC = {"configuration": {"clusters": [{"name": "weavecluster", "layout": {"replicasCount": 3}}]}}


def test_task_id_follows_the_spec_not_its_own_field():
    assert task_id(SPEC) == task_id(dict(SPEC, taskID="anything")) and task_id(SPEC).startswith("selfmanaged-")
    assert task_id(SPEC) != task_id({"configuration": {"clusters": [{"name": "weavecluster"}]}})


@pytest.mark.parametrize(
    "status, ready, failure",
    [
        ({}, False, None),
        # an earlier spec's Completed is not this spec's
        ({"status": "Completed", "taskIDsCompleted": ["old"], "hosts": 3, "hostsCompleted": 3}, False, None),
        ({"status": "InProgress", "taskID": "t", "taskIDsCompleted": ["old"], "hosts": 3}, False, None),
        (
            {"status": "Completed", "taskID": "t", "taskIDsCompleted": ["t", "old"], "hosts": 3, "hostsCompleted": 2},
            False,
            None,
        ),
        (
            {"status": "Completed", "taskID": "t", "taskIDsCompleted": ["t"], "hosts": 3, "hostsCompleted": 3},
            True,
            None,
        ),
        # errors are never cleared: only this task's Aborted is a failure
        (
            {
                "status": "Completed",
                "taskID": "t",
                "taskIDsCompleted": ["t"],
                "hosts": 1,
                "hostsCompleted": 1,
                "errors": ["old trouble"],
            },
            True,
            None,
        ),
        ({"status": "Aborted", "taskID": "t", "error": "no zookeeper"}, False, "no zookeeper"),
        ({"status": "Aborted", "taskID": "old", "error": "old trouble"}, False, None),
    ],
)
def test_readiness(status, ready, failure):
    assert readiness(status, "t") == (ready, failure)


class FakeKube(object):
    def __init__(self, statuses):
        self.statuses = statuses

    def get(self, path, missing_ok=False):
        return {"status": self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]}


class Module(object):
    check_mode = False
    _diff = False

    def __init__(self):
        self.params = {"wait_timeout": 30, "wait_interval": 3}


def runner(statuses):
    clock = [0.0]
    run = InstallationRunner(Module(), sleep=lambda s: clock.__setitem__(0, clock[0] + s), clock=lambda: clock[0])
    run.kube = FakeKube(statuses)
    return run


def test_wait_fails_with_the_operators_error_and_says_changed():
    with pytest.raises(WandbModuleError, match="aborted the reconcile: replicated cluster without zookeeper") as raised:
        runner(
            [
                {"status": "InProgress", "taskID": "t"},
                {"status": "Aborted", "taskID": "t", "error": "replicated cluster without zookeeper nodes"},
            ]
        ).wait_ready("/x", "CHI c/x", "t")
    assert raised.value.details == {"changed": True}


def test_wait_times_out_saying_what_it_saw():
    with pytest.raises(WandbModuleError, match=r"not reconciled within 30 s \(status Completed, task old, hosts 3/3\)"):
        runner(
            [{"status": "Completed", "taskID": "old", "taskIDsCompleted": ["old"], "hosts": 3, "hostsCompleted": 3}]
        ).wait_ready("/x", "CHI c/x", "t")


def test_the_images_that_move_name_their_container_and_both_versions():
    def spec(server, keeper=None):
        templates = [{"name": "clickhouse", "spec": {"containers": [{"name": "clickhouse", "image": server}]}}]
        if keeper:
            templates.append({"name": "keeper", "spec": {"containers": [{"name": "keeper", "image": keeper}]}})
        return {"templates": {"podTemplates": templates}}

    assert images_that_move(spec("ch:25.8.2.29"), spec("ch:25.8.30.16")) == [
        "clickhouse/clickhouse: ch:25.8.2.29 -> ch:25.8.30.16"
    ]
    assert images_that_move(spec("ch:1"), spec("ch:1")) == []
    assert images_that_move(spec("ch:1"), spec("ch:1", "k:2")) == ["keeper/keeper: (none) -> k:2"]
    assert images_that_move(None, {}) == []
