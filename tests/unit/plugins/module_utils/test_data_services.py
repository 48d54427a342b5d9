"""W&B's data services: rds_mysql, elasticache_redis and acm_certificate driven against moto in-process (mock_aws),
with moto's gaps closed as in the local services (tests/fixtures/moto_gaps.py); the password's path through
botocore's Stubber, since moto never returns a master password."""

import base64
import json
import os
import sys

import boto3
import pytest
from aws_options import AWS_OPTIONS
from botocore.stub import ANY, Stubber
from moto import mock_aws

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.acm_certificate import CertificateRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.elasticache_redis import RedisRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.lookups import kms_key_problem
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.rds_mysql import (
    RdsMysqlRunner,
    parameter_group_family,
    version_matches,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsService
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures"))
import moto_gaps  # noqa: E402  (beside the moto server fixture)

moto_gaps.install()
PASSWORD = "Gener4tedOnceInASecret"
W_AND_B = {
    "binlog_format": "ROW",
    "innodb_online_alter_log_max_size": 268435456,
    "max_prepared_stmt_count": 1048576,
    "sort_buffer_size": 67108864,
}


class FakeModule(object):
    _diff = True

    def __init__(self, params, check_mode=False):
        self.params = params
        self.check_mode = check_mode

    def run_command(self, *args, **kwargs):  # pragma: no cover - kubeconfig exec plugins only
        raise AssertionError("not used")


class SecretKube(object):
    """The one Secret rds_mysql reads; counts reads (it must read only when it creates)."""

    def __init__(self, value=PASSWORD):
        self.reads = 0
        self.value = value

    def get(self, path, missing_ok=False):
        self.reads += 1
        assert path == "/api/v1/namespaces/wandb/secrets/wandb-mysql"
        return {"data": {"password": base64.b64encode(self.value.encode()).decode()}}


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.session.Session(region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")


def network(session):
    ec2 = session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i, AvailabilityZone="us-east-1" + z)["Subnet"][
            "SubnetId"
        ]
        for i, z in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName="data", Description="d", VpcId=vpc)["GroupId"]
    return subnets, group


def service():
    aws = AwsService(dict(AWS_OPTIONS))
    aws.wait_delay = 0
    return aws


def mysql_params(subnets, group, **extra):
    params = dict(
        name="wandb-mysql",
        state="present",
        engine="aurora-mysql",
        engine_version=None,
        instance_class="db.r6g.large",
        instances=1,
        allocated_storage=None,
        subnet_ids=subnets,
        security_group_ids=[group],
        database="wandb_local",
        master_username="wandb",
        master_password_secret={"namespace": "wandb", "name": "wandb-mysql", "key": "password"},
        parameters=W_AND_B,
        backup_retention_period=14,
        deletion_protection=True,
        kms_key_id=None,
        skip_final_snapshot=False,
        update_password=False,
        secrets_manager_secret=None,
        tags={"team": "ml"},
        purge_tags=True,
        wait=True,
        wait_timeout=60,
        **AWS_OPTIONS,
    )
    params.update(extra)
    return params


def run_mysql(params, kube=None, check_mode=False):
    runner = RdsMysqlRunner(FakeModule(dict(params), check_mode), aws=service())
    runner.kube = kube or SecretKube()
    return runner.run(), runner


def test_versions_and_families():
    assert parameter_group_family("aurora-mysql", "8.0.mysql_aurora.3.10.0") == "aurora-mysql8.0"
    assert parameter_group_family("mysql", "8.4") == "mysql8.4"
    assert (
        version_matches("8.4.7", "8.4") and not version_matches("8.40.1", "8.4") and version_matches("8.0.1", "8.0.1")
    )


@pytest.mark.parametrize("engine", ["aurora-mysql", "mysql"])
def test_mysql_check_create_rerun_remove(aws, engine):
    subnets, group = network(aws)
    params = mysql_params(subnets, group, engine=engine, allocated_storage=100 if engine == "mysql" else None)
    rds = aws.client("rds")

    # check mode on an empty account: the whole plan, no write, no Secret read
    result, runner = run_mysql(params, check_mode=True)
    assert result["changed"] and runner.kube.reads == 0
    kind = "Aurora MySQL cluster" if engine == "aurora-mysql" else "RDS MySQL instance"
    version = "8.0.mysql_aurora.3.10.0" if engine == "aurora-mysql" else "8.4"
    family = "aurora-mysql8.0" if engine == "aurora-mysql" else "mysql8.4"
    assert result["updates"] == [
        "create DB subnet group wandb-mysql",
        "create parameter group wandb-mysql (%s) with binlog_format, innodb_online_alter_log_max_size, "
        "max_prepared_stmt_count, sort_buffer_size" % family,
        "create %s wandb-mysql %s (encrypted, backups kept 14 days, deletion protection)" % (kind, version),
    ] + (["create instance wandb-mysql-1 (db.r6g.large)"] if engine == "aurora-mysql" else [])
    assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []

    result, runner = run_mysql(params)
    assert result["changed"] and runner.kube.reads == 1
    database = result["database"]
    assert database["host"].startswith("wandb-mysql.") and database["port"] == 3306
    assert database["storage_encrypted"] is True and database["deletion_protection"] is True
    assert database["backup_retention_period"] == 14 and database["security_group_ids"] == [group]
    if engine == "aurora-mysql":
        cluster = rds.describe_db_clusters(DBClusterIdentifier="wandb-mysql")["DBClusters"][0]
        assert cluster["EngineVersion"] == "8.0.mysql_aurora.3.10.0"
        assert cluster["DBClusterParameterGroup"] == "wandb-mysql"
        assert [m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]] == ["wandb-mysql-1"]
        stored = rds.describe_db_cluster_parameters(DBClusterParameterGroupName="wandb-mysql")["Parameters"]
    else:
        stored = rds.describe_db_parameters(DBParameterGroupName="wandb-mysql")["Parameters"]
    assert dict((p["ParameterName"], p["ParameterValue"]) for p in stored) == dict(
        (k, str(v)) for k, v in W_AND_B.items()
    )

    # a re-run changes nothing and does not read the Secret
    result, runner = run_mysql(params)
    assert (result["changed"], result["updates"], runner.kube.reads) == (False, [], 0)

    # a changed setting is updated in place
    result, dummy = run_mysql(dict(params, backup_retention_period=21, parameters=dict(W_AND_B, sort_buffer_size=1024)))
    assert result["updates"] == [
        "parameter group wandb-mysql: sort_buffer_size",
        "wandb-mysql: backup_retention_period 14 -> 21",
    ]

    # a password made anew (its Secret was deleted) is set on the database too
    changed = dict(params, backup_retention_period=21, parameters=dict(W_AND_B, sort_buffer_size=1024))
    result, runner = run_mysql(dict(changed, update_password=True), kube=SecretKube("AnotherGeneratedOne1"))
    assert result["updates"] == ["wandb-mysql: master password (from Secret wandb/wandb-mysql)"]
    assert runner.kube.reads == 1 and "AnotherGeneratedOne1" not in repr(result)

    # removal: protection off, a final snapshot kept; then nothing left and a second removal is a no-op
    result, dummy = run_mysql(dict(params, state="absent"))
    assert result["changed"] and result["final_snapshot"].startswith("wandb-mysql-final-")
    if engine == "aurora-mysql":
        snapshots = rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
        assert [s["DBClusterSnapshotIdentifier"] for s in snapshots] == [result["final_snapshot"]]
    else:
        snapshots = rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
        assert [s["DBSnapshotIdentifier"] for s in snapshots] == [result["final_snapshot"]]
    assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []
    result, dummy = run_mysql(dict(params, state="absent"))
    assert (result["changed"], result["updates"], result["final_snapshot"]) == (False, [], None)


def test_a_copy_in_secrets_manager_follows_the_database(aws):
    subnets, group = network(aws)
    params = mysql_params(subnets, group, secrets_manager_secret="wandb-mysql")
    secrets = aws.client("secretsmanager")
    result, dummy = run_mysql(params, check_mode=True)
    assert "create Secrets Manager secret wandb-mysql (a copy of the master password)" in result["updates"]

    result, dummy = run_mysql(params)
    stored = json.loads(secrets.get_secret_value(SecretId="wandb-mysql")["SecretString"])
    assert stored == {
        "engine": "aurora-mysql",
        "host": result["database"]["host"],
        "port": 3306,
        "dbname": "wandb_local",
        "username": "wandb",
        "password": PASSWORD,
    }
    assert PASSWORD not in repr(result)
    result, runner = run_mysql(params)
    assert (result["changed"], runner.kube.reads) == (False, 0)  # compared without reading the Secret again
    result, dummy = run_mysql(dict(params, update_password=True), kube=SecretKube("AnotherGeneratedOne1"))
    assert result["updates"] == [
        "wandb-mysql: master password (from Secret wandb/wandb-mysql)",
        "Secrets Manager secret wandb-mysql: password",
    ]
    result, dummy = run_mysql(dict(params, state="absent"))
    assert "delete Secrets Manager secret wandb-mysql (recoverable for 7 days)" in result["updates"]
    assert "DeletedDate" in secrets.describe_secret(SecretId="wandb-mysql")
    assert run_mysql(dict(params, state="absent"))[0]["changed"] is False


def test_mysql_create_hands_the_secret_to_rds_only():
    """The password goes from the Secret into CreateDBCluster and nowhere else (not in the result)."""
    aws = service()
    client = aws.client("rds")
    params = mysql_params(["subnet-a", "subnet-b"], "sg-1", parameters={})
    with Stubber(client) as stub:
        stub.add_client_error("describe_db_clusters", "DBClusterNotFoundFault")
        stub.add_response(
            "describe_db_subnet_groups",
            {
                "DBSubnetGroups": [
                    {
                        "DBSubnetGroupName": "wandb-mysql",
                        "Subnets": [{"SubnetIdentifier": "subnet-a"}, {"SubnetIdentifier": "subnet-b"}],
                    }
                ]
            },
        )
        stub.add_response(
            "describe_db_cluster_parameter_groups",
            {"DBClusterParameterGroups": [{"DBClusterParameterGroupName": "wandb-mysql"}]},
        )
        stub.add_response("describe_db_cluster_parameters", {"Parameters": []})
        stub.add_response(
            "create_db_cluster",
            {"DBCluster": {}},
            dict(
                DBClusterIdentifier="wandb-mysql",
                Engine="aurora-mysql",
                EngineVersion="8.0.mysql_aurora.3.10.0",
                MasterUsername="wandb",
                MasterUserPassword=PASSWORD,
                DatabaseName="wandb_local",
                DBSubnetGroupName="wandb-mysql",
                DBClusterParameterGroupName="wandb-mysql",
                VpcSecurityGroupIds=["sg-1"],
                StorageEncrypted=True,
                BackupRetentionPeriod=14,
                DeletionProtection=True,
                CopyTagsToSnapshot=True,
                Tags=ANY,
            ),
        )
        stub.add_response(
            "describe_db_clusters", {"DBClusters": [{"DBClusterIdentifier": "wandb-mysql", "Status": "available"}]}
        )
        stub.add_response(
            "describe_db_clusters",
            {"DBClusters": [{"DBClusterIdentifier": "wandb-mysql", "Endpoint": "h", "Port": 3306}]},
        )
        stub.add_response(
            "describe_db_instances",
            {"DBInstances": [{"DBInstanceIdentifier": "wandb-mysql-1", "DBInstanceClass": "db.r6g.large"}]},
        )
        runner = RdsMysqlRunner(FakeModule(params), aws=aws)
        runner.kube = SecretKube()
        result = runner.run()
        stub.assert_no_pending_responses()
    assert PASSWORD not in repr(result)


@pytest.mark.parametrize(
    "value, message",
    [
        ("short", "not one RDS accepts"),
        ("has/slash-in-it", "not one RDS accepts"),
        ("with space inside", "not one RDS accepts"),
    ],
)
def test_a_password_rds_refuses_is_named_before_any_write(aws, value, message):
    subnets, group = network(aws)
    with pytest.raises(WandbModuleError, match=message) as raised:
        run_mysql(mysql_params(subnets, group), kube=SecretKube(value))
    assert value not in str(raised.value)
    assert aws.client("rds").describe_db_clusters()["DBClusters"] == []


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"name": "Bad_Name"}, "is not an RDS identifier"),
        ({"engine": "mysql"}, "allocated_storage is required"),
        ({"backup_retention_period": 0}, "1-35 days"),
    ],
)
def test_mysql_bad_input(aws, extra, message):
    with pytest.raises(WandbModuleError, match=message):
        run_mysql(mysql_params(["s"], "sg", **extra))


def redis_params(subnets, group, **extra):
    params = dict(
        name="wandb-redis",
        state="present",
        engine_version="7.1",
        node_type="cache.t4g.medium",
        nodes=2,
        subnet_ids=subnets,
        security_group_ids=[group],
        kms_key_id=None,
        snapshot_retention_limit=1,
        tags={"team": "ml"},
        purge_tags=True,
        wait=True,
        wait_timeout=60,
        **AWS_OPTIONS,
    )
    params.update(extra)
    return params


def run_redis(params, check_mode=False):
    return RedisRunner(FakeModule(dict(params), check_mode), service()).run()


def test_redis_check_create_rerun_update_remove(aws):
    subnets, group = network(aws)
    params = redis_params(subnets, group)
    elasticache = aws.client("elasticache")
    result = run_redis(params, check_mode=True)
    assert result["changed"] and elasticache.describe_replication_groups()["ReplicationGroups"] == []

    result = run_redis(params)
    assert result["redis"]["host"].startswith("master.wandb-redis.") and result["redis"]["port"] == 6379
    assert result["redis"]["tls"] and result["redis"]["at_rest_encryption"]
    assert run_redis(params)["changed"] is False
    assert run_redis(dict(params, node_type="cache.r7g.large"))["updates"] == [
        "wandb-redis: node type cache.t4g.medium -> cache.r7g.large"
    ]
    result = run_redis(dict(params, state="absent"))
    assert result["updates"] == ["delete replication group wandb-redis", "delete cache subnet group wandb-redis"]
    assert run_redis(dict(params, state="absent"))["changed"] is False


def test_redis_without_encryption_is_refused_not_kept(aws):
    subnets, group = network(aws)
    elasticache = aws.client("elasticache")
    elasticache.create_cache_subnet_group(
        CacheSubnetGroupName="wandb-redis", CacheSubnetGroupDescription="d", SubnetIds=subnets
    )
    elasticache.create_replication_group(
        ReplicationGroupId="wandb-redis",
        ReplicationGroupDescription="d",
        Engine="redis",
        CacheNodeType="cache.t4g.medium",
    )
    with pytest.raises(WandbModuleError, match="without TLS in transit or encryption at rest"):
        run_redis(redis_params(subnets, group))


def cert_params(**extra):
    params = dict(
        domain_name="wandb.example.com",
        subject_alternative_names=[],
        route53_zone_id=None,
        state="present",
        wait=True,
        wait_timeout=60,
        tags=None,
        purge_tags=True,
        **AWS_OPTIONS,
    )
    params.update(extra)
    return params


def test_certificate_request_validate_find_again_remove(aws, monkeypatch):
    monkeypatch.setattr("moto.settings.ACM_VALIDATION_WAIT", 0)
    zone = aws.client("route53").create_hosted_zone(Name="example.com", CallerReference="t")["HostedZone"]["Id"]
    zone = zone.split("/")[-1]
    params = cert_params(route53_zone_id=zone)
    assert CertificateRunner(FakeModule(params, check_mode=True), service()).run()["certificate"]["exists"] is False
    assert aws.client("acm").list_certificates()["CertificateSummaryList"] == []

    result = CertificateRunner(FakeModule(params), service()).run()
    assert result["certificate"]["status"] == "ISSUED"
    assert result["updates"][0] == "request certificate for wandb.example.com (DNS validation)"
    assert result["updates"][1].startswith("write 1 DNS validation record(s) in zone")
    names = [
        r["Name"] for r in aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    ]
    assert result["certificate"]["validation_records"][0]["name"] in names

    again = CertificateRunner(FakeModule(params), service()).run()
    assert (again["changed"], again["certificate"]["arn"]) == (False, result["certificate"]["arn"])
    # a certificate for the same name made elsewhere (untagged) is neither found nor removed
    other = aws.client("acm").request_certificate(DomainName="wandb.example.com", ValidationMethod="DNS")[
        "CertificateArn"
    ]
    removed = CertificateRunner(FakeModule(dict(params, state="absent")), service()).run()
    assert removed["updates"] == ["delete certificate %s" % result["certificate"]["arn"]]
    assert [c["CertificateArn"] for c in aws.client("acm").list_certificates()["CertificateSummaryList"]] == [other]


@pytest.mark.parametrize(
    "metadata, problem",
    [
        ({"KeyState": "Enabled", "KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT"}, None),
        (None, "does not exist (or these credentials may not describe it)"),
        ({"KeyState": "PendingDeletion"}, "is PendingDeletion, not Enabled"),
        ({"KeyState": "Enabled", "KeyUsage": "SIGN_VERIFY"}, "is a SIGN_VERIFY key, not an ENCRYPT_DECRYPT one"),
        (
            {"KeyState": "Enabled", "KeySpec": "RSA_2048"},
            "is RSA_2048, but S3 encrypts only with symmetric keys (SYMMETRIC_DEFAULT)",
        ),
    ],
)
def test_a_kms_key_a_bucket_cannot_use_says_why(metadata, problem):
    assert kms_key_problem(metadata) == problem


@pytest.mark.parametrize("engine", ["aurora-mysql", "mysql"])
def test_a_database_restored_from_a_snapshot_under_a_new_name(aws, engine):
    """restore_snapshot (restore.yml's way back): the new database from a backup set's snapshot, with the options'
    network, parameters, retention and protection, Aurora's writer added; the password is the snapshot's (the Secret
    is not read); a re-run changes nothing; a snapshot that is not there is named."""
    subnets, group = network(aws)
    params = mysql_params(subnets, group, engine=engine, allocated_storage=100 if engine == "mysql" else None)
    run_mysql(params)
    rds = aws.client("rds")
    if engine == "aurora-mysql":
        rds.create_db_cluster_snapshot(
            DBClusterSnapshotIdentifier="wandb-mysql-set1", DBClusterIdentifier="wandb-mysql"
        )
    else:
        rds.create_db_snapshot(DBSnapshotIdentifier="wandb-mysql-set1", DBInstanceIdentifier="wandb-mysql")
    restored = dict(params, name="wandb-mysql-set1", restore_snapshot="wandb-mysql-set1")

    result, runner = run_mysql(restored, check_mode=True)
    kind = "Aurora MySQL cluster" if engine == "aurora-mysql" else "RDS MySQL instance"
    assert (
        "create %s wandb-mysql-set1 %s from snapshot wandb-mysql-set1 (encrypted, backups kept 14 days, deletion "
        "protection)" % (kind, "8.0.mysql_aurora.3.10.0" if engine == "aurora-mysql" else "8.4") in result["updates"]
    )

    result, runner = run_mysql(restored)
    assert result["changed"] and runner.kube.reads == 0
    assert result["database"]["host"].startswith("wandb-mysql-set1.") and result["database"]["deletion_protection"]
    if engine == "aurora-mysql":
        cluster = rds.describe_db_clusters(DBClusterIdentifier="wandb-mysql-set1")["DBClusters"][0]
        assert (
            cluster["DBClusterParameterGroup"] == "wandb-mysql-set1" and cluster["DBSubnetGroup"] == "wandb-mysql-set1"
        )
        assert [m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]] == ["wandb-mysql-set1-1"]
    else:
        instance = rds.describe_db_instances(DBInstanceIdentifier="wandb-mysql-set1")["DBInstances"][0]
        assert [g["DBParameterGroupName"] for g in instance["DBParameterGroups"]] == ["wandb-mysql-set1"]
    assert rds.describe_db_clusters()["DBClusters"] or rds.describe_db_instances()["DBInstances"]  # the old one kept
    result, runner = run_mysql(restored)
    assert (result["changed"], result["updates"]) == (False, [])

    with pytest.raises(WandbModuleError, match="restore_snapshot wandb-mysql-none: no such snapshot in us-east-1"):
        run_mysql(dict(params, name="wandb-mysql-set2", restore_snapshot="wandb-mysql-none"))
