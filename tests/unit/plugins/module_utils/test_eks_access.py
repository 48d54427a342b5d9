"""eks_access_entries' plan and its input rule."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_access import (
    MANAGED_TAG,
    describe,
    desired_entries,
    plan,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import problem

ADMINS = "arn:aws:iam::123456789012:role/platform-admins"
TEAM = "arn:aws:iam::123456789012:role/wandb-team"
NODES = "arn:aws:iam::123456789012:role/wandb-node"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy"


def entries(*items):
    return desired_entries(list(items))


def have(principal, policies=None, groups=None, managed=True):
    tags = {MANAGED_TAG: "managed"} if managed else {}
    return {
        principal: {
            "entry": {"principalArn": principal, "kubernetesGroups": groups or [], "username": principal, "tags": tags},
            "policies": policies or {},
        }
    }


def test_a_new_entry_then_its_policies():
    wanted = entries(
        {"principal_arn": TEAM, "policies": [{"policy": "AmazonEKSAdminViewPolicy", "namespaces": ["wandb"]}]}
    )
    actions = plan({}, wanted, purge=True)
    assert [a[:2] for a in actions] == [("create", TEAM), ("associate", TEAM)]
    assert actions[1][2] == (VIEW, {"type": "namespace", "namespaces": ["wandb"]})
    assert [describe(*a) for a in actions] == [
        "create access entry " + TEAM,
        "associate AmazonEKSAdminViewPolicy with %s (namespaces wandb)" % TEAM,
    ]


def test_nothing_to_do_when_as_asked():
    wanted = entries({"principal_arn": ADMINS, "policies": [{"policy": ADMIN}]})
    assert plan(have(ADMINS, {ADMIN: {"type": "cluster"}}), wanted, purge=True) == []


def test_a_changed_scope_a_dropped_policy_and_groups():
    wanted = entries(
        {"principal_arn": TEAM, "policies": [{"policy": "AmazonEKSAdminViewPolicy"}], "kubernetes_groups": ["ops"]}
    )
    current = have(TEAM, {VIEW: {"type": "namespace", "namespaces": ["wandb"]}, ADMIN: {"type": "cluster"}})
    assert plan(current, wanted, purge=True) == [
        ("update", TEAM, {"kubernetesGroups": ["ops"]}),
        ("associate", TEAM, (VIEW, {"type": "cluster"})),  # AssociateAccessPolicy replaces the scope
        ("disassociate", TEAM, ADMIN),
    ]


def test_purge_removes_only_what_this_collection_made():
    current = dict(have(TEAM), **have(NODES, managed=False))  # EKS's node role entry carries no tag of ours
    assert plan(current, {}, purge=True) == [("delete", TEAM, None)]
    assert plan(current, {}, purge=False) == []


@pytest.mark.parametrize(
    "value,message",
    [
        ([{"principal_arn": "platform-admins"}], "[0].principal_arn 'platform-admins' must be the ARN of an IAM role"),
        ([{"principal_arn": "arn:aws:iam::123456789012:group/admins"}], "must be the ARN of an IAM role or user"),
        ([{"principal_arn": ADMINS}, {"principal_arn": ADMINS}], "[1].principal_arn %s is listed twice" % ADMINS),
        ([{"principal_arn": ADMINS, "policies": [{"policy": "admin"}]}], "[0].policies[0] must be {policy:"),
        (
            [{"principal_arn": ADMINS, "policies": [{"policy": ADMIN, "namespaces": []}]}],
            "namespaces must be a non-empty",
        ),
        ([{"principal_arn": ADMINS, "policies": [{"policy": ADMIN, "namespaces": ["Bad_NS"]}]}], "namespace names"),
        ([{"principal_arn": ADMINS, "role": "x"}], "unknown keys ['role']"),
        ({"principal_arn": ADMINS}, "must be a list"),
    ],
)
def test_bad_entries_are_named(value, message):
    assert message in problem(value, "access_entries")


def test_good_entries_pass():
    value = [
        {"principal_arn": ADMINS, "policies": [{"policy": "AmazonEKSClusterAdminPolicy"}]},
        {"principal_arn": "arn:aws:iam::123456789012:user/ci", "policies": [{"policy": VIEW, "namespaces": ["wandb"]}]},
        {"principal_arn": TEAM, "policies": [], "kubernetes_groups": ["ops"], "username": None},
    ]
    assert not problem(value, "access_entries")  # the rules answer "" when all is well
