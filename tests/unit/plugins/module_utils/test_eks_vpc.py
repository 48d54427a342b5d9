import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_vpc import plan_layout
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError


def test_the_layout_the_role_has_always_made():
    subnets, nat_zones = plan_layout("wandb", "10.20.0.0/16", ["us-west-2a", "us-west-2b", "us-west-2c"], "single")
    assert [(s["kind"], s["zone"], s["cidr"], s["name"]) for s in subnets] == [
        ("public", "us-west-2a", "10.20.0.0/20", "wandb-public-us-west-2a"),
        ("private", "us-west-2a", "10.20.128.0/20", "wandb-private-us-west-2a"),
        ("public", "us-west-2b", "10.20.16.0/20", "wandb-public-us-west-2b"),
        ("private", "us-west-2b", "10.20.144.0/20", "wandb-private-us-west-2b"),
        ("public", "us-west-2c", "10.20.32.0/20", "wandb-public-us-west-2c"),
        ("private", "us-west-2c", "10.20.160.0/20", "wandb-private-us-west-2c"),
    ]
    assert nat_zones == ["us-west-2a"]
    assert plan_layout("wandb", "10.20.0.0/16", ["a", "b"], "per_az")[1] == ["a", "b"]


@pytest.mark.parametrize(
    "cidr,zones,message",
    [
        ("10.20.0.0/20", ["a", "b"], "must be a /16"),
        ("10.0.0.0/8", ["a", "b"], "must be a /16"),
        ("10.20.0.0/16", list("abcdefghi"), "at most 8 Availability Zones"),
    ],
)
def test_a_layout_that_cannot_fit_is_refused(cidr, zones, message):
    with pytest.raises(WandbModuleError, match=message):
        plan_layout("wandb", cidr, zones, "single")


def test_a_cidr_with_host_bits_is_refused():
    with pytest.raises(WandbModuleError, match="not a network address"):
        plan_layout("wandb", "10.20.1.0/16", ["a", "b"], "single")
