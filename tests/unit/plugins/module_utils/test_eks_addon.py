"""EKS add-ons: moto has no add-on API, so the runner is driven through botocore's Stubber."""

import pytest
from aws_options import AWS_OPTIONS
from botocore.stub import Stubber

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_addon import (
    AddonRunner,
    plan_update,
    resolve_version,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsService
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

VERSIONS = [
    {"addonVersion": v} for v in ("v1.9.0-eksbuild.1", "v1.10.0-eksbuild.2", "v1.10.0-eksbuild.10", "v1.2.0-eksbuild.1")
]
CLUSTER = {"cluster": {"name": "c", "version": "1.31"}}
KEY = {"clusterName": "c", "addonName": "vpc-cni"}


def test_latest_is_the_newest_compatible_version():
    assert resolve_version(VERSIONS, "latest") == "v1.10.0-eksbuild.10"
    assert resolve_version(VERSIONS, "v1.9.0-eksbuild.1") == "v1.9.0-eksbuild.1"
    with pytest.raises(WandbModuleError, match="not compatible"):
        resolve_version(VERSIONS, "v9.9.9-eksbuild.1")
    with pytest.raises(WandbModuleError, match="no version"):
        resolve_version([], "latest")


def test_plan_update():
    current = {"addonVersion": "v1", "serviceAccountRoleArn": "arn:r", "configurationValues": '{"a": 1}', "tags": {}}
    assert plan_update(current, "v1", "arn:r", {"a": 1}, None)[:2] == ({}, [])
    assert plan_update(current, "v1", None, None, None)[:2] == ({}, [])
    update, descriptions, _tags = plan_update(current, "v2", "arn:r2", {"a": 2}, None)
    assert update == {"addonVersion": "v2", "serviceAccountRoleArn": "arn:r2", "configurationValues": '{"a":2}'}
    assert descriptions == ["version v1 -> v2", "service account role", "configuration values"]
    # no role ("": Pod Identity instead): nothing to do without one; UpdateAddon cannot take one away (botocore
    # refuses an empty ARN), so that is refused, saying what to do
    assert plan_update(dict(current, serviceAccountRoleArn=None), "v1", "", {"a": 1}, None)[:2] == ({}, [])
    with pytest.raises(WandbModuleError, match="arn:r on its service account, which EKS cannot remove in place"):
        plan_update(current, "v1", "", {"a": 1}, None)


class FakeModule(object):
    _diff = False

    def __init__(self, check_mode=False, **params):
        self.check_mode = check_mode
        self.params = dict(
            cluster_name="c",
            name="vpc-cni",
            state="present",
            version="latest",
            service_account_role_arn=None,
            configuration_values=None,
            resolve_conflicts="OVERWRITE",
            preserve=False,
            tags=None,
            purge_tags=True,
            wait=True,
            wait_timeout=60,
            **AWS_OPTIONS,
        )
        self.params.update(params)


def runner(module):
    aws = AwsService(module.params)
    aws.wait_delay = 0
    return AddonRunner(module, aws), Stubber(aws.client("eks"))


def addon(version, status="ACTIVE", config=None):
    result = {
        "addonName": "vpc-cni",
        "clusterName": "c",
        "addonVersion": version,
        "status": status,
        "addonArn": "arn:addon",
        "tags": {},
    }
    if config:
        result["configurationValues"] = config
    return {"addon": result}


def not_found(stub, operation):
    stub.add_client_error(operation, service_error_code="ResourceNotFoundException", http_status_code=404)


def versions(stub):
    stub.add_response("describe_cluster", CLUSTER, {"name": "c"})
    stub.add_response(
        "describe_addon_versions",
        {"addons": [{"addonName": "vpc-cni", "addonVersions": VERSIONS}]},
        {"addonName": "vpc-cni", "kubernetesVersion": "1.31"},
    )


def test_create_latest_and_wait():
    run, stub = runner(FakeModule(configuration_values={"env": {"ENABLE_PREFIX_DELEGATION": "true"}}))
    with stub:
        not_found(stub, "describe_addon")
        versions(stub)
        stub.add_response(
            "create_addon",
            addon("v1.10.0-eksbuild.10", "CREATING"),
            dict(
                KEY,
                addonVersion="v1.10.0-eksbuild.10",
                resolveConflicts="OVERWRITE",
                tags={},
                configurationValues='{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}',
            ),
        )
        stub.add_response("describe_addon", addon("v1.10.0-eksbuild.10", "ACTIVE"), KEY)  # waiter
        stub.add_response("describe_addon", addon("v1.10.0-eksbuild.10", "ACTIVE"), KEY)
        result = run.run()
        stub.assert_no_pending_responses()
    assert result["changed"] and result["action"] == "create" and result["version"] == "v1.10.0-eksbuild.10"


def test_unchanged_addon_makes_no_write():
    run, stub = runner(FakeModule(configuration_values={"a": 1}))
    with stub:
        stub.add_response("describe_addon", addon("v1.10.0-eksbuild.10", config='{"a": 1}'), KEY)
        versions(stub)
        result = run.run()
        stub.assert_no_pending_responses()
    assert not result["changed"] and result["action"] == "none"


def test_check_mode_plans_an_upgrade_without_writing():
    run, stub = runner(FakeModule(check_mode=True))
    with stub:
        stub.add_response("describe_addon", addon("v1.9.0-eksbuild.1"), KEY)
        versions(stub)
        result = run.run()
        stub.assert_no_pending_responses()
    assert result["changed"] and result["updates"] == ["version v1.9.0-eksbuild.1 -> v1.10.0-eksbuild.10"]


def test_remove_and_wait_until_gone():
    run, stub = runner(FakeModule(state="absent"))
    with stub:
        stub.add_response("describe_addon", addon("v1.9.0-eksbuild.1"), KEY)
        stub.add_response("delete_addon", addon("v1.9.0-eksbuild.1", "DELETING"), dict(KEY, preserve=False))
        not_found(stub, "describe_addon")  # waiter: gone
        result = run.run()
        stub.assert_no_pending_responses()
    assert result["changed"] and result["action"] == "delete"
