# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM OIDC provider of an EKS cluster's issuer (what ``eksctl utils associate-iam-oidc-provider`` makes)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.irsa import issuer_host_path
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner, plan_tags
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

STS_AUDIENCE = "sts.amazonaws.com"


def plan_provider(current, client_ids, thumbprints, tags, purge_tags=True):
    """Changes for an existing provider: client ids to add/remove, thumbprints, tags (pure)."""
    changes = {}
    have = set(current.get("ClientIDList") or [])
    if set(client_ids) != have:
        changes["add_client_ids"] = sorted(set(client_ids) - have)
        changes["remove_client_ids"] = sorted(have - set(client_ids))
    if thumbprints is not None and sorted(t.lower() for t in thumbprints) != sorted(
        t.lower() for t in current.get("ThumbprintList") or []
    ):
        changes["thumbprints"] = list(thumbprints)
    tag_changes = plan_tags(boto3_tag_list_to_ansible_dict(current.get("Tags") or []), tags, purge_tags)
    if tag_changes:
        changes["tags"] = tag_changes
    return changes


class OidcProviderRunner(AwsRunner):
    def issuer(self):
        p = self.params
        if p["url"]:
            return issuer_host_path(p["url"])
        cluster = self.aws.describe_cluster(p["eks_cluster_name"], missing_ok=False)
        issuer = ((cluster.get("identity") or {}).get("oidc") or {}).get("issuer")
        if not issuer:
            raise WandbModuleError(
                "EKS cluster %r has no OIDC issuer yet (status %s)" % (p["eks_cluster_name"], cluster.get("status"))
            )
        return issuer_host_path(issuer)

    def find(self, issuer):
        for entry in self.aws.call("iam", "list_open_id_connect_providers").get("OpenIDConnectProviderList") or []:
            if entry["Arn"].endswith(":oidc-provider/" + issuer):
                detail = self.aws.call("iam", "get_open_id_connect_provider", OpenIDConnectProviderArn=entry["Arn"])
                return entry["Arn"], detail
        return None, None

    def run(self):
        p = self.params
        issuer = self.issuer()
        arn, current = self.find(issuer)
        result = dict(url="https://" + issuer, issuer=issuer)
        if p["state"] == "absent":
            if arn and not self.module.check_mode:
                self.aws.call("iam", "delete_open_id_connect_provider", OpenIDConnectProviderArn=arn)
            result.update(changed=bool(arn), action="delete" if arn else "none", arn=None)
            return result
        if arn is None:
            if not self.module.check_mode:
                request = dict(
                    Url="https://" + issuer,
                    ClientIDList=p["client_ids"],
                    Tags=[{"Key": k, "Value": v} for k, v in (p["tags"] or {}).items()],
                )
                if p["thumbprints"]:
                    request["ThumbprintList"] = p["thumbprints"]
                arn = self.aws.call("iam", "create_open_id_connect_provider", **request)["OpenIDConnectProviderArn"]
            result.update(changed=True, action="create", arn=arn, changes={})
            return result
        changes = plan_provider(current, p["client_ids"], p["thumbprints"], p["tags"], p["purge_tags"])
        if changes and not self.module.check_mode:
            for client_id in changes.get("add_client_ids", []):
                self.aws.call(
                    "iam", "add_client_id_to_open_id_connect_provider", OpenIDConnectProviderArn=arn, ClientID=client_id
                )
            for client_id in changes.get("remove_client_ids", []):
                self.aws.call(
                    "iam",
                    "remove_client_id_from_open_id_connect_provider",
                    OpenIDConnectProviderArn=arn,
                    ClientID=client_id,
                )
            if "thumbprints" in changes:
                self.aws.call(
                    "iam",
                    "update_open_id_connect_provider_thumbprint",
                    OpenIDConnectProviderArn=arn,
                    ThumbprintList=changes["thumbprints"],
                )
            if "tags" in changes:
                if changes["tags"]["set"]:
                    self.aws.call(
                        "iam",
                        "tag_open_id_connect_provider",
                        OpenIDConnectProviderArn=arn,
                        Tags=[{"Key": k, "Value": v} for k, v in changes["tags"]["set"].items()],
                    )
                if changes["tags"]["unset"]:
                    self.aws.call(
                        "iam",
                        "untag_open_id_connect_provider",
                        OpenIDConnectProviderArn=arn,
                        TagKeys=changes["tags"]["unset"],
                    )
        result.update(changed=bool(changes), action="update" if changes else "none", arn=arn, changes=changes)
        return result
