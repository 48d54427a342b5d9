"""Readiness decisions, failed phases and the wait loop of wandb_cr (no cluster: a fake client)."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.objects import split_image, workload_ready
from ansible_collections.selfmanaged.wandb.plugins.module_utils.wandb.cr import (
    WandbCrRunner,
    phase_failed,
    readiness,
    status_is_current,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.wandb.spec import wandb_built
from ansible_collections.selfmanaged.wandb.plugins.modules.wandb_cr import SETTINGS

APPLIED = "2026-11-30T10:00:05Z"  # when the module applied the spec (server time)


def managed(status_time=None, applied=APPLIED, manager="selfmanaged.wandb"):
    entries = [{"manager": manager, "operation": "Apply", "time": applied}] if applied else []
    if status_time:
        entries.append({"manager": "manager", "operation": "Update", "subresource": "status", "time": status_time})
    return entries


@pytest.mark.parametrize(
    "status_time,applied,version,current",
    [
        (None, APPLIED, "7", False),  # the operator has written no status yet
        ("2026-11-30T10:00:09Z", APPLIED, "7", True),  # written after the apply
        ("2026-11-30T10:00:01Z", APPLIED, "9", False),  # from before the apply: the previous spec's
        ("2026-11-30T10:00:05Z", APPLIED, "9", True),  # the same second, and the resource changed after the apply
        ("2026-11-30T10:00:05Z", APPLIED, "7", False),  # the same second, nothing written since the apply
        ("2026-11-30T10:00:01Z", None, "7", True),  # never applied by this module: the status is all there is
    ],
)
def test_status_is_current_only_when_written_after_the_apply(status_time, applied, version, current):
    obj = {
        "metadata": {"resourceVersion": version, "managedFields": managed(status_time, applied)},
        "status": {"phase": "Completed"},
    }
    assert status_is_current(obj, "selfmanaged.wandb", applied_resource_version="7") is current


def workload(name, ready=True, kind="Deployment"):
    return {"kind": kind, "name": name, "ready": ready, "replicas": 1, "ready_replicas": 1 if ready else 0}


@pytest.mark.parametrize(
    "phase,failed",
    [
        ("Invalid Config", True),
        ("Invalid Version", True),
        ("Failed", True),
        ("Completed", False),
        ("Applying", False),
        (None, False),
    ],
)
def test_failed_phases(phase, failed):
    assert phase_failed(phase) == failed


def test_completed_is_not_enough():
    assert readiness("Completed", [], True) == (False, ["no Deployments or StatefulSets of W&B yet"])
    ready, missing = readiness("Completed", [workload("wandb-app"), workload("wandb-weave-trace", ready=False)], True)
    assert not ready and missing == ["Deployment/wandb-weave-trace 0/1 ready"]
    assert readiness("Completed", [workload("wandb-app")], True) == (False, ["no weave-trace workload yet"])
    assert readiness("Completed", [workload("wandb-app")], False) == (True, [])
    assert readiness("Applying", [workload("wandb-app")], False)[0] is False


def test_ready_on_the_old_release_is_not_ready():
    """With a pinned version, every W&B-built image (a mirror's prefix too) must be at it; others do not count."""
    app = dict(workload("wandb-app"), images=["wandb/local:0.85.0", "busybox:1.36"])
    trace = dict(
        workload("wandb-weave-trace"),
        images=["registry.example.com/mirror/wandb/weave-trace:0.84.1", "wandb/console:2.18.0"],
    )
    ready, missing = readiness("Completed", [app, trace], True, "0.85.0")
    assert not ready and missing == [
        "Deployment/wandb-weave-trace runs registry.example.com/mirror/wandb/weave-trace:0.84.1, not W&B 0.85.0"
    ]
    trace["images"][0] = "registry.example.com/mirror/wandb/weave-trace:0.85.0"
    assert readiness("Completed", [app, trace], True, "0.85.0") == (True, [])
    assert readiness("Completed", [dict(app, images=["wandb/local:latest"])], False) == (True, [])  # the channel's
    assert readiness("Completed", [dict(app, images=["wandb/local@sha256:ab"])], False, "0.85.0") == (True, [])


@pytest.mark.parametrize(
    "image,built",
    [
        ("wandb/local:0.85.0", True),
        ("docker.io/wandb/megabinary:0.85.0", True),
        ("mirror.local:5000/wandb/frontend-nginx:0.85.0", True),
        ("wandb/anaconda2@sha256:" + "0" * 64, True),
        ("wandb/console:2.18.0", False),
        ("wandb/controller:1.22.0", False),
        ("clickhouse/clickhouse-server:25.8.30.16", False),
        ("local:1", False),
    ],
)
def test_wandb_built_images(image, built):
    assert wandb_built(image) is built


def test_split_image():
    assert split_image("wandb/local:0.85.0") == ("wandb/local", "0.85.0")
    assert split_image("mirror.local:5000/wandb/local") == ("mirror.local:5000/wandb/local", None)
    assert split_image("mirror.local:5000/wandb/local:0.85.0@sha256:ab") == ("mirror.local:5000/wandb/local", "0.85.0")
    assert split_image("wandb/local@sha256:ab") == ("wandb/local", None)


@pytest.mark.parametrize(
    "obj,ready",
    [
        ({"kind": "Deployment", "spec": {"replicas": 2}, "status": {"readyReplicas": 2, "availableReplicas": 2}}, True),
        ({"kind": "Deployment", "spec": {"replicas": 2}, "status": {"readyReplicas": 1}}, False),
        (
            {
                "kind": "Deployment",
                "metadata": {"generation": 3},
                "spec": {"replicas": 1},
                "status": {"observedGeneration": 2, "readyReplicas": 1},
            },
            False,
        ),
        ({"kind": "StatefulSet", "spec": {"replicas": 3}, "status": {"readyReplicas": 3, "updatedReplicas": 3}}, True),
        ({"kind": "StatefulSet", "spec": {"replicas": 3}, "status": {"readyReplicas": 3, "updatedReplicas": 1}}, False),
    ],
)
def test_workload_ready(obj, ready):
    assert workload_ready(obj) == ready


class FakeKube(object):
    """Answers the wait loop's calls from a script of (phase, workloads, events) states."""

    def __init__(self, states, field_selectors=True):
        self.states = states
        self.tick = 0
        self.field_selectors = field_selectors

    def state(self):
        return self.states[min(self.tick, len(self.states) - 1)]

    def get(self, path, missing_ok=False):
        phase = self.state()[0]
        # a state's 4th item: the status is from before the apply (stale)
        stale = len(self.state()) > 3 and self.state()[3]
        status_time = "2026-11-30T10:00:01Z" if stale else "2026-11-30T10:00:09Z"
        metadata = {"resourceVersion": str(10 + self.tick), "managedFields": managed(status_time if phase else None)}
        return {"metadata": metadata, "status": {"phase": phase, "version": "1.2.3"} if phase else {}}

    def list(self, path, label_selector=None, field_selector=None):
        if path.endswith("/events"):
            return {
                "items": [
                    {
                        "reason": "InvalidConfig",
                        "message": m,
                        "involvedObject": {"kind": "WeightsAndBiases", "name": "wandb"},
                    }
                    for m in self.state()[2]
                ]
            }
        kind = "Deployment" if path.endswith("deployments") else "StatefulSet"
        return {
            "items": [
                {
                    "kind": kind,
                    "metadata": {"name": n},
                    "status": {"readyReplicas": int(r), "availableReplicas": int(r)},
                    "spec": {"replicas": 1, "template": {"spec": {"containers": [{"image": image}]}}},
                }
                for n, r, image in ((w[0], w[1], w[2] if len(w) > 2 else "wandb/local:0.85.0") for w in self.state()[1])
                if kind == "Deployment"
            ]
        }


class FakeModule(object):
    def __init__(self):
        self.params = {
            "name": "wandb",
            "namespace": "ns",
            "wait_timeout": 10,
            "wait_interval": 1,
            "wait_selector": None,
            "weave_trace": True,
            "spec": None,
            "field_manager": "selfmanaged.wandb",
        }
        self.logged = []

    def log(self, msg):
        self.logged.append(msg)


def runner(states):
    clock = {"now": 0.0}
    kube = FakeKube(states)

    def sleep(seconds):
        clock["now"] += seconds
        kube.tick += 1

    run = WandbCrRunner(FakeModule(), sleep=sleep, clock=lambda: clock["now"])
    run.kube = kube
    return run


def test_wait_succeeds_when_phase_and_workloads_are_ready_and_logs_progress():
    run = runner(
        [
            ("Loading", [], []),
            ("Completed", [("wandb-app", True)], []),
            ("Completed", [("wandb-app", True), ("wandb-weave-trace", True)], []),
        ]
    )
    result = run._wait("/path")
    assert result["phase"] == "Completed" and result["version"] == "1.2.3"
    assert [w["name"] for w in result["workloads"]] == ["wandb-app", "wandb-weave-trace"]
    assert result["wait_log"] == [
        "phase Loading; 0/0 workloads ready",
        "phase Completed; 1/1 workloads ready",
        "phase Completed; 2/2 workloads ready",
    ]
    assert len(run.module.logged) == 3


def test_wait_fails_fast_with_events_on_invalid_config():
    run = runner([("Loading", [], []), ("Invalid Config", [], []), ("Invalid Config", [], ["bad license"])])
    with pytest.raises(WandbModuleError) as raised:
        run._wait("/path")
    assert "Invalid Config" in raised.value.msg and "InvalidConfig: bad license" in raised.value.msg
    assert run.kube.tick < 5  # did not wait for the timeout


def test_wait_times_out_saying_what_is_missing():
    run = runner([("Completed", [("wandb-app", False)], [])])
    with pytest.raises(
        WandbModuleError, match=r"timed out after 10s .*Deployment/wandb-app 0/1 ready; no weave-trace workload yet"
    ):
        run._wait("/path")


def test_a_stale_completed_does_not_pass_for_the_new_spec():
    """The previous spec's Completed, with its workloads ready, then the operator's answer on the new one: refused."""
    ready = [("wandb-app", True), ("wandb-weave-trace", True)]
    run = runner(
        [("Completed", ready, [], True), ("Completed", ready, [], True), ("Invalid Config", ready, ["bad values"])]
    )
    with pytest.raises(WandbModuleError) as raised:
        run._wait("/path", applied_version="7")
    assert "Invalid Config" in raised.value.msg
    assert raised.value.details["wait_log"][0] == "phase Completed (before the apply); 2/2 workloads ready"


def test_a_stale_invalid_config_does_not_fail_the_fix():
    ready = [("wandb-app", True), ("wandb-weave-trace", True)]
    run = runner([("Invalid Config", ready, ["old"], True), ("Loading", ready, []), ("Completed", ready, [])])
    result = run._wait("/path", applied_version="7")
    assert result["phase"] == "Completed"
    assert result["wait_log"][0] == "phase Invalid Config (before the apply); 2/2 workloads ready"


def test_an_upgrade_waits_for_the_new_release_on_every_workload():
    """Completed with every workload ready is not done while one still runs the old release's image."""
    old = [("wandb-app", True, "wandb/local:0.84.1"), ("wandb-weave-trace", True, "wandb/weave-trace:0.84.1")]
    half = [("wandb-app", True, "wandb/local:0.85.0"), ("wandb-weave-trace", True, "wandb/weave-trace:0.84.1")]
    new = [("wandb-app", True, "wandb/local:0.85.0"), ("wandb-weave-trace", True, "wandb/weave-trace:0.85.0")]
    run = runner([("Completed", old, []), ("Completed", half, []), ("Completed", new, [])])
    result = run._wait("/path", version="0.85.0")
    assert run.kube.tick == 2 and [w["images"] for w in result["workloads"]] == [
        ["wandb/local:0.85.0"],
        ["wandb/weave-trace:0.85.0"],
    ]
    with pytest.raises(
        WandbModuleError, match="Deployment/wandb-weave-trace runs wandb/weave-trace:0.84.1, not W&B 0.85.0"
    ):
        runner([("Completed", half, [])])._wait("/path", version="0.85.0")


class Unreachable(object):
    def __getattr__(self, name):
        raise AssertionError("state=rendered reached the cluster (%s)" % name)


def rendered(**settings):
    """wandb_cr's result for state=rendered with ``settings`` over empty ones; the cluster must not be reached."""
    module = FakeModule()
    module.params.update(dict.fromkeys(SETTINGS, None), state="rendered", weave_trace=False)
    module.params.update(settings)
    run = WandbCrRunner(module)
    run.kube = Unreachable()
    return run.run()


def test_rendered_builds_the_resource_without_a_cluster_and_without_the_license():
    result = rendered(
        host="https://wandb.example.com",
        license="the-license-text",
        version="0.85.0",
        image_registry="registry.example.com/mirror",
        chart={"url": "https://charts.wandb.ai", "name": "operator-wandb", "version": "0.43.8"},
    )
    assert result["changed"] is False and result["secrets"] == []
    resource = result["resource"]
    assert (resource["kind"], resource["metadata"]["name"], resource["metadata"]["namespace"]) == (
        "WeightsAndBiases",
        "wandb",
        "ns",
    )
    assert resource["spec"]["chart"]["version"] == "0.43.8"
    assert resource["spec"]["values"]["app"]["image"]["tag"] == "0.85.0"
    assert resource["spec"]["values"]["global"]["licenseSecret"] == {"name": "wandb-license", "key": "license"}
    assert "the-license-text" not in repr(result)


def test_rendered_without_the_license_names_the_same_secret():
    """images.yml renders without the license: the spec names the license's Secret as when it is given."""
    spec = rendered(host="https://wandb.example.com", version="0.85.0")["resource"]["spec"]
    assert spec["values"]["global"]["licenseSecret"] == {"name": "wandb-license", "key": "license"}
