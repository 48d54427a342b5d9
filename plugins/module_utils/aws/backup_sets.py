# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup sets under an S3 prefix (playbooks/backup.yml makes them): each set is ``<prefix>/<id>/`` with
ClickHouse's backup and, written last, ``manifest.json`` - a set with a manifest is complete. Retention keeps the
newest sets named after their time and removes older ones with everything they hold (their objects, their database
snapshot), never a set a kept set is incremental on, never a set named by hand."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.rds_snapshot import KINDS
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

MANIFEST = "manifest.json"
TIMED_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z$")  # backup.yml's default id: the time, UTC


def to_remove(manifests, keep):
    """The ids of the sets retention removes: of the sets named after their time, all but the newest ``keep``, less
    every set a kept set is incremental on, directly or through others (pure)."""
    timed = sorted(i for i in manifests if TIMED_ID.match(i))
    if keep is None or keep <= 0 or len(timed) <= keep:
        return []
    kept = set(manifests) - set(timed[:-keep])
    needed, queue = set(), list(kept)
    while queue:
        base = (manifests.get(queue.pop()) or {}).get("base_id")
        if base and base not in needed:
            needed.add(base)
            queue.append(base)
    return [i for i in timed[:-keep] if i not in needed]


class BackupSetsRunner(AwsRunner):
    def run(self):
        p = self.params
        prefix = p["prefix"].strip("/")
        ids, incomplete = self.set_ids(prefix)
        manifests = dict((i, self.manifest(prefix, i)) for i in ids)
        removed = to_remove(manifests, p["keep"])
        changes = []
        for set_id in removed:
            changes += self.remove(prefix, set_id, manifests[set_id])
        kept = sorted(i for i in ids if i not in removed)
        latest = ([i for i in kept if TIMED_ID.match(i)] or [None])[-1]
        result = dict(
            changed=bool(removed),
            sets=[dict(id=i, manifest=manifests[i]) for i in kept],
            latest=latest,
            incomplete=incomplete,
            removed=removed,
            changes=changes,
        )
        if p["backup_id"]:
            wanted = p["backup_id"] if p["backup_id"] != "latest" else latest
            result["set"] = dict(id=wanted, manifest=manifests[wanted]) if wanted in kept else None
        return result

    def set_ids(self, prefix):
        """(ids of complete sets, ids of sets without a manifest) under the prefix."""
        pages = self.aws.paginate(
            "s3", "list_objects_v2", "CommonPrefixes", Bucket=self.params["bucket"], Prefix=prefix + "/", Delimiter="/"
        )
        ids = [c["Prefix"][len(prefix) + 1 :].rstrip("/") for c in pages]
        complete = []
        for set_id in ids:
            key = "%s/%s/%s" % (prefix, set_id, MANIFEST)
            if self.aws.call("s3", "head_object", ("404", "NoSuchKey"), Bucket=self.params["bucket"], Key=key):
                complete.append(set_id)
        return sorted(complete), sorted(set(ids) - set(complete))

    def manifest(self, prefix, set_id):
        key = "%s/%s/%s" % (prefix, set_id, MANIFEST)
        body = self.aws.call("s3", "get_object", Bucket=self.params["bucket"], Key=key)["Body"].read()
        try:
            return json.loads(body)
        except ValueError as exc:
            raise WandbModuleError("s3://%s/%s is not a manifest (not JSON)" % (self.params["bucket"], key)) from exc

    def remove(self, prefix, set_id, manifest):
        """A set's manifest first (a set half removed is then incomplete, never taken for complete), its database
        snapshot, then its objects."""
        changes = []
        manifest_key = "%s/%s/%s" % (prefix, set_id, MANIFEST)
        if not self.module.check_mode:
            self.aws.call("s3", "delete_object", Bucket=self.params["bucket"], Key=manifest_key)
        mysql = manifest.get("mysql") or {}
        if mysql.get("snapshot"):
            kind = KINDS["cluster" if mysql.get("engine") == "aurora-mysql" else "instance"]
            changes.append("set %s: %s %s deleted" % (set_id, kind["label"], mysql["snapshot"]))
            if not self.module.check_mode:
                self.aws.call("rds", kind["delete"], (kind["missing"],), **{kind["snapshot_key"]: mysql["snapshot"]})
        keys = [
            o["Key"]
            for o in self.aws.paginate(
                "s3", "list_objects_v2", "Contents", Bucket=self.params["bucket"], Prefix="%s/%s/" % (prefix, set_id)
            )
        ]
        ordered = [k for k in keys if k != manifest_key]
        changes.append(
            "set %s: %d objects under s3://%s/%s/%s/ deleted"
            % (set_id, len(keys), self.params["bucket"], prefix, set_id)
        )
        if not self.module.check_mode:
            for start in range(0, len(ordered), 1000):  # DeleteObjects takes at most 1000 keys
                batch = [{"Key": k} for k in ordered[start : start + 1000]]
                answer = self.aws.call("s3", "delete_objects", Bucket=self.params["bucket"], Delete={"Objects": batch})
                if answer.get("Errors"):
                    error = answer["Errors"][0]
                    raise WandbModuleError(
                        "set %s: S3 did not delete %s: %s %s"
                        % (set_id, error.get("Key"), error.get("Code"), error.get("Message"))
                    )
        return changes
