"""The integration tests' runner for ansible-playbook; the local services live in scripts/lib/localenv.py."""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))

from localenv import COLLECTIONS_DIR  # noqa: E402  pylint: disable=wrong-import-position

TARGETS = os.path.join(ROOT, "tests", "integration", "targets")

_RECAP_RE = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)",
    re.M,
)


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
