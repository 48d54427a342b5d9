# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS cluster decisions (pure, unit-tested) and the calls that carry them out."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.irsa import issuer_host_path
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner, plan_tags
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# EKS only moves authentication modes towards API access entries, never back.
AUTH_MODE_ORDER = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")
_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")


def parse_version(version):
    match = _VERSION_RE.match(str(version or "").strip())
    if not match:
        raise WandbModuleError("Kubernetes version %r is not MAJOR.MINOR such as 1.31" % (version,))
    return int(match.group(1)), int(match.group(2))


def enabled_log_types(cluster):
    types = set()
    for entry in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if entry.get("enabled"):
            types.update(entry.get("types") or [])
    return types


def logging_config(types):
    enabled = sorted(set(types))
    disabled = sorted(set(LOG_TYPES) - set(enabled))
    config = []
    if enabled:
        config.append({"types": enabled, "enabled": True})
    if disabled:
        config.append({"types": disabled, "enabled": False})
    return {"clusterLogging": config}


def validate_create(desired):
    """What a new cluster needs; fails before any call."""
    if not desired.get("role_arn"):
        raise WandbModuleError("role_arn is required to create a cluster")
    subnets = desired.get("subnet_ids") or []
    if len(set(subnets)) < 2:
        raise WandbModuleError(
            "EKS needs at least 2 subnets in different Availability Zones; got %d" % len(set(subnets))
        )
    if desired.get("version"):
        parse_version(desired["version"])
    for log_type in desired.get("logging_types") or []:
        if log_type not in LOG_TYPES:
            raise WandbModuleError("logging type %r is not one of %s" % (log_type, ", ".join(LOG_TYPES)))


def check_subnets(aws, subnet_ids, option="subnet_ids", min_zones=2):
    """Before a create: every subnet exists (one DescribeSubnets), spread over ``min_zones`` Availability Zones."""
    if not subnet_ids:
        return
    found = (
        aws.call("ec2", "describe_subnets", Filters=[{"Name": "subnet-id", "Values": list(subnet_ids)}]).get("Subnets")
        or []
    )
    missing = sorted(set(subnet_ids) - set(s["SubnetId"] for s in found))
    if missing:
        raise WandbModuleError(
            "%s: %s %s not exist in %s"
            % (option, ", ".join(missing), "does" if len(missing) == 1 else "do", aws.session.region_name)
        )
    zones = set(s.get("AvailabilityZone") for s in found)
    if len(zones) < min_zones:
        raise WandbModuleError(
            "%s: EKS needs subnets in at least %d Availability Zones; these are all in %s"
            % (option, min_zones, ", ".join(sorted(zones)))
        )


def copy_given(desired, request, **names):
    """Copy the options that are set from ``desired`` into an API ``request``: option name -> API field name."""
    for option, field in names.items():
        if desired.get(option) is not None:
            request[field] = desired[option]


def create_request(name, desired):
    request = {
        "name": name,
        "roleArn": desired["role_arn"],
        "resourcesVpcConfig": {"subnetIds": list(desired["subnet_ids"])},
        "logging": logging_config(desired.get("logging_types") or []),
        "tags": dict(desired.get("tags") or {}),
    }
    copy_given(
        desired,
        request["resourcesVpcConfig"],
        security_group_ids="securityGroupIds",
        endpoint_public_access="endpointPublicAccess",
        endpoint_private_access="endpointPrivateAccess",
        public_access_cidrs="publicAccessCidrs",
    )
    if desired.get("version"):
        request["version"] = str(desired["version"])
    if desired.get("encryption_key_arn"):
        request["encryptionConfig"] = [
            {"resources": ["secrets"], "provider": {"keyArn": desired["encryption_key_arn"]}}
        ]
    access = {}
    if desired.get("authentication_mode"):
        access["authenticationMode"] = desired["authentication_mode"]
    if desired.get("bootstrap_cluster_creator_admin_permissions") is not None:
        access["bootstrapClusterCreatorAdminPermissions"] = desired["bootstrap_cluster_creator_admin_permissions"]
    if access:
        request["accessConfig"] = access
    return request


def plan_update(current, desired, purge_tags=True):
    """``(updates, tag_changes)`` for an existing cluster; what EKS cannot change in place fails here.

    ``updates`` is a list of ``(operation, kwargs, description)`` to run one at a time (EKS allows one
    update in progress). Options left None are not managed.
    """
    vpc = current.get("resourcesVpcConfig") or {}
    refusals = []
    if desired.get("role_arn") and desired["role_arn"] != current.get("roleArn"):
        refusals.append("role_arn (%s -> %s)" % (current.get("roleArn"), desired["role_arn"]))
    if desired.get("subnet_ids") and set(desired["subnet_ids"]) != set(vpc.get("subnetIds") or []):
        refusals.append("subnet_ids")
    keys = [c.get("provider", {}).get("keyArn") for c in current.get("encryptionConfig") or []]
    if desired.get("encryption_key_arn") and keys and desired["encryption_key_arn"] not in keys:
        refusals.append("encryption_key_arn (%s -> %s)" % (keys[0], desired["encryption_key_arn"]))
    if refusals:
        raise WandbModuleError(
            "EKS cannot change %s of an existing cluster in place; recreate the cluster (state=absent, then present) "
            "or keep the current values" % ", ".join(refusals)
        )

    updates = []
    if desired.get("version"):
        have, want = parse_version(current.get("version")), parse_version(desired["version"])
        if want < have:
            raise WandbModuleError(
                "EKS cannot downgrade Kubernetes from %s to %s" % (current.get("version"), desired["version"])
            )
        if want != have and desired.get("update_version") is False:
            pass  # the version of a new cluster only: eks_upgrade moves an existing one (the eks_cluster role's way)
        elif want != have:
            if want[0] != have[0] or want[1] - have[1] > 1:
                raise WandbModuleError(
                    "EKS upgrades one minor version at a time: %s -> %d.%d first, then %s (the eks_upgrade module "
                    "takes the steps, node groups and add-ons following each)"
                    % (current.get("version"), have[0], have[1] + 1, desired["version"])
                )
            updates.append(
                (
                    "update_cluster_version",
                    {"version": str(desired["version"])},
                    "version %s -> %s" % (current.get("version"), desired["version"]),
                )
            )

    if desired.get("logging_types") is not None:
        for log_type in desired["logging_types"]:
            if log_type not in LOG_TYPES:
                raise WandbModuleError("logging type %r is not one of %s" % (log_type, ", ".join(LOG_TYPES)))
        if set(desired["logging_types"]) != enabled_log_types(current):
            updates.append(
                (
                    "update_cluster_config",
                    {"logging": logging_config(desired["logging_types"])},
                    "logging %s -> %s" % (sorted(enabled_log_types(current)), sorted(desired["logging_types"])),
                )
            )

    endpoint = {}
    for key, param in (
        ("endpointPublicAccess", "endpoint_public_access"),
        ("endpointPrivateAccess", "endpoint_private_access"),
    ):
        if desired.get(param) is not None and bool(vpc.get(key)) != desired[param]:
            endpoint[key] = desired[param]
    if desired.get("public_access_cidrs") is not None and sorted(desired["public_access_cidrs"]) != sorted(
        vpc.get("publicAccessCidrs") or []
    ):
        endpoint["publicAccessCidrs"] = desired["public_access_cidrs"]
    if endpoint:
        updates.append(
            ("update_cluster_config", {"resourcesVpcConfig": endpoint}, "endpoint access %s" % sorted(endpoint))
        )

    mode = desired.get("authentication_mode")
    current_mode = (current.get("accessConfig") or {}).get("authenticationMode") or "CONFIG_MAP"
    if mode and mode != current_mode:
        if AUTH_MODE_ORDER.index(mode) < AUTH_MODE_ORDER.index(current_mode):
            raise WandbModuleError("EKS cannot change authentication_mode back from %s to %s" % (current_mode, mode))
        updates.append(
            (
                "update_cluster_config",
                {"accessConfig": {"authenticationMode": mode}},
                "authentication mode %s -> %s" % (current_mode, mode),
            )
        )

    tags = plan_tags(current.get("tags") or {}, desired.get("tags"), purge_tags)
    return updates, tags


def apply_eks_tags(aws, arn, tags):
    """Carry out a ``plan_tags`` result on any EKS resource (cluster, node group, add-on)."""
    if tags and tags["set"]:
        aws.call("eks", "tag_resource", resourceArn=arn, tags=tags["set"])
    if tags and tags["unset"]:
        aws.call("eks", "untag_resource", resourceArn=arn, tagKeys=tags["unset"])


class EksSubresourceRunner(AwsRunner):
    """What node group and add-on runners share: the resource's key within its cluster, describe, and the steps of
    deleting, creating and updating one (EKS runs one update at a time, so each waits for ACTIVE)."""

    RESOURCE = None  # "nodegroup" or "addon": names the API calls, their key, waiters and response field

    def key(self):
        return {"clusterName": self.params["cluster_name"], "%sName" % self.RESOURCE: self.params["name"]}

    def describe(self):
        response = self.aws.call(
            "eks", "describe_%s" % self.RESOURCE, missing_codes=("ResourceNotFoundException",), **self.key()
        )
        return response[self.RESOURCE] if response else None

    def wait_for(self, state):
        if self.params["wait"]:
            self.aws.wait("eks", "%s_%s" % (self.RESOURCE, state), self.params["wait_timeout"], **self.key())

    def delete(self, current, **extra):
        if current is not None and not self.module.check_mode:
            if current.get("status") != "DELETING":
                self.aws.call("eks", "delete_%s" % self.RESOURCE, **dict(self.key(), **extra))
            self.wait_for("deleted")
        return {
            "changed": current is not None,
            "action": "delete" if current else "none",
            "updates": [],
            self.RESOURCE: None,
        }

    def create(self, request):
        """``request``: the create call's arguments; a role made moments ago in IAM is waited for."""
        if self.module.check_mode:
            return None
        self.aws.call("eks", "create_%s" % self.RESOURCE, iam_roles=True, **request)
        self.wait_for("active")
        return self.describe()

    def update(self, current, calls, descriptions, tags):
        """Run the update ``calls`` ((operation, arguments) in order), then the tags; the result dict."""
        if descriptions and not self.module.check_mode:
            for operation, kwargs in calls:
                self.aws.call("eks", operation, iam_roles=True, **dict(self.key(), **kwargs))
                self.wait_for("active")
            apply_eks_tags(self.aws, current["%sArn" % self.RESOURCE], tags)
            current = self.describe()
        return {
            "changed": bool(descriptions),
            "action": "update" if descriptions else "none",
            "updates": descriptions,
            self.RESOURCE: current,
        }


def cluster_facts(cluster):
    """What later stages need from a cluster, in the module's return shape."""
    if not cluster:
        return dict(exists=False)
    vpc = cluster.get("resourcesVpcConfig") or {}
    return dict(
        exists=True,
        name=cluster.get("name"),
        arn=cluster.get("arn"),
        status=cluster.get("status"),
        version=cluster.get("version"),
        endpoint=cluster.get("endpoint"),
        certificate_authority=(cluster.get("certificateAuthority") or {}).get("data"),
        oidc_issuer=((cluster.get("identity") or {}).get("oidc") or {}).get("issuer"),
        role_arn=cluster.get("roleArn"),
        subnet_ids=vpc.get("subnetIds") or [],
        vpc_id=vpc.get("vpcId"),
        security_group_ids=vpc.get("securityGroupIds") or [],
        cluster_security_group_id=vpc.get("clusterSecurityGroupId"),
        logging_types=sorted(enabled_log_types(cluster)),
        tags=cluster.get("tags") or {},
    )


# The options that describe a cluster (what the module compares and sends).
DESIRED = (
    "version",
    "update_version",
    "role_arn",
    "subnet_ids",
    "security_group_ids",
    "endpoint_public_access",
    "endpoint_private_access",
    "public_access_cidrs",
    "logging_types",
    "encryption_key_arn",
    "authentication_mode",
    "bootstrap_cluster_creator_admin_permissions",
    "tags",
)


class EksClusterRunner(AwsRunner):
    """Create, update in place (one update at a time), or delete one EKS cluster."""

    def describe(self):
        return self.aws.describe_cluster(self.params["name"])

    def desired(self):
        return dict((k, self.params.get(k)) for k in DESIRED)

    def run(self):
        p = self.params
        check_options(p, [("name", "eks_name"), ("public_access_cidrs", "cidrs"), ("subnet_ids", "subnet_ids")])
        cluster = self.describe()
        if p["state"] == "absent":
            return self._absent(cluster)
        desired = self.desired()
        if cluster is None:
            validate_create(desired)
            check_subnets(self.aws, desired["subnet_ids"])
            result = dict(changed=True, action="create", updates=[])
            if self.module.check_mode:
                result.update(cluster_facts(None), name=p["name"])
                return result
            self.aws.call("eks", "create_cluster", iam_roles=True, **create_request(p["name"], desired))
            if p["wait"]:
                self.aws.wait("eks", "cluster_active", p["wait_timeout"], name=p["name"])
            result.update(cluster_facts(self.describe()))
            return result
        updates, tags = plan_update(cluster, desired, p["purge_tags"])
        # a cluster being created has no endpoint yet: waited for; one being updated (an upgrade eks_upgrade follows)
        # only when this run has an update of its own to make, as EKS runs one at a time
        busy = cluster.get("status") == "CREATING" or (cluster.get("status") == "UPDATING" and (updates or tags))
        if busy and p["wait"] and not self.module.check_mode:
            self.aws.wait("eks", "cluster_active", p["wait_timeout"], name=p["name"])
            cluster = self.describe()
            updates, tags = plan_update(cluster, desired, p["purge_tags"])
        descriptions = [d for _op, _kwargs, d in updates] + (["tags"] if tags else [])
        result = dict(changed=bool(descriptions), action="update" if descriptions else "none", updates=descriptions)
        if self.module._diff and descriptions:
            result["diff"] = dict(before="\n".join(descriptions) + "\n", after="\n".join(descriptions) + " (applied)\n")
        if descriptions and not self.module.check_mode:
            for operation, kwargs, _description in updates:
                self.aws.call("eks", operation, name=p["name"], **kwargs)
                if p["wait"]:
                    # EKS runs one update at a time: the next one waits for this one.
                    self.aws.wait("eks", "cluster_active", p["wait_timeout"], name=p["name"])
            apply_eks_tags(self.aws, cluster["arn"], tags)
            cluster = self.describe()
        result.update(cluster_facts(cluster))
        return result

    def _absent(self, cluster):
        p = self.params
        if cluster is None:
            return dict(changed=False, action="none", updates=[], **cluster_facts(None))
        if not self.module.check_mode:
            nodegroups = self.aws.call("eks", "list_nodegroups", clusterName=p["name"]).get("nodegroups") or []
            if nodegroups:
                raise WandbModuleError(
                    "cluster %s still has node groups (%s): remove them first (eks_nodegroup state=absent)"
                    % (p["name"], ", ".join(nodegroups))
                )
            if cluster.get("status") != "DELETING":
                self.aws.call("eks", "delete_cluster", name=p["name"])
            if p["wait"]:
                self.aws.wait("eks", "cluster_deleted", p["wait_timeout"], name=p["name"])
        return dict(changed=True, action="delete", updates=[], **cluster_facts(None))


def network_policy_enforced(vpc_cni):
    """Whether the vpc-cni add-on (its DescribeAddon answer, or None) runs its network policy agent: its configuration's
    enableNetworkPolicy (a string in the add-on's schema; JSON or YAML text). Without it NetworkPolicies are stored and
    not enforced."""
    text = (vpc_cni or {}).get("configurationValues") or ""
    try:
        configuration = json.loads(text) if text.strip() else {}
    except ValueError:  # YAML set elsewhere: only its top-level line matters here
        match = re.search(r"^enableNetworkPolicy:\s*['\"]?(\w+)", text, re.M)
        configuration = {"enableNetworkPolicy": match.group(1)} if match else {}
    return str((configuration or {}).get("enableNetworkPolicy", "false")).lower() == "true"


class EksClusterInfoRunner(AwsRunner):
    """The ``eks_cluster_info`` module: what the eks_cluster role publishes as ``eks_cluster_facts``, read only."""

    def run(self):
        p = self.params
        check_options(p, [("name", "eks_name")])
        cluster = self.aws.describe_cluster(p["name"])
        facts = cluster_facts(cluster)
        facts.update(changed=False, name=p["name"], region=self.aws.session.region_name, oidc_provider_arn=None)
        issuer = facts.get("oidc_issuer")
        if issuer:
            suffix = ":oidc-provider/" + issuer_host_path(issuer)
            providers = self.aws.call("iam", "list_open_id_connect_providers").get("OpenIDConnectProviderList") or []
            facts["oidc_provider_arn"] = next((e["Arn"] for e in providers if e["Arn"].endswith(suffix)), None)
        if p["versions"] and cluster is not None:
            # what an upgrade moves: each managed node group's Kubernetes version, each managed add-on's version
            names = self.aws.paginate("eks", "list_nodegroups", "nodegroups", clusterName=p["name"])
            facts["nodegroup_versions"] = dict(
                (
                    n,
                    self.aws.call("eks", "describe_nodegroup", clusterName=p["name"], nodegroupName=n)["nodegroup"][
                        "version"
                    ],
                )
                for n in names
            )
            addons = dict(
                (a, self.aws.call("eks", "describe_addon", clusterName=p["name"], addonName=a)["addon"])
                for a in self.aws.paginate("eks", "list_addons", "addons", clusterName=p["name"])
            )
            facts["addon_versions"] = dict((name, addon["addonVersion"]) for name, addon in addons.items())
            facts["network_policy"] = network_policy_enforced(addons.get("vpc-cni"))
        if p["access"] and cluster is not None:
            facts.update(self._access())
        return facts

    def _access(self):
        """Who may use the cluster: its access entries with their policies, and its Pod Identity associations."""
        name = self.params["name"]
        entries = {}
        for principal in self.aws.paginate("eks", "list_access_entries", "accessEntries", clusterName=name):
            associated = self.aws.paginate(
                "eks",
                "list_associated_access_policies",
                "associatedAccessPolicies",
                clusterName=name,
                principalArn=principal,
            )
            entries[principal] = [
                dict(
                    policy=a["policyArn"].rsplit("/", 1)[-1],
                    namespaces=(a.get("accessScope") or {}).get("namespaces") or None,
                )
                for a in associated
            ]
        associations = {}
        for found in self.aws.paginate("eks", "list_pod_identity_associations", "associations", clusterName=name):
            association = self.aws.call(
                "eks", "describe_pod_identity_association", clusterName=name, associationId=found["associationId"]
            )["association"]
            associations["%s/%s" % (association["namespace"], association["serviceAccount"])] = association["roleArn"]
        return dict(access_entries=entries, pod_identity_associations=associations)
