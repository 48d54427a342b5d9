#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eks_vpc
short_description: The network of an EKS cluster - VPC, subnets, internet and NAT gateways, routes - in one call
version_added: 0.2.0
description:
  - Makes (or removes) the network the P(selfmanaged.wandb.eks_cluster#role) role gives a cluster when no subnets are
    given - a VPC with DNS support and hostnames; in each of the first O(az_count) available Availability Zones
    (sorted by name) a public /20 subnet from the first half of the /16 (tagged C(kubernetes.io/role/elb), public
    IPs on launch) and a private /20 from the second half (C(kubernetes.io/role/internal-elb)); an internet gateway;
    NAT gateways with their Elastic IPs in the public subnets; a public route table to the internet gateway and a
    private one per zone to its NAT gateway.
  - Reads everything with one Describe call per kind, so a run that changes nothing makes the same eight read calls
    whatever the number of zones (the amazon.aws modules it replaces made about twenty).
  - The VPC is found by its C(Name) tag (O(name)) and CIDR, the subnets by CIDR, route tables by C(Name) tag, NAT
    gateways by subnet; what exists is kept, tags are brought to O(tags) plus C(Name) and
    C(selfmanaged.wandb/cluster), routes and associations are corrected.
  - O(state=absent) removes every VPC tagged with both O(name) tags and everything the module made in it, NAT
    gateways first (waited for), releasing their Elastic IPs.
author:
  - selfmanaged.wandb contributors (@selfmanaged)
extends_documentation_fragment:
  - selfmanaged.wandb.aws
  - selfmanaged.wandb.aws.tags
attributes:
  check_mode:
    support: full
    description: Reports every change it would make in RV(changes); no AWS write.
  diff_mode:
    support: full
    description: The changes, one per line.
options:
  name:
    description: The cluster's name - the VPC's C(Name), the prefix of the other names, the C(selfmanaged.wandb/cluster) tag.
    type: str
    required: true
  cidr:
    description: The VPC's CIDR, a /16.
    type: str
    default: 10.20.0.0/16
  az_count:
    description: How many Availability Zones (2 or more; EKS needs subnets in two).
    type: int
    default: 3
  nat_gateway_mode:
    description: One NAT gateway for every private subnet (V(single)), or one in each zone (V(per_az)).
    type: str
    choices: [single, per_az]
    default: single
  state:
    description: Whether the network should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until new NAT gateways are available. Removal always waits for them to be deleted.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for NAT gateways.
    type: int
    default: 600
"""

EXAMPLES = r"""
- name: The cluster's network, 3 zones, one NAT gateway
  selfmanaged.wandb.eks_vpc:
    name: wandb
    region: us-west-2
    cidr: 10.20.0.0/16
    az_count: 3
    tags:
      project: wandb
  register: network

- name: Removed, NAT gateways and Elastic IPs included
  selfmanaged.wandb.eks_vpc:
    name: wandb
    region: us-west-2
    state: absent
"""

RETURN = r"""
vpc_id:
  description: The VPC (null in check mode before it exists, and once absent).
  returned: always
  type: str
  sample: vpc-0123456789abcdef0
zones:
  description: The Availability Zones used, in order.
  returned: always
  type: list
  elements: str
  sample: [us-west-2a, us-west-2b, us-west-2c]
subnets:
  description: Subnet IDs, in zone order (null for one check mode would create).
  returned: always
  type: dict
  contains:
    public:
      description: The public subnets.
      type: list
      elements: str
    private:
      description: The private subnets.
      type: list
      elements: str
    all:
      description: Public, then private.
      type: list
      elements: str
nat_gateway_ids:
  description: The NAT gateways.
  returned: always
  type: list
  elements: str
changes:
  description: What was (or in check mode would be) created, changed or deleted, one line each.
  returned: always
  type: list
  elements: str
  sample: ["public subnet 10.20.0.0/20 in us-west-2a created"]
"""

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_vpc import EksVpcRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import aws_main


def main():
    spec = dict(
        name=dict(type="str", required=True),
        cidr=dict(type="str", default="10.20.0.0/16"),
        az_count=dict(type="int", default=3),
        nat_gateway_mode=dict(type="str", default="single", choices=["single", "per_az"]),
    )
    aws_main(spec, EksVpcRunner, wait_timeout=600)


if __name__ == "__main__":
    main()
