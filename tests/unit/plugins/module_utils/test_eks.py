"""EKS cluster decisions: what is updated in place, what is refused; Stubber for what moto lacks."""

import pytest
from aws_options import AWS_OPTIONS
from botocore.stub import Stubber

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_cluster import (
    DESIRED,
    EksClusterRunner,
    cluster_facts,
    create_request,
    logging_config,
    network_policy_enforced,
    parse_version,
    plan_update,
    validate_create,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsService, plan_tags
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

CURRENT = {
    "name": "c",
    "arn": "arn:aws:eks:us-east-1:123456789012:cluster/c",
    "version": "1.30",
    "roleArn": "arn:role",
    "status": "ACTIVE",
    "endpoint": "https://x",
    "certificateAuthority": {"data": "Q0E="},
    "identity": {"oidc": {"issuer": "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"}},
    "resourcesVpcConfig": {"subnetIds": ["s1", "s2"], "endpointPublicAccess": True, "endpointPrivateAccess": False},
    "logging": {"clusterLogging": [{"types": ["api"], "enabled": True}, {"types": ["audit"], "enabled": False}]},
    "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
    "tags": {"a": "1"},
}


def desired(**kwargs):
    return dict(kwargs)


def test_nothing_to_do():
    assert plan_update(
        CURRENT,
        desired(
            version="1.30",
            subnet_ids=["s2", "s1"],
            logging_types=["api"],
            tags={"a": "1"},
            endpoint_public_access=True,
            authentication_mode="API_AND_CONFIG_MAP",
        ),
    ) == ([], None)


@pytest.mark.parametrize(
    "wanted,operation,kwargs",
    [
        (desired(version="1.31"), "update_cluster_version", {"version": "1.31"}),
        (
            desired(logging_types=["api", "audit"]),
            "update_cluster_config",
            {"logging": logging_config(["api", "audit"])},
        ),
        (
            desired(endpoint_private_access=True),
            "update_cluster_config",
            {"resourcesVpcConfig": {"endpointPrivateAccess": True}},
        ),
        (
            desired(public_access_cidrs=["10.0.0.0/8"]),
            "update_cluster_config",
            {"resourcesVpcConfig": {"publicAccessCidrs": ["10.0.0.0/8"]}},
        ),
        (desired(authentication_mode="API"), "update_cluster_config", {"accessConfig": {"authenticationMode": "API"}}),
    ],
)
def test_in_place_updates(wanted, operation, kwargs):
    updates, tags = plan_update(CURRENT, wanted)
    assert [update[:2] for update in updates] == [(operation, kwargs)] and tags is None


@pytest.mark.parametrize(
    "wanted,message",
    [
        (desired(version="1.32"), "one minor version at a time: 1.30 -> 1.31 first"),
        (desired(version="2.0"), "one minor version at a time"),
        (desired(version="1.29"), "cannot downgrade"),
        (desired(version="latest"), "not MAJOR.MINOR"),
        (desired(subnet_ids=["s1", "s3"]), "cannot change subnet_ids"),
        (desired(role_arn="arn:other"), "cannot change role_arn"),
        (desired(authentication_mode="CONFIG_MAP"), "cannot change authentication_mode back"),
        (desired(logging_types=["everything"]), "logging type"),
    ],
)
def test_refusals(wanted, message):
    with pytest.raises(WandbModuleError, match=message):
        plan_update(CURRENT, wanted)


def test_version_left_to_eks_upgrade_but_a_downgrade_still_refused():
    """update_version=false (the eks_cluster role's way): a higher version is eks_upgrade's, even several minors up."""
    for version in ("1.31", "1.32"):
        assert plan_update(CURRENT, desired(version=version, update_version=False)) == ([], None)
    with pytest.raises(WandbModuleError, match="cannot downgrade"):
        plan_update(CURRENT, desired(version="1.29", update_version=False))


def test_encryption_key_change_is_refused_but_same_key_is_fine():
    current = dict(CURRENT, encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": "arn:k1"}}])
    assert plan_update(current, desired(encryption_key_arn="arn:k1")) == ([], None)
    with pytest.raises(WandbModuleError, match="encryption_key_arn"):
        plan_update(current, desired(encryption_key_arn="arn:k2"))


def test_tags():
    assert plan_tags({"a": "1", "b": "2"}, {"a": "1", "c": "3"}, purge=True) == {"set": {"c": "3"}, "unset": ["b"]}
    assert plan_tags({"a": "1", "b": "2"}, {"a": "1"}, purge=False) is None
    assert plan_tags({"a": "1"}, None, purge=True) is None


@pytest.mark.parametrize(
    "wanted,message",
    [
        (desired(subnet_ids=["s1"], role_arn="r"), "at least 2 subnets"),
        (desired(subnet_ids=["s1", "s1"], role_arn="r"), "at least 2 subnets"),
        (desired(subnet_ids=["s1", "s2"]), "role_arn is required"),
        (desired(subnet_ids=["s1", "s2"], role_arn="r", version="1"), "not MAJOR.MINOR"),
    ],
)
def test_create_validation(wanted, message):
    with pytest.raises(WandbModuleError, match=message):
        validate_create(wanted)


def test_create_request():
    request = create_request(
        "c",
        desired(
            role_arn="r",
            subnet_ids=["s1", "s2"],
            version="1.31",
            logging_types=["api"],
            endpoint_private_access=True,
            encryption_key_arn="arn:k",
            authentication_mode="API",
            bootstrap_cluster_creator_admin_permissions=False,
            tags={"a": "b"},
        ),
    )
    assert request["resourcesVpcConfig"] == {"subnetIds": ["s1", "s2"], "endpointPrivateAccess": True}
    assert request["encryptionConfig"] == [{"resources": ["secrets"], "provider": {"keyArn": "arn:k"}}]
    assert request["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}
    assert request["logging"] == logging_config(["api"]) and request["version"] == "1.31"


def test_parse_version_and_facts():
    assert parse_version("1.31") == (1, 31)
    facts = cluster_facts(CURRENT)
    assert facts["oidc_issuer"].endswith("/id/ABC") and facts["logging_types"] == ["api"] and facts["exists"]
    assert cluster_facts(None) == {"exists": False}


class FakeModule(object):
    check_mode = False
    _diff = False

    def __init__(self, **params):
        self.params = dict(
            name="c",
            state="present",
            purge_tags=True,
            wait=True,
            wait_timeout=60,
            **AWS_OPTIONS,
        )
        for key in DESIRED:
            self.params.setdefault(key, None)
        self.params.update(params)


def test_version_upgrade_calls_eks_and_waits():
    """moto has no UpdateClusterVersion: botocore's Stubber checks the calls and their order."""
    module = FakeModule(version="1.31")
    aws = AwsService(module.params)
    eks = aws.client("eks")
    upgraded = dict(CURRENT, version="1.31")
    with Stubber(eks) as stub:
        stub.add_response("describe_cluster", {"cluster": CURRENT}, {"name": "c"})
        stub.add_response(
            "update_cluster_version",
            {"update": {"id": "u1", "status": "InProgress", "type": "VersionUpdate"}},
            {"name": "c", "version": "1.31"},
        )
        stub.add_response("describe_cluster", {"cluster": dict(CURRENT, status="UPDATING")}, {"name": "c"})  # waiter
        stub.add_response("describe_cluster", {"cluster": upgraded}, {"name": "c"})  # waiter: ACTIVE
        stub.add_response("describe_cluster", {"cluster": upgraded}, {"name": "c"})  # final facts
        aws.wait_delay = 0
        result = EksClusterRunner(module, aws).run()
        stub.assert_no_pending_responses()
    assert result["changed"] and result["updates"] == ["version 1.30 -> 1.31"] and result["version"] == "1.31"


def test_a_cluster_being_upgraded_is_waited_for_only_with_an_update_of_its_own():
    """UPDATING (an upgrade eks_upgrade follows, with its progress): nothing to change here - one read, no wait; a
    change of its own waits until EKS is done (one update at a time)."""
    module = FakeModule(version="1.31", update_version=False)
    aws = AwsService(module.params)
    aws.wait_delay = 0
    updating = dict(CURRENT, status="UPDATING")
    with Stubber(aws.client("eks")) as stub:
        stub.add_response("describe_cluster", {"cluster": updating}, {"name": "c"})
        result = EksClusterRunner(module, aws).run()
        stub.assert_no_pending_responses()
    assert not result["changed"] and result["status"] == "UPDATING"
    module = FakeModule(version="1.31", update_version=False, logging_types=["api", "audit"])
    aws = AwsService(module.params)
    aws.wait_delay = 0
    with Stubber(aws.client("eks")) as stub:
        stub.add_response("describe_cluster", {"cluster": updating}, {"name": "c"})
        stub.add_response("describe_cluster", {"cluster": CURRENT}, {"name": "c"})  # waiter: ACTIVE
        stub.add_response("describe_cluster", {"cluster": CURRENT}, {"name": "c"})  # read again, planned again
        stub.add_response("update_cluster_config", {"update": {"id": "u2", "status": "InProgress"}}, None)
        stub.add_response("describe_cluster", {"cluster": CURRENT}, {"name": "c"})  # waiter
        stub.add_response("describe_cluster", {"cluster": CURRENT}, {"name": "c"})  # final facts
        result = EksClusterRunner(module, aws).run()
        stub.assert_no_pending_responses()
    assert result["changed"] and result["updates"][0].startswith("logging")


def test_check_mode_makes_no_write():
    module = FakeModule(version="1.31", tags={"a": "2"})
    module.check_mode = True
    aws = AwsService(module.params)
    with Stubber(aws.client("eks")) as stub:
        stub.add_response("describe_cluster", {"cluster": CURRENT}, {"name": "c"})
        result = EksClusterRunner(module, aws).run()
        stub.assert_no_pending_responses()
    assert result["changed"] and result["updates"] == ["version 1.30 -> 1.31", "tags"] and result["version"] == "1.30"


def test_a_role_iam_has_not_propagated_yet_is_waited_for():
    """IAM is eventually consistent: EKS may not assume a role made a moment ago. The create is retried with jittered
    backoff (the sleeps stubbed); any other InvalidParameterException fails at once."""
    aws = AwsService(FakeModule().params)
    sleeps = []
    aws.sleep = sleeps.append
    request = {
        "name": "c",
        "roleArn": "arn:aws:iam::123456789012:role/c",
        "resourcesVpcConfig": {"subnetIds": ["s1", "s2"]},
    }
    with Stubber(aws.client("eks")) as stub:
        for _attempt in range(2):
            stub.add_client_error(
                "create_cluster",
                "InvalidParameterException",
                "Role with arn: arn:aws:iam::123456789012:role/c, could not be assumed because it does not exist",
                expected_params=request,
            )
        stub.add_response("create_cluster", {"cluster": {"name": "c"}}, request)
        assert aws.call("eks", "create_cluster", iam_roles=True, **request) == {"cluster": {"name": "c"}}
        stub.assert_no_pending_responses()
    assert len(sleeps) == 2 and all(0 <= s <= 2 for s in sleeps)

    with Stubber(aws.client("eks")) as stub:
        stub.add_client_error(
            "create_cluster",
            "InvalidParameterException",
            "Subnets specified must be in at least two different AZs",
            expected_params=request,
        )
        with pytest.raises(WandbModuleError, match="EKS create_cluster failed: .*two different AZs"):
            aws.call("eks", "create_cluster", iam_roles=True, **request)
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    "addon, enforced",
    [
        (None, False),
        ({"configurationValues": ""}, False),
        ({"configurationValues": '{"enableNetworkPolicy": "true", "env": {"A": "1"}}'}, True),
        ({"configurationValues": '{"enableNetworkPolicy": "false"}'}, False),
        (
            {"configurationValues": "env:\n  A: '1'\nenableNetworkPolicy: 'true'\n"},
            True,
        ),  # YAML, as the console may set it
    ],
)
def test_network_policy_is_enforced_only_with_the_vpc_cni_agent(addon, enforced):
    assert network_policy_enforced(addon) is enforced
