# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS access entries: who may use the cluster's Kubernetes API (the ``API`` authentication mode's answer to the
``aws-auth`` ConfigMap). The plan is pure; ``EksAccessEntriesRunner`` reads, plans and applies it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options

POLICY_PREFIX = "arn:aws:eks::aws:cluster-access-policy/"
# The entries this collection made carry it: only they are ever removed (never EKS's own, such as the node role's,
# nor one made by hand).
MANAGED_TAG = "selfmanaged.wandb/access-entry"


def policy_arn(name):
    return name if name.startswith("arn:") else POLICY_PREFIX + name


def scope(namespaces):
    return {"type": "namespace", "namespaces": sorted(namespaces)} if namespaces else {"type": "cluster"}


def desired_entries(entries):
    """{principal: {groups, username, policies: {policy ARN: scope}}} from the module's ``entries``."""
    return dict(
        (
            e["principal_arn"],
            dict(
                groups=sorted(e.get("kubernetes_groups") or []),
                username=e.get("username"),
                policies=dict((policy_arn(p["policy"]), scope(p.get("namespaces"))) for p in e.get("policies") or []),
            ),
        )
        for e in entries
    )


def _scope_of(associated):
    found = associated.get("accessScope") or {}
    return scope(found.get("namespaces")) if found.get("type") == "namespace" else {"type": "cluster"}


def plan(current, desired, purge):
    """``[(action, principal, detail)]`` in order. ``current``: {principal: {entry, policies: {ARN: scope}}} of the
    entries there are (``entry`` is DescribeAccessEntry's); ``purge``: remove the entries this collection made that
    ``desired`` no longer lists."""
    actions = []
    for principal in sorted(desired):
        want, have = desired[principal], current.get(principal)
        if have is None:
            actions.append(("create", principal, want))
            for arn in sorted(want["policies"]):
                actions.append(("associate", principal, (arn, want["policies"][arn])))
            continue
        entry = have["entry"]
        changes = {}
        if want["groups"] != sorted(entry.get("kubernetesGroups") or []):
            changes["kubernetesGroups"] = want["groups"]
        if want["username"] and want["username"] != entry.get("username"):
            changes["username"] = want["username"]
        if changes:
            actions.append(("update", principal, changes))
        for arn in sorted(want["policies"]):
            if have["policies"].get(arn) != want["policies"][arn]:
                actions.append(("associate", principal, (arn, want["policies"][arn])))
        for arn in sorted(set(have["policies"]) - set(want["policies"])):
            actions.append(("disassociate", principal, arn))
    if purge:
        for principal in sorted(set(current) - set(desired)):
            if (current[principal]["entry"].get("tags") or {}).get(MANAGED_TAG):
                actions.append(("delete", principal, None))
    return actions


def describe(action, principal, detail):
    if action == "create":
        return "create access entry %s" % principal
    if action == "update":
        return "update access entry %s (%s)" % (principal, ", ".join(sorted(detail)))
    if action == "associate":
        arn, where = detail
        return "associate %s with %s (%s)" % (
            arn.rsplit("/", 1)[-1],
            principal,
            "namespaces " + ", ".join(where["namespaces"]) if where["type"] == "namespace" else "cluster",
        )
    if action == "disassociate":
        return "disassociate %s from %s" % (detail.rsplit("/", 1)[-1], principal)
    return "delete access entry %s" % principal


class EksAccessEntriesRunner(AwsRunner):
    """The ``eks_access_entries`` module."""

    def run(self):
        p = self.params
        check_options(p, [("cluster_name", "eks_name"), ("entries", "access_entries")])
        desired = desired_entries(p["entries"])
        self.aws.describe_cluster(p["cluster_name"], missing_ok=False)
        current = {}
        for principal in self.aws.paginate(
            "eks", "list_access_entries", "accessEntries", clusterName=p["cluster_name"]
        ):
            if principal not in desired and not p["purge"]:
                continue  # neither read nor touched
            entry = self.aws.call(
                "eks", "describe_access_entry", clusterName=p["cluster_name"], principalArn=principal
            )["accessEntry"]
            associated = self.aws.paginate(
                "eks",
                "list_associated_access_policies",
                "associatedAccessPolicies",
                clusterName=p["cluster_name"],
                principalArn=principal,
            )
            current[principal] = dict(entry=entry, policies=dict((a["policyArn"], _scope_of(a)) for a in associated))
        actions = plan(current, desired, p["purge"])
        changes = [describe(*a) for a in actions]
        result = dict(changed=bool(actions), changes=changes, principals=sorted(set(desired) | set(current)))
        if self.module._diff and changes:
            result["diff"] = dict(before="", after="\n".join(changes) + "\n")
        if not self.module.check_mode:
            for action in actions:
                self._apply(*action)
            result["principals"] = sorted(
                self.aws.paginate("eks", "list_access_entries", "accessEntries", clusterName=p["cluster_name"])
            )
        return result

    def _apply(self, action, principal, detail):
        p = self.params
        where = dict(clusterName=p["cluster_name"], principalArn=principal)
        try:
            if action == "create":
                request = dict(where, tags=dict(p["tags"] or {}, **{MANAGED_TAG: "managed"}))
                if detail["groups"]:
                    request["kubernetesGroups"] = detail["groups"]
                if detail["username"]:
                    request["username"] = detail["username"]
                self.aws.call("eks", "create_access_entry", **request)
            elif action == "update":
                self.aws.call("eks", "update_access_entry", **dict(where, **detail))
            elif action == "associate":
                self.aws.call("eks", "associate_access_policy", policyArn=detail[0], accessScope=detail[1], **where)
            elif action == "disassociate":
                self.aws.call("eks", "disassociate_access_policy", policyArn=detail, **where)
            else:
                self.aws.call("eks", "delete_access_entry", **where)
        except WandbModuleError as exc:
            raise WandbModuleError("%s: %s" % (describe(action, principal, detail), exc.msg)) from exc


class EksPodIdentityAssociationRunner(AwsRunner):
    """The ``eks_pod_identity_association`` module: IAM roles of service accounts through EKS Pod Identity, one
    service account or several of one namespace (each gets the role); one list call finds them all."""

    def run(self):
        p = self.params
        accounts = p["service_account"] if isinstance(p["service_account"], list) else [p["service_account"]]
        if not accounts:
            raise WandbModuleError("service_account must name at least one service account")
        check_options(p, [("cluster_name", "eks_name"), ("namespace", "k8s_name")])
        for account in accounts:
            check_options(dict(service_account=account), [("service_account", "k8s_name")])
        if p["state"] == "present" and not (p["role_arn"] or "").startswith("arn:"):
            raise WandbModuleError("role_arn is required (an IAM role ARN) with state=present")
        where = dict(clusterName=p["cluster_name"])
        if self.aws.describe_cluster(p["cluster_name"], missing_ok=p["state"] == "absent") is None:
            results = [dict(service_account=a, action="none", association=None) for a in accounts]
            return self.result(accounts, results, [])  # no cluster, no association
        listed = self.aws.paginate(
            "eks", "list_pod_identity_associations", "associations", namespace=p["namespace"], **where
        )
        results, diff = [], []
        for account in accounts:
            found = [a for a in listed if a["serviceAccount"] == account]
            current = None
            if found:
                current = self.aws.call(
                    "eks", "describe_pod_identity_association", associationId=found[0]["associationId"], **where
                )["association"]
            action, association = self.converge(account, current)
            results.append(dict(service_account=account, action=action, association=association))
            if action != "none":
                diff.append(
                    (
                        "%s/%s: %s\n" % (p["namespace"], account, current["roleArn"] if current else "(none)"),
                        "%s/%s: %s\n"
                        % (p["namespace"], account, p["role_arn"] if p["state"] == "present" else "(none)"),
                    )
                )
        return self.result(accounts, results, diff)

    def converge(self, account, current):
        """(action, the association after it) for one service account."""
        p = self.params
        where = dict(clusterName=p["cluster_name"])
        if p["state"] == "absent":
            if current is None:
                return "none", None
            if not self.module.check_mode:
                self.aws.call("eks", "delete_pod_identity_association", associationId=current["associationId"], **where)
            return "delete", None
        if current is None:
            association = None
            if not self.module.check_mode:
                request = dict(where, namespace=p["namespace"], serviceAccount=account, roleArn=p["role_arn"])
                if p["tags"]:
                    request["tags"] = p["tags"]
                association = self.aws.call("eks", "create_pod_identity_association", **request)["association"]
            return "create", association
        if current["roleArn"] != p["role_arn"]:
            association = current
            if not self.module.check_mode:  # in place: the pods keep their association's id
                association = self.aws.call(
                    "eks",
                    "update_pod_identity_association",
                    associationId=current["associationId"],
                    roleArn=p["role_arn"],
                    **where,
                )["association"]
            return "update", association
        return "none", current

    def result(self, accounts, results, diff):
        changed = [r["action"] for r in results if r["action"] != "none"]
        result = dict(changed=bool(changed), action=changed[0] if changed else "none", associations=results)
        if not isinstance(self.params["service_account"], list):
            result["association"] = results[0]["association"]
        if self.module._diff and diff:
            result["diff"] = dict(before="".join(b for b, _a in diff), after="".join(a for _b, a in diff))
        return result
