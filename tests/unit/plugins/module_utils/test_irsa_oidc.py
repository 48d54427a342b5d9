"""IRSA trust policies and IAM OIDC provider decisions."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.iam_oidc import plan_provider
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.irsa import (
    irsa_trust_policy,
    issuer_host_path,
    pod_identity_trust_policy,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC"


def test_trust_policy_is_limited_to_one_service_account():
    policy = irsa_trust_policy(ARN, "kube-system", "ebs-csi-controller-sa")
    statement = policy["Statement"][0]
    assert statement["Principal"] == {"Federated": ARN}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            "oidc.eks.us-west-2.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:ebs-csi-controller-sa",
            "oidc.eks.us-west-2.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        }
    }


@pytest.mark.parametrize("arn,ns,sa", [("arn:aws:iam::1:role/x", "ns", "sa"), (ARN, "Bad_NS", "sa"), (ARN, "ns", "")])
def test_trust_policy_rejects_bad_input(arn, ns, sa):
    with pytest.raises(WandbModuleError):
        irsa_trust_policy(arn, ns, sa)


CLUSTER = "arn:aws:eks:us-west-2:123456789012:cluster/wandb"


def test_pod_identity_trust_is_limited_by_the_session_tags_to_one_cluster_and_its_service_accounts():
    statement = pod_identity_trust_policy(CLUSTER, "clickhouse", ["clickhouse", "clickhouse-backup"])["Statement"][0]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Condition"] == {
        "StringEquals": {
            "aws:RequestTag/eks-cluster-arn": CLUSTER,
            "aws:RequestTag/kubernetes-namespace": "clickhouse",
            "aws:RequestTag/kubernetes-service-account": ["clickhouse", "clickhouse-backup"],
        }
    }


@pytest.mark.parametrize(
    "arn,ns,sa", [(ARN, "ns", "sa"), ("wandb", "ns", "sa"), (CLUSTER, "Bad_NS", "sa"), (CLUSTER, "ns", [])]
)
def test_pod_identity_trust_rejects_bad_input(arn, ns, sa):
    with pytest.raises(WandbModuleError):
        pod_identity_trust_policy(arn, ns, sa)


def test_issuer_host_path():
    assert (
        issuer_host_path("https://oidc.eks.us-west-2.amazonaws.com/id/ABC/")
        == "oidc.eks.us-west-2.amazonaws.com/id/ABC"
    )
    with pytest.raises(WandbModuleError):
        issuer_host_path("not a url")


def test_provider_plan():
    current = {
        "ClientIDList": ["sts.amazonaws.com", "other"],
        "ThumbprintList": ["AA"],
        "Tags": [{"Key": "a", "Value": "1"}],
    }
    assert plan_provider(current, ["sts.amazonaws.com", "other"], None, None) == {}
    assert plan_provider(current, ["sts.amazonaws.com", "other"], ["aa"], {"a": "1"}) == {}
    changes = plan_provider(current, ["sts.amazonaws.com"], ["BB"], {"b": "2"})
    assert changes == {
        "add_client_ids": [],
        "remove_client_ids": ["other"],
        "thumbprints": ["BB"],
        "tags": {"set": {"b": "2"}, "unset": ["a"]},
    }


def test_trust_policy_for_several_service_accounts():
    policy = irsa_trust_policy(ARN, "wandb", ["wandb-app", "wandb-parquet"])
    condition = policy["Statement"][0]["Condition"]["StringEquals"]
    subjects = [v for k, v in condition.items() if k.endswith(":sub")]
    assert subjects == [["system:serviceaccount:wandb:wandb-app", "system:serviceaccount:wandb:wandb-parquet"]]
    with pytest.raises(WandbModuleError, match="at least one service account"):
        irsa_trust_policy(ARN, "wandb", [])
