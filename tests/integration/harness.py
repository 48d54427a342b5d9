"""The integration tests' runner for ansible-playbook; the local services live in scripts/lib/localenv.py."""

import base64
import collections
import glob
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
import urllib.request

import boto3
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))

import localenv  # noqa: E402  pylint: disable=wrong-import-position
from localenv import COLLECTIONS_DIR  # noqa: E402  pylint: disable=wrong-import-position

TARGETS = os.path.join(ROOT, "tests", "integration", "targets")

_RECAP_RE = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)",
    re.M,
)
_TASK_RE = re.compile(r"^TASK \[(?P<task>.*)\] \*+$", re.M)
# A failed task (or loop item) as the default callback prints it, the result as JSON after "=> ".
_FAILED_RE = re.compile(
    r"^(?:fatal: \[(?P<host>[^\]]+)\]: FAILED!|failed: \[(?P<item_host>[^\]]+)\] \(item=(?P<item>.*?)\)) => ", re.M
)

Failure = collections.namedtuple("Failure", "task item msg result host")


class PlaybookResult(object):
    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout
        self.recaps = {}  # per host, for plays on several hosts
        self.recap = {}  # the last host's (a play on localhost: its only one)
        for match in _RECAP_RE.finditer(self.output):
            self.recap = dict((k, int(v)) for k, v in match.groupdict().items() if k != "host")
            self.recaps[match.group("host")] = self.recap

    @property
    def changed(self):
        return self.recap.get("changed")

    @property
    def failures(self):
        """Every failed task (or loop item) in order: the task's name as its header shows it, the item's label,
        the result's ``msg`` and the whole result."""
        tasks = [(m.start(), m.group("task")) for m in _TASK_RE.finditer(self.output)]
        decoder = json.JSONDecoder()
        found = []
        for match in _FAILED_RE.finditer(self.output):
            result = decoder.raw_decode(self.output, match.end())[0]
            task = [name for start, name in tasks if start < match.start()]
            host = match.group("host") or match.group("item_host")
            found.append(Failure(task[-1] if task else None, match.group("item"), result.get("msg"), result, host))
        return found

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
    env.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_DIR,
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_PIPELINING": "true",  # as the README advises (and inventories/ set)
            "ANSIBLE_ROLES_PATH": os.path.join(ROOT, "roles"),
            "PATH": os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
        }
    )
    # Tests choose their cluster explicitly; never the developer's own.
    for name in ("KUBECONFIG", "K8S_AUTH_KUBECONFIG", "HELM_DRIVER"):
        env.pop(name, None)
    env.update(extra or {})
    return localenv.ansible_process_env(env)


def playbook_command(playbook, *args, inventory="localhost,"):
    """The one way the tests run ansible-playbook: this virtualenv's, on ``inventory`` (localhost: local connection)."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory]
    if inventory == "localhost,":
        cmd += ["-c", "local"]
    return cmd + [playbook] + list(args)


def ansible_playbook(playbook, *args, inventory="localhost,", env=None, timeout=900):
    """Run ansible-playbook to the end: its output and recap in a PlaybookResult. ``env`` is the whole environment."""
    proc = subprocess.run(
        playbook_command(playbook, *args, inventory=inventory),
        env=env or ansible_env(),
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        timeout=timeout,
        cwd=ROOT,
    )
    return PlaybookResult(proc)


def run_playbook(playbook, extra_vars=None, env=None, check=False, diff=False, verbosity=0, timeout=900):
    """A playbook on localhost with the tests' Ansible settings (ansible_env) plus ``env``."""
    args = (
        (["-e", json.dumps(extra_vars)] if extra_vars else [])
        + (["--check"] if check else [])
        + (["--diff"] if diff else [])
        + (["-" + "v" * verbosity] if verbosity else [])
    )
    return ansible_playbook(playbook, *args, env=ansible_env(env), timeout=timeout)


def run_target(target, scenario, extra_vars, workdir, **kwargs):
    """One scenario (tasks file) of an integration target, on localhost; fails the test unless it succeeds."""
    return run_playbook(target_playbook(workdir, target, scenario), extra_vars=extra_vars, **kwargs).require()


def target_playbook(workdir, target, tasks_file):
    """A playbook that runs one scenario (tasks file) of an integration target on localhost."""
    path = os.path.join(workdir, "%s-%s.yml" % (target, os.path.splitext(tasks_file)[0]))
    play = [
        {
            "name": "%s: %s" % (target, tasks_file),
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [
                {
                    "name": "Scenario",
                    "ansible.builtin.include_tasks": os.path.join(TARGETS, target, "tasks", tasks_file),
                }
            ],
        }
    ]
    with open(path, "w") as handle:
        yaml.safe_dump(play, handle)
    return path


def scenarios(target):
    return sorted(
        os.path.basename(p)
        for p in glob.glob(os.path.join(TARGETS, target, "tasks", "*.yml"))
        if not os.path.basename(p).startswith("_")
    )


def make_workdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def remove(path):
    shutil.rmtree(path, ignore_errors=True)


INVENTORY = os.path.join(ROOT, "inventories", "local")


def decode_helm_record(data):
    """A Helm release record as stored in its Secret (base64 of base64 of gzipped JSON), as text."""
    raw = base64.b64decode(base64.b64decode(data))
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")


def clickhouse_sql(port, password, query):
    """The rows (JSONEachRow) of ``query`` sent to the ClickHouse engine on 127.0.0.1:``port`` as user default."""
    request = urllib.request.Request(
        "http://127.0.0.1:%d/?default_format=JSONEachRow" % port,
        data=query.encode(),
        headers={"X-ClickHouse-User": "default", "X-ClickHouse-Key": password},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return [json.loads(line) for line in answer.read().decode().splitlines() if line.strip()]


def aws_clients(moto_url):
    session = boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    return dict(
        (name, session.client(name, endpoint_url=moto_url))
        for name in ("iam", "s3", "eks", "ec2", "rds", "elasticache", "kms", "acm", "route53")
    )


class Chain(object):
    """playbooks/*.yml with inventories/local against one set of local services (localenv.DemoServices), and
    what the tests read back from the testbed and moto."""

    def __init__(self, workdir, helm_version, premade_network=True):
        self.services = localenv.DemoServices(workdir, helm_version, premade_network=premade_network).start()
        self.bed, self.env = self.services.bed, self.services.env
        self.repo_url = self.services.repo.url  # the chart repository inventories/local installs from
        self.aws = aws_clients(self.services.moto.url)
        self.kept_oidc_provider_arns = []  # made by the test, not by the chain: assert_empty ignores them
        self.kept_clusters = []  # likewise: an existing cluster the chain is given

    @classmethod
    def attach(cls, bed, moto_url, repo_url=None, workdir=None, helm_version=3):
        """The inspection of services someone else runs (the demo's, kept with --keep); with ``repo_url``, also the
        playbooks, in the environment the demo runs them in (``workdir``: where that environment's files go)."""
        chain = cls.__new__(cls)
        chain.services, chain.bed, chain.env, chain.aws = None, bed, None, aws_clients(moto_url)
        chain.repo_url = repo_url
        chain.kept_oidc_provider_arns = []
        chain.kept_clusters = []
        if repo_url:
            moto, repo = localenv.MotoServer(workdir), localenv.ChartRepo(workdir, None)
            moto.url, repo.url = moto_url, repo_url
            zones = chain.aws["route53"].list_hosted_zones_by_name(DNSName="demo.local")["HostedZones"]
            zone_id = zones[0]["Id"].split("/")[-1]
            chain.env = localenv.demo_env(workdir, bed, moto, repo, helm_version, None, zone_id)
            chain.services = types.SimpleNamespace(helm_version=helm_version, zone_id=zone_id)
        return chain

    def stop(self):
        self.services.stop()

    def play(self, playbook, *args, **kwargs):
        """One of playbooks/*.yml on ``inventory`` (inventories/local) against these services."""
        return ansible_playbook(
            os.path.join(ROOT, "playbooks", playbook),
            *args,
            inventory=kwargs.pop("inventory", INVENTORY),
            env=dict(self.env, **kwargs.pop("env", {})),
        )

    def kube(self, *args):
        return json.loads(self.bed.kubectl("get", "-o", "json", *args).stdout)

    def accepts(self, manifest):
        """Whether the API server takes ``manifest`` (a server-side dry run with strict field validation): how a test
        sees which CRD version is in the cluster. Anything but an unknown kind or field fails the test."""
        proc = subprocess.run(
            [self.bed.env["KUBECTL_BIN"], "--kubeconfig", self.bed.kubeconfig, "apply", "--server-side"]
            + ["--dry-run=server", "--validate=strict", "-f", "-"],
            input=manifest,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            universal_newlines=True,
            check=False,
        )
        unknown = ("field not declared in schema", "no matches for kind")
        assert proc.returncode == 0 or any(reason in proc.stdout for reason in unknown), proc.stdout
        return proc.returncode == 0

    def kube_names(self, *args):
        return sorted(item["metadata"]["name"] for item in self.kube(*args)["items"])

    def helm(self, *args):
        helm_bin = self.bed.helm(self.services.helm_version if self.services else 3)
        proc = subprocess.run(
            [helm_bin, "--kubeconfig", self.bed.kubeconfig] + list(args),
            check=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=120,
        )
        return json.loads(proc.stdout)

    def helm_chart(self, namespace, release):
        """<chart>-<version> of a deployed release, as ``helm list`` shows it."""
        releases = self.helm("list", "-n", namespace, "--filter", "^%s$" % release, "-o", "json")
        assert [r["status"] for r in releases] == ["deployed"], releases
        return releases[0]["chart"]

    def helm_values(self, namespace, release):
        """The values the release was installed with (``helm get values``)."""
        return self.helm("get", "values", release, "-n", namespace, "-o", "json")

    def roles(self):
        return sorted(r["RoleName"] for r in self.aws["iam"].list_roles()["Roles"] if not r["Path"].startswith("/aws-"))

    def buckets(self):
        return [b["Name"] for b in self.aws["s3"].list_buckets()["Buckets"]]

    def user_namespaces(self):
        return [
            n
            for n in self.kube_names("namespaces")
            if n not in ("default", "kube-node-lease", "kube-public", "kube-system")
        ]

    def assert_empty(self):
        """Nothing the chain makes exists: no IAM role or instance profile, bucket, cluster, OIDC provider, VPC or
        subnet or gateway the role tagged, NAT gateway, Elastic IP, namespace, Helm release, StorageClass, CSIDriver,
        ClusterRole(Binding), W&B or load balancer controller CRD, database, cache, certificate, security group or
        KMS key."""
        assert self.roles() == []
        assert self.aws["iam"].list_instance_profiles()["InstanceProfiles"] == []
        assert self.buckets() == []
        assert self.aws["eks"].list_clusters()["clusters"] == self.kept_clusters
        assert [
            p["Arn"]
            for p in self.aws["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"]
            if p["Arn"] not in self.kept_oidc_provider_arns
        ] == []
        ec2, tagged = self.aws["ec2"], [{"Name": "tag:selfmanaged.wandb/cluster", "Values": ["wandb-demo"]}]
        assert ec2.describe_vpcs(Filters=tagged)["Vpcs"] == []
        assert ec2.describe_subnets(Filters=tagged)["Subnets"] == []
        assert ec2.describe_internet_gateways(Filters=tagged)["InternetGateways"] == []
        assert [n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"] == []
        assert ec2.describe_addresses()["Addresses"] == []  # the NAT gateways' Elastic IPs
        assert self.user_namespaces() == []
        assert self.kube_names("secrets", "-n", "kube-system", "-l", "owner=helm") == []  # no Helm release left
        assert "wandb-image-pull" not in self.kube_names("secrets", "-n", "kube-system")  # nor a mirror's credentials
        assert self.kube_names("storageclasses") == []
        # cluster-wide objects of the real charts (the testbed starts with none of these)
        assert self.kube_names("csidrivers,clusterroles,clusterrolebindings") == []
        assert "weightsandbiases.apps.wandb.com" not in self.kube_names("customresourcedefinitions")
        assert [
            n for n in self.kube_names("customresourcedefinitions") if n.endswith(("k8s.aws", "altinity.com"))
        ] == []
        # W&B's data services: no database (its final snapshot stays, as teardown reports), cache, certificate or
        # security group; the files key only waiting for KMS to delete it
        rds = self.aws["rds"]
        assert rds.describe_db_clusters()["DBClusters"] == [] and rds.describe_db_instances()["DBInstances"] == []
        assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []
        assert [
            g
            for g in rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]
            if not g["DBClusterParameterGroupName"].startswith("default")
        ] == []
        assert self.aws["elasticache"].describe_replication_groups()["ReplicationGroups"] == []
        assert [
            g["CacheSubnetGroupName"]
            for g in self.aws["elasticache"].describe_cache_subnet_groups()["CacheSubnetGroups"]
            if g["CacheSubnetGroupName"] != "default"
        ] == []
        assert self.aws["acm"].list_certificates()["CertificateSummaryList"] == []
        kept_groups = set(  # EKS's own security group of a cluster the test gave the chain
            self.aws["eks"].describe_cluster(name=name)["cluster"]["resourcesVpcConfig"].get("clusterSecurityGroupId")
            for name in self.kept_clusters
        )
        assert [
            g["GroupName"]
            for g in self.aws["ec2"].describe_security_groups()["SecurityGroups"]
            if g["GroupName"] != "default" and g["GroupId"] not in kept_groups
        ] == []
        keys = [
            self.aws["kms"].describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in self.aws["kms"].list_keys()["Keys"]
        ]
        assert [k["KeyId"] for k in keys if k["KeyManager"] == "CUSTOMER" and k["KeyState"] != "PendingDeletion"] == []
