"""No-op cost of helm_release vs kubernetes.core.helm vs a floor, on one testbed (a benchmark, not a test).

Each tool converges the same 5 releases, then the second (no-op) run is timed BENCH_REPEAT times
(median) and its helm invocations counted through a wrapper script. The floor is the same 5-item loop
with ansible.builtin.ping: what any module costs. Prints a table; BENCH_JSON=path also writes JSON.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from localenv import CHARTS, COLLECTIONS_DIR, Testbed  # noqa: E402  pylint: disable=wrong-import-position

RELEASES = 5
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
RECAP = re.compile(r"^localhost\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", re.M)

TASKS = {
    "selfmanaged.wandb.helm_release": """
    - name: Converge
      selfmanaged.wandb.helm_release:
        name: "bench-{{ item }}"
        namespace: bench-wandb
        create_namespace: true
        chart: "{{ chart }}"
        helm_binary: "{{ helm }}"
        kubeconfig: "{{ kubeconfig }}"
        values: {settings: {item: "{{ item }}"}, replicaCount: 1}
""",
    "kubernetes.core.helm": """
    - name: Converge
      kubernetes.core.helm:
        name: "bench-{{ item }}"
        release_namespace: bench-core
        create_namespace: true
        chart_ref: "{{ chart }}"
        binary_path: "{{ helm }}"
        kubeconfig: "{{ kubeconfig }}"
        release_values: {settings: {item: "{{ item }}"}, replicaCount: 1}
""",
    "floor (ansible.builtin.ping)": """
    - name: Converge
      ansible.builtin.ping:
""",
}


def playbook(workdir, name, tasks):
    path = os.path.join(workdir, "%s.yml" % re.sub(r"\W+", "_", name))
    with open(path, "w") as handle:
        handle.write(
            "- hosts: localhost\n  gather_facts: false\n  tasks:%s      loop: %s\n"
            % (tasks, list(range(1, RELEASES + 1)))
        )
    return path


def run(path, extra):
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_DIR + os.pathsep + os.environ.get("ANSIBLE_COLLECTIONS_PATH", ""),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
    )
    start = time.monotonic()
    proc = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
            path,
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            json.dumps(extra),
        ],
        env=env,
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
    )
    elapsed = time.monotonic() - start
    match = RECAP.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise SystemExit("benchmark: %s failed:\n%s" % (path, proc.stdout[-4000:]))
    return elapsed, int(match.group(1))


def main():
    workdir = tempfile.mkdtemp(prefix="wandb-bench-")
    bed = Testbed(os.path.join(workdir, "testbed")).up()
    try:
        count_file = os.path.join(workdir, "helm-invocations")
        wrapper = os.path.join(workdir, "helm")
        with open(wrapper, "w") as handle:
            handle.write('#!/bin/sh\necho "$*" >> "%s"\nexec "%s" "$@"\n' % (count_file, bed.helm(3)))
        os.chmod(wrapper, 0o755)
        extra = {"chart": os.path.join(CHARTS, "demo"), "helm": wrapper, "kubeconfig": bed.kubeconfig}
        paths = dict((name, playbook(workdir, name, tasks)) for name, tasks in TASKS.items())
        for path in paths.values():
            run(path, extra)  # converge
        # Round-robin the measured runs, so that drift in machine load hits every tool alike.
        times = dict((name, []) for name in paths)
        invocations = {}
        for _attempt in range(REPEAT):
            for name, path in paths.items():
                open(count_file, "w").close()
                elapsed, changed = run(path, extra)
                if changed:
                    raise SystemExit("benchmark: %s changed %d on a no-op run" % (name, changed))
                times[name].append(elapsed)
                with open(count_file) as handle:
                    invocations[name] = len(handle.read().splitlines())
        results = dict(
            (
                name,
                {
                    "median_s": statistics.median(times[name]),
                    "runs_s": times[name],
                    "helm_per_release": invocations[name] / RELEASES,
                },
            )
            for name in paths
        )
    finally:
        bed.down()
    floor = results["floor (ansible.builtin.ping)"]["median_s"]
    for value in results.values():
        value["above_floor_per_release_s"] = (value["median_s"] - floor) / RELEASES
    ours = results["selfmanaged.wandb.helm_release"]
    theirs = results["kubernetes.core.helm"]
    ratio = ours["above_floor_per_release_s"] / theirs["above_floor_per_release_s"]
    print(
        "| tool | no-op run, median of %d (s) | above floor per release (s) | helm runs per unchanged release |"
        % REPEAT
    )
    print("| --- | --- | --- | --- |")
    for name, value in results.items():
        print(
            "| %s | %.2f | %.3f | %g |"
            % (name, value["median_s"], value["above_floor_per_release_s"], value["helm_per_release"])
        )
    print(
        "\nhelm_release cost above the floor = %.2f x kubernetes.core.helm's (target <= 0.3): %s"
        % (ratio, "PASS" if ratio <= 0.3 else "FAIL")
    )
    print(
        "helm_release helm invocations per unchanged release = %g (target <= 1): %s"
        % (ours["helm_per_release"], "PASS" if ours["helm_per_release"] <= 1 else "FAIL")
    )
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as handle:
            json.dump({"results": results, "ratio": ratio}, handle, indent=2)


if __name__ == "__main__":
    main()
