"""The README's main command, scripts/demo, as a newcomer runs it, and the Helm 3 chain: the demo plans the whole
chain, converges it building its VPC (the other chain runs in subnets made in moto), runs it again and reports; with
--keep its services stay up, and chain_checks.py's tests run on them (Bitnami's ClickHouse, W&B's data on AWS), the
VPC the role built among them, before they tear the chain down. SIGTERM then stops everything the demo started.
The demo runs with ANSIBLE_VERBOSITY=3 and ANSIBLE_DIFF_ALWAYS (what -vvv --diff set), so its converge shows that
not even verbose output holds a secret."""

import json
import os
import re
import signal
import subprocess
import time
import urllib.request

import harness
import localenv
import pytest
from chain_checks import ChainOnHelm

DEMO = os.path.join(harness.ROOT, "scripts", "demo")
TAGGED = [{"Name": "tag:selfmanaged.wandb/cluster", "Values": ["wandb-demo"]}]

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
    """DemoServices (the demo's, the chain tests' and molecule's services) stops what did start."""
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


class DemoRun(object):
    """scripts/demo --keep in the background, its output in a log file; ``kept()`` waits until it keeps its services."""

    def __init__(self, directory):
        self.log_path = os.path.join(directory, "demo.log")
        self.env_dir = directory
        self.proc = None
        self.output = ""

    def start(self):
        env = dict(os.environ, PYTHONUNBUFFERED="1", ANSIBLE_VERBOSITY="3", ANSIBLE_DIFF_ALWAYS="true")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [DEMO, "--keep"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=harness.ROOT,
                stdin=subprocess.DEVNULL,
            )
        return self

    def read(self):
        with open(self.log_path) as handle:
            self.output = handle.read()
        return self.output

    def kept(self, timeout=900):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "kept running until Ctrl-C or SIGTERM" in self.read():
                return self.output
            if self.proc.poll() is not None:
                pytest.fail(
                    "scripts/demo ended (rc=%s) before keeping its services:\n%s"
                    % (self.proc.returncode, self.output[-12000:]),
                    pytrace=False,
                )
            time.sleep(2)
        pytest.fail("scripts/demo did not keep its services within %d s" % timeout, pytrace=False)

    def section(self, title):
        """What the demo printed under its ``=== <title>`` heading, up to the next heading."""
        parts = re.split(r"^=== ", self.output, flags=re.M)
        found = [p for p in parts if p.startswith(title)]
        assert len(found) == 1, "no single section %r in the demo's output" % title
        return found[0]

    def stop(self):
        """SIGTERM, as Ctrl-C would; killed if it does not end (the test failed already)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class TestDemo(ChainOnHelm):
    helm = 3
    plan_teardown = True

    @pytest.fixture(scope="class")
    @classmethod
    def chain(cls, tmp_path_factory):
        demo = DemoRun(str(tmp_path_factory.mktemp("demo")))
        try:
            output = demo.start().kept()
            workdir = re.search(r"\(state in (\S+)\)", output).group(1)
            moto_url = re.search(r"moto (http://127\.0\.0\.1:\d+)", output).group(1)
            repo_url = re.search(r"chart repository (http://127\.0\.0\.1:\d+)", output).group(1)
            bed = localenv.Testbed(os.path.join(workdir, "testbed")).attach()
            chain = harness.Chain.attach(bed, moto_url, repo_url, workdir=demo.env_dir)
            chain.demo, chain.demo_workdir, chain.moto_url, chain.repo_url = demo, workdir, moto_url, repo_url
            chain.demo_pids = bed.pids() + processes_mentioning(workdir)
            yield chain
        finally:
            demo.stop()

    # the demo's own plan, converge and re-run
    def planned(self, chain):
        return chain.demo.section("plan: site.yml --check --diff on the empty account")

    def converged(self, chain):
        changed = re.search(r"^=== first run changed=(\d+), second run changed=0$", chain.demo.output, re.M)
        assert changed, "the demo's re-run changed something"
        return chain.demo.section("first run: converge the whole chain"), int(changed.group(1))

    def rerun(self, chain):
        self.converged(chain)  # the demo checked that its second run changed nothing

    def clickhouse_engine(self, chain):
        """The demo's engine, as its DemoServices left it in the demo's state directory (port file, password file)."""
        with open(os.path.join(chain.demo_workdir, "clickhouse-http.log.port")) as handle:
            port = int(handle.read())
        return port, os.path.join(chain.demo_workdir, "clickhouse-password")

    def subnets(self, chain):
        subnets = chain.aws["ec2"].describe_subnets(Filters=TAGGED)["Subnets"]
        private = [s for s in subnets if any(t["Key"] == "kubernetes.io/role/internal-elb" for t in s["Tags"])]
        return [s["SubnetId"] for s in subnets], [s["SubnetId"] for s in private]

    def check_network(self, chain, cluster):
        """The VPC the eks_cluster role built (the only chain that builds one): 3 public and 3 private subnets over 3
        zones, tagged for public and internal load balancers, an internet gateway and one NAT gateway; the cluster in
        all six subnets, its node group in the private ones; the role's default add-ons (and the Pod Identity agent),
        with vpc-cni enforcing NetworkPolicies."""
        ec2, eks = chain.aws["ec2"], chain.aws["eks"]
        vpcs = ec2.describe_vpcs(Filters=TAGGED)["Vpcs"]
        assert len(vpcs) == 1 and cluster["resourcesVpcConfig"]["vpcId"] == vpcs[0]["VpcId"]
        subnets = ec2.describe_subnets(Filters=TAGGED)["Subnets"]
        assert len(subnets) == 6 and len(set(s["AvailabilityZone"] for s in subnets)) == 3
        roles = sorted(t["Key"] for s in subnets for t in s["Tags"] if t["Key"].startswith("kubernetes.io/role/"))
        assert roles == ["kubernetes.io/role/elb"] * 3 + ["kubernetes.io/role/internal-elb"] * 3
        every, private = self.subnets(chain)
        assert sorted(cluster["resourcesVpcConfig"]["subnetIds"]) == sorted(every)
        assert len(ec2.describe_internet_gateways(Filters=TAGGED)["InternetGateways"]) == 1
        vpc_filter = [{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}]
        nat = [n for n in ec2.describe_nat_gateways(Filters=vpc_filter)["NatGateways"] if n["State"] != "deleted"]
        assert len(nat) == 1 and nat[0]["SubnetId"] in set(every) - set(private)
        assert eks.list_nodegroups(clusterName="wandb-demo")["nodegroups"] == ["wandb-demo-default"]
        nodegroup = eks.describe_nodegroup(clusterName="wandb-demo", nodegroupName="wandb-demo-default")["nodegroup"]
        assert sorted(nodegroup["subnets"]) == sorted(private)
        # the role's default add-ons, and the Pod Identity agent the EBS CSI stage (pod_identity here) installs
        assert sorted(eks.list_addons(clusterName="wandb-demo")["addons"]) == [
            "coredns",
            "eks-pod-identity-agent",
            "kube-proxy",
            "vpc-cni",
        ]
        # NetworkPolicies enforced: vpc-cni's network policy agent on (eks_cluster_network_policy)
        cni = eks.describe_addon(clusterName="wandb-demo", addonName="vpc-cni")["addon"]
        assert json.loads(cni["configurationValues"]) == {"enableNetworkPolicy": "true"}

    # after chain_checks.py's tests, which end with the teardown
    def test_the_demo_reported_what_the_real_charts_made(self, chain):
        output = chain.demo.output
        assert "W&B is at https://wandb.demo.local " in output  # inventories/local's wandb_weave_host
        for line in (
            "ebs_csi: release kube-system/aws-ebs-csi-driver, chart aws-ebs-csi-driver-2.64.0",
            "clickhouse: release clickhouse/clickhouse, chart clickhouse-8.0.10",
            "    StatefulSet/clickhouse-shard0 x3: docker.io/bitnamilegacy/clickhouse:25.3.2-debian-12-r3",
            "    Deployment/wandb-controller-manager x1: wandb/controller:1.22.0",
            "release wandb/wandb, chart operator-wandb-0.43.8",
            "    Deployment/wandb-weave-trace-bc x1: wandb/weave-trace:0.85.0",  # wandb_weave_version, not latest
            "    Deployment/wandb-app-bc x1: wandb/local:0.85.0",
        ):
            assert line in output, line

    def test_sigterm_stops_everything_the_demo_started(self, chain):
        # --keep: the services answered every test above, from a process that has no terminal
        assert answers(chain.moto_url + "/moto-api/") and answers(chain.repo_url + "/index.yaml")
        assert len(chain.demo_pids) > 2 and all(alive(pid) for pid in chain.demo_pids)
        chain.demo.proc.send_signal(signal.SIGTERM)
        assert chain.demo.proc.wait(120) == 0  # the demo returns once what it stopped has exited
        assert "stopping what the demo started" in chain.demo.read()
        assert not answers(chain.moto_url + "/moto-api/") and not answers(chain.repo_url + "/index.yaml")
        left = [pid for pid in chain.demo_pids if alive(pid)]
        assert not left, "left running: %s" % processes_mentioning(chain.demo_workdir)
        assert not os.path.exists(chain.demo_workdir), "the demo's state directory was not removed"
