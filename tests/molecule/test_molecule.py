"""Every molecule scenario (syntax, prepare, converge, idempotence, verify, destroy) on localhost against moto and the
testbed.

A scenario per role that the chain tests do not already run on its own: ebs_csi and clickhouse each on an existing
cluster as the README describes it (the kubeconfig, and the cluster's IAM OIDC provider made in prepare; clickhouse
without the EBS CSI stage), wandb_weave with ClickHouse given by hand and W&B's version left to its release channel
(`wandb_weave_version: channel`; the chains pin it). The eks_cluster role on its own, VPC included,
is tests/integration/test_it_aws.py; wandb_data needs the cluster's VPC, security group and OIDC provider and W&B's
namespace, as the chain gives them: its Aurora path is the chain's, its RDS MySQL path test_it_site_cases.py's chart
mode, its modules' paths test_data_services.py. The whole chain is tests/integration/test_it_site.py and the demo.
The scenarios share one set of services (moto, a testbed, the chart repository, the stand-in W&B operator; each
scenario's destroy leaves them empty), with the environment inventories/local reads.
"""

import json
import os
import re
import subprocess
import sys

import boto3
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))

import localenv  # noqa: E402  pylint: disable=wrong-import-position

MOLECULE = os.path.join(ROOT, "extensions", "molecule")
SCENARIOS = sorted(d for d in os.listdir(MOLECULE) if os.path.isfile(os.path.join(MOLECULE, d, "molecule.yml")))
ACTIONS = ("syntax", "prepare", "converge", "idempotence", "verify", "destroy")
pytestmark = pytest.mark.molecule


# W&B's release channel as deploy.wandb.ai answers GET /api/v1/operator/channel (wandb/operator v1.22, pkg/wandb/spec/
# channel/deployer): a chart and the component tags of a release. The chart repository serves it too, as a mirror of the
# channel would; the wandb_weave scenario's controller is pointed at it (DEPLOYER_CHANNEL_URL).
CHANNEL_RELEASE = "0.84.1"
CHANNEL = {
    "metadata": {"channel": "stable", "releaseId": "test-" + CHANNEL_RELEASE},
    "values": {
        "app": {"image": {"tag": CHANNEL_RELEASE}},
        "weave-trace": {"image": {"tag": CHANNEL_RELEASE}},
        "console": {"image": {"tag": "2.18.16"}},
    },
}


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    started = localenv.DemoServices(str(tmp_path_factory.mktemp("molecule"))).start()
    channel = dict(CHANNEL, chart={"url": started.repo.url, "name": "operator-wandb", "version": "0.43.8"})
    os.makedirs(os.path.join(started.repo.dir, "api", "v1", "operator"))
    with open(os.path.join(started.repo.dir, "api", "v1", "operator", "channel"), "w") as handle:
        json.dump(channel, handle)
    yield started
    started.stop()


def test_there_is_a_scenario_per_role_but_eks_cluster_and_wandb_data():
    roles = sorted(r for r in os.listdir(os.path.join(ROOT, "roles")) if not r.startswith("_"))  # internal roles aside
    assert SCENARIOS == sorted(set(roles) - {"eks_cluster", "wandb_data"})


def sections(output, scenario):
    """Molecule's output cut at each action's "[scenario > action] Executing" line: {action: its output}."""
    parts = re.split(r"^INFO\s+\[%s > (\w+)\] Executing\s*$" % re.escape(scenario), output, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def recap(text):
    """The PLAY RECAP counts of the one ansible-playbook run in ``text``."""
    found = re.findall(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", text, re.M)
    assert len(found) == 1, text[-3000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, found[0])))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario, services, tmp_path):
    env = dict(services.env, NO_COLOR="1", K8S_AUTH_KUBECONFIG=services.env["WANDB_DEMO_KUBECONFIG"])
    # molecule's state (what it has prepared, created...) is otherwise kept under ~/.ansible/tmp by the checkout's
    # directory name: a run killed half-way would make the next one skip its prepare
    env["MOLECULE_EPHEMERAL_DIRECTORY"] = str(tmp_path / "molecule")
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "molecule"), "test", "-s", scenario],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        pytest.fail(
            "molecule test -s %s failed (rc=%d):\n%s" % (scenario, proc.returncode, proc.stdout[-15000:]), pytrace=False
        )
    # molecule's own summary, then what each action's playbook run says
    for action in ACTIONS:
        assert re.search(r"^%s > %s: Executed: Successful\s*$" % (scenario, action), proc.stdout, re.M), (
            action,
            proc.stdout[-6000:],
        )
    steps = sections(proc.stdout, scenario)
    assert recap(steps["converge"])["changed"] > 0
    assert recap(steps["idempotence"])["changed"] == 0  # the converge again
    verified = recap(steps["verify"])
    assert verified["failed"] == 0 and verified["ok"] >= 2 and re.search(r"^TASK \[Check them\]", steps["verify"], re.M)
    assert recap(steps["destroy"])["changed"] > 0
    # destroy left the shared services as the scenario found them: no IAM role or OIDC provider (prepare's included)
    iam = boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    ).client("iam", endpoint_url=services.moto.url)
    assert [r["RoleName"] for r in iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-")] == []
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
