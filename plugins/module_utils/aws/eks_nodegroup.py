# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS managed node groups: validation, in-place decisions (pure) and the runner."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_cluster import (
    EksSubresourceRunner,
    check_subnets,
    copy_given,
    parse_version,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import plan_tags
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options

# family + generation (+ attributes) "." size, e.g. m5.2xlarge, r6i.2xlarge, c7gn.metal, u-6tb1.metal
_INSTANCE_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[a-z0-9]+$")
TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
CREATE_ONLY = (
    ("instance_types", "instanceTypes"),
    ("ami_type", "amiType"),
    ("disk_size", "diskSize"),
    ("capacity_type", "capacityType"),
    ("node_role_arn", "nodeRole"),
)


def validate(desired, creating):
    for instance_type in desired.get("instance_types") or []:
        if not _INSTANCE_TYPE_RE.match(instance_type):
            raise WandbModuleError(
                "instance type %r is not of the form family.size, such as m5.2xlarge" % instance_type
            )
    scaling = desired.get("scaling") or {}
    low, want, high = scaling.get("min_size"), scaling.get("desired_size"), scaling.get("max_size")
    if None not in (low, high) and low > high:
        raise WandbModuleError("scaling.min_size %s is above scaling.max_size %s" % (low, high))
    if want is not None and ((low is not None and want < low) or (high is not None and want > high)):
        raise WandbModuleError("scaling.desired_size %s is outside [min_size, max_size] = [%s, %s]" % (want, low, high))
    if high is not None and high < 1:
        raise WandbModuleError("scaling.max_size must be at least 1")
    for taint in desired.get("taints") or []:
        if taint.get("effect") not in TAINT_EFFECTS:
            raise WandbModuleError("taint effect %r is not one of %s" % (taint.get("effect"), ", ".join(TAINT_EFFECTS)))
    if desired.get("version"):
        parse_version(desired["version"])
    if creating:
        for key in ("node_role_arn", "subnet_ids"):
            if not desired.get(key):
                raise WandbModuleError("%s is required to create a node group" % key)


def create_request(cluster_name, name, desired):
    scaling = desired.get("scaling") or {}
    request = {
        "clusterName": cluster_name,
        "nodegroupName": name,
        "nodeRole": desired["node_role_arn"],
        "subnets": list(desired["subnet_ids"]),
        "scalingConfig": {
            "minSize": scaling.get("min_size", 1),
            "maxSize": scaling.get("max_size", 1),
            "desiredSize": scaling.get("desired_size", scaling.get("min_size", 1)),
        },
        "labels": dict(desired.get("labels") or {}),
        "tags": dict(desired.get("tags") or {}),
    }
    copy_given(
        desired,
        request,
        instance_types="instanceTypes",
        ami_type="amiType",
        disk_size="diskSize",
        capacity_type="capacityType",
        version="version",
        release_version="releaseVersion",
    )
    if desired.get("taints"):
        request["taints"] = [dict(t) for t in desired["taints"]]
    if desired.get("update_config"):
        request["updateConfig"] = update_config(desired["update_config"])
    return request


def update_config(config):
    if config.get("max_unavailable") is not None:
        return {"maxUnavailable": config["max_unavailable"]}
    return {"maxUnavailablePercentage": config["max_unavailable_percentage"]}


def _taint_key(taint):
    return taint["key"], taint.get("value"), taint["effect"]


def plan_update(current, desired, purge_tags=True):
    """``(updates, tags)`` for an existing node group; create-only settings that differ are refused."""
    refused = []
    for param, key in CREATE_ONLY:
        value = desired.get(param)
        if (
            value is not None
            and value != current.get(key)
            and not (isinstance(value, list) and sorted(value) == sorted(current.get(key) or []))
        ):
            refused.append("%s (%s -> %s)" % (param, current.get(key), value))
    if desired.get("subnet_ids") and sorted(desired["subnet_ids"]) != sorted(current.get("subnets") or []):
        refused.append("subnet_ids")
    if refused:
        raise WandbModuleError(
            "EKS cannot change %s of an existing node group; create a new node group instead" % ", ".join(refused)
        )

    config, descriptions = {}, []
    scaling = desired.get("scaling")
    have = current.get("scalingConfig") or {}
    if scaling:
        want = {
            "minSize": scaling.get("min_size", have.get("minSize")),
            "maxSize": scaling.get("max_size", have.get("maxSize")),
            "desiredSize": scaling.get("desired_size", have.get("desiredSize")),
        }
        if want != dict((k, have.get(k)) for k in want):
            config["scalingConfig"] = want
            descriptions.append("scaling %s -> %s" % (dict((k, have.get(k)) for k in want), want))
    if desired.get("labels") is not None:
        have_labels = current.get("labels") or {}
        add = dict((k, v) for k, v in desired["labels"].items() if have_labels.get(k) != v)
        remove = sorted(k for k in have_labels if k not in desired["labels"])
        if add or remove:
            config["labels"] = dict(
                ({"addOrUpdateLabels": add} if add else {}), **({"removeLabels": remove} if remove else {})
            )
            descriptions.append("labels")
    if desired.get("taints") is not None:
        have_taints = dict((t["key"], t) for t in current.get("taints") or [])
        want_taints = dict((t["key"], t) for t in desired["taints"])
        add = [t for k, t in want_taints.items() if k not in have_taints or _taint_key(have_taints[k]) != _taint_key(t)]
        remove = [t for k, t in have_taints.items() if k not in want_taints]
        if add or remove:
            config["taints"] = dict(
                ({"addOrUpdateTaints": add} if add else {}), **({"removeTaints": remove} if remove else {})
            )
            descriptions.append("taints")
    if desired.get("update_config") and update_config(desired["update_config"]) != current.get("updateConfig"):
        config["updateConfig"] = update_config(desired["update_config"])
        descriptions.append("update config")
    updates = []
    if config:
        updates.append(("update_nodegroup_config", config, ", ".join(descriptions)))
    version = {}
    if desired.get("version") and desired["version"] != current.get("version"):
        version["version"] = desired["version"]
    if desired.get("release_version") and desired["release_version"] != current.get("releaseVersion"):
        version["releaseVersion"] = desired["release_version"]
    if version:
        updates.append(("update_nodegroup_version", version, "version %s" % version))
    return updates, plan_tags(current.get("tags") or {}, desired.get("tags"), purge_tags)


# The options that describe a node group (what the module compares and sends).
DESIRED = (
    "node_role_arn",
    "subnet_ids",
    "instance_types",
    "ami_type",
    "disk_size",
    "capacity_type",
    "scaling",
    "labels",
    "taints",
    "update_config",
    "version",
    "release_version",
    "tags",
)


class NodegroupRunner(EksSubresourceRunner):
    RESOURCE = "nodegroup"

    def run(self):
        p = self.params
        check_options(
            p,
            [
                ("cluster_name", "eks_name"),
                ("name", "eks_nodegroup_name"),
                ("subnet_ids", "subnet_ids"),
                ("labels", "k8s_labels"),
            ],
        )
        current = self.describe()
        if p["state"] == "absent":
            return self.delete(current)
        desired = dict((k, p.get(k)) for k in DESIRED)
        validate(desired, creating=current is None)
        if current is None:
            check_subnets(self.aws, desired["subnet_ids"], min_zones=1)
            current = self.create(create_request(p["cluster_name"], p["name"], desired))
            return dict(changed=True, action="create", updates=[], nodegroup=current)
        updates, tags = plan_update(current, desired, p["purge_tags"])
        descriptions = [description for _operation, _kwargs, description in updates] + (["tags"] if tags else [])
        return self.update(
            current, [(operation, kwargs) for operation, kwargs, _description in updates], descriptions, tags
        )
