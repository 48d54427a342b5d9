"""k8s_apply: what counts as a change, Secret values kept out of output, waiting for deletion."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.apply import ApplyRunner, comparable, for_output

STORED = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "data": {"a": "1"},
    "status": {"x": 1},
    "metadata": {
        "name": "c",
        "namespace": "n",
        "labels": {"l": "1"},
        "resourceVersion": "7",
        "uid": "u",
        "managedFields": [{"manager": "m"}],
        "creationTimestamp": "t",
        "generation": 2,
    },
}


def test_volatile_metadata_and_status_do_not_count():
    again = dict(STORED, status={"x": 2}, metadata=dict(STORED["metadata"], resourceVersion="8", managedFields=[]))
    assert comparable(again) == comparable(STORED)
    assert comparable(dict(STORED, data={"a": "2"})) != comparable(STORED)
    assert comparable(None) is None


def test_secret_values_are_hidden():
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"password": "c2VjcmV0"}}
    assert for_output(secret)["data"] == {"password": "VALUE_HIDDEN"}
    assert secret["data"]["password"] == "c2VjcmV0"


class _Gone(object):
    """A kube stand-in whose object disappears after ``polls`` more GETs."""

    def __init__(self, polls):
        self.polls = polls

    def get(self, path, missing_ok=False):
        self.polls -= 1
        return None if self.polls < 0 else {"metadata": {"name": "x"}}


class _Module(object):
    def __init__(self, timeout):
        self.params = {"wait_timeout": timeout}


def _runner(timeout):
    now = [0.0]
    runner = ApplyRunner(_Module(timeout), sleep=lambda s: now.__setitem__(0, now[0] + s), clock=lambda: now[0])
    return runner, now


def test_wait_gone_polls_until_the_object_is_gone():
    runner, now = _runner(60)
    runner.kube = _Gone(3)
    runner.wait_gone("/api/v1/namespaces/x", "Namespace/x", 60)
    assert now[0] == 3  # three polls found it, one-second steps


def test_waits_check_again_sooner_first_then_every_interval():
    """KubeRunner.wait_until: pauses of 1, 2, 4... s up to the interval, so a quick reconcile is seen quickly."""
    runner, now = _runner(60)
    pauses, checks = [], iter([False] * 6 + [True])
    runner.sleep = lambda s: (pauses.append(s), now.__setitem__(0, now[0] + s))
    assert runner.wait_until(lambda: next(checks), 60, 5, lambda: AssertionError("timed out")) is True
    assert pauses == [1, 2, 4, 5, 5, 5]


def test_wait_gone_names_the_object_on_timeout():
    runner, dummy = _runner(5)
    runner.kube = _Gone(100)
    with pytest.raises(WandbModuleError, match="Namespace/x: still there 5 s after deletion"):
        runner.wait_gone("/api/v1/namespaces/x", "Namespace/x", 5)
