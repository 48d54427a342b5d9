"""Every molecule scenario (converge, idempotence, verify, destroy) on localhost against moto and the testbed.

Each scenario gets fresh services: moto, a testbed, the chart repository and the stand-in W&B operator, with
the environment inventories/local reads (the scenarios that reach Kubernetes use that inventory).
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))

import localenv  # noqa: E402  pylint: disable=wrong-import-position

SCENARIOS = sorted(d for d in os.listdir(os.path.join(ROOT, "molecule")) if os.path.isfile(os.path.join(ROOT, "molecule", d, "molecule.yml")))
pytestmark = pytest.mark.molecule


@pytest.fixture
def services(tmp_path):
    started = localenv.DemoServices(str(tmp_path)).start()
    yield started.env
    started.stop()


def test_there_is_a_scenario_per_role_and_one_end_to_end():
    roles = sorted(os.listdir(os.path.join(ROOT, "roles")))
    assert sorted(set(SCENARIOS) - {"site"}) == roles
    assert "site" in SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario, services):
    env = dict(services, NO_COLOR="1", K8S_AUTH_KUBECONFIG=services["WANDB_DEMO_KUBECONFIG"])
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "molecule"), "test", "-s", scenario], cwd=ROOT, env=env,
                          check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=1800)
    if proc.returncode != 0:
        pytest.fail("molecule test -s %s failed (rc=%d):\n%s" % (scenario, proc.returncode, proc.stdout[-15000:]), pytrace=False)
    lowered = proc.stdout.lower()
    assert "idempotence" in lowered and "verify" in lowered
