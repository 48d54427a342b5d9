"""Node group validation and in-place decisions."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_nodegroup import (
    create_request,
    plan_update,
    validate,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

CURRENT = {
    "nodegroupArn": "arn:ng",
    "nodeRole": "arn:node",
    "subnets": ["s1", "s2"],
    "instanceTypes": ["r6i.2xlarge"],
    "amiType": "AL2023_x86_64_STANDARD",
    "diskSize": 20,
    "capacityType": "ON_DEMAND",
    "version": "1.30",
    "scalingConfig": {"minSize": 1, "maxSize": 3, "desiredSize": 2},
    "labels": {"a": "1"},
    "taints": [{"key": "t", "value": "v", "effect": "NO_SCHEDULE"}],
    "tags": {},
}


@pytest.mark.parametrize(
    "desired,message",
    [
        ({"instance_types": ["big-one"]}, "family.size"),
        ({"scaling": {"min_size": 3, "max_size": 2}}, "above scaling.max_size"),
        ({"scaling": {"min_size": 1, "max_size": 2, "desired_size": 5}}, "outside"),
        ({"scaling": {"max_size": 0}}, "at least 1"),
        ({"taints": [{"key": "k", "effect": "NoSchedule"}]}, "taint effect"),
    ],
)
def test_validation(desired, message):
    with pytest.raises(WandbModuleError, match=message):
        validate(desired, creating=False)


def test_create_needs_role_and_subnets():
    with pytest.raises(WandbModuleError, match="node_role_arn is required"):
        validate({"subnet_ids": ["s1"]}, creating=True)
    desired = {
        "node_role_arn": "arn:node",
        "subnet_ids": ["s1"],
        "instance_types": ["m5.xlarge"],
        "scaling": {"min_size": 2, "max_size": 4},
        "update_config": {"max_unavailable": 1},
    }
    request = create_request("c", "ng", desired)
    assert request["scalingConfig"] == {"minSize": 2, "maxSize": 4, "desiredSize": 2}
    assert request["updateConfig"] == {"maxUnavailable": 1} and request["instanceTypes"] == ["m5.xlarge"]


def test_no_change():
    assert plan_update(
        CURRENT,
        {
            "instance_types": ["r6i.2xlarge"],
            "subnet_ids": ["s2", "s1"],
            "labels": {"a": "1"},
            "scaling": {"min_size": 1, "max_size": 3, "desired_size": 2},
            "taints": [{"key": "t", "value": "v", "effect": "NO_SCHEDULE"}],
        },
    ) == ([], None)


def test_in_place_config_update_in_one_call():
    updates, _tags = plan_update(CURRENT, {"scaling": {"max_size": 5}, "labels": {"b": "2"}, "taints": []})
    assert len(updates) == 1
    operation, config, _description = updates[0]
    assert operation == "update_nodegroup_config"
    assert config["scalingConfig"] == {"minSize": 1, "maxSize": 5, "desiredSize": 2}
    assert config["labels"] == {"addOrUpdateLabels": {"b": "2"}, "removeLabels": ["a"]}
    assert config["taints"] == {"removeTaints": [{"key": "t", "value": "v", "effect": "NO_SCHEDULE"}]}


def test_version_update():
    updates, _tags = plan_update(CURRENT, {"version": "1.31"})
    assert updates == [("update_nodegroup_version", {"version": "1.31"}, "version {'version': '1.31'}")]


@pytest.mark.parametrize(
    "desired",
    [
        {"instance_types": ["m5.large"]},
        {"ami_type": "BOTTLEROCKET_x86_64"},
        {"disk_size": 100},
        {"capacity_type": "SPOT"},
        {"node_role_arn": "arn:other"},
        {"subnet_ids": ["s3"]},
    ],
)
def test_create_only_settings_are_refused(desired):
    with pytest.raises(WandbModuleError, match="cannot change"):
        plan_update(CURRENT, desired)
