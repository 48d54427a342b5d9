"""wandb_cr through ansible-playbook against the testbed, with the stand-in W&B operator installing the real
operator-wandb chart (tests/fixtures/wandb_operator_standin.py)."""

import base64
import json

import harness
import pytest

TARGET = "wandb_cr"
# Built at run time, so that a grep of the sources cannot find them either.
LICENSE = "lic-" + "Zq81-fake-license"
MYSQL_PASSWORD = "my-" + "Pw-4417"
CLICKHOUSE_PASSWORD = "ch-" + "Pw-9923"


def scenario_vars(bed, namespace, repo=None):
    # The real chart makes cluster-wide objects named after the release (ClusterRole <name>-console): two W&B
    # resources of one name in two namespaces collide, so each test's resource has its own name.
    return {
        # spec.chart: operator-wandb in the local chart repository, as a private mirror would serve it
        "chart": {"url": repo.url, "name": "operator-wandb", "version": "0.43.8"} if repo else {},
        "kubeconfig": bed.kubeconfig,
        "kubectl_bin": bed.env["KUBECTL_BIN"],
        "ns": namespace,
        "wname": "w" + namespace[1:],
        "license": LICENSE,
        "mysql_password": MYSQL_PASSWORD,
        "clickhouse_password": CLICKHOUSE_PASSWORD,
    }


def run_scenario(name, extra, workdir, **kwargs):
    return harness.run_target(TARGET, name, extra, str(workdir), **kwargs)


@pytest.mark.parametrize(
    "scenario", ["bad_input.yml", "invalid_config.yml", "wait_timeout.yml", "stale_status.yml", "no_chart.yml"]
)
def test_scenario(scenario, wandb_testbed, chart_repo, namespace, tmp_path):
    run_scenario(scenario, scenario_vars(wandb_testbed, namespace, chart_repo), tmp_path)


def test_missing_operator_is_a_clear_error(testbed_noready, tmp_path):
    run_scenario("no_operator.yml", scenario_vars(testbed_noready, "default"), tmp_path)


def test_lifecycle_with_no_secret_in_output_or_stored_resource(wandb_testbed, chart_repo, namespace, tmp_path):
    """Create, no-op, check mode, rotate, delete, with -vvv and --diff; grep everything for secrets. spec.chart names
    operator-wandb in the local chart repository, as a private mirror would."""
    extra = scenario_vars(wandb_testbed, namespace, chart_repo)
    result = run_scenario("lifecycle.yml", extra, tmp_path, verbosity=3, diff=True)
    for secret in (LICENSE, MYSQL_PASSWORD, CLICKHOUSE_PASSWORD):
        assert secret not in result.output
    assert "licenseSecret" in result.output  # the diff and results were there to grep


def test_secrets_hold_the_values_and_are_kept_on_request(wandb_testbed, namespace, tmp_path):
    """create_only.yml creates without waiting, then deletes with keep_secrets; the Secrets remain."""
    run_scenario("create_only.yml", scenario_vars(wandb_testbed, namespace), tmp_path)
    name = scenario_vars(wandb_testbed, namespace)["wname"] + "-license"
    license_secret = json.loads(wandb_testbed.kubectl("get", "secret", name, "-n", namespace, "-o", "json").stdout)
    assert license_secret["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "selfmanaged.wandb"
    assert base64.b64decode(license_secret["data"]["license"]).decode() == LICENSE


def module_vars(bed, namespace, workdir):
    return {
        "kubeconfig": bed.kubeconfig,
        "kubectl_bin": bed.env["KUBECTL_BIN"],
        "ns": namespace,
        "secret": LICENSE,
        "workdir": str(workdir),
    }


def test_k8s_apply_lifecycle(testbed, namespace, tmp_path):
    """k8s_apply (server-side apply on the collection's access layer) against the testbed."""
    result = harness.run_target(
        "k8s_apply", "lifecycle.yml", module_vars(testbed, namespace, tmp_path), str(tmp_path), diff=True, verbosity=3
    )
    assert LICENSE not in result.output


def test_k8s_secret_generate_and_copy(testbed, namespace, tmp_path):
    """k8s_secret on the testbed: generated once, copied across namespaces, no value in -vvv --diff output, removed."""
    result = harness.run_target(
        "k8s_secret", "lifecycle.yml", module_vars(testbed, namespace, tmp_path), str(tmp_path), diff=True, verbosity=3
    )
    password = (tmp_path / "generated-password").read_text()
    assert LICENSE not in result.output
    assert len(password) == 32 and password not in result.output
    # the scenario removes both Secrets at its end
    for secret_namespace, name in ((namespace + "-db", "db-auth"), (namespace + "-app", "app-db")):
        gone = testbed.kubectl("get", "secret", "-n", secret_namespace, name, check=False)
        assert gone.returncode == 1 and "NotFound" in gone.stderr, (gone.returncode, gone.stdout, gone.stderr)
