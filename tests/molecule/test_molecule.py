"""Every molecule scenario, with idempotence, on localhost against moto (and the testbed when needed)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))

from localenv import COLLECTIONS_DIR, MotoServer  # noqa: E402  pylint: disable=wrong-import-position

SCENARIOS = sorted(d for d in os.listdir(os.path.join(ROOT, "molecule")) if os.path.isfile(os.path.join(ROOT, "molecule", d, "molecule.yml")))
pytestmark = pytest.mark.molecule


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    server = MotoServer(str(tmp_path_factory.mktemp("moto"))).start()
    yield server
    server.stop()


def test_there_are_scenarios():
    assert SCENARIOS, "no molecule scenarios found"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario, moto):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_DIR, ANSIBLE_NOCOLOR="1", NO_COLOR="1",
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    env.update(moto.aws_env())
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "molecule"), "test", "-s", scenario], cwd=ROOT, env=env,
                          check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=1800)
    if proc.returncode != 0:
        pytest.fail("molecule test -s %s failed (rc=%d):\n%s" % (scenario, proc.returncode, proc.stdout[-15000:]), pytrace=False)
    assert "idempotence" in proc.stdout.lower()
