"""Kubernetes access resolution: kubeconfig files and dicts, overrides, exec plugins, errors."""

import base64
import json
import subprocess

import pytest
import yaml

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.access import (
    K8S_ACCESS_ARGSPEC,
    resolve_cluster_access,
)

CA = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"


def params(**given):
    result = dict((name, None) for name in K8S_ACCESS_ARGSPEC)
    result.update(given)
    return result


def b64(text):
    return base64.b64encode(text.encode()).decode()


def kubeconfig(context="ctx", server="https://10.0.0.1:6443", user=None, cluster_extra=None, current=True):
    cluster = {"server": server}
    cluster.update(cluster_extra or {"certificate-authority-data": b64(CA)})
    config = {
        "clusters": [{"name": "c-" + context, "cluster": cluster}],
        "users": [{"name": "u-" + context, "user": user if user is not None else {"token": "tok-" + context}}],
        "contexts": [
            {"name": context, "context": {"cluster": "c-" + context, "user": "u-" + context, "namespace": "ns"}}
        ],
    }
    if current:
        config["current-context"] = context
    return config


def run_command(cmd, environ_update=None):
    proc = subprocess.run(
        cmd,
        env=dict(__import__("os").environ, **(environ_update or {})),
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(autouse=True)
def no_ambient_config(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)


def test_kubeconfig_dict():
    access = resolve_cluster_access(params(kubeconfig=kubeconfig()))
    assert (access.server, access.token, access.ca_data, access.namespace) == (
        "https://10.0.0.1:6443",
        "tok-ctx",
        CA,
        "ns",
    )
    assert access.kubeconfig_path is None  # helm gets a rendered private file


def test_kubeconfig_file_with_relative_paths(tmp_path):
    (tmp_path / "ca.crt").write_text(CA)
    (tmp_path / "client.crt").write_text("CERT")
    (tmp_path / "client.key").write_text("KEY")
    config = kubeconfig(
        user={"client-certificate": "client.crt", "client-key": "client.key"},
        cluster_extra={"certificate-authority": "ca.crt"},
    )
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(config))
    access = resolve_cluster_access(params(kubeconfig=str(path), context="ctx"))
    assert (access.ca_data, access.client_cert_data, access.client_key_data) == (CA, "CERT", "KEY")
    assert (access.kubeconfig_path, access.context) == (str(path), "ctx")


def test_missing_context_lists_the_known_ones():
    with pytest.raises(WandbModuleError, match=r"context 'other' is not in the kubeconfig \(it has: ctx\)"):
        resolve_cluster_access(params(kubeconfig=kubeconfig(), context="other"))


def test_kubeconfig_env_list_merges_first_wins(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    first.write_text(yaml.safe_dump(kubeconfig("one")))
    both = kubeconfig("one", server="https://ignored:1")
    both["contexts"] += kubeconfig("two")["contexts"]
    both["clusters"] += kubeconfig("two", server="https://two:443")["clusters"]
    both["users"] += kubeconfig("two")["users"]
    both["current-context"] = "two"
    second.write_text(yaml.safe_dump(both))
    monkeypatch.setenv("KUBECONFIG", "%s:%s" % (first, second))
    access = resolve_cluster_access(params())
    assert (access.server, access.context, access.kubeconfig_path) == ("https://10.0.0.1:6443", "one", None)
    assert resolve_cluster_access(params(context="two")).server == "https://two:443"


def test_host_and_api_key():
    access = resolve_cluster_access(params(host="https://127.0.0.1:6443/", api_key="t"))
    assert (access.server, access.token, access.source) == ("https://127.0.0.1:6443", "t", "host")


def test_overrides_apply_and_stop_helm_from_reading_the_file(tmp_path):
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(kubeconfig()))
    (tmp_path / "other-ca.crt").write_text("OTHER")
    access = resolve_cluster_access(
        params(kubeconfig=str(path), api_key="override", validate_certs=False, ca_cert=str(tmp_path / "other-ca.crt"))
    )
    assert (access.token, access.insecure, access.ca_data, access.kubeconfig_path) == ("override", True, "OTHER", None)


def test_nothing_configured_says_what_to_set():
    with pytest.raises(WandbModuleError, match="no Kubernetes access configured.*eks_cluster_name"):
        resolve_cluster_access(params())


def test_missing_kubeconfig_path():
    with pytest.raises(WandbModuleError, match="does not exist"):
        resolve_cluster_access(params(kubeconfig="/nonexistent/config"))


def exec_user(tmp_path, script):
    plugin = tmp_path / "plugin.sh"
    plugin.write_text("#!/bin/sh\n" + script)
    plugin.chmod(0o755)
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": str(plugin),
            "args": ["a"],
            "env": [{"name": "PLUGIN_VALUE", "value": "from-env"}],
        }
    }


def test_exec_credential_plugin(tmp_path):
    credential = {"kind": "ExecCredential", "status": {"token": "exec-$PLUGIN_VALUE-$1"}}
    user = exec_user(
        tmp_path, "echo '%s' | sed \"s/\\$PLUGIN_VALUE/$PLUGIN_VALUE/; s/\\$1/$1/\"\n" % json.dumps(credential)
    )
    access = resolve_cluster_access(params(kubeconfig=kubeconfig(user=user)), run_command)
    assert access.token == "exec-from-env-a"


def test_failing_exec_plugin_reports_its_stderr(tmp_path):
    user = exec_user(tmp_path, "echo 'token expired' >&2; exit 1\n")
    with pytest.raises(WandbModuleError, match="token expired"):
        resolve_cluster_access(params(kubeconfig=kubeconfig(user=user)), run_command)


def test_auth_provider_is_refused():
    with pytest.raises(WandbModuleError, match="auth-provider"):
        resolve_cluster_access(params(kubeconfig=kubeconfig(user={"auth-provider": {"name": "gcp"}})))


def test_to_kubeconfig_round_trips():
    access = resolve_cluster_access(params(kubeconfig=kubeconfig()))
    again = resolve_cluster_access(params(kubeconfig=access.to_kubeconfig()))
    assert (again.server, again.token, again.ca_data) == (access.server, access.token, access.ca_data)
