"""Services for the integration tests: two testbeds, a chart repository, moto. The testbeds (and what runs on them)
live for one test module: an idle API server and its etcd still take a few percent of a core, and the tests run on
every core, so a testbed no module uses any more is stopped rather than kept to the end of the session (starting one
takes about a second)."""

import os
import uuid

# harness puts scripts/lib on sys.path for localenv
import harness
import localenv
import pytest


def pytest_collection_modifyitems(items):
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def workdir():
    path = harness.make_workdir("wandb-it-")
    yield path
    harness.remove(path)


@pytest.fixture(scope="module")
def testbed(workdir):
    """Workloads become ready (the testbed's readiness stand-in), so --wait succeeds."""
    bed = localenv.Testbed(os.path.join(workdir, "testbed")).up()
    yield bed
    bed.down()


@pytest.fixture(scope="module")
def testbed_noready(workdir):
    """Nothing ever becomes ready: every --wait times out, as on a cluster without nodes."""
    bed = localenv.Testbed(os.path.join(workdir, "testbed-noready"), simulate_readiness=False).up()
    yield bed
    bed.down()


@pytest.fixture(scope="module")
def chart_repo(workdir, testbed):
    repo = localenv.ChartRepo(workdir, testbed.helm(3)).build().serve()
    yield repo
    repo.stop()


@pytest.fixture(scope="module")
def wandb_testbed(testbed, workdir):
    """The ready testbed with the real WeightsAndBiases CRD and the stand-in W&B operator running."""
    crd = os.path.join(workdir, "weightsandbiases-crd.yaml")
    with open(crd, "w") as handle:
        handle.write(localenv.operator_crd())
    testbed.kubectl("apply", "--server-side", "-f", crd)
    testbed.kubectl("wait", "--for=condition=Established", "crd/weightsandbiases.apps.wandb.com", "--timeout=60s")
    operator = localenv.WandbOperatorStandin(testbed.kubeconfig, testbed.helm(4), workdir).start()
    yield testbed
    operator.stop()


@pytest.fixture(scope="session")
def moto(workdir):
    server = localenv.MotoServer(workdir).start()
    yield server
    server.stop()


@pytest.fixture
def namespace():
    return "t-" + uuid.uuid4().hex[:10]
