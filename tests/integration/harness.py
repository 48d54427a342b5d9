"""Local services for the integration tests and their runner for ansible-playbook.

Everything listens on 127.0.0.1 and is stopped by PID when the session ends.
"""

import glob
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
COLLECTIONS_DIR = os.path.join(ROOT, ".cache", "collections")
TARGETS = os.path.join(ROOT, "tests", "integration", "targets")
CHARTS = os.path.join(ROOT, "tests", "integration", "charts")

_RECAP_RE = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)",
    re.M,
)


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
    """The test charts packaged (demo 0.1.0 and 0.2.0) and served as a Helm repository."""

    def __init__(self, workdir, helm_bin):
        self.dir = os.path.join(workdir, "repo")
        self.helm_bin = helm_bin
        self.server = None
        self.url = None

    def build(self):
        os.makedirs(self.dir, exist_ok=True)
        for version in ("0.1.0", "0.2.0"):
            subprocess.run(
                [self.helm_bin, "package", os.path.join(CHARTS, "demo"), "--version", version, "--destination", self.dir],
                check=True, stdout=subprocess.PIPE, timeout=120,
            )
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

    def tgz(self, version):
        return os.path.join(self.dir, "demo-%s.tgz" % version)

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class MotoServer(object):
    """moto in server mode on 127.0.0.1, with AWS managed policies loaded."""

    def __init__(self, log_dir):
        self.log_path = os.path.join(log_dir, "moto.log")
        self.proc = None
        self.url = None

    def start(self):
        port = free_port()
        self.url = "http://127.0.0.1:%d" % port
        binary = os.path.join(os.path.dirname(sys.executable), "moto_server")
        env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log, env=env)
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
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def aws_env(self):
        return {
            "AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        }


class PlaybookResult(object):
    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout
        self.recap = {}
        for match in _RECAP_RE.finditer(self.output):
            self.recap = dict((k, int(v)) for k, v in match.groupdict().items() if k != "host")

    @property
    def changed(self):
        return self.recap.get("changed")

    def __repr__(self):
        return "PlaybookResult(rc=%s, recap=%s)" % (self.rc, self.recap)

    def require(self, changed=None):
        """Fail the test with the playbook's output unless it succeeded (with ``changed`` changes)."""
        problems = []
        if self.rc != 0 or self.recap.get("failed", 1) != 0:
            problems.append("ansible-playbook failed (rc=%s, recap=%s)" % (self.rc, self.recap))
        if changed is not None and self.changed != changed:
            problems.append("expected changed=%s, got %s" % (changed, self.changed))
        if problems:
            import pytest  # pylint: disable=import-outside-toplevel

            pytest.fail("%s\n--- output (tail) ---\n%s" % ("; ".join(problems), self.output[-12000:]), pytrace=False)
        return self


def ansible_env(extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_DIR,
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_ROLES_PATH": os.path.join(ROOT, "roles"),
        "PATH": os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
    })
    # Tests choose their cluster explicitly; never the developer's own.
    for name in ("KUBECONFIG", "K8S_AUTH_KUBECONFIG", "HELM_DRIVER"):
        env.pop(name, None)
    env.update(extra or {})
    return env


def run_playbook(playbook, extra_vars=None, env=None, check=False, diff=False, verbosity=0, timeout=900):
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), playbook, "-i", "localhost,", "-c", "local"]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    proc = subprocess.run(
        cmd, env=ansible_env(env), check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, timeout=timeout, cwd=ROOT,
    )
    return PlaybookResult(proc)


def target_playbook(workdir, target, tasks_file):
    """A playbook that runs one scenario (tasks file) of an integration target on localhost."""
    path = os.path.join(workdir, "%s-%s.yml" % (target, os.path.splitext(tasks_file)[0]))
    play = [{
        "name": "%s: %s" % (target, tasks_file),
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [{"name": "Scenario", "ansible.builtin.include_tasks": os.path.join(TARGETS, target, "tasks", tasks_file)}],
    }]
    with open(path, "w") as handle:
        yaml.safe_dump(play, handle)
    return path


def scenarios(target):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(TARGETS, target, "tasks", "*.yml")) if not os.path.basename(p).startswith("_"))


def make_workdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def remove(path):
    shutil.rmtree(path, ignore_errors=True)
