"""The local demo: local services, the demo playbook twice (the second run must change nothing), a report.

Run through scripts/demo, which prepares the virtualenv. --keep leaves the services running.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

from localenv import COLLECTIONS_DIR, ROOT, ChartRepo, MotoServer, Testbed

PLAYBOOK = os.path.join(ROOT, "playbooks", "demo_local.yml")
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def say(text):
    print("\n=== %s" % text, flush=True)


def run_play(extra_vars, label):
    say(label)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_DIR, ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), PLAYBOOK, "-i", "localhost,",
           "-c", "local", "-e", json.dumps(extra_vars)]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    print(proc.stdout, flush=True)
    match = RECAP.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise SystemExit("demo: %s failed (rc=%d)" % (label, proc.returncode))
    return int(match.group(2))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="leave the testbed, moto and chart repository running")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="wandb-demo-")
    say("starting the testbed, moto and a chart repository on 127.0.0.1 (state in %s)" % workdir)
    bed = Testbed(os.path.join(workdir, "testbed")).up()
    moto = MotoServer(workdir).start()
    repo = ChartRepo(workdir, bed.helm(3)).build().serve()
    try:
        extra = {"demo_kubeconfig": bed.kubeconfig, "demo_chart_repo": repo.url, "demo_helm": bed.helm(3),
                 "demo_aws_endpoint": moto.url}
        first = run_play(extra, "first run: converge")
        second = run_play(extra, "second run: must change nothing")
        say("what exists now")
        print(bed.kubectl("get", "namespaces,deployments,configmaps,secrets", "-A", "-l", "app.kubernetes.io/instance",
                          check=False).stdout)
        print(subprocess.run([bed.helm(3), "--kubeconfig", bed.kubeconfig, "list", "-A"], check=False,
                             stdout=subprocess.PIPE, universal_newlines=True).stdout)
        say("first run changed=%d, second run changed=%d" % (first, second))
        if second != 0:
            raise SystemExit("demo: the second run changed something; idempotence is broken")
    finally:
        if args.keep:
            say("kept running: export KUBECONFIG=%s; chart repo %s; moto %s (pid %s); stop with: "
                "%s/testbed/down %s; kill %s" % (bed.kubeconfig, repo.url, moto.url, moto.proc.pid,
                                                 os.path.dirname(os.path.dirname(bed.env["TESTBED_BIN"])),
                                                 bed.state_dir, moto.proc.pid))
            signal.pause() if sys.stdin.isatty() else None
        repo.stop()
        moto.stop()
        bed.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
