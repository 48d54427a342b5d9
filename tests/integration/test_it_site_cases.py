"""site.yml and teardown.yml cases that do not depend on the Helm version, run once on one set of services:
bad input, inventories/aws planning a real account, the chart mode, the EBS CSI driver as the EKS add-on,
and smoke.yml. Each case ends with nothing left behind (test_it_site.py runs the chain on Helm 3 and 4)."""

import base64
import json
import os
import subprocess
import sys

import pytest
import yaml

import harness

LICENSE = "demo-license-not-a-real-one"  # inventories/local/group_vars/all/license.yml
CHECK_TASK = "selfmanaged.wandb.%s : Check the input (each failure names its variable)"


def spec_task(role):
    """The task name ansible-core gives a role's argument-spec check of its 'validate' entry point."""
    with open(os.path.join(harness.ROOT, "roles", role, "meta", "argument_specs.yml")) as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["validate"]
    return "selfmanaged.wandb.%s : Validating arguments against arg spec 'validate' - %s" % (role, spec["short_description"])


@pytest.fixture(scope="module")
def chain():
    path = harness.make_workdir("wandb-cases-")
    env = harness.Chain(path, 4)
    yield env
    env.stop()
    harness.remove(path)


# (extra vars, other arguments, the one task that must fail, its exact message)
BAD_INPUT = {
    "replicas": ({"clickhouse_replicas": 0}, [], CHECK_TASK % "clickhouse", "clickhouse: clickhouse_replicas must be at least 1"),
    "license": ({"wandb_weave_license": ""}, [], CHECK_TASK % "wandb_weave",
                "wandb_weave: wandb_weave_license is required - the W&B license (keep it in a vault or an AWX credential)"),
    "host": ({"wandb_weave_host": "wandb.example.com"}, [], CHECK_TASK % "wandb_weave",
             "wandb_weave: wandb_weave_host must be the URL users open, like https://wandb.example.com"),
    "chart_source": ({"clickhouse_chart_repo_url": "ftp://charts"}, [], CHECK_TASK % "clickhouse",
                     "clickhouse: clickhouse_chart must be an oci:// reference, a local path, or a chart name with an http(s) "
                     "clickhouse_chart_repo_url"),
    "choice": ({"ebs_csi_method": "operator"}, [], spec_task("ebs_csi"),
               "Validation of arguments failed:\nvalue of ebs_csi_method must be one of: chart, addon, got: operator"),
    "type": ({"clickhouse_shards": "two"}, [], spec_task("clickhouse"),
             "Validation of arguments failed:\nargument 'clickhouse_shards' is of type str and we were unable to convert to int: "
             "\"'two'\" cannot be converted to an int"),
    "eks_version_format": ({"eks_cluster_version": "1.x"}, [], CHECK_TASK % "eks_cluster",
                           "eks_cluster: eks_cluster_version must be a Kubernetes MAJOR.MINOR version like 1.35"),
    "eks_version_below_wandb": ({"eks_cluster_version": "1.31"}, [], CHECK_TASK % "eks_cluster",
                                "eks_cluster: eks_cluster_version 1.31 is older than 1.32, the oldest Kubernetes version W&B supports; "
                                "set eks_cluster_allow_unsupported_version=true to use it anyway"),
    "weave_without_clickhouse": ({}, ["--skip-tags", "clickhouse"], CHECK_TASK % "wandb_weave",
                                 "wandb_weave: wandb_weave_clickhouse needs a host for Weave - run the clickhouse role first, set it "
                                 "(host, password_secret {namespace, name, key}, ...), or set wandb_weave_weave_trace=false"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_fails_in_the_preflight_naming_its_variable(chain, case):
    extra, args, task, message = BAD_INPUT[case]
    result = chain.play("site.yml", "-e", json.dumps(extra), *args)
    assert result.rc != 0, result.output[-3000:]
    failures = [(f.task, f.msg) for f in result.failures]
    assert failures == [(task, message)], result.output[-6000:]
    assert result.changed == 0
    chain.assert_empty()


def test_aws_inventory_plans_a_real_account(chain):
    """inventories/aws (EKS mode, no kubeconfig) in check mode on an empty account: every stage plans, nothing is made."""
    args = ["-e", json.dumps({"wandb_weave_license": LICENSE}), "--check", "--diff"]
    result = chain.play("site.yml", *args, inventory=os.path.join(harness.ROOT, "inventories", "aws"),
                        env={"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-west-2"}).require()
    for stage in ("creates IAM role wandb-ebs-csi", "creates an S3 bucket, IAM role wandb-clickhouse", "installs W&B (operator mode)"):
        assert stage in result.output
    assert LICENSE not in result.output
    chain.assert_empty()


def test_chart_mode(chain):
    """The real wandb/wandb chart 0.3.9: the license as a secret value, a LoadBalancer, MySQL's volume on ebs-sc."""
    mode = ["-e", json.dumps({"wandb_weave_mode": "chart", "wandb_weave_weave_trace": False})]
    result = chain.play("site.yml", "--skip-tags", "clickhouse", "-vvv", "--diff", *mode).require()
    assert LICENSE not in result.output
    assert chain.helm_chart("wandb", "wandb") == "wandb-0.3.9"
    assert chain.kube("service", "-n", "wandb", "wandb")["spec"]["type"] == "LoadBalancer"
    claim = chain.kube("persistentvolumeclaim", "-n", "wandb", "wandb")
    assert claim["spec"]["storageClassName"] == "ebs-sc" and claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    mysql = chain.kube("statefulset", "-n", "wandb", "wandb-mysql")["spec"]["template"]["spec"]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "wandb"}} in mysql["volumes"]
    app = chain.kube("deployment", "-n", "wandb", "wandb")["spec"]["template"]["spec"]["containers"][0]
    env = dict((e["name"], e.get("valueFrom")) for e in app["env"])
    assert env["LICENSE"] == {"secretKeyRef": {"name": "wandb-secrets", "key": "LICENSE"}}
    license_secret = chain.kube("secret", "-n", "wandb", "wandb-secrets")["data"]["LICENSE"]
    assert base64.b64decode(license_secret).decode() == LICENSE
    chain.play("site.yml", "--skip-tags", "clickhouse", *mode).require(changed=0)
    chain.play("teardown.yml", *mode).require()
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


def test_smoke_playbook_hands_the_sdk_url_and_key_without_printing_the_key(tmp_path):
    """smoke.yml's wiring, with a stand-in for the wandb SDK (logging to a real server needs a real W&B)."""
    record = tmp_path / "record.json"
    key = "local-0123456789abcdef0123456789abcdef01234567"
    env = harness.ansible_env({"PYTHONPATH": os.path.join(harness.ROOT, "tests", "fixtures", "wandb_sdk_standin"),
                               "WANDB_STANDIN_RECORD": str(record)})
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", harness.INVENTORY, "-vvv",
           os.path.join(harness.ROOT, "playbooks", "smoke.yml"), "-e", json.dumps({"smoke_api_key": key})]
    proc = subprocess.run(cmd, env=env, cwd=harness.ROOT, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300)
    result = harness.PlaybookResult(proc).require()
    assert key not in result.output
    assert "Logged run standin1: http://wandb.demo.local/me/smoke/runs/standin1" in result.output
    assert json.loads(record.read_text()) == {"base_url": "http://wandb.demo.local", "api_key_set": True, "project": "smoke", "steps": 10}

    proc = subprocess.run(cmd[:-2], env=dict(env, WANDB_API_KEY=""), cwd=harness.ROOT, check=False, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=300)
    result = harness.PlaybookResult(proc)
    failures = [(f.task, f.msg) for f in result.failures]
    assert failures == [("Check the input (each failure names its variable)",
                         "smoke: smoke_api_key is required (or WANDB_API_KEY) - a W&B API key")], proc.stdout[-3000:]
    assert result.rc != 0
