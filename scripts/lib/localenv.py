"""Local services on 127.0.0.1 for the tests and the demo: testbed, chart repository, moto.

Each is started on a free port and stopped by its own PID (or thread) when done.
"""

import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
COLLECTIONS_DIR = os.path.join(ROOT, ".cache", "collections")
CHARTS = os.path.join(ROOT, "tests", "charts")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Testbed(object):
    """One testbed (etcd + API server) in its own state dir; see ../shared/testbed/README.md."""

    def __init__(self, state_dir, simulate_readiness=True):
        self.state_dir = state_dir
        self.simulate_readiness = simulate_readiness
        self.env = {}

    def up(self):
        env = dict(os.environ, TESTBED_SIMULATE_READINESS="1" if self.simulate_readiness else "0")
        out = subprocess.run(
            [os.path.join(SHARED, "testbed", "up"), self.state_dir], env=env, check=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=600,
        ).stdout
        for line in out.splitlines():
            match = re.match(r'^export (\w+)="?(.*?)"?$', line.strip())
            if match:
                self.env[match.group(1)] = match.group(2)
        return self

    def down(self):
        subprocess.run([os.path.join(SHARED, "testbed", "down"), self.state_dir], check=False, timeout=60)

    @property
    def kubeconfig(self):
        return self.env["KUBECONFIG"]

    def helm(self, version):
        return self.env["HELM%d_BIN" % version]

    def kubectl(self, *args, check=True):
        return subprocess.run(
            [self.env["KUBECTL_BIN"], "--kubeconfig", self.kubeconfig] + list(args), check=check,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120,
        )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


class ChartRepo(object):
    """Every chart under tests/charts, packaged and served as a Helm repository on 127.0.0.1.

    ``extra_versions`` packages a chart again under other versions (upgrade tests need two).
    """

    def __init__(self, workdir, helm_bin, extra_versions=None):
        self.dir = os.path.join(workdir, "repo")
        self.helm_bin = helm_bin
        self.extra_versions = extra_versions or {"demo": ["0.2.0"]}
        self.server = None
        self.url = None

    def build(self):
        os.makedirs(self.dir, exist_ok=True)
        for name in sorted(os.listdir(CHARTS)):
            for version in [None] + list(self.extra_versions.get(name, [])):
                cmd = [self.helm_bin, "package", os.path.join(CHARTS, name), "--destination", self.dir]
                subprocess.run(cmd + (["--version", version] if version else []), check=True,
                               stdout=subprocess.PIPE, timeout=120)
        return self

    def serve(self):
        port = free_port()
        self.url = "http://127.0.0.1:%d" % port
        subprocess.run([self.helm_bin, "repo", "index", self.dir, "--url", self.url], check=True, timeout=120)
        directory = self.dir

        def handler(*args, **kwargs):
            return _QuietHandler(*args, directory=directory, **kwargs)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def tgz(self, version, name="demo"):
        return os.path.join(self.dir, "%s-%s.tgz" % (name, version))

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def stop_process(proc):
    """SIGTERM, then SIGKILL after 10 s, for a process this module started (None: never started)."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class MotoServer(object):
    """moto in server mode on 127.0.0.1, with AWS managed policies loaded and the EKS add-on API that moto
    lacks added by tests/fixtures/moto_server_eks_addons.py."""

    def __init__(self, log_dir):
        self.log_path = os.path.join(log_dir, "moto.log")
        self.proc = None
        self.url = None

    def start(self):
        port = free_port()
        self.url = "http://127.0.0.1:%d" % port
        launcher = os.path.join(ROOT, "tests", "fixtures", "moto_server_eks_addons.py")
        env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([sys.executable, launcher, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=2)
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("moto_server exited: see %s" % self.log_path)
                time.sleep(0.2)
        raise RuntimeError("moto_server did not start in 60 s")

    def stop(self):
        stop_process(self.proc)

    def aws_env(self):
        return {
            "AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        }


class FakeOperator(object):
    """tests/fixtures/fake_wandb_operator.py against one testbed: plays the W&B operator's controller."""

    def __init__(self, kubeconfig, log_dir):
        self.kubeconfig = kubeconfig
        self.log_path = os.path.join(log_dir, "fake-wandb-operator.log")
        self.proc = None

    def start(self):
        script = os.path.join(ROOT, "tests", "fixtures", "fake_wandb_operator.py")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([sys.executable, script, self.kubeconfig], stdout=log, stderr=log)
        return self

    def stop(self):
        stop_process(self.proc)


def helm_on_path(workdir, helm_bin):
    """A bin directory whose ``helm`` is ``helm_bin``, so roles need no helm_binary setting."""
    bin_dir = os.path.join(workdir, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    link = os.path.join(bin_dir, "helm")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(helm_bin, link)
    return bin_dir


def demo_env(workdir, bed, moto, repo, helm_version=3):
    """Environment for ansible-playbook -i inventories/local (see inventories/local/group_vars)."""
    env = dict(os.environ)
    for name in ("KUBECONFIG", "K8S_AUTH_KUBECONFIG", "HELM_DRIVER", "AWS_PROFILE"):
        env.pop(name, None)
    env.update(moto.aws_env())
    env.update({
        "WANDB_DEMO_KUBECONFIG": bed.kubeconfig, "WANDB_DEMO_CHART_REPO": repo.url,
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_DIR, "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "PATH": os.pathsep.join([helm_on_path(workdir, bed.helm(helm_version)),
                                 os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
    })
    return env


class DemoServices(object):
    """What inventories/local runs against, in one work directory: a testbed, moto, the chart repository and
    the stand-in W&B operator. ``env`` is ansible-playbook's environment (demo_env); ``stop`` stops whatever
    has started, so a start that fails half-way leaves nothing running either."""

    def __init__(self, workdir, helm_version=3):
        self.workdir = workdir
        self.helm_version = helm_version
        self.bed = Testbed(os.path.join(workdir, "testbed"))
        self.moto = MotoServer(workdir)
        self.repo = None
        self.operator = None
        self.env = None

    def start(self):
        try:
            self.bed.up()
            self.moto.start()
            self.repo = ChartRepo(self.workdir, self.bed.helm(3)).build().serve()
            self.operator = FakeOperator(self.bed.kubeconfig, self.workdir).start()
        except BaseException:
            self.stop()
            raise
        self.env = demo_env(self.workdir, self.bed, self.moto, self.repo, self.helm_version)
        return self

    @property
    def started(self):
        return self.operator is not None

    def stop(self):
        if self.operator:
            self.operator.stop()
        if self.repo:
            self.repo.stop()
        self.moto.stop()
        self.bed.down()
