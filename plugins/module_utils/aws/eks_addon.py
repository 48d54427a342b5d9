# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS managed add-ons: version resolution, decisions (pure) and the runner."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.eks_cluster import (
    EksSubresourceRunner,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import plan_tags
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

LATEST = "latest"
_ADDON_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.(\d+))?")


def addon_version_key(version):
    match = _ADDON_VERSION_RE.match(version or "")
    return tuple(int(x or 0) for x in match.groups()) if match else (-1,)


def resolve_version(addon_versions, wanted):
    """The version to install: the one asked for, or with ``latest`` the newest compatible with the cluster.

    ``addon_versions`` is DescribeAddonVersions' ``addons[0].addonVersions`` for the cluster's Kubernetes version.
    """
    available = [v["addonVersion"] for v in addon_versions or []]
    if not available:
        raise WandbModuleError("EKS offers no version of this add-on for the cluster's Kubernetes version")
    if wanted in (None, "", LATEST):
        return max(available, key=addon_version_key)
    if wanted not in available:
        raise WandbModuleError(
            "add-on version %s is not compatible with the cluster (compatible: %s)"
            % (wanted, ", ".join(sorted(available, key=addon_version_key, reverse=True)[:5]))
        )
    return wanted


def configuration_json(values):
    return json.dumps(values, sort_keys=True, separators=(",", ":")) if values else None


def plan_update(current, version, role_arn, configuration, tags, purge_tags=True):
    """``(update_kwargs, descriptions, tags)``; ``role_arn``/``configuration`` None means unmanaged."""
    update, descriptions = {}, []
    if version and version != current.get("addonVersion"):
        update["addonVersion"] = version
        descriptions.append("version %s -> %s" % (current.get("addonVersion"), version))
    if role_arn == "" and current.get("serviceAccountRoleArn"):
        # UpdateAddon takes no empty role (at least one character), and EKS has no other way to unset it
        raise WandbModuleError(
            "the add-on has the IAM role %s on its service account, which EKS cannot remove in place: keep "
            "service_account_role_arn, or delete the add-on and create it again without one"
            % current["serviceAccountRoleArn"]
        )
    if role_arn is not None and role_arn != (current.get("serviceAccountRoleArn") or ""):
        update["serviceAccountRoleArn"] = role_arn
        descriptions.append("service account role")
    if configuration is not None:
        have = current.get("configurationValues") or ""
        try:
            same = json.loads(have or "{}") == configuration
        except ValueError:  # YAML configuration set elsewhere: compare as text
            same = have == configuration_json(configuration)
        if not same:
            update["configurationValues"] = configuration_json(configuration) or ""
            descriptions.append("configuration values")
    return update, descriptions, plan_tags(current.get("tags") or {}, tags, purge_tags)


class AddonRunner(EksSubresourceRunner):
    RESOURCE = "addon"

    def wanted_version(self):
        cluster = self.aws.describe_cluster(self.params["cluster_name"], missing_ok=False)
        addons = (
            self.aws.call(
                "eks", "describe_addon_versions", addonName=self.params["name"], kubernetesVersion=cluster["version"]
            ).get("addons")
            or []
        )
        if not addons:
            raise WandbModuleError("EKS has no add-on named %r" % self.params["name"])
        return resolve_version(addons[0].get("addonVersions"), self.params["version"])

    def run(self):
        p = self.params
        current = self.describe()
        if p["state"] == "absent":
            return self.delete(current, preserve=p["preserve"])
        version = self.wanted_version()
        if current is None:
            request = dict(
                self.key(), addonVersion=version, resolveConflicts=p["resolve_conflicts"], tags=p["tags"] or {}
            )
            if p["service_account_role_arn"]:
                request["serviceAccountRoleArn"] = p["service_account_role_arn"]
            if p["configuration_values"]:
                request["configurationValues"] = configuration_json(p["configuration_values"])
            current = self.create(request)
            return dict(changed=True, action="create", updates=["version %s" % version], addon=current, version=version)
        update, descriptions, tags = plan_update(
            current, version, p["service_account_role_arn"], p["configuration_values"], p["tags"], p["purge_tags"]
        )
        calls = [("update_addon", dict(update, resolveConflicts=p["resolve_conflicts"]))] if update else []
        result = self.update(current, calls, descriptions + (["tags"] if tags else []), tags)
        result["version"] = version
        return result
