# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A manual snapshot of W&B's database, named by the caller: an Aurora cluster snapshot or an RDS DB snapshot, the
same calls with the two APIs' names (what a backup set keeps; automated backups expire, manual snapshots stay)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

# The two kinds, by the names their APIs use.
KINDS = {
    "cluster": dict(
        label="Aurora cluster snapshot",
        source_key="DBClusterIdentifier",
        snapshot_key="DBClusterSnapshotIdentifier",
        listing="DBClusterSnapshots",
        describe="describe_db_cluster_snapshots",
        create="create_db_cluster_snapshot",
        delete="delete_db_cluster_snapshot",
        arn_key="DBClusterSnapshotArn",
        missing="DBClusterSnapshotNotFoundFault",
        source_missing="DBClusterNotFoundFault",
        available="db_cluster_snapshot_available",
        deleted="db_cluster_snapshot_deleted",
    ),
    "instance": dict(
        label="RDS DB snapshot",
        source_key="DBInstanceIdentifier",
        snapshot_key="DBSnapshotIdentifier",
        listing="DBSnapshots",
        describe="describe_db_snapshots",
        create="create_db_snapshot",
        delete="delete_db_snapshot",
        arn_key="DBSnapshotArn",
        missing="DBSnapshotNotFound",
        source_missing="DBInstanceNotFound",
        available="db_snapshot_available",
        deleted="db_snapshot_deleted",
    ),
}


def snapshot_facts(kind, snapshot):
    """What the module returns of a snapshot (None: there is none)."""
    if snapshot is None:
        return {"exists": False}
    k = KINDS[kind]
    return {
        "exists": True,
        "name": snapshot[k["snapshot_key"]],
        "arn": snapshot.get(k["arn_key"]),
        "source": snapshot.get(k["source_key"]),
        "status": snapshot.get("Status"),
        "engine": snapshot.get("Engine"),
        "engine_version": snapshot.get("EngineVersion"),
        "created": str(snapshot.get("SnapshotCreateTime") or "") or None,
        "tags": boto3_tag_list_to_ansible_dict(snapshot.get("TagList") or []),
    }


class RdsSnapshotRunner(AwsRunner):
    def run(self):
        p = self.params
        kind = "cluster" if p["db_cluster"] else "instance"
        k = KINDS[kind]
        source = p["db_cluster"] or p["db_instance"]
        found = self.aws.call("rds", k["describe"], (k["missing"],), **{k["snapshot_key"]: p["name"]}) or {}
        current = (found.get(k["listing"]) or [None])[0]
        if current is not None and current.get(k["source_key"]) != source:
            raise WandbModuleError(
                "%s %s exists, of %s, not of %s: choose another name"
                % (k["label"], p["name"], current.get(k["source_key"]), source)
            )
        if p["state"] == "absent":
            if current is not None and not self.module.check_mode:
                self.aws.call("rds", k["delete"], (k["missing"],), **{k["snapshot_key"]: p["name"]})
                if p["wait"]:
                    self.aws.wait("rds", k["deleted"], p["wait_timeout"], **{k["snapshot_key"]: p["name"]})
            change = "%s %s deleted" % (k["label"], p["name"]) if current is not None else None
            return dict(changed=current is not None, changes=[change] if change else [], snapshot={"exists": False})
        if current is None:
            if self.module.check_mode:
                return dict(
                    changed=True,
                    changes=["%s %s of %s created" % (k["label"], p["name"], source)],
                    snapshot={"exists": False},
                )
            request = {k["snapshot_key"]: p["name"], k["source_key"]: source}
            if p["tags"]:
                request["Tags"] = [{"Key": key, "Value": value} for key, value in p["tags"].items()]
            created = self.aws.call("rds", k["create"], (k["source_missing"],), **request)
            if created is None:
                raise WandbModuleError("%s: the database %s does not exist" % (k["label"], source))
            changed, changes = True, ["%s %s of %s created" % (k["label"], p["name"], source)]
        else:
            changed, changes = False, []
        if p["wait"] and (changed or current.get("Status") != "available") and not self.module.check_mode:
            # a snapshot still being made by an earlier, interrupted run is waited for, not made again
            self.aws.wait("rds", k["available"], p["wait_timeout"], **{k["snapshot_key"]: p["name"]})
        latest = self.aws.call("rds", k["describe"], (k["missing"],), **{k["snapshot_key"]: p["name"]}) or {}
        snapshot = (latest.get(k["listing"]) or [current])[0]
        return dict(changed=changed, changes=changes, snapshot=snapshot_facts(kind, snapshot))
