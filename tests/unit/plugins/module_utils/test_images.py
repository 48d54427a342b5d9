"""The one naming rule of a mirror: the image's path without its registry, under the mirror."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.images import mirrored, split_reference

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
