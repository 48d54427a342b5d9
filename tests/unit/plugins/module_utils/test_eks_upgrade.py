"""eks_upgrade's plan: the steps, the support calendar, the add-on versions and the insights' lines."""

import datetime

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_upgrade import (
    addon_target,
    insight_lines,
    support_warning,
    upgrade_steps,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError


@pytest.mark.parametrize(
    "current,target,steps",
    [
        ("1.34", "1.34", []),
        ("1.34", "1.35", ["1.35"]),
        ("1.34", "1.36", ["1.35", "1.36"]),
        ("1.9", "1.11", ["1.10", "1.11"]),  # numbers, not text
    ],
)
def test_steps_one_minor_at_a_time(current, target, steps):
    assert upgrade_steps(current, target) == steps


@pytest.mark.parametrize(
    "current,target,message",
    [
        ("1.35", "1.34", "EKS cannot downgrade Kubernetes: the cluster runs 1.35, the version asked for is 1.34"),
        ("1.35", "2.0", "no EKS upgrade path from 1.35 to 2.0"),
        ("1.35", "latest", "Kubernetes version 'latest' is not MAJOR.MINOR such as 1.31"),
    ],
)
def test_refused(current, target, message):
    with pytest.raises(WandbModuleError, match="^%s$" % message.replace(".", r"\.")):
        upgrade_steps(current, target)


@pytest.mark.parametrize(
    "version,today,warning",
    [
        ("1.35", datetime.date(2026, 12, 7), None),
        ("1.34", datetime.date(2026, 12, 1), None),
        (
            "1.34",
            datetime.date(2026, 12, 2),
            "Kubernetes 1.34 left EKS's standard support on 2026-12-02: extended support until 2027-12-02 costs "
            "$0.60 per cluster hour in extended support, against $0.10 in standard support",
        ),
        (
            "1.31",
            datetime.date(2026, 12, 7),
            "Kubernetes 1.31 left EKS's extended support on 2026-11-26: EKS upgrades such clusters on its own",
        ),
        ("1.99", datetime.date(2026, 12, 7), None),  # not in the calendar yet
    ],
)
def test_support_calendar(version, today, warning):
    assert support_warning(version, today) == warning


def offered(*versions, default=None):
    return [
        {
            "addonVersion": v,
            "compatibilities": [{"clusterVersion": "1.36", "defaultVersion": v == default}],
        }
        for v in versions
    ]


def test_addon_target_default_pinned_or_newest():
    versions = offered("v1.36.0-eksbuild.1", "v1.36.1-eksbuild.2", default="v1.36.0-eksbuild.1")
    assert addon_target(versions, "1.36") == "v1.36.0-eksbuild.1"  # EKS's default, not the newest
    assert addon_target(versions, "1.36", "v1.36.1-eksbuild.2") == "v1.36.1-eksbuild.2"
    assert addon_target(offered("v1.36.0-eksbuild.1", "v1.36.1-eksbuild.2"), "1.36") == "v1.36.1-eksbuild.2"
    with pytest.raises(WandbModuleError, match="v1.35.1-eksbuild.2 is not offered for Kubernetes 1.36"):
        addon_target(versions, "1.36", "v1.35.1-eksbuild.2")
    with pytest.raises(WandbModuleError, match="offers no version"):
        addon_target([], "1.36")
    # `latest`, as eks_addon reads it: the newest offered, whatever EKS's default
    assert addon_target(versions, "1.36", "latest") == "v1.36.1-eksbuild.2"
    with pytest.raises(WandbModuleError, match="offers no version"):
        addon_target([], "1.36", "latest")


def test_insight_lines():
    insights = [
        {"name": "Skew", "insightStatus": {"status": "PASSING"}, "description": "fine"},
        {
            "name": "Deprecated APIs",
            "insightStatus": {"status": "ERROR", "reason": "in use"},
            "description": "APIs removed in 1.36",
            "recommendation": "Move to the new APIs",
        },
        {"name": "Add-ons", "insightStatus": {"status": "WARNING", "reason": "kube-proxy old"}},
    ]
    assert insight_lines(insights) == (
        ["Deprecated APIs: APIs removed in 1.36 - recommendation: Move to the new APIs"],
        ["Add-ons: kube-proxy old (WARNING)"],
    )
