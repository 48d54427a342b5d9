"""The one naming rule of a mirror: the image's path without its registry, under the mirror."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.images import (
    mirrored,
    pinned,
    qualified,
    split_reference,
    workload_images,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import problem

MIRROR = "registry.example.com/mirror"


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("docker.io/clickhouse/clickhouse-server", ("docker.io", "clickhouse/clickhouse-server", "")),
        ("clickhouse/clickhouse-server:25.8.30.16", ("docker.io", "clickhouse/clickhouse-server", ":25.8.30.16")),
        ("busybox:1.36", ("docker.io", "library/busybox", ":1.36")),
        (
            "public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0",
            ("public.ecr.aws", "eks/aws-load-balancer-controller", ":v3.5.0"),
        ),
        ("localhost:5000/team/app@sha256:" + "a" * 64, ("localhost:5000", "team/app", "@sha256:" + "a" * 64)),
        (
            "quay.io/prometheus/prometheus:v2.1@sha256:" + "b" * 64,
            ("quay.io", "prometheus/prometheus", ":v2.1@sha256:" + "b" * 64),
        ),
        ("registry:5000/app", ("registry:5000", "app", "")),
    ],
)
def test_references_split_as_a_runtime_resolves_them(reference, expected):
    assert split_reference(reference) == expected


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("docker.io/clickhouse/clickhouse-server", MIRROR + "/clickhouse/clickhouse-server"),
        ("clickhouse/clickhouse-server", MIRROR + "/clickhouse/clickhouse-server"),  # the same image, the same name
        ("wandb/local:0.85.0", MIRROR + "/wandb/local:0.85.0"),
        ("busybox:1.36", MIRROR + "/library/busybox:1.36"),
        ("public.ecr.aws/csi-components/csi-attacher:v4.12.0", MIRROR + "/csi-components/csi-attacher:v4.12.0"),
    ],
)
def test_an_image_moves_under_the_mirror_with_its_path(reference, expected):
    assert mirrored(reference, MIRROR) == expected
    assert mirrored(reference, MIRROR + "/") == expected


def test_no_mirror_keeps_the_reference():
    assert mirrored("wandb/local:0.85.0", "") == "wandb/local:0.85.0"


@pytest.mark.parametrize(
    "value, registry, expected",
    [
        ({}, "", ""),
        ({"username": "u", "password": "s3cr3t-x"}, MIRROR, ""),
        ({"name": "my-pull-secret"}, MIRROR, ""),
        (
            {"username": "u", "password": "s3cr3t-x"},
            "",
            "is given, but there is no mirror to pull from: set wandb_image_registry",
        ),
        ({"username": "u"}, MIRROR, "needs both username and password (or only name, for a Secret you made)"),
        ({"name": "Bad_Name"}, MIRROR, "name must be a Kubernetes object name"),
        ({"user": "u", "password": "s3cr3t-x"}, MIRROR, "has unknown keys user (it takes name, username, password)"),
        (
            "u:s3cr3t-x",
            MIRROR,
            "must be a dict: {username, password} (and optionally name), or {name} of a Secret you made",
        ),
    ],
)
def test_a_mirrors_credentials_are_checked_without_saying_them(value, registry, expected):
    found = problem(value, "image_pull_secret", registry)
    assert found.startswith(expected) if expected else found == ""
    assert "s3cr3t" not in found


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("clickhouse/clickhouse-server:25.8.30.16", True),
        ("wandb/controller", False),  # a bare name is latest
        ("wandb/controller:latest", False),
        ("localhost:5000/app", False),  # the port is no tag
        ("localhost:5000/app:1.0", True),
        ("busybox@sha256:" + "c" * 64, True),
    ],
)
def test_pinned_means_one_build(reference, expected):
    assert pinned(reference) is expected


def test_workload_images_reads_every_kind_that_runs_pods_and_nothing_else():
    """Install and upgrade hooks run, helm test's do not."""

    def pod(*images, init=()):
        return {"containers": [{"name": i, "image": i} for i in images], "initContainers": [{"image": i} for i in init]}

    objects = [
        None,  # an empty document between two ---
        {
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"template": {"spec": pod("nginx:1.27", init=["busybox:1.36"])}},
        },
        {
            "kind": "CronJob",
            "metadata": {"name": "nightly"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": pod("job:2")}}}},
        },
        {"kind": "Pod", "metadata": {"name": "test", "annotations": {"helm.sh/hook": "test"}}, "spec": pod("e2e:9")},
        {
            "kind": "Job",
            "metadata": {"name": "pre", "annotations": {"helm.sh/hook": "pre-install,pre-upgrade"}},
            "spec": {"template": {"spec": pod("migrate:3")}},
        },
        {"kind": "Pod", "metadata": {"name": "test-hook"}, "spec": pod("curl:8")},
        {"kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"image": "not-a-workload:1"}},
        {
            "kind": "StatefulSet",
            "metadata": {"name": "db"},
            "spec": {"template": {"spec": {"containers": [{"name": "x"}]}}},
        },
    ]
    assert workload_images(objects) == [
        ("Deployment/web", "busybox:1.36"),
        ("Deployment/web", "nginx:1.27"),
        ("CronJob/nightly", "job:2"),
        ("Job/pre", "migrate:3"),
        ("Pod/test-hook", "curl:8"),
    ]


@pytest.mark.parametrize(
    "reference,expected",
    [
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("clickhouse/clickhouse-server:25.8.30.16", "docker.io/clickhouse/clickhouse-server:25.8.30.16"),
        (
            "public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0",
            "public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0",
        ),
        ("localhost:5000/a/b@sha256:" + "0" * 64, "localhost:5000/a/b@sha256:" + "0" * 64),
    ],
)
def test_qualified_spells_out_the_registry(reference, expected):
    assert qualified(reference) == expected
