# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An IAM role as one whole: its trust policy, managed policies, inline policies and tags, read and made right in one
module call (the chain's control plane, node and workload roles)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner, plan_tags

_MISSING = ("NoSuchEntity",)
# Policy elements that take one value or a list of them: IAM treats "x" and ["x"] alike, and the order of a list as
# irrelevant.
_SETS = ("Action", "NotAction", "Resource", "NotResource")


def _as_sorted_list(value):
    values = value if isinstance(value, list) else [value]
    return sorted(set(json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else str(v) for v in values))


def canonical_policy(document):
    """A policy document in one form, so that two documents IAM treats alike compare equal: a JSON string parsed, a
    single statement made a list, one-or-many values (actions, resources, principals, condition values) as sorted
    lists."""
    if isinstance(document, str):
        document = json.loads(document)
    document = dict(document or {})
    statements = document.get("Statement") or []
    statements = statements if isinstance(statements, list) else [statements]
    canonical = []
    for statement in statements:
        out = {}
        for key, value in statement.items():
            if key in _SETS:
                out[key] = _as_sorted_list(value)
            elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
                out[key] = dict((kind, _as_sorted_list(ids)) for kind, ids in value.items())
            elif key == "Condition":
                out[key] = dict(
                    (operator, dict((k, _as_sorted_list(v)) for k, v in (pairs or {}).items()))
                    for operator, pairs in (value or {}).items()
                )
            else:
                out[key] = value
        canonical.append(out)
    document["Statement"] = sorted(canonical, key=lambda s: json.dumps(s, sort_keys=True))
    return document


def policy_text(document):
    """A document as the diff shows it: canonical, keys sorted, indented."""
    return json.dumps(canonical_policy(document), indent=2, sort_keys=True)


def plan_role(current, desired, purge_tags=True):
    """What makes the role ``current`` (None: absent; else trust_policy, description, managed_policies,
    inline_policies, tags as read) the role ``desired`` (the same keys; None for what is not managed): a dict of
    changes, empty when nothing changes (pure)."""
    if current is None:
        return {"create": True}
    changes = {}
    if canonical_policy(current["trust_policy"]) != canonical_policy(desired["trust_policy"]):
        changes["trust_policy"] = desired["trust_policy"]
    if desired.get("description") is not None and desired["description"] != (current.get("description") or ""):
        changes["description"] = desired["description"]
    if desired.get("managed_policies") is not None:
        have, want = set(current["managed_policies"]), set(desired["managed_policies"])
        if have != want:
            changes["attach"], changes["detach"] = sorted(want - have), sorted(have - want)
    if desired.get("inline_policies") is not None:
        have, want = current["inline_policies"], desired["inline_policies"]
        put = sorted(n for n in want if n not in have or canonical_policy(have[n]) != canonical_policy(want[n]))
        delete = sorted(n for n in have if n not in want)
        if put or delete:
            changes["put"], changes["delete"] = put, delete
    tags = plan_tags(current.get("tags") or {}, desired.get("tags"), purge_tags)
    if tags:
        changes["tags"] = tags
    return changes


def describe_changes(name, changes, desired):
    """One line per change, as the module's ``changes`` and diff list them."""
    if changes.get("create"):
        lines = ["IAM role %s created" % name]
        lines += ["managed policy %s attached" % arn for arn in sorted(desired.get("managed_policies") or [])]
        lines += ["inline policy %s put" % policy for policy in sorted(desired.get("inline_policies") or {})]
        return lines
    lines = []
    if "trust_policy" in changes:
        lines.append("trust policy replaced")
    if "description" in changes:
        lines.append("description set")
    lines += ["managed policy %s attached" % arn for arn in changes.get("attach", [])]
    lines += ["managed policy %s detached" % arn for arn in changes.get("detach", [])]
    lines += ["inline policy %s put" % policy for policy in changes.get("put", [])]
    lines += ["inline policy %s deleted" % policy for policy in changes.get("delete", [])]
    if "tags" in changes:
        lines.append("tags set %s, removed %s" % (sorted(changes["tags"]["set"]), changes["tags"]["unset"]))
    return lines


def role_text(role):
    """The role as the diff shows it (None: absent)."""
    if role is None:
        return ""
    shown = {
        "trust_policy": canonical_policy(role["trust_policy"]),
        "managed_policies": sorted(role.get("managed_policies") or []),
        "inline_policies": dict((n, canonical_policy(d)) for n, d in (role.get("inline_policies") or {}).items()),
        "tags": role.get("tags") or {},
    }
    if role.get("description") is not None:
        shown["description"] = role["description"]
    return json.dumps(shown, indent=2, sort_keys=True) + "\n"


class IamRoleRunner(AwsRunner):
    """Reads the role in as few calls as prove it right (GetRole, its policy listings, each inline policy), then makes
    only the changes plan_role lists."""

    def read(self, name):
        role = self.aws.call("iam", "get_role", missing_codes=_MISSING, RoleName=name)
        if role is None:
            return None
        role = role["Role"]
        attached = self.aws.paginate("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name)
        inline = {}
        for policy in self.aws.paginate("iam", "list_role_policies", "PolicyNames", RoleName=name):
            document = self.aws.call("iam", "get_role_policy", RoleName=name, PolicyName=policy)["PolicyDocument"]
            inline[policy] = document
        return {
            "arn": role["Arn"],
            "trust_policy": role.get("AssumeRolePolicyDocument") or {},
            "description": role.get("Description") or "",
            "managed_policies": [p["PolicyArn"] for p in attached],
            "inline_policies": inline,
            "tags": boto3_tag_list_to_ansible_dict(role.get("Tags") or []),
        }

    def desired(self):
        p = self.params
        return {
            "trust_policy": p["trust_policy"],
            "description": p["description"],
            "managed_policies": p["managed_policies"],
            "inline_policies": p["inline_policies"],
            "tags": p["tags"],
        }

    def run(self):
        p = self.params
        name = p["name"]
        current = self.read(name)
        if p["state"] == "absent":
            return self.remove(name, current)
        desired = self.desired()
        changes = plan_role(current, desired, p["purge_tags"])
        lines = describe_changes(name, changes, desired)
        arn = current["arn"] if current else None
        if changes and not self.module.check_mode:
            arn = self.apply(name, changes, desired, arn)
        result = dict(changed=bool(changes), arn=arn, name=name, changes=lines)
        if self.module._diff:
            after = dict(current or {}, **dict((k, v) for k, v in desired.items() if v is not None))
            result["diff"] = dict(before=role_text(current), after=role_text(after)) if changes else {}
        return result

    def apply(self, name, changes, desired, arn):
        call = self.aws.call
        if changes.get("create"):
            request = dict(RoleName=name, AssumeRolePolicyDocument=json.dumps(desired["trust_policy"]))
            if desired["description"]:
                request["Description"] = desired["description"]
            if desired["tags"]:
                request["Tags"] = [{"Key": k, "Value": v} for k, v in desired["tags"].items()]
            arn = call("iam", "create_role", **request)["Role"]["Arn"]
            changes = dict(
                attach=sorted(desired["managed_policies"] or []), put=sorted(desired["inline_policies"] or {})
            )
        if "trust_policy" in changes:
            call("iam", "update_assume_role_policy", RoleName=name, PolicyDocument=json.dumps(changes["trust_policy"]))
        if "description" in changes:
            call("iam", "update_role", RoleName=name, Description=changes["description"])
        for policy_arn in changes.get("attach", []):
            call("iam", "attach_role_policy", RoleName=name, PolicyArn=policy_arn)
        for policy_arn in changes.get("detach", []):
            call("iam", "detach_role_policy", RoleName=name, PolicyArn=policy_arn)
        for policy in changes.get("put", []):
            document = json.dumps(desired["inline_policies"][policy])
            call("iam", "put_role_policy", RoleName=name, PolicyName=policy, PolicyDocument=document)
        for policy in changes.get("delete", []):
            call("iam", "delete_role_policy", RoleName=name, PolicyName=policy)
        if "tags" in changes:
            if changes["tags"]["set"]:
                tags = [{"Key": k, "Value": v} for k, v in changes["tags"]["set"].items()]
                call("iam", "tag_role", RoleName=name, Tags=tags)
            if changes["tags"]["unset"]:
                call("iam", "untag_role", RoleName=name, TagKeys=changes["tags"]["unset"])
        return arn

    def remove(self, name, current):
        """IAM deletes a role only once nothing is attached to it: its policies, and the instance profiles it is in
        (earlier releases let amazon.aws's iam_role make one named after the role: that one goes too)."""
        result = dict(changed=current is not None, arn=None, name=name, changes=[])
        if current is None:
            if self.module._diff:
                result["diff"] = {}
            return result
        profiles = self.aws.paginate("iam", "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name)
        result["changes"] = ["IAM role %s deleted, with its policies" % name] + [
            "removed from instance profile %s" % p["InstanceProfileName"]
            + (" (deleted)" if p["InstanceProfileName"] == name else "")
            for p in profiles
        ]
        if self.module._diff:
            result["diff"] = dict(before=role_text(current), after="")
        if self.module.check_mode:
            return result
        call = self.aws.call
        for profile in profiles:
            profile_name = profile["InstanceProfileName"]
            call("iam", "remove_role_from_instance_profile", InstanceProfileName=profile_name, RoleName=name)
            if profile_name == name:
                call("iam", "delete_instance_profile", missing_codes=_MISSING, InstanceProfileName=profile_name)
        for policy_arn in current["managed_policies"]:
            call("iam", "detach_role_policy", missing_codes=_MISSING, RoleName=name, PolicyArn=policy_arn)
        for policy in current["inline_policies"]:
            call("iam", "delete_role_policy", missing_codes=_MISSING, RoleName=name, PolicyName=policy)
        call("iam", "delete_role", missing_codes=_MISSING, RoleName=name)
        return result
