# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A ClickHouse database backed up to, or restored from, an S3 directory with ClickHouse's own BACKUP and RESTORE.

No key is in a statement: ClickHouse takes S3 credentials from its environment (the service account's IAM role), so
nothing secret reaches its query log. A backup is a directory (a URL ending in ``/``): ClickHouse refuses an archive
ON CLUSTER. Both run ASYNC and are followed in ``system.backups`` - on every replica of ``cluster`` when one is given,
since the Service behind the proxy may answer from any replica."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.selfmanaged.wandb.plugins.module_utils.clickhouse.http import (
    BACKUP_ALREADY_EXISTS,
    ClickHouseError,
    ClickHouseHttp,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import KubeRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.secret import read_secret_value
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import problem

RUNNING = ("CREATING_BACKUP", "RESTORING")
DONE = {"backed_up": "BACKUP_CREATED", "restored": "RESTORED"}


def identifier(name, what):
    found = problem(name, "identifier")
    if found:
        raise WandbModuleError("%s %r %s" % (what, name, found))
    return "`%s`" % name


def backup_target(url, what="url"):
    """``S3('<url>')``: a directory URL (ClickHouse takes no archive ON CLUSTER) with nothing to escape."""
    found = problem(url, "s3_directory_url")
    if found:
        raise WandbModuleError("%s %r %s" % (what, url, found))
    return "S3('%s')" % url


def on_cluster(cluster):
    return " ON CLUSTER %s" % identifier(cluster, "on_cluster") if cluster else ""


def backup_sql(database, url, cluster=None, base_url=None):
    sql = "BACKUP DATABASE %s%s TO %s" % (identifier(database, "database"), on_cluster(cluster), backup_target(url))
    if base_url:
        sql += " SETTINGS base_backup = %s" % backup_target(base_url, "base_url")
    return sql + " ASYNC"


def restore_sql(database, url, cluster=None):
    return "RESTORE DATABASE %s%s FROM %s ASYNC" % (
        identifier(database, "database"),
        on_cluster(cluster),
        backup_target(url),
    )


def backups_table(replicas_of):
    """``system.backups`` of the replica that answers, or of every replica of a cluster."""
    if not replicas_of:
        return "system.backups"
    identifier(replicas_of, "cluster")
    return "clusterAllReplicas('%s', system.backups)" % replicas_of


def quote_string(value):
    return "'%s'" % value.replace("\\", "\\\\").replace("'", "\\'")


def latest_operation(rows):
    """The newest operation of the rows of system.backups (several replicas may each list theirs)."""
    return max(rows, key=lambda r: r.get("start_time") or "") if rows else None


class BackupRunner(KubeRunner):
    poll_interval = 2

    def client(self):
        p = self.params
        secret = p["password_secret"]
        password = read_secret_value(self.kube, p["namespace"], secret["name"], secret.get("key") or "admin-password")
        return ClickHouseHttp(self.kube, p["namespace"], p["service"], p["port"], p["user"], password)

    def operations(self, clickhouse, where):
        table = backups_table(self.params["cluster"])
        return clickhouse.rows(
            "SELECT id, name, status, error, toString(start_time) AS start_time, toString(end_time) AS end_time, "
            "num_files, total_size FROM %s WHERE %s" % (table, where)
        )

    def follow(self, clickhouse, operation_id, what):
        """Until the operation is done; ClickHouse's own error when it fails."""

        def finished():
            rows = self.operations(clickhouse, "id = %s" % quote_string(operation_id))
            row = latest_operation(rows)
            return row if row and row["status"] not in RUNNING else None

        row = self.wait_until(
            finished,
            self.params["wait_timeout"],
            self.poll_interval,
            lambda: WandbModuleError(
                "%s %s did not finish within %d s (system.backups id %s); a re-run waits for it"
                % (what, self.params["url"], self.params["wait_timeout"], operation_id)
            ),
        )
        if row["status"] != DONE[self.params["state"]]:
            error = (row.get("error") or "no error text").split(", Stack trace")[0]  # the server's, not the user's
            raise WandbModuleError(
                "%s %s failed (%s): %s" % (what, self.params["url"], row["status"], error), operation=row
            )
        return row

    def run(self):
        p = self.params
        database = p["database"]
        statement = (
            backup_sql(database, p["url"], p["on_cluster"], p["base_url"])
            if p["state"] == "backed_up"
            else restore_sql(database, p["url"], p["on_cluster"])
        )
        clickhouse = self.client()
        operation = self.back_up if p["state"] == "backed_up" else self.restore
        try:
            result = operation(clickhouse, statement)
        except ClickHouseError as exc:
            raise WandbModuleError(exc.msg, queries=clickhouse.queries, **exc.details) from exc
        result.update(url=p["url"], database=database, queries=clickhouse.queries)
        return result

    def back_up(self, clickhouse, statement):
        p = self.params
        target = backup_target(p["url"])
        # the newest operation on this URL, on any replica: done already, or still running (resumed, not restarted)
        previous = latest_operation(
            self.operations(
                clickhouse, "name = %s AND status IN ('BACKUP_CREATED', 'CREATING_BACKUP')" % quote_string(target)
            )
        )
        if previous and previous["status"] == "BACKUP_CREATED":
            return dict(changed=False, operation=previous, msg="backup already at %s" % p["url"])
        if self.module.check_mode:
            return dict(
                changed=True, operation=previous, msg="would back up database %s to %s" % (p["database"], p["url"])
            )
        if previous is None:
            try:
                started = clickhouse.rows(statement)
            except ClickHouseError as exc:
                if exc.code != BACKUP_ALREADY_EXISTS:
                    raise
                # made earlier, by a server that has restarted since (system.backups lives in memory)
                return dict(changed=False, operation=None, msg="backup already at %s" % p["url"])
            operation_id = started[0]["id"]
        else:
            operation_id = previous["id"]
        row = self.follow(clickhouse, operation_id, "backup of database %s to" % p["database"])
        return dict(changed=True, operation=row, msg="backed up database %s to %s" % (p["database"], p["url"]))

    def restore(self, clickhouse, statement):
        """Into an empty database only, unless ``replace``: then the database is first renamed aside (kept, and
        renamed back if the restore fails), so no data is lost either way."""
        p = self.params
        database = identifier(p["database"], "database")
        filled = clickhouse.rows(
            "SELECT name, total_rows FROM system.tables WHERE database = %s AND total_rows > 0 ORDER BY name"
            % quote_string(p["database"])
        )
        aside = None
        if filled:
            listed = ", ".join("%s (%s rows)" % (t["name"], t["total_rows"]) for t in filled)
            if not p["replace"]:
                raise WandbModuleError(
                    "database %s is not empty - %s; a restore would mix its rows with the backup's. Set replace "
                    "(restore_replace) to keep it aside as %s_before_restore and restore into a new one"
                    % (p["database"], listed, p["database"])
                )
            aside = p["database"] + "_before_restore"
            existing = clickhouse.rows("SELECT name FROM system.databases WHERE name = %s" % quote_string(aside))
            if existing:
                raise WandbModuleError(
                    "database %s exists from an earlier restore; drop it (or rename it) once you no longer need it"
                    % aside
                )
        if self.module.check_mode:
            msg = "would restore database %s from %s" % (p["database"], p["url"])
            return dict(
                changed=True, kept_as=aside, msg=msg + (" (keeping the current one as %s)" % aside if aside else "")
            )
        if aside:
            clickhouse.execute(
                "RENAME DATABASE %s TO %s%s" % (database, identifier(aside, "database"), on_cluster(p["on_cluster"]))
            )
        try:
            operation_id = clickhouse.rows(statement)[0]["id"]
            row = self.follow(clickhouse, operation_id, "restore of database %s from" % p["database"])
        except WandbModuleError:
            if aside:  # put the database back as it was
                clickhouse.execute("DROP DATABASE IF EXISTS %s%s SYNC" % (database, on_cluster(p["on_cluster"])))
                clickhouse.execute(
                    "RENAME DATABASE %s TO %s%s"
                    % (identifier(aside, "database"), database, on_cluster(p["on_cluster"]))
                )
            raise
        msg = "restored database %s from %s" % (p["database"], p["url"])
        return dict(
            changed=True, operation=row, kept_as=aside, msg=msg + (" (the old one kept as %s)" % aside if aside else "")
        )
