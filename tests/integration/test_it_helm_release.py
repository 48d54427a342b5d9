"""helm_release through ansible-playbook against the testbed, with Helm 3 and Helm 4.

Both Helm versions run the scenarios where the module speaks to each differently or Helm itself behaves differently:
waiting (--wait against --wait=watcher), rolling back (--atomic against --rollback-on-failure), uninstalling, CRDs,
the server-side dry run of check mode, stuck releases, and what Helm prints around secret values. The scenarios whose
subject is the module's own work - where a chart comes from, how values merge, its checks of the arguments,
helm_chart_info's reading of a repository index - run on Helm 3; Helm 4 installs from a repository, with values, in
the Helm 4 chain (test_it_site.py)."""

import json
import os
import signal
import stat
import subprocess
import time

import harness
import pytest
import yaml
from localenv import CHARTS

HELM_VERSIONS = [3, 4]
TARGET = "helm_release"
RECOVERY = {"recover_pending_install.yml", "recover_pending_upgrade.yml", "recover_failed.yml", "atomic.yml"}
VERBOSE = {"secret_values.yml"}
PLAIN_SCENARIOS = [s for s in harness.scenarios(TARGET) if s not in RECOVERY | VERBOSE]
# where Helm 3 and Helm 4 differ for the module (the docstring above says which and why)
BOTH_HELMS = {"absent.yml", "check_mode.yml", "crds.yml"}
MATRIX = [(s, h) for s in PLAIN_SCENARIOS for h in (HELM_VERSIONS if s in BOTH_HELMS else [3])]
SECRET = "s3cr3t-Pa55-" + "x9q"  # built, so a grep of the sources does not find the whole string


def scenario_vars(bed, helm_major, namespace, workdir, chart_repo=None):
    values = {
        "helm_bin": bed.helm(helm_major),
        "helm_major": helm_major,
        "kubeconfig": bed.kubeconfig,
        "kubectl_bin": bed.env["KUBECTL_BIN"],
        "ns": namespace,
        "chart_dir": os.path.join(CHARTS, "demo"),
        "workdir": workdir,
        "secret": SECRET,
    }
    if chart_repo:
        values.update(repo_url=chart_repo.url, chart_tgz=chart_repo.tgz("0.2.0"))
    return values


def run_scenario(name, extra_vars, workdir, **kwargs):
    return harness.run_target(TARGET, name, extra_vars, workdir, **kwargs)


@pytest.mark.parametrize("scenario, helm_major", MATRIX, ids=["%s-helm%d" % case for case in MATRIX])
def test_scenario(scenario, helm_major, testbed, chart_repo, namespace, workdir):
    run_scenario(scenario, scenario_vars(testbed, helm_major, namespace, workdir, chart_repo), workdir)


# -- releases stuck by an interrupted or failed run ---------------------------------------------------
def helm(bed, helm_major, *args, **kwargs):
    return subprocess.run(
        [bed.helm(helm_major), "--kubeconfig", bed.kubeconfig] + list(args),
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        **kwargs,
    )


def release_status(bed, namespace, name):
    out = bed.kubectl("get", "secrets", "-n", namespace, "-l", "owner=helm,name=%s" % name, "-o", "json").stdout
    items = json.loads(out)["items"]
    latest = max(items, key=lambda i: int(i["metadata"]["labels"]["version"]), default=None)
    return latest and latest["metadata"]["labels"]["status"]


def kill_helm_when(bed, helm_major, namespace, status, args):
    """Start a waiting helm command and kill -9 it once the release record says ``status``."""
    proc = subprocess.Popen(
        [bed.helm(helm_major), "--kubeconfig", bed.kubeconfig] + args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while release_status(bed, namespace, "stuck") != status:
            assert proc.poll() is None, "helm ended before the release reached %s" % status
            assert time.time() < deadline, "release never reached %s" % status
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def stick_release(bed, helm_major, namespace, status):
    chart = os.path.join(CHARTS, "demo")
    if status == "pending-install":
        kill_helm_when(
            bed,
            helm_major,
            namespace,
            status,
            ["install", "stuck", chart, "-n", namespace, "--create-namespace", "--wait", "--timeout", "5m"],
        )
    elif status == "pending-upgrade":
        assert helm(bed, helm_major, "install", "stuck", chart, "-n", namespace, "--create-namespace").returncode == 0
        kill_helm_when(
            bed,
            helm_major,
            namespace,
            status,
            ["upgrade", "stuck", chart, "-n", namespace, "--set", "replicaCount=2", "--wait", "--timeout", "5m"],
        )
    elif status == "failed":
        out = helm(
            bed,
            helm_major,
            "install",
            "stuck",
            chart,
            "-n",
            namespace,
            "--create-namespace",
            "--wait",
            "--timeout",
            "2s",
        )
        assert out.returncode != 0, out.stdout
    assert release_status(bed, namespace, "stuck") == status
    # The state a user would hit: helm itself refuses to go on.
    if status.startswith("pending"):
        blocked = helm(bed, helm_major, "upgrade", "stuck", chart, "-n", namespace)
        assert "another operation" in blocked.stdout


@pytest.mark.parametrize("helm_major", HELM_VERSIONS, ids=["helm3", "helm4"])
@pytest.mark.parametrize("status", ["pending-install", "pending-upgrade", "failed"])
def test_recovers_stuck_release(status, helm_major, testbed_noready, namespace, workdir):
    stick_release(testbed_noready, helm_major, namespace, status)
    run_scenario(
        "recover_%s.yml" % status.replace("-", "_"),
        scenario_vars(testbed_noready, helm_major, namespace, workdir),
        workdir,
    )


@pytest.mark.parametrize("helm_major", HELM_VERSIONS, ids=["helm3", "helm4"])
def test_atomic_rolls_back_when_wait_fails(helm_major, testbed_noready, namespace, workdir):
    run_scenario("atomic.yml", scenario_vars(testbed_noready, helm_major, namespace, workdir), workdir)


# -- whole-playbook properties ------------------------------------------------------------------------
@pytest.mark.parametrize("helm_major", HELM_VERSIONS, ids=["helm3", "helm4"])
def test_secret_values_never_in_verbose_output(helm_major, testbed, namespace, workdir):
    """-vvv shows module arguments and results, --diff the values; the secret is in none of them."""
    result = run_scenario(
        "secret_values.yml", scenario_vars(testbed, helm_major, namespace, workdir), workdir, verbosity=3, diff=True
    )
    assert "secret_values" in result.output  # the argument was there, masked
    assert "********" in result.output  # the diff shows where it is
    assert SECRET not in result.output
    # Helm itself stores it in the release record, as the documentation says.
    stored = helm(testbed, helm_major, "get", "values", "secretive", "-n", namespace, "-o", "json")
    assert json.loads(stored.stdout)["settings"]["password"] == SECRET + "-rotated"


def test_the_clickhouse_roles_bitnami_images_come_from_a_mirror(testbed, chart_repo, workdir):
    """Bitnami's chart behind wandb_image_registry, with the clickhouse role's own image values (no chain runs Bitnami
    behind a mirror): the real chart renders them, every image from the mirror (helm_images)."""
    playbook = os.path.join(harness.ROOT, "tests", "integration", "playbooks", "clickhouse_bitnami_mirror.yml")
    harness.run_playbook(playbook, extra_vars={"repo_url": chart_repo.url, "helm_bin": testbed.helm(3)}).require()


def test_images_playbook_refuses_a_floating_image_and_says_what_the_channel_chooses(testbed, chart_repo, workdir):
    """playbooks/images.yml (no cluster, no AWS: the endpoint leads nowhere) refuses an image tagged latest - here one
    a chart value sets - naming it and its workload, and writes no list; with wandb_weave_version: channel, W&B's chart
    and images are the release channel's to choose at run time: only the operator's are listed, and it says so."""
    env = harness.ansible_env(
        {
            "WANDB_DEMO_KUBECONFIG": testbed.kubeconfig,
            "WANDB_DEMO_CHART_REPO": chart_repo.url,
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "WANDB_DEMO_ROUTE53_ZONE_ID": "Z0000000000000",
            "PATH": os.path.dirname(testbed.helm(3)) + os.pathsep + os.environ.get("PATH", ""),
        }
    )
    playbook = os.path.join(harness.ROOT, "playbooks", "images.yml")
    lists = os.path.join(workdir, "image-lists")
    floating = {
        "ebs_csi_chart_values": {"sidecars": {"attacher": {"image": {"tag": "latest"}}}},
        "wandb_images_dir": lists,
    }
    refused = harness.ansible_playbook(
        playbook, "--tags", "ebs_csi", "-e", json.dumps(floating), inventory=harness.INVENTORY, env=env
    )
    assert refused.rc != 0 and refused.recap.get("failed") == 1, refused.output[-3000:]
    assert (
        '"msg": "images: not pinned - public.ecr.aws/csi-components/csi-attacher:latest in '
        "Deployment/ebs-csi-controller: pin each (its role's image variables, or the chart's values)\""
        in refused.output
    )
    assert not os.path.exists(lists)

    channel = {"wandb_weave_version": "channel", "wandb_images_dir": lists}
    listed = harness.ansible_playbook(
        playbook, "--tags", "wandb_weave", "-e", json.dumps(channel), inventory=harness.INVENTORY, env=env
    ).require()
    with open(os.path.join(lists, "images.txt")) as handle:
        assert handle.read().split() == ["docker.io/wandb/controller:1.22.0"]
    assert "W&B's chart and its images are chosen by W&B's release channel when the operator runs" in listed.output


def test_playbook_second_run_reports_no_change(testbed, chart_repo, namespace, workdir):
    """Idempotence at playbook level: a play of several releases, run twice."""
    playbook = os.path.join(workdir, "converge-%s.yml" % namespace)
    with open(playbook, "w") as handle:
        handle.write("""
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/selfmanaged.wandb.helm:
      kubeconfig: "{{ kubeconfig }}"
      helm_binary: "{{ helm_bin }}"
      namespace: "{{ ns }}"
      create_namespace: true
  tasks:
    - name: Releases from every kind of source
      selfmanaged.wandb.helm_release:
        name: "{{ item.name }}"
        chart: "{{ item.chart }}"
        repo_url: "{{ item.repo | default(omit) }}"
        chart_version: "{{ item.version | default(omit) }}"
        values: {settings: {name: "{{ item.name }}"}}
      loop:
        - {name: dir, chart: "{{ chart_dir }}"}
        - {name: repo, chart: demo, repo: "{{ repo_url }}", version: 0.1.0}
        - {name: tgz, chart: "{{ chart_tgz }}"}
""")
    extra = scenario_vars(testbed, 3, namespace, workdir, chart_repo)
    harness.run_playbook(playbook, extra_vars=extra).require(changed=1)
    harness.run_playbook(playbook, extra_vars=extra).require(changed=0)
    harness.run_playbook(playbook, extra_vars=extra, check=True, diff=True).require(changed=0)


def test_a_module_killed_mid_run_leaves_no_secret_on_disk(testbed, namespace, workdir):
    """While helm runs, and after kill -9 of the module and of ansible-playbook itself, Ansible's temporary directories
    hold neither the secret values nor the credentials of a kubeconfig given as a dict (which helm needs as a file):
    values go through helm's stdin, the kubeconfig through an anonymous in-memory file (/dev/fd). With pipelining, as
    the README advises: otherwise Ansible itself writes the task's arguments into its AnsiballZ file for the task's
    duration."""
    case = os.path.join(workdir, "killed-" + namespace)
    os.makedirs(os.path.join(case, "bin"))
    marker = os.path.join(case, "helm-started")
    wrapper = os.path.join(case, "bin", "helm")
    with open(wrapper, "w") as handle:
        handle.write(
            '#!/bin/sh\ncase "$1" in upgrade) echo $PPID > %s; sleep 120;; esac\nexec %s "$@"\n'
            % (marker, testbed.helm(3))
        )
    os.chmod(wrapper, 0o755)
    with open(testbed.kubeconfig) as handle:
        kubeconfig = yaml.safe_load(handle)
    client_key = kubeconfig["users"][0]["user"]["client-key-data"].encode()
    playbook = os.path.join(case, "play.yml")
    with open(playbook, "w") as handle:
        yaml.safe_dump(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "tasks": [
                        {
                            "selfmanaged.wandb.helm_release": {
                                "name": "killed",
                                "namespace": namespace,
                                "create_namespace": True,
                                "chart": os.path.join(CHARTS, "demo"),
                                "helm_binary": wrapper,
                                "kubeconfig": kubeconfig,
                                "secret_values": {"password": SECRET},
                            }
                        }
                    ],
                }
            ],
            handle,
        )
    tmp = os.path.join(case, "tmp")
    os.makedirs(tmp)
    # TMPDIR too: with pipelining the module's code is unpacked there (ansible_<module>_payload_*), and after kill -9
    # nothing removes it - so it is searched as well, and left in the test's directory, not in /tmp
    env = harness.ansible_env(
        {"ANSIBLE_REMOTE_TMP": tmp, "ANSIBLE_LOCAL_TEMP": tmp, "ANSIBLE_PIPELINING": "true", "TMPDIR": tmp}
    )

    def secrets_on_disk():
        found, module_tmp = [], False
        for folder, _dirs, names in os.walk(tmp):
            module_tmp = module_tmp or os.path.basename(folder).startswith(
                ("ansible-moduletmp-", "ansible_selfmanaged")
            )
            for name in names:
                if not stat.S_ISREG(os.lstat(os.path.join(folder, name)).st_mode):
                    continue  # multiprocessing's sockets (pymp-*) live in TMPDIR too
                with open(os.path.join(folder, name), "rb") as handle:
                    data = handle.read()
                if SECRET.encode() in data or client_key in data:
                    found.append(os.path.join(folder, name))
        return found, module_tmp

    proc = subprocess.Popen(
        harness.playbook_command(playbook),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while not (os.path.exists(marker) and open(marker).read().strip()):
            assert proc.poll() is None and time.time() < deadline, "helm upgrade never started"
            time.sleep(0.2)
        mid_run, module_tmp = secrets_on_disk()
        os.kill(int(open(marker).read()), signal.SIGKILL)  # the module (helm's parent) ...
        os.killpg(proc.pid, signal.SIGKILL)  # ... and ansible-playbook itself: nothing gets to clean up
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
        subprocess.run(["pkill", "-f", marker], check=False)  # the wrapper's sleep
    assert module_tmp, (
        "no module temporary directory in %s while the module ran: the test looked in the wrong place" % tmp
    )
    assert mid_run == [], "secrets on disk while helm ran: %s" % mid_run
    assert secrets_on_disk()[0] == [], "secrets left on disk after kill -9: %s" % secrets_on_disk()[0]
