"""The whole chain: playbooks/site.yml and teardown.yml with inventories/local, on a fresh testbed and moto.

One chain per Helm major version (the roles run whichever ``helm`` is on PATH). Each test builds on the
previous one's state, in file order: bad input changes nothing, the plan changes nothing, the chain
converges without printing a secret, a re-run and a check run change nothing, what exists is what the
issue asks for, the teardown removes everything (and again changes nothing); then the chart mode.
"""

import base64
import json
import os
import re
import subprocess
import sys

import boto3
import pytest

import harness
import localenv

INVENTORY = os.path.join(harness.ROOT, "inventories", "local")
LICENSE = "demo-license-not-a-real-one"  # inventories/local/group_vars/all/license.yml


class Chain(object):
    def __init__(self, workdir, helm_version):
        self.workdir = workdir
        self.services = localenv.DemoServices(workdir, helm_version).start()
        self.bed, self.moto, self.env = self.services.bed, self.services.moto, self.services.env
        session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        self.aws = dict((name, session.client(name, endpoint_url=self.moto.url)) for name in ("iam", "s3", "eks", "ec2"))

    def stop(self):
        self.services.stop()

    def play(self, playbook, *args):
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", INVENTORY,
               os.path.join(harness.ROOT, "playbooks", playbook)] + list(args)
        proc = subprocess.run(cmd, env=self.env, cwd=harness.ROOT, check=False, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)
        return harness.PlaybookResult(proc)

    def kube(self, *args):
        return json.loads(self.bed.kubectl("get", "-o", "json", *args).stdout)

    def kube_names(self, *args):
        return sorted(item["metadata"]["name"] for item in self.kube(*args)["items"])

    def roles(self):
        return sorted(r["RoleName"] for r in self.aws["iam"].list_roles()["Roles"] if not r["Path"].startswith("/aws-"))

    def buckets(self):
        return [b["Name"] for b in self.aws["s3"].list_buckets()["Buckets"]]

    def user_namespaces(self):
        return [n for n in self.kube_names("namespaces") if n not in ("default", "kube-node-lease", "kube-public", "kube-system")]

    def assert_empty(self):
        assert self.roles() == []
        assert self.buckets() == []
        assert self.aws["eks"].list_clusters()["clusters"] == []
        assert self.aws["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
        tagged = [{"Name": "tag:selfmanaged.wandb/cluster", "Values": ["wandb-demo"]}]
        assert self.aws["ec2"].describe_vpcs(Filters=tagged)["Vpcs"] == []
        assert self.user_namespaces() == []
        assert self.kube_names("secrets", "-n", "kube-system", "-l", "owner=helm") == []  # no Helm release left
        assert self.kube_names("storageclasses") == []
        assert "weightsandbiases.apps.wandb.com" not in self.kube_names("customresourcedefinitions")


@pytest.fixture(scope="module", params=[3, 4], ids=["helm3", "helm4"])
def chain(request):
    path = harness.make_workdir("wandb-site-")
    env = Chain(path, request.param)
    yield env
    env.stop()
    harness.remove(path)


@pytest.mark.parametrize("extra, variable", [
    ({"clickhouse_replicas": 0}, "clickhouse_replicas must be at least 1"),
    ({"wandb_weave_license": ""}, "wandb_weave_license is required"),
    ({"wandb_weave_host": "wandb.example.com"}, "wandb_weave_host must be the URL"),
    ({"clickhouse_chart_repo_url": "ftp://charts"}, "clickhouse_chart must be an oci:// reference"),
    ({"ebs_csi_method": "operator"}, "ebs_csi_method"),
    ({"clickhouse_shards": "two"}, "clickhouse_shards"),  # the argument spec, checked by site.yml's preflight
    ({"--skip-tags": "clickhouse"}, "wandb_weave_clickhouse needs a host for Weave"),  # Weave without ClickHouse
])
def test_bad_input_fails_before_anything_changes(chain, extra, variable):
    extra = dict(extra)  # the parameters are shared by both Helm versions
    args = ["--skip-tags", extra.pop("--skip-tags")] if "--skip-tags" in extra else []
    result = chain.play("site.yml", "-e", json.dumps(extra), *args)
    assert result.rc != 0, result.output[-3000:]
    assert variable in result.output
    assert result.changed == 0
    chain.assert_empty()


def test_check_diff_plans_the_chain_and_changes_nothing(chain):
    result = chain.play("site.yml", "--check", "--diff").require()
    assert "would be created (encrypted, public access blocked)" in result.output
    assert "+chart: clickhouse-8.0.10" in result.output  # Helm's plan, from a dry-run against the testbed
    assert "a real run creates WeightsAndBiases wandb/wandb" in result.output
    assert LICENSE not in result.output
    chain.assert_empty()


def test_converge_prints_no_secret(chain):
    result = chain.play("site.yml", "-vvv", "--diff").require()
    assert result.changed > 10
    password = base64.b64decode(chain.kube("secret", "-n", "clickhouse", "clickhouse-auth")["data"]["admin-password"]).decode()
    assert len(password) >= 32
    assert password not in result.output
    assert LICENSE not in result.output
    assert re.search(r'"msg": "W&B: http://wandb.demo.local"', result.output)


def test_second_run_and_check_run_change_nothing(chain):
    chain.play("site.yml").require(changed=0)
    chain.play("site.yml", "--check", "--diff").require(changed=0)


def test_what_exists(chain):
    storage_class = chain.kube("storageclass", "ebs-sc")
    assert storage_class["provisioner"] == "ebs.csi.aws.com"
    assert storage_class["parameters"] == {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}
    assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"
    assert storage_class["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"

    ebs_sa = chain.kube("serviceaccount", "-n", "kube-system", "ebs-csi-controller-sa")
    ebs_role = ebs_sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert ebs_role.endswith(":role/wandb-demo-ebs-csi")
    trust = chain.aws["iam"].get_role(RoleName="wandb-demo-ebs-csi")["Role"]["AssumeRolePolicyDocument"]
    condition = json.dumps(trust)
    assert "system:serviceaccount:kube-system:ebs-csi-controller-sa" in condition and "sts.amazonaws.com" in condition
    attached = chain.aws["iam"].list_attached_role_policies(RoleName="wandb-demo-ebs-csi")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonEBSCSIDriverPolicy"]

    shard = chain.kube("statefulset", "-n", "clickhouse", "clickhouse-shard0")
    assert shard["spec"]["replicas"] == 3
    assert shard["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "ebs-sc"
    env = dict((e["name"], e) for e in shard["spec"]["template"]["spec"]["containers"][0]["env"])
    assert env["CLICKHOUSE_ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "clickhouse-auth", "key": "admin-password"}
    overrides = chain.kube("configmap", "-n", "clickhouse", "clickhouse-extra")["data"]
    assert "<weave_cluster/>" in overrides["00_cluster.xml"] and "<keeper_server>" in overrides["00_cluster.xml"]
    storage = overrides["01_extra_overrides.xml"]
    bucket = "wandb-demo-weave-clickhouse-123456789012"
    assert "<endpoint>https://%s.s3.us-east-1.amazonaws.com/clickhouse/{replica}/</endpoint>" % bucket in storage
    assert "<use_environment_credentials>true</use_environment_credentials>" in storage
    assert "<storage_policy>s3_main</storage_policy>" in storage and "<type>cache</type>" in storage
    assert "access_key" not in storage and "secret_access_key" not in storage
    ch_sa = chain.kube("serviceaccount", "-n", "clickhouse", "clickhouse")
    assert ch_sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/wandb-demo-clickhouse")
    policy = chain.aws["iam"].get_role_policy(RoleName="wandb-demo-clickhouse", PolicyName="clickhouse-bucket")["PolicyDocument"]
    resources = sorted(r for s in policy["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"]))
    assert resources == ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket]
    encryption = chain.aws["s3"].get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = chain.aws["s3"].get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4

    cr = chain.kube("weightsandbiases", "-n", "wandb", "wandb")
    assert cr["status"]["phase"] == "Completed"
    clickhouse = cr["spec"]["values"]["global"]["clickhouse"]
    assert clickhouse["host"] == "clickhouse-headless.clickhouse.svc.cluster.local"
    assert clickhouse["port"] == 8123 and clickhouse["database"] == "wandb_weave"
    assert cr["spec"]["values"]["weave-trace"]["install"] is True
    assert LICENSE not in json.dumps(cr["spec"])
    copied = chain.kube("secret", "-n", "wandb", "wandb-clickhouse-auth")["data"]["password"]
    assert copied == chain.kube("secret", "-n", "clickhouse", "clickhouse-auth")["data"]["admin-password"]


def test_teardown_removes_everything_and_runs_again(chain):
    plan = chain.play("teardown.yml", "--check", "--diff").require()
    assert plan.changed > 5
    assert len(chain.roles()) == 4 and chain.kube_names("weightsandbiases", "-n", "wandb") == ["wandb"]  # nothing removed
    result = chain.play("teardown.yml").require()
    assert result.changed > 5
    chain.assert_empty()
    chain.play("teardown.yml").require(changed=0)


def test_chart_mode(chain):
    """The plain wandb/wandb chart: license as a secret value, a LoadBalancer, MySQL on ebs-sc."""
    mode = ["-e", json.dumps({"wandb_weave_mode": "chart", "wandb_weave_weave_trace": False})]
    result = chain.play("site.yml", "--skip-tags", "clickhouse", "-vvv", "--diff", *mode).require()
    assert LICENSE not in result.output
    service = chain.kube("service", "-n", "wandb", "wandb")
    assert service["spec"]["type"] == "LoadBalancer"
    mysql = chain.kube("statefulset", "-n", "wandb", "wandb-mysql")
    assert mysql["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "ebs-sc"
    license_secret = chain.kube("secret", "-n", "wandb", "wandb-license")["data"]["license"]
    assert base64.b64decode(license_secret).decode() == LICENSE
    chain.play("site.yml", "--skip-tags", "clickhouse", *mode).require(changed=0)
    chain.play("teardown.yml", *mode).require()
    chain.assert_empty()


def test_smoke_playbook_hands_the_sdk_url_and_key_without_printing_the_key(tmp_path):
    """smoke.yml's wiring, with a stand-in for the wandb SDK (logging to a real server needs a real W&B)."""
    record = tmp_path / "record.json"
    key = "local-0123456789abcdef0123456789abcdef01234567"
    env = harness.ansible_env({"PYTHONPATH": os.path.join(harness.ROOT, "tests", "fixtures", "wandb_sdk_standin"),
                               "WANDB_STANDIN_RECORD": str(record)})
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", INVENTORY, "-vvv",
           os.path.join(harness.ROOT, "playbooks", "smoke.yml"), "-e", json.dumps({"smoke_api_key": key})]
    proc = subprocess.run(cmd, env=env, cwd=harness.ROOT, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300)
    result = harness.PlaybookResult(proc).require()
    assert key not in result.output
    assert "Logged run standin1: http://wandb.demo.local/me/smoke/runs/standin1" in result.output
    assert json.loads(record.read_text()) == {"base_url": "http://wandb.demo.local", "api_key_set": True, "project": "smoke", "steps": 10}

    proc = subprocess.run(cmd[:-2], env=dict(env, WANDB_API_KEY=""), cwd=harness.ROOT, check=False, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=300)
    assert proc.returncode != 0 and "smoke: smoke_api_key is required" in proc.stdout


def test_aws_inventory_plans_a_real_account(chain):
    """inventories/aws (EKS mode, no kubeconfig) in check mode on an empty account: every stage plans, nothing is made."""
    args = ["-e", json.dumps({"wandb_weave_license": LICENSE}), "--check", "--diff"]
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", os.path.join(harness.ROOT, "inventories", "aws"),
           os.path.join(harness.ROOT, "playbooks", "site.yml")] + args
    env = dict(chain.env, AWS_REGION="us-west-2", AWS_DEFAULT_REGION="us-west-2")
    proc = subprocess.run(cmd, env=env, cwd=harness.ROOT, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=600)
    result = harness.PlaybookResult(proc).require()
    for stage in ("creates IAM role wandb-ebs-csi", "creates an S3 bucket, IAM role wandb-clickhouse", "installs W&B (operator mode)"):
        assert stage in result.output
    assert LICENSE not in result.output
    chain.assert_empty()


def test_ebs_csi_as_the_eks_addon(chain):
    """ebs_csi_method=addon, against the EKS add-on API the test fixtures add to moto."""
    addon_mode = ["-e", json.dumps({"ebs_csi_method": "addon"})]
    chain.play("site.yml", "--tags", "eks_cluster,ebs_csi", *addon_mode).require()
    addon = chain.aws["eks"].describe_addon(clusterName="wandb-demo", addonName="aws-ebs-csi-driver")["addon"]
    assert addon["serviceAccountRoleArn"].endswith(":role/wandb-demo-ebs-csi")
    assert addon["addonVersion"] == "v1.38.1-eksbuild.2"  # latest: the newest the fixture offers
    assert chain.kube_names("storageclasses") == ["ebs-sc"]
    assert chain.kube_names("secrets", "-n", "kube-system", "-l", "owner=helm") == []  # no chart
    chain.play("site.yml", "--tags", "eks_cluster,ebs_csi", *addon_mode).require(changed=0)
    chain.play("teardown.yml", *addon_mode).require()
    chain.assert_empty()
