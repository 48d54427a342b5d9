"""iam_role's decisions: policies compared as IAM treats them, the changes that make a role what is asked."""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.iam_role import (
    canonical_policy,
    describe_changes,
    plan_role,
)

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
BUCKET = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::b"]}],
}


def role(**overrides):
    current = {
        "trust_policy": TRUST,
        "description": "",
        "managed_policies": ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
        "inline_policies": {"bucket": BUCKET},
        "tags": {"project": "wandb"},
    }
    current.update(overrides)
    return current


def test_policies_iam_treats_alike_compare_equal():
    alike = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Principal": {"Service": ["eks.amazonaws.com"]}, "Action": ["sts:AssumeRole"]},
    }
    assert canonical_policy(alike) == canonical_policy(TRUST)
    assert canonical_policy('{"Version": "2012-10-17", "Statement": []}') == {"Version": "2012-10-17", "Statement": []}
    turned = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "arn:aws:s3:::b"}],
    }
    assert canonical_policy(turned) == canonical_policy(BUCKET)
    condition = {"StringEquals": {"k:sub": "a"}}
    assert canonical_policy({"Statement": [{"Condition": condition}]}) == canonical_policy(
        {"Statement": [{"Condition": {"StringEquals": {"k:sub": ["a"]}}}]}
    )
    wider = dict(BUCKET, Statement=[dict(BUCKET["Statement"][0], Action="s3:*")])
    assert canonical_policy(wider) != canonical_policy(BUCKET)


def test_a_role_as_asked_needs_nothing_and_unmanaged_parts_are_left_alone():
    assert plan_role(role(), role()) == {}
    asked = role(description=None, managed_policies=None, inline_policies=None, tags=None)
    current = role(managed_policies=["x"], inline_policies={"other": BUCKET}, tags={"a": "1"}, description="d")
    assert plan_role(current, asked) == {}


def test_the_changes_that_make_a_role_what_is_asked():
    assert plan_role(None, role()) == {"create": True}
    current = role(
        trust_policy=dict(TRUST, Statement=[dict(TRUST["Statement"][0], Principal={"Service": "ec2.amazonaws.com"})]),
        managed_policies=["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", "arn:aws:iam::aws:policy/Extra"],
        inline_policies={"bucket": dict(BUCKET, Statement=[]), "stale": BUCKET},
        tags={"project": "other", "owner": "me"},
    )
    changes = plan_role(current, role(description="W&B"))
    assert changes == {
        "trust_policy": TRUST,
        "description": "W&B",
        "attach": [],
        "detach": ["arn:aws:iam::aws:policy/Extra"],
        "put": ["bucket"],
        "delete": ["stale"],
        "tags": {"set": {"project": "wandb"}, "unset": ["owner"]},
    }
    assert describe_changes("r", changes, role()) == [
        "trust policy replaced",
        "description set",
        "managed policy arn:aws:iam::aws:policy/Extra detached",
        "inline policy bucket put",
        "inline policy stale deleted",
        "tags set ['project'], removed ['owner']",
    ]
    assert plan_role(current, role(), purge_tags=False)["tags"] == {"set": {"project": "wandb"}, "unset": []}
    assert describe_changes("r", {"create": True}, role()) == [
        "IAM role r created",
        "managed policy arn:aws:iam::aws:policy/AmazonEKSClusterPolicy attached",
        "inline policy bucket put",
    ]
