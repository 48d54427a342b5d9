# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""W&B's Redis on ElastiCache: a replication group with TLS in transit and encryption at rest, and its subnet group.
No Ansible collection manages replication groups (community.aws.elasticache makes single cache clusters without
TLS), hence this module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner, plan_tags
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options as check_rules

_ID_RE = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,38}[a-z0-9]$")
_MISSING = ("ReplicationGroupNotFoundFault",)


def check_options(params, check_mode=False):
    if not _ID_RE.match(params["name"] or ""):
        raise WandbModuleError(
            "name %r is not a replication group ID (1-40 lowercase letters, digits and single hyphens, starting with "
            "a letter)" % (params["name"],)
        )
    if params["state"] == "present":
        # a plan may come before the cluster and its subnets exist
        if not params.get("subnet_ids") and not check_mode:
            raise WandbModuleError("subnet_ids is required: the private subnets Redis lives in")
        if not 1 <= params["nodes"] <= 6:
            raise WandbModuleError("nodes must be 1-6 (a primary and up to 5 replicas)")
        check_rules(params, [("node_type", "cache_node_type")])  # the roles' rule (validation.py)


def endpoint(group):
    """The primary endpoint of a cluster-mode-disabled group: ``(host, port)``."""
    node_groups = (group or {}).get("NodeGroups") or [{}]
    primary = node_groups[0].get("PrimaryEndpoint") or {}
    return primary.get("Address"), primary.get("Port") or 6379


class RedisRunner(AwsRunner):
    def __init__(self, module, aws):
        super(RedisRunner, self).__init__(module, aws)
        self.updates = []

    def call(self, operation, missing_codes=(), **kwargs):
        return self.aws.call("elasticache", operation, missing_codes=missing_codes, **kwargs)

    def describe(self):
        found = self.call("describe_replication_groups", _MISSING, ReplicationGroupId=self.params["name"])
        return (found or {}).get("ReplicationGroups", [None])[0]

    def facts(self, group):
        if not group:
            return {"exists": False}
        host, port = endpoint(group)
        return {
            "exists": True,
            "host": host,
            "port": int(port),
            "tls": bool(group.get("TransitEncryptionEnabled")),
            "at_rest_encryption": bool(group.get("AtRestEncryptionEnabled")),
            "node_type": group.get("CacheNodeType"),
            "nodes": len(group.get("MemberClusters") or []),
            "status": group.get("Status"),
            "arn": group.get("ARN"),
        }

    def wait(self, waiter):
        if self.params["wait"]:
            self.aws.wait("elasticache", waiter, self.params["wait_timeout"], ReplicationGroupId=self.params["name"])

    def run(self):
        check_options(self.params, self.module.check_mode)
        current = self.describe()
        before = self.facts(current)
        if self.params["state"] == "absent":
            self.absent(current)
            after = {"exists": False}
        else:
            self.ensure_subnet_group()
            current = self.create() if current is None else self.update(current)
            after = (
                self.facts(current)
                if current
                else {
                    "exists": False,
                    "port": 6379,
                    "tls": True,
                    "at_rest_encryption": True,
                    "node_type": self.params["node_type"],
                    "nodes": self.params["nodes"],
                }
            )
        return {
            "changed": bool(self.updates),
            "updates": self.updates,
            "redis": after,
            # the plan in words too: a diff of facts alone does not say what is made
            "diff": {"before": before, "after": dict(after, changes=self.updates) if self.updates else after},
        }

    def tag_list(self):
        return [{"Key": key, "Value": str(value)} for key, value in sorted((self.params.get("tags") or {}).items())]

    def ensure_subnet_group(self):
        name, subnets = self.params["name"], sorted(self.params["subnet_ids"] or [])
        found = self.call("describe_cache_subnet_groups", ("CacheSubnetGroupNotFoundFault",), CacheSubnetGroupName=name)
        group = (found or {}).get("CacheSubnetGroups", [None])[0]
        if group is None:
            self.updates.append("create cache subnet group %s" % name)
            if not self.module.check_mode:
                self.call(
                    "create_cache_subnet_group",
                    CacheSubnetGroupName=name,
                    SubnetIds=subnets,
                    CacheSubnetGroupDescription="W&B's Redis (selfmanaged.wandb)",
                    Tags=self.tag_list(),
                )
        elif subnets and sorted(s["SubnetIdentifier"] for s in group.get("Subnets") or []) != subnets:
            self.updates.append("cache subnet group %s: subnets" % name)
            if not self.module.check_mode:
                self.call("modify_cache_subnet_group", CacheSubnetGroupName=name, SubnetIds=subnets)

    def create(self):
        p = self.params
        self.updates.append(
            "create Redis %s replication group %s (%d x %s, TLS in transit, encrypted at rest)"
            % (p["engine_version"], p["name"], p["nodes"], p["node_type"])
        )
        if self.module.check_mode:
            return None
        request = dict(
            ReplicationGroupId=p["name"],
            ReplicationGroupDescription="W&B's Redis (selfmanaged.wandb)",
            Engine="redis",
            EngineVersion=p["engine_version"],
            CacheNodeType=p["node_type"],
            NumCacheClusters=p["nodes"],
            AutomaticFailoverEnabled=p["nodes"] > 1,
            MultiAZEnabled=p["nodes"] > 1,
            CacheSubnetGroupName=p["name"],
            SecurityGroupIds=sorted(p["security_group_ids"] or []),
            TransitEncryptionEnabled=True,
            AtRestEncryptionEnabled=True,
            SnapshotRetentionLimit=p["snapshot_retention_limit"],
            Port=6379,
            Tags=self.tag_list(),
        )
        if p.get("kms_key_id"):
            request["KmsKeyId"] = p["kms_key_id"]
        self.call("create_replication_group", **request)
        self.wait("replication_group_available")
        return self.describe()

    def member_security_groups(self, group):
        """The security groups of the group's nodes, or None where AWS does not say (an emulator)."""
        members = group.get("MemberClusters") or []
        if not members:
            return None
        found = self.call("describe_cache_clusters", ("CacheClusterNotFound",), CacheClusterId=members[0])
        clusters = (found or {}).get("CacheClusters") or []
        if not clusters:
            return None
        return sorted(g["SecurityGroupId"] for g in clusters[0].get("SecurityGroups") or [])

    def update(self, current):
        p = self.params
        changes, described = {}, []
        if not current.get("TransitEncryptionEnabled") or not current.get("AtRestEncryptionEnabled"):
            raise WandbModuleError(
                "replication group %s exists without TLS in transit or encryption at rest; ElastiCache cannot add "
                "encryption at rest to a group - remove it (state=absent) or choose another name" % p["name"]
            )
        if current.get("CacheNodeType") != p["node_type"]:
            changes["CacheNodeType"] = p["node_type"]
            described.append("node type %s -> %s" % (current.get("CacheNodeType"), p["node_type"]))
        groups = self.member_security_groups(current)
        if groups is not None and groups != sorted(p["security_group_ids"] or []):
            changes["SecurityGroupIds"] = sorted(p["security_group_ids"] or [])
            described.append("security groups")
        if current.get("SnapshotRetentionLimit", p["snapshot_retention_limit"]) != p["snapshot_retention_limit"]:
            changes["SnapshotRetentionLimit"] = p["snapshot_retention_limit"]
            described.append(
                "snapshot retention %s -> %s" % (current.get("SnapshotRetentionLimit"), p["snapshot_retention_limit"])
            )
        tags = None
        if current.get("ARN"):
            found = self.call("list_tags_for_resource", ResourceName=current["ARN"]) or {}
            have = dict((t["Key"], t["Value"]) for t in found.get("TagList") or [])
            tags = plan_tags(have, p.get("tags"), p.get("purge_tags", True))
            if tags:
                described.append("tags")
        self.updates.extend("%s: %s" % (p["name"], text) for text in described)
        if not described or self.module.check_mode:
            return current
        if changes:
            self.call("modify_replication_group", ReplicationGroupId=p["name"], ApplyImmediately=True, **changes)
            self.wait("replication_group_available")
        if tags and tags["set"]:
            self.call(
                "add_tags_to_resource",
                ResourceName=current["ARN"],
                Tags=[{"Key": k, "Value": v} for k, v in tags["set"].items()],
            )
        if tags and tags["unset"]:
            self.call("remove_tags_from_resource", ResourceName=current["ARN"], TagKeys=tags["unset"])
        return self.describe()

    def absent(self, current):
        name = self.params["name"]
        if current is not None:
            self.updates.append("delete replication group %s" % name)
            if not self.module.check_mode:
                if current.get("Status") != "deleting":
                    self.call("delete_replication_group", _MISSING, ReplicationGroupId=name)
                self.wait("replication_group_deleted")
        found = self.call("describe_cache_subnet_groups", ("CacheSubnetGroupNotFoundFault",), CacheSubnetGroupName=name)
        if found and found.get("CacheSubnetGroups"):
            self.updates.append("delete cache subnet group %s" % name)
            if not self.module.check_mode:
                self.call("delete_cache_subnet_group", ("CacheSubnetGroupNotFoundFault",), CacheSubnetGroupName=name)
