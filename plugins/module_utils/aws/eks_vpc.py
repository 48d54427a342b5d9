# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network of an EKS cluster in one module call: a VPC, a public and a private subnet in each of the first
Availability Zones, an internet gateway, NAT gateways and the route tables between them.

Everything is read with one Describe call per kind, filtered by the VPC, so a run that changes nothing makes
eight read calls whatever the number of zones. The layout (CIDRs, names, tags) is the one the eks_cluster role has
always made, so a network made before is found and left as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner, plan_tags
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

ANYWHERE = "0.0.0.0/0"
CLUSTER_TAG = "selfmanaged.wandb/cluster"
ROLE_TAGS = {"public": "kubernetes.io/role/elb", "private": "kubernetes.io/role/internal-elb"}
LIVE_NAT_STATES = ("pending", "available")


def plan_layout(name, cidr, zones, nat_gateway_mode):
    """The subnets and route tables of the network (pure): per zone, in zone order, a public /20 from the first
    half of the /16 and a private /20 from its second half; the NAT gateways' zones."""
    try:
        network = ipaddress.ip_network(cidr, strict=True)
    except ValueError as exc:
        raise WandbModuleError("cidr %s is not a network address with its prefix: %s" % (cidr, exc)) from exc
    if network.prefixlen != 16:
        raise WandbModuleError("cidr %s must be a /16 (each zone gets a /20 from each half of it)" % cidr)
    if len(zones) > 8:
        raise WandbModuleError("at most 8 Availability Zones fit a /16 in /20 halves; %d were asked" % len(zones))
    first, second = network.network_address.packed[:2]
    subnets = []
    for index, zone in enumerate(zones):
        for kind, third in (("public", index * 16), ("private", 128 + index * 16)):
            subnets.append(
                dict(
                    kind=kind,
                    zone=zone,
                    cidr="%d.%d.%d.0/20" % (first, second, third),
                    name="%s-%s-%s" % (name, kind, zone),
                )
            )
    nat_zones = list(zones) if nat_gateway_mode == "per_az" else list(zones[:1])
    return subnets, nat_zones


def _tags(resource):
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def _tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


class EksVpcRunner(AwsRunner):
    def __init__(self, module, aws):
        super(EksVpcRunner, self).__init__(module, aws)
        self.changes = []
        self.check = module.check_mode

    # -- reads: one call per kind ----------------------------------------------------------------------------------
    def ec2(self, operation, result_key, **kwargs):
        return self.aws.paginate("ec2", operation, result_key, **kwargs)

    def by_vpc(self, vpc_id):
        return [{"Name": "vpc-id", "Values": [vpc_id]}]

    def find_vpc(self):
        p = self.params
        found = self.ec2(
            "describe_vpcs",
            "Vpcs",
            Filters=[{"Name": "tag:Name", "Values": [p["name"]]}, {"Name": "cidr-block", "Values": [p["cidr"]]}],
        )
        found = [v for v in found if v.get("CidrBlock") == p["cidr"]]
        if len(found) > 1:
            raise WandbModuleError(
                "%d VPCs are named %s with CIDR %s (%s): remove the extra ones or use eks_cluster_subnet_ids"
                % (len(found), p["name"], p["cidr"], ", ".join(v["VpcId"] for v in found))
            )
        return found[0] if found else None

    def zones(self):
        p = self.params
        if p["az_count"] < 2:
            raise WandbModuleError("az_count must be 2 or more (EKS needs subnets in two Availability Zones)")
        zones = self.aws.call(
            "ec2", "describe_availability_zones", Filters=[{"Name": "state", "Values": ["available"]}]
        )["AvailabilityZones"]
        names = sorted(z["ZoneName"] for z in zones if z.get("ZoneType", "availability-zone") == "availability-zone")
        if len(names) < 2:
            raise WandbModuleError(
                "region %s has fewer than 2 available Availability Zones" % self.aws.session.region_name
            )
        return names[: p["az_count"]]

    # -- writes, each recorded (and skipped in check mode) -----------------------------------------------------------
    def change(self, text, operation=None, **kwargs):
        self.changes.append(text)
        if self.check or operation is None:
            return None
        return self.aws.call("ec2", operation, **kwargs)

    def sync_tags(self, resource_id, current, desired, what):
        tag_changes = plan_tags(current, desired, self.params["purge_tags"])
        if not tag_changes:
            return
        if tag_changes["set"]:
            self.change(
                "%s: tags %s set" % (what, ", ".join(sorted(tag_changes["set"]))),
                "create_tags",
                Resources=[resource_id],
                Tags=_tag_list(tag_changes["set"]),
            )
        if tag_changes["unset"]:
            self.change(
                "%s: tags %s removed" % (what, ", ".join(tag_changes["unset"])),
                "delete_tags",
                Resources=[resource_id],
                Tags=[{"Key": k} for k in tag_changes["unset"]],
            )

    def run(self):
        if self.params["state"] == "absent":
            return self.absent()
        return self.present()

    # -- present --------------------------------------------------------------------------------------------------
    def present(self):
        p = self.params
        tags = dict(p["tags"] or {}, **{CLUSTER_TAG: p["name"]})
        zones = self.zones()
        layout, nat_zones = plan_layout(p["name"], p["cidr"], zones, p["nat_gateway_mode"])
        vpc = self.find_vpc()
        empty = {"subnets": [], "igws": [], "nats": [], "tables": []}
        if vpc is None:
            created = self.change(
                "VPC %s (%s) created, DNS support and hostnames on" % (p["name"], p["cidr"]),
                "create_vpc",
                CidrBlock=p["cidr"],
                TagSpecifications=[{"ResourceType": "vpc", "Tags": _tag_list(dict(tags, Name=p["name"]))}],
            )
            vpc_id = created["Vpc"]["VpcId"] if created else None  # None: check mode, what follows is the plan
            if vpc_id:
                self.aws.wait("ec2", "vpc_available", 300, VpcIds=[vpc_id])
                self.dns_attributes(vpc_id, fresh=True)
            existing = empty
        else:
            vpc_id = vpc["VpcId"]
            self.sync_tags(vpc_id, _tags(vpc), dict(tags, Name=p["name"]), "VPC %s" % vpc_id)
            self.dns_attributes(vpc_id, fresh=False)
            existing = self.read_network(vpc_id)
        subnet_ids = self.subnets(vpc_id, layout, existing["subnets"], tags)
        igw_id = self.internet_gateway(vpc_id, existing["igws"], tags)
        nat_ids = self.nat_gateways(layout, nat_zones, subnet_ids, existing["nats"])
        self.route_tables(vpc_id, layout, subnet_ids, igw_id, nat_ids, nat_zones, existing["tables"], tags)
        return self.result(vpc_id, layout, subnet_ids, nat_ids, zones)

    def read_network(self, vpc_id):
        nats = self.ec2("describe_nat_gateways", "NatGateways", Filter=self.by_vpc(vpc_id))
        return {
            "subnets": self.ec2("describe_subnets", "Subnets", Filters=self.by_vpc(vpc_id)),
            "igws": self.ec2(
                "describe_internet_gateways",
                "InternetGateways",
                Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}],
            ),
            "nats": [n for n in nats if n.get("State") in LIVE_NAT_STATES],
            "tables": self.ec2("describe_route_tables", "RouteTables", Filters=self.by_vpc(vpc_id)),
        }

    def dns_attributes(self, vpc_id, fresh):
        """DNS support and hostnames on (EKS's nodes need both): set on a VPC this run made, else read first."""
        for attribute, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
            if fresh:
                self.aws.call("ec2", "modify_vpc_attribute", VpcId=vpc_id, **{key: {"Value": True}})
                continue
            current = self.aws.call("ec2", "describe_vpc_attribute", VpcId=vpc_id, Attribute=attribute)
            if not (current.get(key) or {}).get("Value"):
                self.change(
                    "VPC %s: %s on" % (vpc_id, attribute),
                    "modify_vpc_attribute",
                    VpcId=vpc_id,
                    **{key: {"Value": True}},
                )

    def subnets(self, vpc_id, layout, existing, tags):
        by_cidr = dict((s["CidrBlock"], s) for s in existing)
        ids = {}
        for planned in layout:
            want = dict(tags, Name=planned["name"], **{ROLE_TAGS[planned["kind"]]: "1"})
            subnet = by_cidr.get(planned["cidr"])
            public = planned["kind"] == "public"
            if subnet is None:
                created = self.change(
                    "%s subnet %s in %s created%s"
                    % (planned["kind"], planned["cidr"], planned["zone"], " (public IPs on launch)" if public else ""),
                    "create_subnet" if vpc_id else None,
                    VpcId=vpc_id,
                    CidrBlock=planned["cidr"],
                    AvailabilityZone=planned["zone"],
                    TagSpecifications=[{"ResourceType": "subnet", "Tags": _tag_list(want)}],
                )
                subnet = created["Subnet"] if created else {"SubnetId": None}
                if public and subnet["SubnetId"]:
                    self.aws.call(
                        "ec2",
                        "modify_subnet_attribute",
                        SubnetId=subnet["SubnetId"],
                        MapPublicIpOnLaunch={"Value": True},
                    )
            elif subnet["AvailabilityZone"] != planned["zone"]:
                raise WandbModuleError(
                    "subnet %s (%s) is in %s, but the layout puts %s in %s: the zones changed; keep "
                    "eks_cluster_az_count or build the network anew"
                    % (
                        subnet["SubnetId"],
                        planned["cidr"],
                        subnet["AvailabilityZone"],
                        planned["cidr"],
                        planned["zone"],
                    )
                )
            else:
                self.sync_tags(subnet["SubnetId"], _tags(subnet), want, "subnet %s" % subnet["SubnetId"])
                if bool(subnet.get("MapPublicIpOnLaunch")) != public:
                    self.change(
                        "subnet %s: public IPs on launch %s" % (subnet["SubnetId"], "on" if public else "off"),
                        "modify_subnet_attribute",
                        SubnetId=subnet["SubnetId"],
                        MapPublicIpOnLaunch={"Value": public},
                    )
            ids[planned["cidr"]] = subnet["SubnetId"]
        return ids

    def internet_gateway(self, vpc_id, existing, tags):
        want = dict(tags, Name=self.params["name"])
        if existing:
            igw = existing[0]
            self.sync_tags(igw["InternetGatewayId"], _tags(igw), want, "internet gateway %s" % igw["InternetGatewayId"])
            return igw["InternetGatewayId"]
        created = self.change(
            "internet gateway created and attached",
            "create_internet_gateway" if vpc_id else None,
            TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": _tag_list(want)}],
        )
        if not created:
            return None
        igw_id = created["InternetGateway"]["InternetGatewayId"]
        self.aws.call("ec2", "attach_internet_gateway", InternetGatewayId=igw_id, VpcId=vpc_id)
        return igw_id

    def nat_gateways(self, layout, nat_zones, subnet_ids, existing):
        """A NAT gateway (with a new Elastic IP) in the public subnet of each NAT zone that has none. Untagged: the
        teardown finds them through their VPC, and moto does not report a NAT gateway's tags back."""
        public = dict((s["zone"], subnet_ids[s["cidr"]]) for s in layout if s["kind"] == "public")
        by_subnet = dict((n["SubnetId"], n) for n in existing)
        ids = {}
        pending = []
        for zone in nat_zones:
            nat = by_subnet.get(public[zone])
            if nat is not None:
                ids[zone] = nat["NatGatewayId"]
                if nat["State"] == "pending":
                    pending.append(nat["NatGatewayId"])
                continue
            if self.check or public[zone] is None:
                self.change("NAT gateway created in %s (with an Elastic IP)" % zone)
                ids[zone] = None
                continue
            address = self.aws.call("ec2", "allocate_address", Domain="vpc")  # the NAT gateway's line says it
            created = self.change(
                "NAT gateway created in %s (with an Elastic IP)" % zone,
                "create_nat_gateway",
                SubnetId=public[zone],
                AllocationId=address["AllocationId"],
            )
            ids[zone] = created["NatGateway"]["NatGatewayId"]
            pending.append(ids[zone])
        if pending and self.params["wait"] and not self.check:
            self.aws.wait("ec2", "nat_gateway_available", self.params["wait_timeout"], NatGatewayIds=pending)
        return ids

    def route_tables(self, vpc_id, layout, subnet_ids, igw_id, nat_ids, nat_zones, existing, tags):
        by_name = {}
        for table in existing:
            name = _tags(table).get("Name")
            if name:
                by_name.setdefault(name, table)
        public = [subnet_ids[s["cidr"]] for s in layout if s["kind"] == "public"]
        self.route_table(
            vpc_id,
            by_name.get(self.params["name"] + "-public"),
            self.params["name"] + "-public",
            public,
            {"GatewayId": igw_id},
            tags,
        )
        for planned in [s for s in layout if s["kind"] == "private"]:
            nat_id = nat_ids.get(planned["zone"] if planned["zone"] in nat_zones else nat_zones[0])
            name = "%s-private-%s" % (self.params["name"], planned["zone"])
            self.route_table(
                vpc_id, by_name.get(name), name, [subnet_ids[planned["cidr"]]], {"NatGatewayId": nat_id}, tags
            )

    def route_table(self, vpc_id, table, name, subnet_ids, target, tags):
        want = dict(tags, Name=name)
        if table is None:
            created = self.change(
                "route table %s created" % name,
                "create_route_table" if vpc_id else None,
                VpcId=vpc_id,
                TagSpecifications=[{"ResourceType": "route-table", "Tags": _tag_list(want)}],
            )
            table = created["RouteTable"] if created else {"RouteTableId": None, "Routes": [], "Associations": []}
        else:
            self.sync_tags(table["RouteTableId"], _tags(table), want, "route table %s" % name)
        table_id = table["RouteTableId"]
        target_id = list(target.values())[0]
        default = [r for r in table.get("Routes") or [] if r.get("DestinationCidrBlock") == ANYWHERE]
        if not default:
            self.change(
                "route table %s: %s -> %s" % (name, ANYWHERE, target_id or "the new gateway"),
                "create_route" if table_id and target_id else None,
                RouteTableId=table_id,
                DestinationCidrBlock=ANYWHERE,
                **target,
            )
        elif default[0].get(list(target)[0]) != target_id or default[0].get("State") == "blackhole":
            self.change(
                "route table %s: %s -> %s (was %s)"
                % (name, ANYWHERE, target_id, default[0].get("GatewayId") or default[0].get("NatGatewayId")),
                "replace_route" if table_id and target_id else None,
                RouteTableId=table_id,
                DestinationCidrBlock=ANYWHERE,
                **target,
            )
        associated = dict(
            (a["SubnetId"], a["RouteTableAssociationId"]) for a in table.get("Associations") or [] if a.get("SubnetId")
        )
        for subnet_id in subnet_ids:
            if subnet_id is None or subnet_id not in associated:
                self.change(
                    "route table %s: subnet %s associated" % (name, subnet_id or "(new)"),
                    "associate_route_table" if table_id and subnet_id else None,
                    RouteTableId=table_id,
                    SubnetId=subnet_id,
                )
        for subnet_id, association in sorted(associated.items()):
            if subnet_id not in subnet_ids:
                self.change(
                    "route table %s: subnet %s no longer associated" % (name, subnet_id),
                    "disassociate_route_table",
                    AssociationId=association,
                )

    def result(self, vpc_id, layout, subnet_ids, nat_ids, zones):
        def ids(kind):
            return [subnet_ids[s["cidr"]] for s in layout if s["kind"] == kind] if vpc_id else []

        public, private = ids("public"), ids("private")
        result = dict(
            changed=bool(self.changes),
            changes=self.changes,
            vpc_id=vpc_id,
            zones=zones,
            subnets=dict(public=public, private=private, all=public + private),
            nat_gateway_ids=[i for i in (nat_ids.values() if nat_ids else []) if i],
        )
        if self.module._diff:
            result["diff"] = dict(before="", after="\n".join(result["changes"]) + "\n") if self.changes else {}
        return result

    # -- absent ---------------------------------------------------------------------------------------------------
    def absent(self):
        """Every VPC the role made for the cluster (its Name and cluster tags), with what is in it, in reverse."""
        p = self.params
        vpcs = self.ec2(
            "describe_vpcs",
            "Vpcs",
            Filters=[
                {"Name": "tag:Name", "Values": [p["name"]]},
                {"Name": "tag:" + CLUSTER_TAG, "Values": [p["name"]]},
            ],
        )
        for vpc in vpcs:
            self.remove_network(vpc["VpcId"])
        result = dict(
            changed=bool(self.changes),
            changes=self.changes,
            vpc_id=None,
            zones=[],
            subnets=dict(public=[], private=[], all=[]),
            nat_gateway_ids=[],
        )
        if self.module._diff:
            result["diff"] = dict(before="\n".join(self.changes) + "\n", after="") if self.changes else {}
        return result

    def remove_network(self, vpc_id):
        network = self.read_network(vpc_id)
        nat_ids = [n["NatGatewayId"] for n in network["nats"]]
        allocations = [
            a["AllocationId"]
            for n in network["nats"]
            for a in n.get("NatGatewayAddresses") or []
            if a.get("AllocationId")
        ]
        for nat_id in nat_ids:
            self.change("NAT gateway %s deleted" % nat_id, "delete_nat_gateway", NatGatewayId=nat_id)
        if nat_ids and not self.check:
            self.aws.wait("ec2", "nat_gateway_deleted", self.params["wait_timeout"], NatGatewayIds=nat_ids)
        for allocation in allocations:
            self.change("Elastic IP %s released" % allocation, "release_address", AllocationId=allocation)
        for table in network["tables"]:
            if any(a.get("Main") for a in table.get("Associations") or []):
                continue
            for association in table.get("Associations") or []:
                if association.get("SubnetId") and not self.check:
                    self.aws.call(
                        "ec2", "disassociate_route_table", AssociationId=association["RouteTableAssociationId"]
                    )
            self.change(
                "route table %s deleted" % table["RouteTableId"],
                "delete_route_table",
                RouteTableId=table["RouteTableId"],
            )
        for igw in network["igws"]:
            igw_id = igw["InternetGatewayId"]
            self.change(
                "internet gateway %s detached" % igw_id,
                "detach_internet_gateway",
                InternetGatewayId=igw_id,
                VpcId=vpc_id,
            )
            self.change("internet gateway %s deleted" % igw_id, "delete_internet_gateway", InternetGatewayId=igw_id)
        for subnet in network["subnets"]:
            self.change("subnet %s deleted" % subnet["SubnetId"], "delete_subnet", SubnetId=subnet["SubnetId"])
        self.change("VPC %s deleted" % vpc_id, "delete_vpc", VpcId=vpc_id)
