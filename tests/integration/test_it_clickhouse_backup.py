"""clickhouse_backup through ansible-playbook: a real ClickHouse engine (chdb, ClickHouse 26.x in-process) behind the
testbed's service proxy, backing up to and restoring from moto's S3 with the credentials of its own environment, as a
server on an IAM role does. The one-shard path runs for real here; chdb has no Keeper, so the ON CLUSTER and
clusterAllReplicas statements of a cluster are unit tests (test_clickhouse_backup.py)."""

import json
import os
import secrets

import harness
import localenv
import pytest

ROWS = 1000


@pytest.fixture(scope="module")
def clickhouse(workdir, moto):
    password_file = os.path.join(workdir, "clickhouse-password")
    with open(password_file, "w") as handle:
        handle.write(secrets.token_hex(16))
    server = localenv.ClickHouseHttpServer(workdir, password_file, moto.aws_env()).start()
    with open(password_file) as handle:
        server.password = handle.read()
    yield server
    server.stop()


def sql(server, query):
    return harness.clickhouse_sql(server.port, server.password, query)


SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: clickhouse, namespace: %s}
spec:
  selector: {app.kubernetes.io/name: clickhouse}
  ports: [{name: http, port: 8123}, {name: tcp, port: 9000}]
"""


def weave_database(clickhouse, testbed, namespace):
    """ClickHouse's Service and password Secret in ``namespace``, the fixture behind the Service, and Weave's database
    made anew with two tables; returns the calls' total cost."""
    testbed.kubectl("create", "namespace", namespace)
    testbed.kubectl(
        "create",
        "secret",
        "generic",
        "clickhouse-auth",
        "-n",
        namespace,
        "--from-literal=admin-password=" + clickhouse.password,
    )
    manifest = os.path.join(clickhouse.data, "service-%s.yaml" % namespace)
    with open(manifest, "w") as handle:
        handle.write(SERVICE % namespace)
    testbed.kubectl("apply", "-f", manifest)
    clickhouse.route(testbed, namespace, ["clickhouse"], 8123)
    sql(clickhouse, "DROP DATABASE IF EXISTS wandb_weave_before_restore")
    sql(clickhouse, "DROP DATABASE IF EXISTS wandb_weave")
    sql(clickhouse, "CREATE DATABASE wandb_weave")
    sql(
        clickhouse, "CREATE TABLE wandb_weave.calls (id UInt64, op String, cost Float64) ENGINE = MergeTree ORDER BY id"
    )
    sql(
        clickhouse,
        "INSERT INTO wandb_weave.calls SELECT number, 'op-' || toString(number %% 7), number / 4 FROM numbers(%d)"
        % ROWS,
    )
    sql(clickhouse, "CREATE TABLE wandb_weave.events (id UInt64) ENGINE = MergeTree ORDER BY id")
    sql(clickhouse, "INSERT INTO wandb_weave.events VALUES (1), (2)")
    return sql(clickhouse, "SELECT sum(cost) AS cost FROM wandb_weave.calls")[0]["cost"]


def test_backup_made_once_restored_refused_then_restored_and_replaced(clickhouse, testbed, moto, namespace, tmp_path):
    """Weave's traces backed up to a prefix (planned, made, not twice, incrementally), a restore refused over data,
    the table lost and restored with its rows, a restore that keeps the database there aside; a bucket ClickHouse
    cannot write fails in ClickHouse's words. No password in the output at -vvv or in ClickHouse's query log."""
    bucket = "backups-" + namespace
    harness.aws_clients(moto.url)["s3"].create_bucket(Bucket=bucket)
    cost = weave_database(clickhouse, testbed, namespace)

    backups = "%s/%s/backups" % (moto.url, bucket)
    extra = {
        "kubeconfig": testbed.kubeconfig,
        "ns": namespace,
        "backups": backups,
        "clickhouse_port": clickhouse.port,
        "password": clickhouse.password,
        "rows": ROWS,
        "cost": cost,
    }
    result = harness.run_target("clickhouse_backup", "main.yml", extra, str(tmp_path), verbosity=3)
    # the backups' own files, where the module said
    keys = [o["Key"] for o in harness.aws_clients(moto.url)["s3"].list_objects_v2(Bucket=bucket)["Contents"]]
    assert "backups/one/.backup" in keys and "backups/two/.backup" in keys
    output = result.output.replace(json.dumps(extra), "")  # the test's own extra vars, on the command line
    assert clickhouse.password not in output
    assert clickhouse.password not in clickhouse.queries()


def test_backup_and_restore_playbooks_make_a_set_once_and_bring_it_back(clickhouse, testbed, moto, namespace):
    """playbooks/backup.yml and restore.yml with the demo's inventory: a bad id refused before any change, the plan
    makes nothing, a set (Weave's traces, an Aurora snapshot of W&B's MySQL) with its manifest written last, the same id
    again changes nothing; the database lost, restore.yml -e backup_id=latest brings its rows back; a set that is not
    there is refused, naming the sets that are; retention keeps an incremental set's base, then removes older sets
    whole (objects and snapshot)."""
    weave_database(clickhouse, testbed, namespace)
    bucket = "backups-" + namespace
    aws = harness.aws_clients(moto.url)
    s3, rds = aws["s3"], aws["rds"]
    s3.create_bucket(Bucket=bucket)
    mysql = "wandb-wandb-mysql"  # the demo inventory's wandb_data_name_prefix without a cluster stage: wandb-wandb
    rds.create_db_cluster(
        DBClusterIdentifier=mysql, Engine="aurora-mysql", MasterUsername="wandb", MasterUserPassword="not-a-secret-1"
    )
    # the demo's inventory as site.yml reads it (a chart repository's URL is checked, never read: no chart is installed)
    env = dict(moto.aws_env(), WANDB_DEMO_KUBECONFIG=testbed.kubeconfig, WANDB_DEMO_CHART_REPO="http://127.0.0.1:9")
    wandb_namespace = namespace + "-wandb"
    given = [
        "-e",
        json.dumps(
            {
                "clickhouse_namespace": namespace,
                "clickhouse_backup_url": "%s/%s/weave" % (moto.url, bucket),
                "wandb_weave_namespace": wandb_namespace,
            }
        ),
    ]
    # W&B's writers, as the chart makes them: stopped while the traces are restored, started again as they were
    testbed.kubectl("create", "namespace", wandb_namespace)
    testbed.kubectl(
        "create", "deployment", "wandb-app", "-n", wandb_namespace, "--image=wandb/local:0.85.0", "--replicas=2"
    )
    testbed.kubectl("label", "deployment", "wandb-app", "-n", wandb_namespace, "app.kubernetes.io/instance=wandb")

    def play(playbook, *args):
        return harness.ansible_playbook(
            os.path.join(harness.ROOT, "playbooks", playbook),
            *(given + list(args)),
            inventory=harness.INVENTORY,
            env=harness.ansible_env(env),
        )

    def keys():
        return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))

    refused = play("backup.yml", "-e", "backup_id=before_upgrade")
    assert [f.msg for f in refused.failures] == [
        "backup: backup_id must be 1-63 letters, digits and '-', starting with a letter or digit (it names the set's "
        "S3 prefix and its database snapshot), such as 20261207T020000Z"
    ]
    planned = play("backup.yml", "-e", "backup_id=20261207T020000Z", "--check").require()
    assert "Backup set 20261207T020000Z would be made" in planned.output and keys() == []
    assert (
        rds.describe_db_cluster_snapshots(DBClusterIdentifier=mysql, SnapshotType="manual")["DBClusterSnapshots"] == []
    )
    made = play("backup.yml", "-e", "backup_id=20261207T020000Z").require()
    assert made.changed == 3  # the backup, the snapshot, then the manifest
    assert "weave/20261207T020000Z/.backup" in keys() and "weave/20261207T020000Z/manifest.json" in keys()
    manifest = json.loads(s3.get_object(Bucket=bucket, Key="weave/20261207T020000Z/manifest.json")["Body"].read())
    assert manifest["id"] == "20261207T020000Z" and manifest["clickhouse"]["method"] == "bitnami"
    assert manifest["wandb"] == {
        "mode": "operator",
        "wandb": "0.85.0",
        "console": "2.18.16",
        "chart": "operator-wandb 0.43.8",
    }
    assert manifest["clickhouse"]["url"] == "%s/%s/weave/20261207T020000Z/" % (moto.url, bucket)
    snapshot = rds.describe_db_cluster_snapshots(DBClusterIdentifier=mysql, SnapshotType="manual")[
        "DBClusterSnapshots"
    ][0]
    assert manifest["mysql"]["snapshot"] == snapshot["DBClusterSnapshotIdentifier"] == mysql + "-20261207t020000z"
    assert (
        manifest["mysql"]["engine"] == "aurora-mysql"
        and manifest["mysql"]["snapshot_arn"] == snapshot["DBClusterSnapshotArn"]
    )
    assert clickhouse.password not in json.dumps(manifest)
    again = play("backup.yml", "-e", "backup_id=20261207T020000Z").require(changed=0)
    assert "Backup set 20261207T020000Z was already complete" in again.output

    sql(clickhouse, "DROP DATABASE wandb_weave SYNC")
    restored = play("restore.yml", "-e", "backup_id=latest").require()
    assert "restored database wandb_weave from %s/%s/weave/20261207T020000Z/" % (moto.url, bucket) in restored.output
    assert sql(clickhouse, "SELECT count() AS n FROM wandb_weave.calls") == [{"n": ROWS}]
    assert "  wandb_data_mysql_restore_snapshot: %s-20261207t020000z" % mysql in restored.output
    app = json.loads(testbed.kubectl("get", "deployment", "wandb-app", "-n", wandb_namespace, "-o", "json").stdout)
    assert app["spec"]["replicas"] == 2 and "selfmanaged.wandb/paused-replicas" not in app["metadata"].get(
        "annotations", {}
    )
    assert restored.changed >= 3  # stopped, restored, started again
    missing = play("restore.yml", "-e", "backup_id=before-upgrade")
    assert [f.msg for f in missing.failures] == [
        "restore: backup_id before-upgrade: no complete set (one with a manifest) at %s/%s/weave/; there: "
        "20261207T020000Z" % (moto.url, bucket)
    ]

    # retention: an incremental set keeps its base; once no kept set needs them, older timed sets go whole
    def snapshots():
        found = rds.describe_db_cluster_snapshots(DBClusterIdentifier=mysql, SnapshotType="manual")
        return sorted(s["DBClusterSnapshotIdentifier"] for s in found["DBClusterSnapshots"])

    incremental = ["-e", "backup_id=20261208T020000Z", "-e", "backup_base_id=20261207T020000Z", "-e", "backup_keep=1"]
    play("backup.yml", *incremental).require()
    assert snapshots() == [mysql + "-20261207t020000z", mysql + "-20261208t020000z"]  # the base stays
    rotated = play("backup.yml", "-e", "backup_id=20261209T020000Z", "-e", "backup_keep=1").require()
    assert "set 20261207T020000Z: Aurora cluster snapshot %s-20261207t020000z deleted" % mysql in rotated.output
    assert snapshots() == [mysql + "-20261209t020000z"]
    assert sorted(set(k.split("/")[1] for k in keys())) == ["20261209T020000Z"]
    rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=snapshots()[0])
    rds.delete_db_cluster(DBClusterIdentifier=mysql, SkipFinalSnapshot=True)
