"""Chart sources, release records and every branch of the decision."""

import base64
import gzip
import io
import json
import tarfile

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import HelmError, KubeApiError, WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.release import (
    INSTALL,
    NONE,
    REINSTALL,
    ROLLBACK_UPGRADE,
    UNINSTALL,
    UPGRADE,
    ChartSource,
    ReleaseRecord,
    decide,
    decode_release,
    latest_version,
    read_release_from_storage,
    read_release_with_helm,
    resolve_chart,
    semver_key,
)


def must_not_call(*args):
    raise AssertionError("called %r" % (args,))


# -- versions and chart sources ----------------------------------------------------------------------
def test_semver_ordering():
    assert semver_key("1.10.0") > semver_key("1.9.0")
    assert semver_key("1.0.0") > semver_key("1.0.0-rc.1")
    assert semver_key("1.0.0-rc.10") > semver_key("1.0.0-rc.2")
    assert semver_key("v2") == semver_key("2.0.0")
    assert semver_key("latest") is None


def index(*versions):
    return {"entries": {"demo": [{"version": v} for v in versions]}}


def test_latest_version_skips_prereleases():
    assert latest_version(index("0.9.0", "0.10.0", "1.0.0-rc.1"), "demo", "u") == "0.10.0"


@pytest.mark.parametrize(
    "idx,message",
    [
        (index("1.0.0"), "not in the repository"),
        ({"entries": {"nosuch": [{"version": "1.0.0-rc.1"}]}}, "no stable version"),
    ],
)
def test_latest_version_errors(idx, message):
    name = "nosuch" if "nosuch" in idx["entries"] else "other"
    with pytest.raises(WandbModuleError, match=message):
        latest_version(idx, name, "http://repo")


def test_pinned_repository_chart_reads_nothing():
    source = resolve_chart("demo", "http://127.0.0.1:1", "1.2.3", must_not_call, must_not_call)
    assert (source.kind, source.name, source.version, source.ref, source.pinned) == (
        ChartSource.REPO,
        "demo",
        "1.2.3",
        "demo",
        True,
    )


def test_unpinned_repository_chart_takes_the_newest_from_the_index():
    source = resolve_chart("demo", "http://r", None, lambda url: index("0.1.0", "0.2.0"), must_not_call)
    assert source.version == "0.2.0" and not source.pinned and source.label == "demo-0.2.0"


def test_repository_chart_must_be_a_plain_name():
    with pytest.raises(WandbModuleError, match="chart name"):
        resolve_chart("stable/demo", "http://r", None, must_not_call, must_not_call)


def test_oci_references():
    tagged = resolve_chart("oci://reg/charts/clickhouse:8.0.10", None, None, must_not_call, must_not_call)
    assert (tagged.kind, tagged.ref, tagged.name, tagged.version) == (
        ChartSource.OCI,
        "oci://reg/charts/clickhouse",
        "clickhouse",
        "8.0.10",
    )
    pinned = resolve_chart("oci://reg/charts/clickhouse", None, "8.0.10", must_not_call, must_not_call)
    assert pinned.version == "8.0.10"
    shown = resolve_chart(
        "oci://reg/charts/clickhouse",
        None,
        None,
        must_not_call,
        lambda ref, v: {"name": "clickhouse", "version": "9.1.0"},
    )
    assert shown.version == "9.1.0"
    with pytest.raises(WandbModuleError, match="names version 1.0.0 but chart_version is 2.0.0"):
        resolve_chart("oci://reg/x:1.0.0", None, "2.0.0", must_not_call, must_not_call)


def chart_dir(tmp_path, version="0.3.0"):
    path = tmp_path / "mychart"
    path.mkdir()
    (path / "Chart.yaml").write_text("apiVersion: v2\nname: mychart\nversion: %s\n" % version)
    return path


def test_local_directory_chart(tmp_path):
    source = resolve_chart(str(chart_dir(tmp_path)), None, None, must_not_call, must_not_call)
    assert (source.kind, source.name, source.version) == (ChartSource.LOCAL_DIR, "mychart", "0.3.0")


def test_packaged_chart(tmp_path):
    archive = tmp_path / "mychart-0.4.0.tgz"
    data = b"apiVersion: v2\nname: mychart\nversion: 0.4.0\n"
    with tarfile.open(str(archive), "w:gz") as tar:
        info = tarfile.TarInfo("mychart/Chart.yaml")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    source = resolve_chart(str(archive), None, None, must_not_call, must_not_call)
    assert (source.kind, source.name, source.version) == (ChartSource.LOCAL_TGZ, "mychart", "0.4.0")


def test_local_chart_version_must_match(tmp_path):
    with pytest.raises(WandbModuleError, match="chart_version 9.9.9 asked for"):
        resolve_chart(str(chart_dir(tmp_path)), None, "9.9.9", must_not_call, must_not_call)


def test_unknown_chart_points_at_repo_url(tmp_path):
    with pytest.raises(WandbModuleError, match="repo_url"):
        resolve_chart(str(tmp_path / "nope"), None, None, must_not_call, must_not_call)


def test_directory_without_chart_yaml(tmp_path):
    with pytest.raises(WandbModuleError, match="Chart.yaml"):
        resolve_chart(str(tmp_path), None, None, must_not_call, must_not_call)


# -- release records ---------------------------------------------------------------------------------
RELEASE = {
    "name": "r",
    "namespace": "ns",
    "version": 3,
    "info": {"status": "deployed"},
    "chart": {"metadata": {"name": "demo", "version": "0.1.0", "appVersion": "1.0"}},
    "config": {"a": 1},
}


def encoded(release, secret=True):
    data = base64.b64encode(gzip.compress(json.dumps(release).encode()))
    return base64.b64encode(data).decode() if secret else data.decode()


def test_decode_release_encodings():
    assert decode_release(encoded(RELEASE), double_base64=True) == RELEASE
    assert decode_release(encoded(RELEASE, secret=False), double_base64=False) == RELEASE
    plain = base64.b64encode(json.dumps(RELEASE).encode()).decode()
    assert decode_release(plain, double_base64=False) == RELEASE


class FakeKube(object):
    def __init__(self, items=None, error=None):
        self.items, self.error, self.calls = items or [], error, []

    def list(self, path, label_selector=None):
        self.calls.append((path, label_selector))
        if self.error:
            raise self.error
        return {"items": self.items}


def storage_item(revision, status, secret=True):
    release = dict(RELEASE, version=revision, info={"status": status})
    return {
        "metadata": {"labels": {"version": str(revision), "status": status}},
        "data": {"release": encoded(release, secret)},
    }


def test_storage_read_takes_the_highest_revision_with_one_call():
    kube = FakeKube([storage_item(2, "superseded"), storage_item(10, "deployed"), storage_item(9, "superseded")])
    record = read_release_from_storage(kube, "r", "ns", "secret")
    assert (record.revision, record.status, record.chart_label, record.config) == (
        10,
        "deployed",
        "demo-0.1.0",
        {"a": 1},
    )
    assert kube.calls == [("/api/v1/namespaces/ns/secrets", "owner=helm,name=r")]


def test_configmap_driver_reads_configmaps():
    kube = FakeKube([storage_item(1, "deployed", secret=False)])
    assert read_release_from_storage(kube, "r", "ns", "configmap").revision == 1
    assert kube.calls[0][0] == "/api/v1/namespaces/ns/configmaps"


def test_no_release_and_missing_namespace_read_as_none():
    assert read_release_from_storage(FakeKube([]), "r", "ns", "secret") is None
    assert read_release_from_storage(FakeKube(error=KubeApiError("x", status=404)), "r", "ns", "secret") is None
    with pytest.raises(KubeApiError):
        read_release_from_storage(FakeKube(error=KubeApiError("x", status=403)), "r", "ns", "secret")


def test_corrupt_record_fails_clearly():
    kube = FakeKube([{"metadata": {"labels": {"version": "1"}}, "data": {"release": "not base64!"}}])
    with pytest.raises(WandbModuleError, match="cannot decode the Helm release record"):
        read_release_from_storage(kube, "r", "ns", "secret")


class FakeHelm(object):
    def __init__(self, responses):
        self.responses = responses

    def run_json(self, args):
        response = self.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        return response


def test_helm_fallback_reads_history_and_values():
    helm = FakeHelm([[{"revision": 4, "status": "deployed", "chart": "demo-0.1.0", "app_version": "1.0"}], {"a": 1}])
    record = read_release_with_helm(helm, "r", "ns")
    assert (record.revision, record.status, record.chart_label, record.config, record.chart_name) == (
        4,
        "deployed",
        "demo-0.1.0",
        {"a": 1},
        None,
    )
    assert read_release_with_helm(FakeHelm([HelmError("helm: Error: release: not found")]), "r", "ns") is None


# -- the decision ------------------------------------------------------------------------------------
CHART = ChartSource(ChartSource.REPO, "demo", "demo", "0.1.0")


def record(status="deployed", name="demo", version="0.1.0", config=None, label=None):
    return ReleaseRecord(
        "r", "ns", 1, status, name, version, "1.0", {"a": 1} if config is None else config, chart_label=label
    )


@pytest.mark.parametrize(
    "current,expected",
    [
        (None, NONE),
        (record("uninstalled"), NONE),
        (record("deployed"), UNINSTALL),
        (record("failed"), UNINSTALL),
        (record("pending-install"), UNINSTALL),
    ],
)
def test_absent(current, expected):
    assert decide("absent", current)[0] == expected


@pytest.mark.parametrize(
    "status,expected",
    [
        ("uninstalled", INSTALL),
        ("pending-install", REINSTALL),
        ("uninstalling", REINSTALL),
        ("pending-upgrade", ROLLBACK_UPGRADE),
        ("pending-rollback", ROLLBACK_UPGRADE),
    ],
)
def test_present_recovers_stuck_releases(status, expected):
    assert decide("present", record(status), CHART, {"a": 1})[0] == expected


def test_present_installs_a_missing_release():
    assert decide("present", None, CHART, {}) == (INSTALL, ["release does not exist"])


def test_failed_release_is_upgraded_even_when_unchanged():
    action, reasons = decide("present", record("failed"), CHART, {"a": 1})
    assert action == UPGRADE and reasons == ["release status is failed"]


def test_unchanged_release_is_a_no_op():
    assert decide("present", record(), CHART, {"a": 1.0}) == (NONE, [])
    assert decide("present", record(config={}), CHART, None) == (NONE, [])


@pytest.mark.parametrize(
    "current,values,reason",
    [
        (record(version="0.0.9"), {"a": 1}, "chart version 0.0.9 -> 0.1.0"),
        (record(name="other"), {"a": 1}, "chart name other -> demo"),
        (record(), {"a": 2}, "values differ"),
        (record(), {"a": "1"}, "values differ"),
        (record(name=None, version=None, label="demo-0.0.1"), {"a": 1}, "chart demo-0.0.1 -> demo-0.1.0"),
    ],
)
def test_changes_are_upgrades_with_reasons(current, values, reason):
    action, reasons = decide("present", current, CHART, values)
    assert action == UPGRADE and reasons == [reason]


def test_helm_fallback_record_compares_by_label():
    assert decide("present", record(name=None, version=None, label="demo-0.1.0"), CHART, {"a": 1}) == (NONE, [])
