"""The statements clickhouse_backup sends, for one server and for a cluster (chdb, in the integration test, has no
Keeper: ON CLUSTER and clusterAllReplicas run only on a real cluster), and how ClickHouse's answers become errors."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.clickhouse.backup import (
    backup_sql,
    backups_table,
    latest_operation,
    restore_sql,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.clickhouse.http import ClickHouseError, ClickHouseHttp
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError

URL = "https://b.s3.us-west-2.amazonaws.com/backups/20261207T020000Z/"
BASE = "https://b.s3.us-west-2.amazonaws.com/backups/20261206T020000Z/"


def test_statements_for_one_server_and_for_a_cluster_of_shards():
    assert backup_sql("wandb_weave", URL) == "BACKUP DATABASE `wandb_weave` TO S3('%s') ASYNC" % URL
    assert backup_sql("wandb_weave", URL, "weave_cluster", BASE) == (
        "BACKUP DATABASE `wandb_weave` ON CLUSTER `weave_cluster` TO S3('%s') SETTINGS base_backup = S3('%s') ASYNC"
        % (URL, BASE)
    )
    assert restore_sql("wandb_weave", URL, "weavecluster") == (
        "RESTORE DATABASE `wandb_weave` ON CLUSTER `weavecluster` FROM S3('%s') ASYNC" % URL
    )
    # the Service may answer from any replica: a cluster's operations are followed on all of them
    assert backups_table(None) == "system.backups"
    assert backups_table("weave_cluster") == "clusterAllReplicas('weave_cluster', system.backups)"


@pytest.mark.parametrize(
    "url",
    [
        "https://b.s3.amazonaws.com/backups/x",  # not a directory
        "https://b.s3.amazonaws.com/backups/x.zip",  # an archive: refused ON CLUSTER
        "s3://b/backups/x/",
        "https://b.s3.amazonaws.com/it's/",
        "",
    ],
)
def test_only_an_http_directory_url_with_nothing_to_escape(url):
    with pytest.raises(WandbModuleError, match="must be an S3 directory URL"):
        backup_sql("wandb_weave", url)


@pytest.mark.parametrize("database", ["wandb-weave", "w`x", "a b", ""])
def test_identifiers_are_plain(database):
    with pytest.raises(WandbModuleError, match="must be letters, digits and underscores"):
        restore_sql(database, URL)


def test_the_newest_operation_of_several_replicas():
    rows = [{"id": "a", "start_time": "2026-12-07 02:00:00"}, {"id": "b", "start_time": "2026-12-07 02:10:00"}]
    assert latest_operation(rows)["id"] == "b" and latest_operation([]) is None


class Proxy(object):
    def __init__(self, status, text):
        self.answer = (status, text)
        self.sent = []

    def proxy(self, method, path, query=None, body=None, headers=None):
        self.sent.append((method, path, query, body, headers))
        return self.answer


def test_the_password_goes_in_clickhouses_headers_and_never_into_an_error():
    kube = Proxy(200, '{"n":1}\n')
    client = ClickHouseHttp(kube, "clickhouse", "clickhouse", "8123", "default", "pw-123")
    assert client.rows("SELECT 1 AS n") == [{"n": 1}]
    method, path, query, body, headers = kube.sent[0]
    assert (method, path) == ("POST", "/api/v1/namespaces/clickhouse/services/http:clickhouse:8123/proxy/")
    assert query == {"default_format": "JSONEachRow"} and body == "SELECT 1 AS n"
    assert headers == {"X-ClickHouse-User": "default", "X-ClickHouse-Key": "pw-123"}

    kube.answer = (500, "Code: 60. DB::Exception: Table x doesn't exist, query had pw-123 in it. (UNKNOWN_TABLE)")
    with pytest.raises(ClickHouseError) as failed:
        client.execute("DROP TABLE x")
    assert failed.value.code == 60 and "pw-123" not in failed.value.msg and "********" in failed.value.msg


@pytest.mark.parametrize(
    "status,text,message",
    [
        (
            403,
            "Code: 516. DB::Exception: default: Authentication failed. (AUTHENTICATION_FAILED)",
            "refused user default",
        ),
        (503, 'no endpoints available for service "clickhouse"', "no ready pod answers"),
        (404, 'services "clickhouse" not found', "no such service"),
    ],
)
def test_answers_that_are_not_clickhouses_results(status, text, message):
    client = ClickHouseHttp(Proxy(status, text), "clickhouse", "clickhouse", "8123", "default", "pw")
    with pytest.raises(WandbModuleError, match=message):
        client.rows("SELECT 1")
