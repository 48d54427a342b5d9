"""The README's main command, scripts/demo, as a newcomer runs it: the whole chain, building its VPC (the
other chain tests use subnets made in moto), twice, a report and a teardown that leaves nothing in moto or the
testbed; with --keep the services stay up until SIGTERM; at the end nothing it started is left running."""

import os
import re
import signal
import subprocess
import time
import urllib.request

import harness
import localenv
import pytest

DEMO = os.path.join(harness.ROOT, "scripts", "demo")


def wait_for(path, text, proc, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(path) as handle:
            output = handle.read()
        if text in output:
            return output
        if proc.poll() is not None:
            pytest.fail(
                "scripts/demo ended (rc=%s) before %r:\n%s" % (proc.returncode, text, output[-12000:]), pytrace=False
            )
        time.sleep(2)
    pytest.fail("no %r from scripts/demo within %d s" % (text, timeout), pytrace=False)


alive = localenv.running


def answers(url):
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except OSError:
        return False


def processes_mentioning(text):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                if text.encode() in handle.read() and alive(int(pid)):
                    found.append(int(pid))
        except OSError:
            pass
    return found


def test_a_start_that_fails_half_way_leaves_nothing_running(tmp_path, monkeypatch):
    """DemoServices (the demo's, test_it_site's and molecule's services) stops what did start."""
    testbed_pids = []

    def moto_fails(self):
        for name in ("etcd.pid", "apiserver.pid"):
            with open(os.path.join(str(tmp_path), "testbed", name)) as handle:
                testbed_pids.append(int(handle.read()))
        raise RuntimeError("moto_server exited")

    monkeypatch.setattr(localenv.MotoServer, "start", moto_fails)
    with pytest.raises(RuntimeError, match="moto_server exited"):
        localenv.DemoServices(str(tmp_path)).start()
    assert len(testbed_pids) == 2 and not any(alive(pid) for pid in testbed_pids)


def test_demo_runs_the_chain_keeps_its_services_and_stops_them(tmp_path):
    log_path = str(tmp_path / "demo.log")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [DEMO, "--teardown", "--keep"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=harness.ROOT,
            stdin=subprocess.DEVNULL,
        )
    try:
        output = wait_for(log_path, "kept running until Ctrl-C or SIGTERM", proc, timeout=900)
        workdir = re.search(r"\(state in (\S+)\)", output).group(1)
        assert "first run changed=" in output and ", second run changed=0" in output
        assert "W&B is at https://wandb.demo.local " in output  # inventories/local's wandb_weave_host
        assert "teardown again: must change nothing" in output
        # the report: what each stage made, as the real charts made it
        for line in (
            "ebs_csi: release kube-system/aws-ebs-csi-driver, chart aws-ebs-csi-driver-2.64.0",
            "clickhouse: release clickhouse/clickhouse, chart clickhouse-8.0.10",
            "    StatefulSet/clickhouse-shard0 x3: docker.io/bitnamilegacy/clickhouse:25.3.2-debian-12-r3",
            "    Deployment/wandb-controller-manager x1: wandb/controller:1.22.0",
            "release wandb/wandb, chart operator-wandb-0.43.8",
            "    Deployment/wandb-weave-trace-bc x1: wandb/weave-trace:latest",
        ):
            assert line in output, line
        moto_url = re.search(r"moto (http://127\.0\.0\.1:\d+)", output).group(1)
        repo_url = re.search(r"chart repository (http://127\.0\.0\.1:\d+)", output).group(1)
        testbed_pids = [
            int(open(os.path.join(workdir, "testbed", name)).read()) for name in ("etcd.pid", "apiserver.pid")
        ]
        kept = processes_mentioning(workdir)

        # --keep: every service still answers, in a process that has no terminal
        assert answers(moto_url + "/moto-api/") and answers(repo_url + "/index.yaml")
        assert all(alive(pid) for pid in testbed_pids)
        assert kept, "no process started by the demo found running"
        # the teardown left nothing behind, VPC included
        harness.Chain.attach(localenv.Testbed(os.path.join(workdir, "testbed")).attach(), moto_url).assert_empty()

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(120) == 0  # the demo returns once what it stopped has exited
    finally:
        if proc.poll() is None:  # the test failed early: still stop what the demo started
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                proc.kill()
    with open(log_path) as handle:
        output = handle.read()
    assert "stopping what the demo started" in output
    assert not answers(moto_url + "/moto-api/") and not answers(repo_url + "/index.yaml")
    assert not any(alive(pid) for pid in testbed_pids + kept), "left running: %s" % processes_mentioning(workdir)
    assert not os.path.exists(workdir), "the demo's state directory was not removed"
