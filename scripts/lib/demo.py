"""The local demo: the whole site.yml chain against moto, the testbed and a local chart repository.

Plans it (--check --diff on the empty account), runs it, runs it again (which must change nothing), shows
what exists where and the W&B URL, then stops everything it started. Run through scripts/demo, which
prepares the virtualenv. --keep leaves the services running until Ctrl-C or SIGTERM; --teardown also runs
teardown.yml (twice). Whatever it started is stopped when it ends; its state directory is removed unless a
step failed (then its logs are kept there).
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import boto3
import yaml
from localenv import ROOT, DemoServices

INVENTORY = os.path.join(ROOT, "inventories", "local")
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def say(text):
    print("\n=== %s" % text, flush=True)


def run_play(env, playbook, label, *args):
    say(label)
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
        "-i",
        INVENTORY,
        os.path.join(ROOT, "playbooks", playbook),
    ] + list(args)
    started = time.time()
    proc = subprocess.run(
        cmd, env=env, cwd=ROOT, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True
    )
    print(proc.stdout, flush=True)
    match = RECAP.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise SystemExit("demo: %s failed (rc=%d)" % (label, proc.returncode))
    print("(%s took %.0f s)" % (playbook, time.time() - started))
    return int(match.group(2)), proc.stdout


# Which stage made the Helm releases in each namespace (the defaults of inventories/local).
STAGES = {
    "kube-system": "ebs_csi",
    "clickhouse": "clickhouse",
    "wandb-cr": "wandb_weave (the W&B operator)",
    "wandb": "wandb_weave (W&B, installed by the operator from the WeightsAndBiases resource)",
}
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob")


def workloads(bed, helm_bin):
    """Per Helm release: the workloads its chart made (from the release's manifest) with their images."""
    releases = json.loads(
        subprocess.run(
            [helm_bin, "--kubeconfig", bed.kubeconfig, "list", "-A", "-o", "json"],
            check=True,
            stdout=subprocess.PIPE,
            universal_newlines=True,
        ).stdout
    )
    lines = []
    for release in sorted(
        releases, key=lambda r: list(STAGES).index(r["namespace"]) if r["namespace"] in STAGES else 99
    ):
        manifest = subprocess.run(
            [helm_bin, "--kubeconfig", bed.kubeconfig, "get", "manifest", release["name"], "-n", release["namespace"]],
            check=True,
            stdout=subprocess.PIPE,
            universal_newlines=True,
        ).stdout
        stage = STAGES.get(release["namespace"], "?")
        lines.append("%s: release %s/%s, chart %s" % (stage, release["namespace"], release["name"], release["chart"]))
        for doc in yaml.safe_load_all(manifest):
            if not doc or doc.get("kind") not in WORKLOADS:
                continue
            spec = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
            images = sorted(set(c["image"] for c in spec["template"]["spec"]["containers"]))
            replicas = " x%s" % spec["replicas"] if "replicas" in spec else ""
            lines.append("    %s/%s%s: %s" % (doc["kind"], doc["metadata"]["name"], replicas, ", ".join(images)))
    return "\n".join(lines)


def report(bed, moto, helm_bin):
    say("what the stages made - Kubernetes (the testbed), workloads as the real charts made them")
    print(workloads(bed, helm_bin))
    print()
    print(bed.kubectl("get", "storageclasses,csidrivers,namespaces,weightsandbiases", "-A", check=False).stdout)
    say("what exists now - AWS (moto)")
    session = boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    eks = session.client("eks", endpoint_url=moto.url)
    for name in eks.list_clusters()["clusters"]:
        cluster = eks.describe_cluster(name=name)["cluster"]
        print(
            "EKS cluster %s (%s), node groups: %s"
            % (name, cluster["status"], eks.list_nodegroups(clusterName=name)["nodegroups"])
        )
    iam = session.client("iam", endpoint_url=moto.url)
    print(
        "IAM roles: %s" % sorted(r["RoleName"] for r in iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-"))
    )
    print(
        "IAM OIDC providers: %s" % [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    )
    print("S3 buckets: %s" % [b["Name"] for b in session.client("s3", endpoint_url=moto.url).list_buckets()["Buckets"]])
    rds = session.client("rds", endpoint_url=moto.url)
    for db in rds.describe_db_clusters()["DBClusters"]:
        print(
            "Aurora MySQL %s %s (%s): %s:%s, encrypted %s, backups %d days"
            % (
                db["DBClusterIdentifier"],
                db["EngineVersion"],
                db["Status"],
                db["Endpoint"],
                db["Port"],
                db["StorageEncrypted"],
                db["BackupRetentionPeriod"],
            )
        )
    snapshots = rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
    print("MySQL final snapshots: %s" % [s["DBClusterSnapshotIdentifier"] for s in snapshots])
    for group in session.client("elasticache", endpoint_url=moto.url).describe_replication_groups()[
        "ReplicationGroups"
    ]:
        endpoint = group["NodeGroups"][0]["PrimaryEndpoint"]
        print(
            "ElastiCache Redis %s: %s:%s, TLS %s, encrypted at rest %s"
            % (
                group["ReplicationGroupId"],
                endpoint["Address"],
                endpoint["Port"],
                group["TransitEncryptionEnabled"],
                group["AtRestEncryptionEnabled"],
            )
        )
    acm = session.client("acm", endpoint_url=moto.url)
    print(
        "ACM certificates: %s"
        % [(c["DomainName"], c.get("Status")) for c in acm.list_certificates()["CertificateSummaryList"]]
    )


def stop_on_sigterm():
    """SIGTERM ends the demo like Ctrl-C does, so what it started is still stopped."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, interrupt)


def wait_until_interrupted():
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the testbed, moto and chart repository running until Ctrl-C or SIGTERM",
    )
    parser.add_argument("--teardown", action="store_true", help="also run playbooks/teardown.yml (twice) at the end")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="wandb-demo-")
    say(
        "starting the testbed, moto, a chart repository and a stand-in W&B operator on 127.0.0.1 (state in %s)"
        % workdir
    )
    stop_on_sigterm()
    services = DemoServices(workdir)
    bed, moto = services.bed, services.moto
    failed = True
    try:
        env = services.start().env
        run_play(env, "site.yml", "plan: site.yml --check --diff on the empty account", "--check", "--diff")
        first, dummy = run_play(env, "site.yml", "first run: converge the whole chain")
        second, output = run_play(env, "site.yml", "second run: must change nothing")
        report(bed, moto, bed.helm(3))
        say("first run changed=%d, second run changed=%d" % (first, second))
        if second != 0:
            raise SystemExit("demo: the second run changed something; idempotence is broken")
        url = re.search(r'"msg": "W&B: (\S+)"', output)
        say(
            "W&B is at %s (the demo inventory's name for it: the testbed runs no pods to answer)"
            % (url.group(1) if url else "?")
        )
        if args.teardown:
            run_play(env, "teardown.yml", "teardown: everything in reverse")
            again, dummy = run_play(env, "teardown.yml", "teardown again: must change nothing")
            report(bed, moto, bed.helm(3))
            if again != 0:
                raise SystemExit("demo: the second teardown changed something")
        failed = False
    finally:
        if args.keep and services.started:
            say(
                "kept running until Ctrl-C or SIGTERM (pid %d): export KUBECONFIG=%s; chart repository %s; moto %s"
                % (os.getpid(), bed.kubeconfig, services.repo.url, moto.url)
            )
            wait_until_interrupted()
        say("stopping what the demo started")
        services.stop()
        if failed:
            print("logs kept in %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("demo: interrupted; what it started has been stopped")
