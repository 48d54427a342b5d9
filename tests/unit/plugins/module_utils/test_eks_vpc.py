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


class FakeEc2(object):
    """The network the module would have made (2 zones, one NAT gateway), answering the module's reads; every call
    recorded."""

    def __init__(self):
        self.calls = []
        tags = [{"Key": "selfmanaged.wandb/cluster", "Value": "w"}]

        def tagged(name, **extra):
            return tags + [{"Key": "Name", "Value": name}] + [{"Key": k, "Value": v} for k, v in extra.items()]

        self.subnets = [
            {
                "SubnetId": "subnet-pa",
                "CidrBlock": "10.20.0.0/20",
                "AvailabilityZone": "z-a",
                "MapPublicIpOnLaunch": True,
                "Tags": tagged("w-public-z-a", **{"kubernetes.io/role/elb": "1"}),
            },
            {
                "SubnetId": "subnet-qa",
                "CidrBlock": "10.20.128.0/20",
                "AvailabilityZone": "z-a",
                "Tags": tagged("w-private-z-a", **{"kubernetes.io/role/internal-elb": "1"}),
            },
            {
                "SubnetId": "subnet-pb",
                "CidrBlock": "10.20.16.0/20",
                "AvailabilityZone": "z-b",
                "MapPublicIpOnLaunch": True,
                "Tags": tagged("w-public-z-b", **{"kubernetes.io/role/elb": "1"}),
            },
            {
                "SubnetId": "subnet-qb",
                "CidrBlock": "10.20.144.0/20",
                "AvailabilityZone": "z-b",
                "Tags": tagged("w-private-z-b", **{"kubernetes.io/role/internal-elb": "1"}),
            },
        ]
        route = {"DestinationCidrBlock": "0.0.0.0/0", "State": "active"}

        def table(table_id, name, subnets, **target):
            return {
                "RouteTableId": table_id,
                "Tags": tagged(name),
                "Routes": [dict(route, **target)],
                "Associations": [{"SubnetId": s, "RouteTableAssociationId": "a-" + s} for s in subnets],
            }

        self.listings = {
            "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.20.0.0/16", "Tags": tagged("w")}],
            "Subnets": self.subnets,
            "InternetGateways": [{"InternetGatewayId": "igw-1", "Tags": tagged("w")}],
            "NatGateways": [{"NatGatewayId": "nat-1", "SubnetId": "subnet-pa", "State": "available"}],
            "RouteTables": [
                table("rtb-p", "w-public", ["subnet-pa", "subnet-pb"], GatewayId="igw-1"),
                table("rtb-a", "w-private-z-a", ["subnet-qa"], NatGatewayId="nat-1"),
                table("rtb-b", "w-private-z-b", ["subnet-qb"], NatGatewayId="nat-1"),
            ],
        }

    def paginate(self, service, operation, result_key, **kwargs):
        self.calls.append(operation)
        return self.listings[result_key]

    def call(self, service, operation, **kwargs):
        self.calls.append(operation)
        if operation == "describe_availability_zones":
            return {"AvailabilityZones": [{"ZoneName": z} for z in ("z-c", "z-b", "z-a")]}
        if operation == "describe_vpc_attribute":
            key = "EnableDnsSupport" if kwargs["Attribute"] == "enableDnsSupport" else "EnableDnsHostnames"
            return {key: {"Value": True}}
        return {}


def run_network(ec2, check_mode=False, **params):
    from types import SimpleNamespace

    from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_vpc import EksVpcRunner

    module = SimpleNamespace(
        check_mode=check_mode,
        _diff=True,
        params=dict(
            dict(
                name="w",
                cidr="10.20.0.0/16",
                az_count=2,
                nat_gateway_mode="single",
                state="present",
                wait=True,
                wait_timeout=600,
                tags={},
                purge_tags=True,
            ),
            **params,
        ),
    )
    return EksVpcRunner(module, ec2).run()


def test_a_network_as_made_is_eight_reads_and_no_write():
    ec2 = FakeEc2()
    result = run_network(ec2)
    assert not result["changed"] and result["changes"] == [] and result["diff"] == {}
    assert sorted(ec2.calls) == sorted(
        [
            "describe_availability_zones",
            "describe_vpcs",
            "describe_vpc_attribute",
            "describe_vpc_attribute",
            "describe_subnets",
            "describe_internet_gateways",
            "describe_nat_gateways",
            "describe_route_tables",
        ]
    )
    assert result["subnets"] == {
        "public": ["subnet-pa", "subnet-pb"],
        "private": ["subnet-qa", "subnet-qb"],
        "all": ["subnet-pa", "subnet-pb", "subnet-qa", "subnet-qb"],
    }
    assert result["zones"] == ["z-a", "z-b"] and result["nat_gateway_ids"] == ["nat-1"]


def test_drift_is_repaired_and_check_mode_only_says_so():
    ec2 = FakeEc2()
    ec2.subnets[1]["Tags"] = [t for t in ec2.subnets[1]["Tags"] if t["Key"] != "Name"]  # a tag removed
    ec2.listings["RouteTables"][2]["Routes"][0]["State"] = "blackhole"  # its NAT gateway was deleted by hand
    ec2.listings["RouteTables"][0]["Associations"].pop()  # a public subnet no longer routed
    planned = run_network(ec2, check_mode=True)
    assert planned["changes"] == [
        "subnet subnet-qa: tags Name set",
        "route table w-public: subnet subnet-pb associated",
        "route table w-private-z-b: 0.0.0.0/0 -> nat-1 (was nat-1)",
    ]
    assert planned["diff"]["after"] == "\n".join(planned["changes"]) + "\n"
    assert not [c for c in ec2.calls if not c.startswith("describe_")]  # check mode writes nothing
    ec2.calls = []
    assert run_network(ec2)["changes"] == planned["changes"]
    assert [c for c in ec2.calls if not c.startswith("describe_")] == [
        "create_tags",
        "associate_route_table",
        "replace_route",
    ]
