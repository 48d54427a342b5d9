"""The Helm client: durations, Helm 3/4 flags, version detection, errors."""

import json

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import HelmError, WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.client import HelmClient, HelmFlags, helm_duration


class FakeModule(object):
    def __init__(self, responses=None, helm_path="/usr/bin/helm"):
        self.responses = list(responses or [])
        self.calls = []
        self.helm_path = helm_path

    def get_bin_path(self, name):
        return self.helm_path

    def run_command(self, cmd, environ_update=None):
        self.calls.append((cmd, environ_update))
        return self.responses.pop(0)


@pytest.mark.parametrize(
    "given,expected", [("300", "300s"), (300, "300s"), ("5m", "5m"), ("1h30m", "1h30m"), ("1.5h", "1.5h")]
)
def test_helm_duration_accepts_seconds_and_durations(given, expected):
    assert helm_duration(given) == expected


@pytest.mark.parametrize("given", ["5 minutes", "-1", "0", "abc", "5x"])
def test_helm_duration_rejects_the_rest(given):
    with pytest.raises(WandbModuleError, match=r"neither seconds \(more than 0\) nor a duration"):
        helm_duration(given)


@pytest.mark.parametrize(
    "major,atomic,wait", [(3, "--atomic", "--wait"), (4, "--rollback-on-failure", "--wait=watcher")]
)
def test_flags_per_helm_version(major, atomic, wait):
    flags = HelmFlags(major)
    args = flags.upgrade("r", "chart", "ns", "/tmp/v.json", atomic=True)
    assert atomic in args and wait in args  # atomic implies wait
    assert flags.upgrade("r", "chart", "ns", None, wait=True).count(wait) == 1
    assert atomic not in flags.upgrade("r", "chart", "ns", None, wait=True)
    assert flags.uninstall("r", "ns", wait=True, timeout="60")[-3:] == [wait, "--timeout", "60s"]


def test_upgrade_arguments_for_every_option():
    args = HelmFlags(3).upgrade(
        "rel",
        "demo",
        "ns",
        "/tmp/values.json",
        chart_version="1.2.3",
        repo_url="http://127.0.0.1:1",
        timeout="5m",
        skip_crds=True,
        history_max=5,
        create_namespace=True,
    )
    assert args[:7] == ["upgrade", "rel", "demo", "--namespace", "ns", "--output", "json"]
    for expected in (
        ["--repo", "http://127.0.0.1:1"],
        ["--version", "1.2.3"],
        ["--values", "/tmp/values.json"],
        ["--timeout", "5m"],
        ["--history-max", "5"],
    ):
        index = args.index(expected[0])
        assert args[index : index + 2] == expected
    assert {"--install", "--create-namespace", "--skip-crds"} <= set(args)
    assert "--wait" not in args and "--atomic" not in args


def test_plain_upgrade_without_optional_flags():
    args = HelmFlags(4).upgrade("rel", "./chart", "ns", None, install=False)
    assert args == ["upgrade", "rel", "./chart", "--namespace", "ns", "--output", "json"]


def test_rollback_with_and_without_revision():
    assert HelmFlags(3).rollback("r", "ns") == ["rollback", "r", "--namespace", "ns"]
    assert HelmFlags(4).rollback("r", "ns", 2) == ["rollback", "r", "2", "--namespace", "ns"]


@pytest.mark.parametrize("out,major", [("v3.17.2", 3), ("v4.3.1", 4)])
def test_version_is_detected_once(out, major):
    module = FakeModule([(0, out, "")])
    helm = HelmClient(module, kube_args=["--kubeconfig", "/k"])
    assert helm.version[0] == major and helm.flags.major == major
    assert helm.version[0] == major
    assert len(module.calls) == 1
    assert "--kubeconfig" not in module.calls[0][0]  # `helm version` needs no cluster


@pytest.mark.parametrize("out", ["v3.7.0", "v2.16.0"])
def test_old_helm_is_refused(out):
    with pytest.raises(WandbModuleError, match="too old"):
        assert HelmClient(FakeModule([(0, out, "")])).version is None


def test_missing_helm_says_what_to_do():
    with pytest.raises(WandbModuleError, match="helm_binary"):
        HelmClient(FakeModule(helm_path=None))


def test_helm_binary_must_be_executable(tmp_path):
    path = tmp_path / "helm"
    path.write_text("not executable")
    with pytest.raises(WandbModuleError, match="not an executable file"):
        HelmClient(FakeModule(), binary=str(path))


def test_failed_command_carries_helms_error_without_warnings():
    module = FakeModule([(1, "", "WARNING: kubeconfig is group-readable\nError: UPGRADE FAILED: boom\n")])
    helm = HelmClient(module, kube_args=["--kube-context", "c"], env={"HELM_REPOSITORY_CONFIG": "/tmp/r"})
    with pytest.raises(HelmError) as raised:
        helm.run(["upgrade", "x"])
    assert raised.value.msg == "helm: Error: UPGRADE FAILED: boom"
    assert module.calls[0] == (
        ["/usr/bin/helm", "upgrade", "x", "--kube-context", "c"],
        {"HELM_REPOSITORY_CONFIG": "/tmp/r"},
    )
    assert helm.commands == ["/usr/bin/helm upgrade x --kube-context c"]


def test_unreachable_cluster_is_explained():
    helm = HelmClient(
        FakeModule(
            [(1, "", "Error: Kubernetes cluster unreachable: dial tcp 127.0.0.1:9: connect: connection refused")]
        )
    )
    with pytest.raises(HelmError, match="Kubernetes API is unreachable"):
        helm.run(["list"])


@pytest.mark.parametrize(
    "error",
    [
        'Error: looks like "http://127.0.0.1:9" is not a valid chart repository or cannot be reached: Get '
        '"http://127.0.0.1:9/index.yaml": dial tcp 127.0.0.1:9: connect: connection refused',
        'Error: failed to do request: Head "https://registry.example.com/v2/charts/x/manifests/1.0.0": '
        "dial tcp: lookup "
        "registry.example.com: no such host (oci://registry.example.com/charts/x)",
    ],
)
def test_unreachable_chart_repository_is_not_blamed_on_the_cluster(error):
    helm = HelmClient(FakeModule([(1, "", error)]))
    with pytest.raises(HelmError) as raised:
        helm.run(["upgrade", "x"])
    assert "chart repository is unreachable" in raised.value.msg and "Kubernetes" not in raised.value.msg


def test_run_json_tolerates_text_before_the_json():
    release = {"name": "r", "info": {"status": "deployed"}}
    helm = HelmClient(FakeModule([(0, "NOTES: hi\n" + json.dumps(release), "")]))
    assert helm.run_json(["status", "r"]) == release
