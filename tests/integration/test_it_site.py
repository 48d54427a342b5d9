"""The whole chain: playbooks/site.yml and teardown.yml with inventories/local, on a fresh testbed and moto.

One chain per Helm major version (the roles run whichever ``helm`` is on PATH), each on its own services
and in subnets made directly in moto (the VPC-building path is the demo's and test_it_aws's). Each test
builds on the previous one's state, in file order: the plan changes nothing, the chain converges without
printing a secret, a re-run and a check run change nothing, what exists is what the roles promise, the
teardown removes everything (and again changes nothing). What does not depend on the Helm version (bad
input, the chart mode, the EBS CSI add-on, inventories/aws) runs once, in test_it_site_cases.py.
"""

import base64
import json
import re

import pytest

import harness

LICENSE = "demo-license-not-a-real-one"  # inventories/local/group_vars/all/license.yml


class ChainOnHelm(object):
    """The chain's tests, in file order, each building on the one before. A subclass per Helm version: under
    pytest-xdist (``--dist loadscope``) a class runs on one worker, with its own services."""

    helm = None

    @pytest.fixture(scope="class")
    @classmethod
    def chain(cls):
        path = harness.make_workdir("wandb-site-")
        env = harness.Chain(path, cls.helm)
        yield env
        env.stop()
        harness.remove(path)

    def test_check_diff_plans_the_chain_and_changes_nothing(self, chain):
        result = chain.play("site.yml", "--check", "--diff").require()
        assert "would be created (encrypted, public access blocked)" in result.output
        assert "+chart: clickhouse-8.0.10" in result.output  # Helm's plan, from a dry-run against the testbed
        assert "a real run creates WeightsAndBiases wandb/wandb" in result.output
        assert LICENSE not in result.output
        chain.assert_empty()

    def test_converge_prints_no_secret(self, chain):
        result = chain.play("site.yml", "-vvv", "--diff").require()
        assert result.changed > 10
        password = base64.b64decode(chain.kube("secret", "-n", "clickhouse", "clickhouse-auth")["data"]["admin-password"]).decode()
        assert len(password) >= 32
        assert password not in result.output
        assert LICENSE not in result.output
        assert re.search(r'"msg": "W&B: http://wandb.demo.local"', result.output)

    def test_second_run_and_check_run_change_nothing(self, chain):
        chain.play("site.yml").require(changed=0)
        chain.play("site.yml", "--check", "--diff").require(changed=0)

    def test_what_exists(self, chain):
        cluster = chain.aws["eks"].describe_cluster(name="wandb-demo")["cluster"]
        assert cluster["resourcesVpcConfig"]["subnetIds"] == chain.services.subnet_ids  # WANDB_DEMO_SUBNET_IDS, no VPC built

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

    def test_teardown_removes_everything_and_runs_again(self, chain):
        plan = chain.play("teardown.yml", "--check", "--diff").require()
        assert plan.changed > 5
        assert len(chain.roles()) == 4 and chain.kube_names("weightsandbiases", "-n", "wandb") == ["wandb"]  # nothing removed
        result = chain.play("teardown.yml").require()
        assert result.changed > 5
        chain.assert_empty()
        chain.play("teardown.yml").require(changed=0)


class TestHelm3(ChainOnHelm):
    helm = 3


class TestHelm4(ChainOnHelm):
    helm = 4
