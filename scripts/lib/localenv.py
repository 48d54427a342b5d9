"""Local services on 127.0.0.1 for the tests and the demo: testbed, chart repository, moto.

Each is started on a free port and stopped by its own PID (or thread) when done.
"""

import base64
import fcntl
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
COLLECTIONS_DIR = os.path.join(ROOT, ".cache", "collections")
# The real upstream charts (see its README), served as a private mirror would serve them.
UPSTREAM_CHARTS = os.path.join(SHARED, "charts")
# Fixture charts for properties no real chart has (tests/fixtures/charts/*/Chart.yaml says which).
CHARTS = os.path.join(ROOT, "tests", "fixtures", "charts")


ZIP_BYTECODE = os.path.join(ROOT, "scripts", "lib", "zip_bytecode")


def ansible_process_env(env):
    """``env`` for an ansible-playbook run and the module processes it starts: the bytecode cache for the modules'
    zipped code (zip_bytecode/sitecustomize.py says why), kept in .cache/zip-bytecode, and for the virtualenv's
    packages in .cache/pycache (scripts/lib/common.sh's use_bytecode_cache says why), which the tests and the demo on
    this checkout share; and without PYTHONUNBUFFERED, which these machines set: a module's Python reads its code
    from stdin (pipelining), and unbuffered it reads it one byte per system call - about 270,000 reads per module,
    a quarter of a no-op site.yml's system time (measured: 12.2 s against 8.6 s)."""
    paths = [ZIP_BYTECODE] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != ZIP_BYTECODE]
    cached = dict(
        env,
        PYTHONPATH=os.pathsep.join(paths),
        PYTHONPYCACHEPREFIX=env.get("PYTHONPYCACHEPREFIX") or os.path.join(ROOT, ".cache", "pycache"),
        SELFMANAGED_WANDB_ZIP_BYTECODE=os.path.join(ROOT, ".cache", "zip-bytecode"),
    )
    cached.pop("PYTHONDONTWRITEBYTECODE", None)
    cached.pop("PYTHONUNBUFFERED", None)
    return cached


class Testbed(object):
    """One testbed (etcd + API server) in its own state dir; see ../shared/testbed/README.md."""

    def __init__(self, state_dir, simulate_readiness=True):
        self.state_dir = state_dir
        self.simulate_readiness = simulate_readiness
        self.env = {}

    def up(self):
        env = dict(os.environ, TESTBED_SIMULATE_READINESS="1" if self.simulate_readiness else "0")
        # `up` installs the binaries on first use; two installs at once (xdist workers) corrupt each other
        home = os.environ.get("TESTBED_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "k8s-testbed")
        os.makedirs(home, exist_ok=True)
        # `up` picks free ports and releases them before etcd and the API server bind them; on a busy
        # machine another process can take one in between ("address already in use"): start again.
        for _attempt in range(3):
            with open(os.path.join(home, ".install.lock"), "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                proc = subprocess.run(
                    [os.path.join(SHARED, "testbed", "up"), self.state_dir],
                    env=env,
                    check=False,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    universal_newlines=True,
                    timeout=600,
                )
            if proc.returncode == 0 or "address already in use" not in proc.stderr:
                break
        if proc.returncode != 0:
            raise RuntimeError(
                "testbed up %s failed (rc=%d): %s" % (self.state_dir, proc.returncode, proc.stderr[-3000:])
            )
        self._read_exports(proc.stdout)
        return self

    def attach(self):
        """The exports of a testbed someone else started in ``state_dir`` (its ``env`` file)."""
        with open(os.path.join(self.state_dir, "env")) as handle:
            self._read_exports(handle.read())
        return self

    def _read_exports(self, text):
        for line in text.splitlines():
            match = re.match(r'^export (\w+)="?(.*?)"?$', line.strip())
            if match:
                self.env[match.group(1)] = match.group(2)

    PID_FILES = ("etcd.pid", "apiserver.pid")  # what `up` writes in the state dir

    def pids(self):
        """The PIDs of etcd and the API server, from the state dir (none once stopped)."""
        found = []
        for name in self.PID_FILES:
            try:
                with open(os.path.join(self.state_dir, name)) as handle:
                    found.append(int(handle.read().strip()))
            except (OSError, ValueError):
                pass
        return found

    def down(self):
        """Stops both processes by their saved PIDs, as ``down`` would, and returns once they have exited. SIGKILL:
        nothing in the state dir is kept, and the API server's graceful shutdown after SIGTERM, then ``down``'s wait
        for the exited processes to be reaped, took 3-4 s of each test module's teardown (and of the demo's stop)."""
        pids = self.pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        wait_gone(pids)
        for name in self.PID_FILES:
            try:
                os.remove(os.path.join(self.state_dir, name))
            except OSError:
                pass

    @property
    def kubeconfig(self):
        return self.env["KUBECONFIG"]

    def helm(self, version):
        return self.env["HELM%d_BIN" % version]

    def kubectl(self, *args, check=True):
        return subprocess.run(
            [self.env["KUBECTL_BIN"], "--kubeconfig", self.kubeconfig] + list(args),
            check=check,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=120,
        )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


class ChartRepo(object):
    """A Helm repository on 127.0.0.1, as a private mirror would be: the real upstream charts from
    ../shared/charts as packaged there, and the fixture charts under tests/fixtures/charts.

    ``extra_versions`` packages a fixture chart again under other versions (upgrade tests need two).
    """

    def __init__(self, workdir, helm_bin, extra_versions=None):
        self.dir = os.path.join(workdir, "repo")
        self.helm_bin = helm_bin
        self.extra_versions = extra_versions or {"demo": ["0.2.0"]}
        self.server = None
        self.url = None

    def build(self):
        os.makedirs(self.dir, exist_ok=True)
        for name in sorted(os.listdir(UPSTREAM_CHARTS)):
            if name.endswith(".tgz"):
                shutil.copy(os.path.join(UPSTREAM_CHARTS, name), self.dir)
        for name in sorted(os.listdir(CHARTS)):
            for version in [None] + list(self.extra_versions.get(name, [])):
                cmd = [self.helm_bin, "package", os.path.join(CHARTS, name), "--destination", self.dir]
                subprocess.run(
                    cmd + (["--version", version] if version else []), check=True, stdout=subprocess.PIPE, timeout=120
                )
        return self

    def serve(self):
        directory = self.dir

        def handler(*args, **kwargs):
            return _QuietHandler(*args, directory=directory, **kwargs)

        # bound before the index names its URL: a port picked and released first can be taken meanwhile
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        subprocess.run([self.helm_bin, "repo", "index", self.dir, "--url", self.url], check=True, timeout=120)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def tgz(self, version, name="demo"):
        return os.path.join(self.dir, "%s-%s.tgz" % (name, version))

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def running(pid):
    """Whether ``pid`` is a live process (a zombie has exited: only its parent has not reaped it yet)."""
    try:
        os.kill(pid, 0)
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_gone(pids, timeout=20):
    """Returns once every PID has exited: SIGKILL for any still running after ``timeout`` s (SIGTERM was sent)."""
    deadline = time.time() + timeout
    left = [pid for pid in pids if running(pid)]
    while left and time.time() < deadline:
        time.sleep(0.1)
        left = [pid for pid in left if running(pid)]
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.time() + 10
    while left and time.time() < deadline:
        time.sleep(0.1)
        left = [pid for pid in left if running(pid)]
    if left:
        raise RuntimeError("still running after SIGKILL: %s" % left)


def stop_process(proc):
    """SIGTERM, then SIGKILL after 20 s, for a process this module started (None: never started); returns once
    it has exited and been reaped."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


class WarmPython(object):
    """zip_bytecode/warm_python.py's server: the module processes of every ansible run whose environment names it
    (``env``, through ansible_process_env) start from its warm interpreter. Its socket is abstract (nothing on disk);
    ``stop`` stops it by PID."""

    VARIABLE = "SELFMANAGED_WANDB_WARM_PYTHON"

    def __init__(self, log_dir):
        self.log_path = os.path.join(log_dir, "warm-python.log")
        self.name = "selfmanaged-wandb-warm-python-%d-%s" % (os.getpid(), base64.b32encode(os.urandom(5)).decode())
        self.proc = None

    def start(self):
        env = dict(os.environ)
        env.pop(self.VARIABLE, None)
        command = [sys.executable, "-c", "import warm_python; warm_python.serve(%r)" % self.name]
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                command, env=ansible_process_env(env), stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        deadline = time.time() + 60
        while time.time() < deadline:
            with open(self.log_path) as handle:
                if handle.read().startswith("ready"):
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("the warm Python did not start: see %s" % self.log_path)

    @property
    def env(self):
        return {self.VARIABLE: self.name}

    def stop(self):
        stop_process(self.proc)


class MotoServer(object):
    """moto in server mode on 127.0.0.1, with AWS managed policies loaded and the EKS add-on API that moto
    lacks added by tests/fixtures/moto_server_eks_addons.py."""

    def __init__(self, log_dir):
        self.log_path = os.path.join(log_dir, "moto.log")
        self.proc = None
        self.url = None

    def start(self):
        launcher = os.path.join(ROOT, "tests", "fixtures", "moto_server_eks_addons.py")
        port_file = self.log_path + ".port"
        # ACM issues a DNS-validated certificate once its records resolve (minutes); moto after this many seconds
        env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true", MOTO_ACM_VALIDATION_WAIT="0")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, launcher, "--port-file", port_file], stdout=log, stderr=log, env=env
            )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("moto_server exited: see %s" % self.log_path)
            if self.url is None and os.path.exists(port_file):
                with open(port_file) as handle:
                    self.url = "http://127.0.0.1:%d" % int(handle.read())
            if self.url:
                try:
                    urllib.request.urlopen(self.url + "/moto-api/", timeout=2)
                    return self
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("moto_server did not start in 60 s: see %s" % self.log_path)

    def stop(self):
        stop_process(self.proc)

    def make_network(self, name="premade", zones=("us-east-1a", "us-east-1b", "us-east-1c")):
        """A VPC with one subnet per zone, made directly in moto (well under a second; the eks_cluster role's
        own VPC tasks take about a minute there). Returns the subnet IDs, for ``eks_cluster_subnet_ids``."""
        # only the tests and the demo need boto3, not every user of this module
        import boto3  # pylint: disable=import-outside-toplevel

        ec2 = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client("ec2", endpoint_url=self.url)
        vpc = ec2.create_vpc(
            CidrBlock="10.99.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}],
        )["Vpc"]["VpcId"]
        return [
            ec2.create_subnet(VpcId=vpc, AvailabilityZone=zone, CidrBlock="10.99.%d.0/20" % (index * 16))["Subnet"][
                "SubnetId"
            ]
            for index, zone in enumerate(zones)
        ]

    def make_dns_zone(self, name="demo.local"):
        """A Route 53 hosted zone, as the user's own would be, where ACM's validation records go."""
        import boto3  # pylint: disable=import-outside-toplevel

        route53 = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client("route53", endpoint_url=self.url)
        zone = route53.create_hosted_zone(Name=name, CallerReference="selfmanaged-wandb-demo")["HostedZone"]["Id"]
        return zone.split("/")[-1]

    def aws_env(self):
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        }


class ClickHouseHttpServer(object):
    """tests/fixtures/clickhouse_http.py: ClickHouse's HTTP interface on a real engine (chdb), with the password in
    ``password_file`` and S3 credentials from ``aws_env`` (as a server on an IAM role takes them from its
    environment); ``route(bed, namespace, service, port)`` puts it behind a Service through the testbed's proxy."""

    def __init__(self, workdir, password_file, aws_env):
        self.data = os.path.join(workdir, "clickhouse")
        self.log_path = os.path.join(workdir, "clickhouse-http.log")
        self.password_file = password_file
        self.aws_env = aws_env
        self.proc = None
        self.port = None

    def start(self):
        script = os.path.join(ROOT, "tests", "fixtures", "clickhouse_http.py")
        port_file = self.log_path + ".port"
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, script, "--port-file", port_file, "--data", self.data]
                + ["--password-file", self.password_file],
                stdout=log,
                stderr=log,
                env=dict(os.environ, **self.aws_env),
            )
        deadline = time.time() + 60
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the ClickHouse fixture did not start: see %s" % self.log_path)
            time.sleep(0.1)
        with open(port_file) as handle:
            self.port = int(handle.read())
        return self

    def route(self, bed, namespace, services, port):
        """The testbed's service proxy forwards port ``port`` of each of ``services`` in ``namespace`` here (its
        ConfigMap, merged: routes set before stay)."""
        services = [services] if isinstance(services, str) else services
        data = dict(("%s.%s.%s" % (namespace, service, port), "127.0.0.1:%d" % self.port) for service in services)
        patch = json.dumps({"data": data})
        if bed.kubectl("get", "configmap", "-n", "kube-system", "testbed-service-proxy", check=False).returncode:
            bed.kubectl("create", "configmap", "-n", "kube-system", "testbed-service-proxy")
        bed.kubectl("patch", "configmap", "-n", "kube-system", "testbed-service-proxy", "--type=merge", "-p", patch)

    def queries(self):
        """Every query ClickHouse was sent (its query log)."""
        path = os.path.join(self.data, "query_log.txt")
        return open(path).read() if os.path.exists(path) else ""

    def stop(self):
        stop_process(self.proc)


class WandbOperatorStandin(object):
    """tests/fixtures/wandb_operator_standin.py against one testbed: plays the W&B operator's controller, installing
    the real operator-wandb chart with Helm 4 as the real controller does."""

    def __init__(self, kubeconfig, helm4_bin, log_dir):
        self.kubeconfig = kubeconfig
        self.helm4_bin = helm4_bin
        self.log_path = os.path.join(log_dir, "wandb-operator-standin.log")
        self.proc = None

    def start(self):
        script = os.path.join(ROOT, "tests", "fixtures", "wandb_operator_standin.py")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, script, self.kubeconfig, self.helm4_bin], stdout=log, stderr=log
            )
        return self

    def stop(self):
        stop_process(self.proc)


class AltinityOperatorStandin(object):
    """tests/fixtures/altinity_operator_standin.py against one testbed: plays Altinity's clickhouse-operator, turning
    the installations the real chart's CRDs define into what the real operator makes, once its chart is installed."""

    def __init__(self, kubeconfig, log_dir):
        self.kubeconfig = kubeconfig
        self.log_path = os.path.join(log_dir, "altinity-operator-standin.log")
        self.proc = None

    def start(self):
        script = os.path.join(ROOT, "tests", "fixtures", "altinity_operator_standin.py")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([sys.executable, script, self.kubeconfig], stdout=log, stderr=log)
        return self

    def stop(self):
        stop_process(self.proc)


def operator_crd():
    """The WeightsAndBiases CRD exactly as the W&B operator chart ships it (crds/wandb.yaml)."""
    with tarfile.open(os.path.join(UPSTREAM_CHARTS, "operator-1.4.8.tgz")) as chart:
        return chart.extractfile("operator/crds/wandb.yaml").read().decode()


def helm_on_path(workdir, helm_bin):
    """A bin directory whose ``helm`` is ``helm_bin``, so roles need no helm_binary setting."""
    bin_dir = os.path.join(workdir, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    link = os.path.join(bin_dir, "helm")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(helm_bin, link)
    return bin_dir


def demo_env(workdir, bed, moto, repo, helm_version=3, subnet_ids=None, zone_id=None):
    """Environment for ansible-playbook -i inventories/local (see inventories/local/group_vars); with
    ``subnet_ids``, the eks_cluster stage uses those subnets instead of building a VPC."""
    env = dict(os.environ)
    for name in ("KUBECONFIG", "K8S_AUTH_KUBECONFIG", "HELM_DRIVER", "AWS_PROFILE"):
        env.pop(name, None)
    env.update(moto.aws_env())
    env.pop("WANDB_DEMO_SUBNET_IDS", None)
    if subnet_ids:
        env["WANDB_DEMO_SUBNET_IDS"] = ",".join(subnet_ids)
    env["WANDB_DEMO_ROUTE53_ZONE_ID"] = zone_id or ""
    env.update(
        {
            "WANDB_DEMO_KUBECONFIG": bed.kubeconfig,
            "WANDB_DEMO_CHART_REPO": repo.url,
            "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_DIR,
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "PATH": os.pathsep.join(
                [
                    helm_on_path(workdir, bed.helm(helm_version)),
                    os.path.dirname(sys.executable),
                    os.environ.get("PATH", ""),
                ]
            ),
        }
    )
    return ansible_process_env(env)


class DemoServices(object):
    """What inventories/local runs against, in one work directory: a testbed, moto, the chart repository, the
    stand-in operators (W&B's, Altinity's) and a real ClickHouse engine behind ClickHouse's Service. ``env`` is
    ansible-playbook's environment (demo_env); ``stop`` stops whatever has started, so a start that fails half-way
    leaves nothing running either.

    ``premade_network``: a VPC and subnets made directly in moto, handed to the eks_cluster stage through
    ``WANDB_DEMO_SUBNET_IDS``, for tests whose subject is not the VPC (building one costs about a minute
    per converge against moto). The demo itself builds the VPC, as a user's first run does."""

    def __init__(self, workdir, helm_version=3, premade_network=False):
        self.workdir = workdir
        self.helm_version = helm_version
        self.premade_network = premade_network
        self.subnet_ids = None
        self.zone_id = None
        self.bed = Testbed(os.path.join(workdir, "testbed"))
        self.moto = MotoServer(workdir)
        self.repo = None
        self.operator = None
        self.altinity = None
        self.warm_python = None
        self.clickhouse = None
        self.env = None

    def start(self):
        try:
            if WarmPython.VARIABLE not in os.environ:  # the tests start one per worker, for every run they make
                self.warm_python = WarmPython(self.workdir).start()
            self.bed.up()
            self.moto.start()
            if self.premade_network:
                self.subnet_ids = self.moto.make_network()
            self.zone_id = self.moto.make_dns_zone()
            self.repo = ChartRepo(self.workdir, self.bed.helm(3)).build().serve()
            self.altinity = AltinityOperatorStandin(self.bed.kubeconfig, self.workdir).start()
            # a real ClickHouse engine answers behind ClickHouse's Service, whichever method made it (Bitnami's
            # chart or Altinity's installation), so the clickhouse role's /ping probe runs for real; /ping takes
            # no password, and nothing here needs the one the chain generates
            password_file = os.path.join(self.workdir, "clickhouse-password")
            with open(password_file, "w") as handle:
                handle.write(base64.b32encode(os.urandom(20)).decode())
            self.clickhouse = ClickHouseHttpServer(self.workdir, password_file, self.moto.aws_env()).start()
            self.clickhouse.route(self.bed, "clickhouse", ["clickhouse", "clickhouse-clickhouse"], 8123)
            self.operator = WandbOperatorStandin(self.bed.kubeconfig, self.bed.helm(4), self.workdir).start()
        except BaseException:
            self.stop()
            raise
        self.env = demo_env(
            self.workdir, self.bed, self.moto, self.repo, self.helm_version, self.subnet_ids, self.zone_id
        )
        if self.warm_python:
            self.env.update(self.warm_python.env)
        return self

    @property
    def started(self):
        return self.operator is not None

    def stop(self):
        if self.operator:
            self.operator.stop()
        if self.altinity:
            self.altinity.stop()
        if self.clickhouse:
            self.clickhouse.stop()
        if self.repo:
            self.repo.stop()
        self.moto.stop()
        self.bed.down()
        if self.warm_python:
            self.warm_python.stop()
