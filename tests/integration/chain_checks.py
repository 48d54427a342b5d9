"""The whole chain's checks: playbooks/site.yml and teardown.yml with inventories/local, each test building on the
previous one's state, in file order: the plan changes nothing, the chain converges without printing a secret, a
re-run and a check run change nothing, what exists is what the roles promise, the teardown removes everything (and
again changes nothing). Two chains run them: test_it_site.py's on Helm 4 (ClickHouse through Altinity's operator, W&B's
data in the cluster, subnets made directly in moto) and test_demo.py's, the README's scripts/demo on Helm 3 (Bitnami's
ClickHouse, W&B's data on AWS, the VPC built by the eks_cluster role). What does not depend on the Helm version (bad
input, the chart mode, the EBS CSI add-on, inventories/aws) runs once, in test_it_site_cases.py.
"""

import base64
import ipaddress
import json
import os
import re
import subprocess
import sys

import harness
import network_policy
import pytest
import yaml

from ansible_collections.selfmanaged.wandb.plugins.module_utils.images import mirrored, qualified
from ansible_collections.selfmanaged.wandb.plugins.module_utils.images import (
    workload_images as rendered_workload_images,
)

LICENSE = "demo-license-not-a-real-one"  # inventories/local/group_vars/all/license.yml
MIRROR_PASSWORD = "mirror-" + "t0ken-9f3b"  # built, so a grep of the sources does not find the whole string


WORKLOAD_KINDS = "deployments,statefulsets,daemonsets,jobs,cronjobs"
# The images W&B builds with each server release (the console is released on its own).
WANDB_BUILT = (
    "wandb/local",
    "wandb/megabinary",
    "wandb/weave-python",
    "wandb/weave-trace",
    "wandb/frontend-nginx",
    "wandb/anaconda2",
    "wandb/console",
)


def workload_images(workloads):
    """(workload, image) of every container and init container of ``workloads`` (CronJobs' through their job)."""
    found = []
    for workload in workloads:
        spec = workload["spec"]
        template = (spec["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else spec)["template"]["spec"]
        for container in template["containers"] + template.get("initContainers", []):
            found.append(("%s/%s" % (workload["kind"], workload["metadata"]["name"]), container["image"]))
    assert found, "no workloads: nothing was checked"
    return found


def hook_images(chain):
    """(hook, image) of the install and upgrade hooks of every Helm release in the cluster: what ran, though Helm
    deletes a hook once it succeeded (its delete policy)."""
    helm = [chain.bed.helm(4), "--kubeconfig", chain.bed.kubeconfig]
    listed = subprocess.run(helm + ["list", "-A", "-o", "json"], check=True, stdout=subprocess.PIPE, text=True)
    found = []
    for release in json.loads(listed.stdout):
        hooks = subprocess.run(
            helm + ["get", "hooks", release["name"], "-n", release["namespace"]],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        found += rendered_workload_images(yaml.safe_load_all(hooks.stdout))
    return found


def check_images_playbook(chain, play_images, registry, tmp_path):
    """playbooks/images.yml (``play_images(*args, env=...)``, with the chain's inventory and variables), with no cluster
    or AWS within reach - the kubeconfig's API server and AWS's endpoint lead nowhere: it needs neither. The images it
    lists are those the cluster's workloads run - the charts' releases and what the stand-in operators made of the real
    charts and resources - nothing missing, nothing more; with a mirror (``registry``) each is copied there from where
    it is published, under the name the chain pulls it by, in both forms (crane copy, skopeo sync). The mirror's
    password appears nowhere in its output."""
    with open(chain.bed.kubeconfig) as handle:
        config = yaml.safe_load(handle)
    for cluster in config["clusters"]:
        cluster["cluster"]["server"] = "https://127.0.0.1:9"
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))
    lists = tmp_path / "lists"
    env = {"WANDB_DEMO_KUBECONFIG": str(kubeconfig), "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    result = play_images("-e", "wandb_images_dir=%s" % lists, env=env).require()
    assert MIRROR_PASSWORD not in result.output
    # what ran: every workload's images, and the hooks' that Helm ran at install or upgrade and deleted since
    ran = workload_images(chain.kube(WORKLOAD_KINDS, "-A")["items"]) + hook_images(chain)
    running = set(qualified(i) for w, i in ran)
    published = (lists / "images.txt").read_text().split()
    copies = [line.split(" ") for line in (lists / "mirror.txt").read_text().splitlines()]
    listed = set(pulled for dummy, pulled in copies) if registry else set(published)
    assert (sorted(running - listed), sorted(listed - running)) == ([], []), "(ran, not listed), (listed, never ran)"
    if registry:
        assert sorted(source for source, dummy in copies) == published  # every image comes from the mirror
        for source, pulled in copies:  # each under its own path (W&B's chart drops Docker Hub's library/)
            assert pulled in (mirrored(source, registry), mirrored(source, registry).replace("/library/", "/")), (
                source,
                pulled,
            )
        # skopeo sync puts an image under the given repository by its last path component
        syncs = [line.split(" ") for line in (lists / "skopeo-sync.txt").read_text().splitlines()]
        assert [[s, d + "/" + s.rsplit("/", 1)[-1]] for s, d in syncs] == copies
    else:
        assert copies == []
    assert [i for i in published if "/wandb/local:" in i] == ["docker.io/wandb/local:0.85.0"]
    return result


def secret_refs(workloads):
    """(workload, Secret, key or None for a whole envFrom Secret) for every reference that is not optional."""
    found = []

    def walk(node, workload):
        if isinstance(node, dict):
            ref = node.get("secretKeyRef")
            if isinstance(ref, dict) and not ref.get("optional"):
                found.append((workload, ref["name"], ref["key"]))
            ref = node.get("secretRef")
            if isinstance(ref, dict) and not ref.get("optional"):
                found.append((workload, ref["name"], None))
            if (
                isinstance(node.get("secret"), dict)
                and node["secret"].get("secretName")
                and not node["secret"].get("optional")
            ):
                found.append((workload, node["secret"]["secretName"], None))
            for value in node.values():
                walk(value, workload)
        elif isinstance(node, list):
            for value in node:
                walk(value, workload)

    for workload in workloads:
        walk(workload["spec"]["template"], workload["metadata"]["name"])
    assert found, "no Secret references found: nothing was checked"
    return found


class ChainOnHelm(object):
    """The chain's tests, in file order, each building on the one before. A subclass says how its chain is run: under
    pytest-xdist (``--dist loadscope``) a class runs on one worker, with its own services. The steps a subclass may
    take differently (the demo runs the plan, the converge and the re-run itself) are methods, not tests: pytest
    collects a test a subclass overrides after the inherited ones, out of this order."""

    helm = None
    plan_teardown = True
    data_on_aws = True  # wandb_data_mode aws; else in_cluster (W&B's chart runs MySQL and Redis)
    clickhouse_method = "bitnami"
    # An existing cluster, as the README describes it: --skip-tags eks_cluster, the kubeconfig (the testbed), and the
    # cluster's name and IAM OIDC provider (made in moto by the fixture) given to the stages that make IRSA roles
    existing_cluster = False
    # The first converge's pins (older charts from ../shared/charts, an older W&B): the re-run then upgrades to today's
    # pins, its plan first, and must lose nothing. {}: today's pins from the start.
    first_pins = {}
    airgapped = False  # wandb_weave_airgapped: the operator never asks W&B's release channel
    ebs_csi_identity = "pod_identity"  # inventories/local's ebs_csi_aws_identity (EKS Pod Identity)
    clickhouse_identity = "irsa"  # clickhouse_aws_identity (pod_identity needs ClickHouse 25.7+: the Altinity method)
    upgrade_plan = ()  # what the upgrade's plan must show moving
    # wandb_image_registry: a mirror of every image, as the inventory of an air-gapped install sets it; and its
    # credentials (wandb_image_pull_secret)
    image_registry = ""
    image_pull_secret = False
    upgrade_order = ()  # (task, task that must run after it) in the upgrade

    def play(self, chain, playbook, *args, **kwargs):
        mode = ["-e", "clickhouse_method=%s" % self.clickhouse_method]
        mode += [] if self.data_on_aws else ["-e", "wandb_data_mode=in_cluster"]
        mode += ["-e", json.dumps({"wandb_weave_airgapped": True})] if self.airgapped else []
        mode += ["-e", "ebs_csi_aws_identity=%s" % self.ebs_csi_identity]
        mode += ["-e", "clickhouse_aws_identity=%s" % self.clickhouse_identity]
        if self.existing_cluster:
            given = {}
            for role in ("ebs_csi", "clickhouse", "wandb_data"):
                given.update(
                    {role + "_oidc_provider_arn": chain.oidc_provider_arn, role + "_eks_cluster_name": "wandb-demo"}
                )
            given["clickhouse_eks_cluster_arn"] = chain.cluster_arn  # for Pod Identity's trust, as a user gives it
            mode += ["--skip-tags", "eks_cluster", "-e", json.dumps(given)]
        if self.first_pins and not getattr(chain, "upgraded", False):
            mode += ["-e", json.dumps(self.first_pins)]
        if self.image_registry:
            mode += ["-e", json.dumps({"wandb_image_registry": self.image_registry})]
        if self.image_pull_secret:
            credentials = {"username": "mirror-user", "password": MIRROR_PASSWORD}
            mode += ["-e", json.dumps({"wandb_image_pull_secret": credentials})]
        if getattr(chain, "inventory_vars", None):  # what the user added to the inventory on the way (a restore)
            mode += ["-e", json.dumps(chain.inventory_vars)]
        return chain.play(playbook, *(mode + list(args)), **kwargs)

    def pulled(self, image):
        """``image`` as this chain pulls it: from the mirror when it has one."""
        return mirrored(image, self.image_registry)

    def unmirrored(self, image):
        """``image`` without this chain's mirror before it (the mirror must be there)."""
        if not self.image_registry:
            return image
        assert image.startswith(self.image_registry + "/"), image
        return image[len(self.image_registry) + 1 :]

    @property
    def clickhouse_host(self):
        service = "clickhouse-clickhouse" if self.clickhouse_method == "altinity" else "clickhouse-headless"
        return "%s.clickhouse.svc.cluster.local" % service

    @property
    def clickhouse_cluster(self):
        return "weavecluster" if self.clickhouse_method == "altinity" else "weave_cluster"

    @pytest.fixture(scope="class")
    @classmethod
    def chain(cls):
        path = harness.make_workdir("wandb-site-")
        env = harness.Chain(path, cls.helm)
        if cls.existing_cluster:
            env.oidc_provider_arn = env.aws["iam"].create_open_id_connect_provider(
                Url="https://oidc.eks.us-east-1.amazonaws.com/id/EXISTING0CLUSTER", ClientIDList=["sts.amazonaws.com"]
            )["OpenIDConnectProviderArn"]
            env.kept_oidc_provider_arns.append(env.oidc_provider_arn)  # the cluster's, which the chain never touches
            # the user's EKS cluster itself, in moto (its API server is the testbed): what Pod Identity associates in
            cluster = env.aws["eks"].create_cluster(
                name="wandb-demo",
                roleArn="arn:aws:iam::123456789012:role/users-cluster-role",
                resourcesVpcConfig={"subnetIds": list(env.services.subnet_ids or ["subnet-a", "subnet-b"])},
            )
            env.cluster_arn = cluster["cluster"]["arn"]
            env.kept_clusters.append("wandb-demo")
        yield env
        env.stop()
        harness.remove(path)

    # -- the steps ---------------------------------------------------------------------------------------------
    def planned(self, chain):
        """The output of site.yml --check --diff on the empty account, once it has been shown to change nothing."""
        result = self.play(chain, "site.yml", "--check", "--diff").require()
        chain.assert_empty()
        return result.output

    def converged(self, chain):
        """The output of the converge with -vvv --diff, and its number of changes."""
        result = self.play(chain, "site.yml", "-vvv", "--diff").require()
        return result.output, result.changed

    def rerun(self, chain):
        if self.first_pins:
            self.upgrade(chain)
        self.play(chain, "site.yml").require(changed=0)

    def kept(self, chain):
        """What an upgrade must not lose: volume claims (by uid) and the password Secrets' data."""
        claims = dict(
            (c["metadata"]["namespace"] + "/" + c["metadata"]["name"], c["metadata"]["uid"])
            for c in chain.kube("persistentvolumeclaims", "-A")["items"]
        )
        secrets = dict(
            (name, chain.kube("secret", "-n", namespace, name)["data"])
            for namespace, name in (("clickhouse", "clickhouse-auth"), ("wandb", "wandb-clickhouse-auth"))
        )
        return claims, secrets, chain.buckets(), chain.roles()

    def upgrade(self, chain):
        """From the first pins to today's: the plan shows what moves and changes nothing; the upgrade loses nothing."""
        chain.upgraded = True
        before = self.kept(chain)
        plan = self.play(chain, "site.yml", "--check", "--diff").require()
        for moving in self.upgrade_plan:
            assert moving in plan.output, moving
        assert self.kept(chain) == before
        assert not self.new_crds_served(chain)  # the plan applied nothing
        result = self.play(chain, "site.yml").require()
        assert self.kept(chain) == before
        assert self.new_crds_served(chain)
        for order in self.upgrade_order:  # (task that runs first, task that runs after it), both changed
            starts = [result.output.index("TASK [%s" % task) for task in order]
            assert starts[0] < starts[1], order
            for task, start in zip(order, starts):
                section = result.output[start : result.output.find("\nTASK [", start + 1)]
                assert "\nchanged: [" in section, (task, section[:2000])
        return result

    def new_crds_served(self, chain):
        """Whether the API server knows a field only today's CRDs have (overridden where a chain upgrades)."""
        return True

    def clickhouse_engine(self, chain):
        """(port, password file) of the ClickHouse engine behind ClickHouse's Service."""
        return chain.services.clickhouse.port, chain.services.clickhouse.password_file

    def subnets(self, chain):
        """(the cluster's subnets, the private ones W&B's data services go in): the subnets made in moto."""
        return chain.services.subnet_ids, chain.services.subnet_ids

    def check_network(self, chain, cluster):
        """The cluster is in exactly the subnets it was given (WANDB_DEMO_SUBNET_IDS): no VPC was built."""
        assert cluster["resourcesVpcConfig"]["subnetIds"] == self.subnets(chain)[0]

    # -- the tests -----------------------------------------------------------------------------------------------
    def test_check_diff_plans_the_chain_and_changes_nothing(self, chain):
        output = self.planned(chain)
        assert "would be created (encrypted, public access blocked)" in output
        chart = (
            "altinity-clickhouse-operator-" + self.first_pins.get("clickhouse_operator_chart_version", "0.25.6")
            if self.clickhouse_method == "altinity"
            else "clickhouse-8.0.10"
        )
        assert "+chart: %s" % chart in output  # Helm's plan, from a dry-run against the testbed
        assert "a real run creates WeightsAndBiases wandb/wandb" in output
        # ClickHouse's NetworkPolicies, planned before ClickHouse (clickhouse_network_policy)
        assert output.index("NetworkPolicy/clickhouse-default-deny") < output.index(
            "TASK [selfmanaged.wandb.clickhouse : ClickHouse"
        )
        for planned in (
            ()
            if not self.data_on_aws
            else (  # the data modules' plans, in their diffs, the bucket's
                "create Aurora MySQL cluster wandb-demo-wandb-mysql 8.0.mysql_aurora.3.10.0 (encrypted, backups "
                "kept 14 days, deletion protection)",
                "create Redis 7.1 replication group wandb-demo-wandb-redis (2 x cache.t4g.medium, TLS in transit",
                "S3 bucket wandb-demo-wandb-files-123456789012: would be created (KMS-encrypted",
                "Security group wandb-demo-wandb-data would be created in the cluster's VPC",
            )
        ):
            assert planned in output, planned
        assert LICENSE not in output

    def test_converge_prints_no_secret(self, chain):
        output, changed = self.converged(chain)
        assert changed > 10
        password = base64.b64decode(
            chain.kube("secret", "-n", "clickhouse", "clickhouse-auth")["data"]["admin-password"]
        ).decode()
        assert len(password) >= 32
        assert password not in output
        assert LICENSE not in output
        assert MIRROR_PASSWORD not in output
        assert re.search(r'"msg": "W&B: https://wandb.demo.local"', output)
        if self.data_on_aws:
            mysql_password = chain.kube("secret", "-n", "wandb", "wandb-mysql-password")["data"]["password"]
            assert base64.b64decode(mysql_password).decode() not in output

    def test_second_run_and_check_run_change_nothing(self, chain):
        self.rerun(chain)
        self.play(chain, "site.yml", "--check", "--diff").require(changed=0)

    def test_the_cluster_and_the_ebs_csi_driver(self, chain):
        if (
            self.existing_cluster
        ):  # the cluster stage did not run: no EKS cluster (but the user's), VPC or role of its own
            assert chain.aws["eks"].list_clusters()["clusters"] == chain.kept_clusters
            assert not [r for r in chain.roles() if r.endswith(("-cluster", "-nodes"))], chain.roles()
        else:
            cluster = chain.aws["eks"].describe_cluster(name="wandb-demo")["cluster"]
            self.check_network(chain, cluster)
            assert cluster["version"] == "1.35"  # in EKS standard support, and W&B needs 1.32+

        storage_class = chain.kube("storageclass", "ebs-sc")
        assert storage_class["provisioner"] == "ebs.csi.aws.com"
        assert storage_class["parameters"] == {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}
        assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"
        assert storage_class["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"

        # what the real aws-ebs-csi-driver chart made: the CSIDriver, the controller on the annotated account
        assert chain.kube_names("csidrivers") == ["ebs.csi.aws.com"]
        assert chain.helm_chart("kube-system", "aws-ebs-csi-driver") == "aws-ebs-csi-driver-2.64.0"
        controller = chain.kube("deployment", "-n", "kube-system", "ebs-csi-controller")["spec"]["template"]["spec"]
        assert controller["serviceAccountName"] == "ebs-csi-controller-sa"
        ebs_sa = chain.kube("serviceaccount", "-n", "kube-system", "ebs-csi-controller-sa")
        trust = chain.aws["iam"].get_role(RoleName="wandb-demo-ebs-csi")["Role"]["AssumeRolePolicyDocument"]
        if self.ebs_csi_identity == "pod_identity":
            # EKS Pod Identity: the association, the agent add-on, a role trusted by pods.eks.amazonaws.com for this
            # cluster and service account only, and no IRSA annotation
            eks = chain.aws["eks"]
            found = eks.list_pod_identity_associations(clusterName="wandb-demo")["associations"]
            assert [(a["namespace"], a["serviceAccount"]) for a in found] == [("kube-system", "ebs-csi-controller-sa")]
            association = eks.describe_pod_identity_association(
                clusterName="wandb-demo", associationId=found[0]["associationId"]
            )["association"]
            assert association["roleArn"].endswith(":role/wandb-demo-ebs-csi")
            assert "eks-pod-identity-agent" in eks.list_addons(clusterName="wandb-demo")["addons"]
            statement = trust["Statement"][0]
            assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
            assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
            assert statement["Condition"]["StringEquals"]["aws:RequestTag/eks-cluster-arn"] == cluster["arn"]
            assert "eks.amazonaws.com/role-arn" not in (ebs_sa["metadata"].get("annotations") or {})
        else:
            assert ebs_sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/wandb-demo-ebs-csi")
            assert "system:serviceaccount:kube-system:ebs-csi-controller-sa" in json.dumps(trust)
        attached = chain.aws["iam"].list_attached_role_policies(RoleName="wandb-demo-ebs-csi")["AttachedPolicies"]
        assert [p["PolicyName"] for p in attached] == ["AmazonEBSCSIDriverPolicy"]

    def test_clickhouse_as_the_chosen_method_made_it(self, chain):
        if self.clickhouse_method == "altinity":
            return self.altinity_made_it(chain)
        assert chain.helm_chart("clickhouse", "clickhouse") == "clickhouse-8.0.10"
        shard = chain.kube("statefulset", "-n", "clickhouse", "clickhouse-shard0")
        pod = shard["spec"]["template"]["spec"]
        assert shard["spec"]["replicas"] == 3
        assert [c["image"] for c in pod["containers"]] == ["docker.io/bitnamilegacy/clickhouse:25.3.2-debian-12-r3"]
        assert [t["spec"]["storageClassName"] for t in shard["spec"]["volumeClaimTemplates"]] == ["ebs-sc"]
        assert pod["serviceAccountName"] == "clickhouse"
        env = dict((e["name"], e) for e in pod["containers"][0]["env"])
        assert env["CLICKHOUSE_ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": "clickhouse-auth",
            "key": "admin-password",
        }
        assert [env["KEEPER_NODE_%d" % i]["value"] for i in range(3)] == [
            "clickhouse-shard0-%d.clickhouse-headless.clickhouse.svc.cluster.local" % i for i in range(3)
        ]
        config = chain.kube("configmap", "-n", "clickhouse", "clickhouse")["data"]["00_default_overrides.xml"]
        assert "<weave_cluster>" in config and "<keeper_server>" in config and config.count("<replica>") == 3
        storage = chain.kube("configmap", "-n", "clickhouse", "clickhouse-extra")["data"]["01_extra_overrides.xml"]
        bucket = "wandb-demo-weave-clickhouse-123456789012"
        assert "<endpoint>https://%s.s3.us-east-1.amazonaws.com/clickhouse/{replica}/</endpoint>" % bucket in storage
        assert "<use_environment_credentials>true</use_environment_credentials>" in storage
        assert "<storage_policy>s3_main</storage_policy>" in storage and "<type>cache</type>" in storage
        rendered = json.dumps(chain.kube("all,configmaps,secrets", "-n", "clickhouse"))
        assert (
            "access_key" not in rendered
            and "AWS_SECRET_ACCESS_KEY" not in rendered
            and "AWS_ACCESS_KEY_ID" not in rendered
        )
        # Bitnami's frozen copy, which the chart renders only with allowInsecureImages
        assert chain.helm_values("clickhouse", "clickhouse")["global"] == {"security": {"allowInsecureImages": True}}

        ch_sa = chain.kube("serviceaccount", "-n", "clickhouse", "clickhouse")
        assert ch_sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/wandb-demo-clickhouse")
        policy = chain.aws["iam"].get_role_policy(RoleName="wandb-demo-clickhouse", PolicyName="clickhouse-bucket")[
            "PolicyDocument"
        ]
        resources = sorted(
            r
            for s in policy["Statement"]
            for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
        )
        assert resources == ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket]
        encryption = chain.aws["s3"].get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][
            0
        ]
        assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        block = chain.aws["s3"].get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4

    def altinity_made_it(self, chain):
        """What the role asks of Altinity's operator (the resources) and what the operator made of them (the
        stand-in does what the real 0.25 does): Keeper, 1 x 3 replicas, the S3 disk, the password by reference, the
        IAM role on the service account; no password in a resource or a release."""
        assert chain.helm_chart("clickhouse", "clickhouse-operator") == "altinity-clickhouse-operator-0.25.6"
        operator = chain.kube("deployment", "-n", "clickhouse", "clickhouse-operator")["spec"]["template"]["spec"]
        assert operator["containers"][0]["image"] == self.pulled("altinity/clickhouse-operator:0.25.6")
        values = chain.helm_values("clickhouse", "clickhouse-operator")
        assert values["secret"] == {"create": False} and values["crdHook"] == {"enabled": False}
        assert values["configs"]["files"]["config.yaml"]["watch"]["namespaces"] == ["^clickhouse$"]
        password = base64.b64decode(
            chain.kube("secret", "-n", "clickhouse", "clickhouse-auth")["data"]["admin-password"]
        )
        operator_password = chain.kube("secret", "-n", "clickhouse", "clickhouse-operator")["data"]["password"]
        for record in chain.kube("secrets", "-n", "clickhouse", "-l", "owner=helm")["items"]:
            release = harness.decode_helm_record(record["data"]["release"])
            assert base64.b64decode(operator_password).decode() not in release and password.decode() not in release

        keeper = chain.kube("clickhousekeeperinstallation", "-n", "clickhouse", "clickhouse-keeper")
        assert keeper["spec"]["configuration"]["clusters"] == [{"name": "keeper", "layout": {"replicasCount": 3}}]
        assert keeper["status"]["status"] == "Completed" and keeper["status"]["taskID"] == keeper["spec"]["taskID"]
        assert chain.kube_names("statefulsets", "-n", "clickhouse", "-l", "clickhouse-keeper.altinity.com/chk") == [
            "chk-clickhouse-keeper-keeper-0-%d" % i for i in range(3)
        ]
        chi = chain.kube("clickhouseinstallation", "-n", "clickhouse", "clickhouse")
        configuration = chi["spec"]["configuration"]
        assert configuration["clusters"][0]["name"] == "weavecluster"
        assert configuration["clusters"][0]["layout"] == {"shardsCount": 1, "replicasCount": 3}
        assert configuration["zookeeper"]["nodes"] == [
            {"host": "keeper-clickhouse-keeper.clickhouse.svc.cluster.local", "port": 2181}
        ]
        assert configuration["users"]["default/password"] == {
            "valueFrom": {"secretKeyRef": {"name": "clickhouse-auth", "key": "admin-password"}}
        }
        assert password.decode() not in json.dumps(chi)
        storage = configuration["files"]["config.d/storage_configuration.xml"]
        bucket = "wandb-demo-weave-clickhouse-123456789012"
        assert "<endpoint>https://%s.s3.us-east-1.amazonaws.com/clickhouse/{replica}/</endpoint>" % bucket in storage
        assert "<use_environment_credentials>true</use_environment_credentials>" in storage
        assert "/var/lib/clickhouse/disks/s3_disk/" in storage and "<storage_policy>s3_main</storage_policy>" in storage
        assert chi["status"]["status"] == "Completed" and chi["status"]["hostsCompleted"] == 3

        hosts = ["chi-clickhouse-weavecluster-0-%d" % i for i in range(3)]
        assert chain.kube_names("statefulsets", "-n", "clickhouse", "-l", "clickhouse.altinity.com/chi") == hosts
        pod = chain.kube("statefulset", "-n", "clickhouse", hosts[0])["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == "clickhouse"
        assert pod["containers"][0]["image"] == self.pulled("docker.io/clickhouse/clickhouse-server:25.8.30.16")
        assert {
            "name": "CONFIGURATION_USERS_DEFAULT_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "clickhouse-auth", "key": "admin-password"}},
        } in pod["containers"][0]["env"]
        assert (
            pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]["topologyKey"]
            == "kubernetes.io/hostname"
        )
        account = chain.kube("serviceaccount", "-n", "clickhouse", "clickhouse")
        if self.clickhouse_identity == "pod_identity":
            # EKS Pod Identity (ClickHouse 25.8 reads its credentials): the association, no annotation, the trust
            eks = chain.aws["eks"]
            found = eks.list_pod_identity_associations(clusterName="wandb-demo", namespace="clickhouse")["associations"]
            assert [a["serviceAccount"] for a in found] == ["clickhouse"]
            association = eks.describe_pod_identity_association(
                clusterName="wandb-demo", associationId=found[0]["associationId"]
            )["association"]
            assert association["roleArn"].endswith(":role/wandb-demo-clickhouse")
            assert "eks.amazonaws.com/role-arn" not in (account["metadata"].get("annotations") or {})
            trust = chain.aws["iam"].get_role(RoleName="wandb-demo-clickhouse")["Role"]["AssumeRolePolicyDocument"]
            assert trust["Statement"][0]["Condition"]["StringEquals"] == {
                "aws:RequestTag/eks-cluster-arn": chain.cluster_arn,
                "aws:RequestTag/kubernetes-namespace": "clickhouse",
                "aws:RequestTag/kubernetes-service-account": "clickhouse",
            }
        else:
            assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(
                ":role/wandb-demo-clickhouse"
            )
        rendered = json.dumps(chain.kube("configmaps", "-n", "clickhouse"))
        assert password.decode() not in rendered and "AWS_SECRET_ACCESS_KEY" not in rendered

    def test_only_wandb_clickhouse_its_operator_and_the_api_server_reach_clickhouse(self, chain):
        """clickhouse_network_policy, evaluated as Kubernetes defines NetworkPolicies (network_policy.py) over the
        policies in the cluster and the pods the real charts and the stand-in operators made (their namespaces and
        pod template labels): W&B's weave-trace reaches ClickHouse's HTTP and native ports, a pod elsewhere neither;
        replicas reach each other, Keeper only ClickHouse's and Keeper's own pods; the API server's proxy, from the
        cluster's subnets, only the HTTP port; Altinity's operator the HTTP port."""
        namespaces = chain.kube("namespaces")["items"]
        cluster = network_policy.Cluster(chain.kube("networkpolicies", "-A")["items"], namespaces)
        pods = dict(
            (
                "%s/%s" % (w["metadata"]["namespace"], w["metadata"]["name"]),
                (w["metadata"]["namespace"], w["spec"]["template"]["metadata"]["labels"]),
            )
            for w in chain.kube("deployments,statefulsets", "-A")["items"]
        )

        def one(namespace, key):
            found = [pod for name, pod in pods.items() if name.startswith(namespace + "/") and key in pod[1]]
            assert found, (namespace, key, sorted(pods))
            return found[0]

        if self.clickhouse_method == "altinity":
            server, keeper = (
                one("clickhouse", "clickhouse.altinity.com/chi"),
                one("clickhouse", "clickhouse-keeper.altinity.com/chk"),
            )
        else:
            server = keeper = pods["clickhouse/clickhouse-shard0"]  # Keeper runs inside Bitnami's ClickHouse pods
        weave_trace = pods["wandb/wandb-weave-trace-bc"]
        elsewhere = ("default", {"app": "curious"})
        eks = chain.aws["eks"].describe_cluster(name="wandb-demo")["cluster"]
        ranges = [
            s["CidrBlock"]
            for s in chain.aws["ec2"].describe_subnets(SubnetIds=eks["resourcesVpcConfig"]["subnetIds"])["Subnets"]
        ]
        api_server = str(ipaddress.ip_network(ranges[0])[10])  # an EKS control plane interface's address
        cases = [
            (weave_trace, server, 8123, True),
            (weave_trace, server, 9000, True),
            (elsewhere, server, 8123, False),
            (elsewhere, server, 9000, False),
            (server, server, 9009, True),
            (server, server, 9000, True),
            (weave_trace, keeper, 2181, False),
            (server, keeper, 2181, True),
            (keeper, keeper, 9444, True),
            (elsewhere, keeper, 9444, False),
            (api_server, server, 8123, True),
            (api_server, server, 9000, False),
            ("192.0.2.10", server, 8123, False),
        ]
        if self.clickhouse_method == "altinity":
            operator = pods["clickhouse/clickhouse-operator"]
            cases += [(operator, server, 8123, True), (operator, server, 9000, False)]
        found = [
            (source, destination, port, cluster.allows(source, destination, port))
            for source, destination, port, _expected in cases
        ]
        assert found == cases
        # without the policies every case would be allowed: they are what denies
        assert network_policy.Cluster([], namespaces).allows(elsewhere, server, 9000)
        names = sorted(p["metadata"]["name"] for p in cluster.policies if p["metadata"]["namespace"] == "clickhouse")
        assert names == sorted(
            [
                "clickhouse-default-deny",
                "clickhouse-clients",
                "clickhouse-replication",
                "clickhouse-keeper",
                "clickhouse-api-server",
            ]
            + (["clickhouse-operator"] if self.clickhouse_method == "altinity" else [])
        )

    def test_wandb_data_on_aws(self, chain):
        """MySQL, Redis, the files bucket and its key, the roles, the controller, the certificate, as AWS sees them."""
        if not self.data_on_aws:  # in_cluster: nothing of the stage's on AWS, no controller
            aws = chain.aws
            assert (
                aws["rds"].describe_db_clusters()["DBClusters"]
                == aws["rds"].describe_db_instances()["DBInstances"]
                == []
            )
            assert aws["elasticache"].describe_replication_groups()["ReplicationGroups"] == []
            assert (
                aws["acm"].list_certificates()["CertificateSummaryList"] == [] and aws["kms"].list_keys()["Keys"] == []
            )
            assert [r for r in chain.roles() if "wandb-data" in r or r.endswith(("-files", "-lb-controller"))] == []
            assert "aws-load-balancer-controller" not in chain.kube_names("deployments", "-n", "kube-system")
            return
        aws, cluster = chain.aws, chain.aws["eks"].describe_cluster(name="wandb-demo")["cluster"]
        cluster_sg = cluster["resourcesVpcConfig"]["clusterSecurityGroupId"]
        group = aws["ec2"].describe_security_groups(
            Filters=[{"Name": "group-name", "Values": ["wandb-demo-wandb-data"]}]
        )["SecurityGroups"][0]
        admitted = sorted(
            (p["FromPort"], [g["GroupId"] for g in p["UserIdGroupPairs"]], p["IpRanges"])
            for p in group["IpPermissions"]
        )
        assert admitted == [(3306, [cluster_sg], []), (6379, [cluster_sg], [])]  # only the cluster

        db = aws["rds"].describe_db_clusters(DBClusterIdentifier="wandb-demo-wandb-mysql")["DBClusters"][0]
        assert (db["Engine"], db["EngineVersion"]) == ("aurora-mysql", "8.0.mysql_aurora.3.10.0")
        assert db["StorageEncrypted"] and db["DeletionProtection"] and db["BackupRetentionPeriod"] == 14
        assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [group["GroupId"]]
        subnets = aws["rds"].describe_db_subnet_groups(DBSubnetGroupName="wandb-demo-wandb-mysql")["DBSubnetGroups"][0]
        assert sorted(s["SubnetIdentifier"] for s in subnets["Subnets"]) == sorted(self.subnets(chain)[1])
        parameters = aws["rds"].describe_db_cluster_parameters(DBClusterParameterGroupName="wandb-demo-wandb-mysql")
        assert dict((p["ParameterName"], p["ParameterValue"]) for p in parameters["Parameters"]) == {
            "binlog_format": "ROW",
            "innodb_online_alter_log_max_size": "268435456",
            "max_prepared_stmt_count": "1048576",
            "sort_buffer_size": "67108864",
        }
        redis = aws["elasticache"].describe_replication_groups(ReplicationGroupId="wandb-demo-wandb-redis")[
            "ReplicationGroups"
        ][0]
        assert (
            redis["TransitEncryptionEnabled"]
            and redis["AtRestEncryptionEnabled"]
            and redis["AutomaticFailover"] == "enabled"
        )

        bucket = "wandb-demo-wandb-files-123456789012"
        key = aws["kms"].describe_key(KeyId="alias/wandb-demo-wandb-files")["KeyMetadata"]
        assert aws["kms"].get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]
        rule = aws["s3"].get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}
        assert rule["BucketKeyEnabled"]
        assert all(aws["s3"].get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
        # versioned, earlier versions expiring: a file W&B overwrites or deletes can be brought back for 30 days
        assert aws["s3"].get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        rules = aws["s3"].get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        assert [(r["ID"], r["NoncurrentVersionExpiration"]["NoncurrentDays"], r["Status"]) for r in rules] == [
            ("selfmanaged-wandb-noncurrent-versions", 30, "Enabled")
        ]
        cors = aws["s3"].get_bucket_cors(Bucket=bucket)["CORSRules"]
        assert [(r["AllowedOrigins"], sorted(r["AllowedMethods"])) for r in cors] == [
            (["https://wandb.demo.local"], ["GET", "HEAD", "PUT"])
        ]
        # the files role: only W&B's service accounts, only this bucket and key
        role = aws["iam"].get_role(RoleName="wandb-demo-wandb-files")["Role"]
        subjects = [
            v
            for s in role["AssumeRolePolicyDocument"]["Statement"]
            for k, v in s["Condition"]["StringEquals"].items()
            if k.endswith(":sub")
        ]
        assert subjects == [
            [
                "system:serviceaccount:wandb:wandb-app",
                "system:serviceaccount:wandb:wandb-parquet",
                "system:serviceaccount:wandb:wandb",
            ]
        ]
        policy = aws["iam"].get_role_policy(RoleName="wandb-demo-wandb-files", PolicyName="wandb-files")[
            "PolicyDocument"
        ]
        assert sorted(s["Resource"] for s in policy["Statement"]) == sorted(
            ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket, key["Arn"]]
        )

        # HTTPS: the controller on its role, the certificate issued through the zone's validation record
        assert chain.helm_chart("kube-system", "aws-load-balancer-controller") == "aws-load-balancer-controller-3.5.0"
        controller = chain.kube("serviceaccount", "-n", "kube-system", "aws-load-balancer-controller")
        assert controller["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(
            ":role/wandb-demo-wandb-lb-controller"
        )
        args = chain.kube("deployment", "-n", "kube-system", "aws-load-balancer-controller")["spec"]["template"][
            "spec"
        ]["containers"][0]["args"]
        assert (
            "--cluster-name=wandb-demo" in args and "--aws-vpc-id=%s" % cluster["resourcesVpcConfig"]["vpcId"] in args
        )
        certificates = aws["acm"].list_certificates()["CertificateSummaryList"]
        assert [(c["DomainName"], c["Status"]) for c in certificates] == [("wandb.demo.local", "ISSUED")]
        records = aws["route53"].list_resource_record_sets(HostedZoneId=chain.services.zone_id)["ResourceRecordSets"]
        assert [r["Type"] for r in records if r["Name"].startswith("_")] == ["CNAME"]

    def test_wandb_as_the_real_operator_wandb_chart_renders_it(self, chain):
        """What the stand-in operator installed from the resource: operator-wandb 0.43.8, as the real one would."""
        operator = chain.kube("deployment", "-n", "wandb-cr", "wandb-controller-manager")
        container = operator["spec"]["template"]["spec"]["containers"][0]
        assert (container["image"], container["imagePullPolicy"]) == (
            self.pulled("wandb/controller:1.22.0"),
            "IfNotPresent",
        )
        assert chain.helm_values("wandb-cr", "operator")["airgapped"] is self.airgapped

        cr = chain.kube("weightsandbiases", "-n", "wandb", "wandb")
        assert cr["status"]["phase"] == "Completed"
        assert LICENSE not in json.dumps(cr["spec"])
        assert chain.helm_chart("wandb", "wandb") == "operator-wandb-0.43.8"
        workloads = chain.kube("deployments,statefulsets", "-n", "wandb", "-l", "app.kubernetes.io/instance=wandb")[
            "items"
        ]
        names = sorted(w["metadata"]["name"] for w in workloads)
        assert {"wandb-app-bc", "wandb-console-bc", "wandb-weave-trace-bc"} <= set(names), names
        assert cr["spec"]["chart"] == {"url": chain.repo_url, "name": "operator-wandb", "version": "0.43.8"}

        # What runs is pinned: no workload of W&B's namespace runs a :latest or untagged image, and every image W&B
        # builds runs W&B's version (wandb_weave_version), the console its own
        images = [
            (w, self.unmirrored(i)) for w, i in workload_images(chain.kube(WORKLOAD_KINDS, "-n", "wandb")["items"])
        ]
        floating = [(w, i) for w, i in images if ":" not in i.rsplit("/", 1)[-1] or i.endswith(":latest")]
        assert floating == [], floating
        built = dict((i.rsplit(":", 1)[0], i.rsplit(":", 1)[1]) for w, i in images if i.split(":")[0] in WANDB_BUILT)
        assert set(built) >= {"wandb/local", "wandb/megabinary", "wandb/weave-trace", "wandb/console"}, built
        assert set(built.values()) == {"0.85.0", "2.18.16"} and built["wandb/console"] == "2.18.16", built

        trace = chain.kube("deployment", "-n", "wandb", "wandb-weave-trace-bc")["spec"]["template"]["spec"]
        for container in trace["containers"] + trace.get("initContainers", []):
            env = dict((e["name"], e.get("value", e.get("valueFrom"))) for e in container.get("env", []))
            if "WF_CLICKHOUSE_HOST" not in env:
                continue
            assert env["WF_CLICKHOUSE_HOST"] == self.clickhouse_host  # Bitnami's headless or the operator's Service
            assert (env["WF_CLICKHOUSE_PORT"], env["WF_CLICKHOUSE_DATABASE"], env["WF_CLICKHOUSE_USER"]) == (
                "8123",
                "wandb_weave",
                "default",
            )
            assert (env["WF_CLICKHOUSE_REPLICATED"], env["WF_CLICKHOUSE_REPLICATED_CLUSTER"]) == (
                "true",
                self.clickhouse_cluster,
            )
            assert env["WF_CLICKHOUSE_PASS"] == {"secretKeyRef": {"name": "wandb-clickhouse-auth", "key": "password"}}
        service = chain.kube("service", "-n", "clickhouse", self.clickhouse_host.split(".", maxsplit=1)[0])
        assert 8123 in [p["port"] for p in service["spec"]["ports"]]

        # every Secret and key a W&B workload needs (not optional) exists in W&B's namespace
        secrets = dict(
            (s["metadata"]["name"], s.get("data") or {}) for s in chain.kube("secrets", "-n", "wandb")["items"]
        )
        for workload, name, key in secret_refs(workloads):
            assert name in secrets, "%s needs Secret %s, which is not in namespace wandb" % (workload, name)
            assert key is None or key in secrets[name], "%s needs key %s of Secret %s" % (workload, key, name)
        assert base64.b64decode(secrets["wandb-license"]["license"]).decode() == LICENSE
        copied = chain.kube("secret", "-n", "wandb", "wandb-clickhouse-auth")["data"]["password"]
        assert copied == chain.kube("secret", "-n", "clickhouse", "clickhouse-auth")["data"]["admin-password"]

        if not self.data_on_aws:
            # in_cluster: W&B's chart runs MySQL and Redis itself, and nothing of wandb_data's is on AWS or wired in
            values = cr["spec"]["values"]
            assert (values["mysql"]["install"], values["redis"]) == (True, {"install": True})
            assert "bucket" not in values["global"] and "ingress" not in values
            assert chain.kube_names("persistentvolumeclaims", "-n", "wandb") == ["wandb-mysql-data"]
            return
        # W&B on wandb_data's services: app (and parquet) get MySQL with the password by reference, Redis over TLS,
        # the bucket and its key, the files role; nothing runs MySQL or Redis in the cluster; the ingress is an ALB's
        mysql = chain.aws["rds"].describe_db_clusters(DBClusterIdentifier="wandb-demo-wandb-mysql")["DBClusters"][0]
        redis = chain.aws["elasticache"].describe_replication_groups(ReplicationGroupId="wandb-demo-wandb-redis")
        redis_host = redis["ReplicationGroups"][0]["NodeGroups"][0]["PrimaryEndpoint"]["Address"]
        key_arn = chain.aws["kms"].describe_key(KeyId="alias/wandb-demo-wandb-files")["KeyMetadata"]["Arn"]
        configmaps = dict(
            (c["metadata"]["name"], c.get("data") or {}) for c in chain.kube("configmaps", "-n", "wandb")["items"]
        )
        for name in ("wandb-app-bc", "wandb-parquet-bc"):
            pod = chain.kube("deployment", "-n", "wandb", name)["spec"]["template"]["spec"]
            container = [c for c in pod["containers"] if c["name"] in ("app", "parquet")][0]
            env = dict((e["name"], e.get("value", e.get("valueFrom"))) for e in container["env"])
            assert env["MYSQL_HOST"] == mysql["Endpoint"] and env["MYSQL_PORT"] == "3306"
            assert env["MYSQL_PASSWORD"] == {"secretKeyRef": {"name": "wandb-mysql-password", "key": "password"}}
            loaded = {}
            for source in container.get("envFrom") or []:
                loaded.update(configmaps.get((source.get("configMapRef") or {}).get("name"), {}))
            assert loaded["REDIS_HOST"] == redis_host and "tls=true" in loaded["REDIS_PARAMS"]
            assert (loaded["BUCKET_NAME"], loaded["AWS_REGION"], loaded["AWS_S3_KMS_ID"]) == (
                "wandb-demo-wandb-files-123456789012",
                "us-east-1",
                key_arn,
            )
            account = chain.kube("serviceaccount", "-n", "wandb", pod["serviceAccountName"])
            assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(
                ":role/wandb-demo-wandb-files"
            )
        assert [n for n in chain.kube_names("statefulsets", "-n", "wandb") if "mysql" in n or "redis" in n] == []
        ingress = chain.kube("ingress", "-n", "wandb", "wandb")
        assert ingress["spec"]["ingressClassName"] == "alb"
        annotations = ingress["metadata"]["annotations"]
        certificate = chain.aws["acm"].list_certificates()["CertificateSummaryList"][0]["CertificateArn"]
        assert annotations["alb.ingress.kubernetes.io/certificate-arn"] == certificate
        assert annotations["alb.ingress.kubernetes.io/listen-ports"] == '[{"HTTP": 80}, {"HTTPS": 443}]'
        assert [r["host"] for r in ingress["spec"]["rules"]] == ["wandb.demo.local"]
        spec = json.dumps(cr["spec"])
        assert base64.b64decode(secrets["wandb-mysql-password"]["password"]).decode() not in spec

    def test_every_workload_pulls_from_the_chosen_registry(self, chain):
        """Every container and init container of every workload in the cluster - the charts', and what the stand-in
        operators made of the real charts and resources - pulls from the mirror when the chain has one
        (wandb_image_registry), each image under its own path; and from no mirror when it has none."""
        workloads = chain.kube(WORKLOAD_KINDS, "-A")["items"]
        images = workload_images(workloads)
        if self.image_registry:
            assert [(w, i) for w, i in images if not i.startswith(self.image_registry + "/")] == []
            assert ("Deployment/wandb-app-bc", self.pulled("wandb/local:0.85.0")) in images
        if self.image_pull_secret:
            # every pod that pulls from the mirror does so with its credentials, a Secret in its own namespace
            without = []
            for workload in workloads:
                spec = workload["spec"]
                pod = (spec["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else spec)["template"]["spec"]
                if pod.get("imagePullSecrets") != [{"name": "wandb-image-pull"}]:
                    without.append("%s/%s" % (workload["kind"], workload["metadata"]["name"]))
            assert without == []
            for namespace in sorted(set(w["metadata"]["namespace"] for w in workloads)):
                secret = chain.kube("secret", "-n", namespace, "wandb-image-pull")
                assert secret["type"] == "kubernetes.io/dockerconfigjson"
                auths = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"]
                host = self.image_registry.split("/", maxsplit=1)[0]
                assert list(auths) == [host] and auths[host]["password"] == MIRROR_PASSWORD
        else:
            assert [(w, i) for w, i in images if i.startswith("registry.example.com")] == []
            assert ("Deployment/wandb-app-bc", "wandb/local:0.85.0") in images

    def test_images_playbook_lists_exactly_what_runs(self, chain, tmp_path):
        """playbooks/images.yml with the chain's inventory and variables lists exactly what the cluster runs
        (check_images_playbook)."""
        check_images_playbook(
            chain, lambda *args, **kw: self.play(chain, "images.yml", *args, **kw), self.image_registry, tmp_path
        )

    def test_restore_drill_brings_back_weave_and_mysql(self, chain):
        """The drill a platform team runs, on the converged chain: backup.yml makes a set (a re-run changes nothing);
        Weave's database is lost; restore.yml -e backup_id=latest stops W&B's writers, restores the traces from the set
        and starts W&B again as it was; on AWS, site.yml with the two variables restore.yml prints makes a new database
        from the set's snapshot and moves W&B onto it (a re-run changes nothing, the old database is kept until it is
        deleted as the README says)."""
        port, password_file = self.clickhouse_engine(chain)
        # the engine takes the password the chain generated, as the real server takes it from its Secret
        password = base64.b64decode(
            chain.kube("secret", "-n", "clickhouse", "clickhouse-auth")["data"]["admin-password"]
        ).decode()
        with open(password_file, "w") as handle:
            handle.write(password)

        def sql(query):
            return harness.clickhouse_sql(port, password, query)

        # Weave's traces, as weave-trace writes them
        sql("CREATE DATABASE IF NOT EXISTS wandb_weave")
        sql("CREATE TABLE wandb_weave.calls (id UInt64, op String) ENGINE = MergeTree ORDER BY id")
        sql("INSERT INTO wandb_weave.calls SELECT number, 'op-' || toString(number % 5) FROM numbers(500)")
        writers = dict(
            (w["metadata"]["name"], w["spec"]["replicas"])
            for w in chain.kube("deployments,statefulsets", "-n", "wandb", "-l", "app.kubernetes.io/instance=wandb")[
                "items"
            ]
        )

        made = self.play(chain, "backup.yml").require()  # as the schedule runs it: the set named after the time
        backup_id = re.search(r"Backup set (\d{8}T\d{6}Z) is complete", made.output).group(1)
        self.play(chain, "backup.yml", "-e", "backup_id=" + backup_id).require(changed=0)
        sql("DROP DATABASE wandb_weave SYNC")

        restored = self.play(chain, "restore.yml", "-e", "backup_id=latest").require()
        assert "restored database wandb_weave from " in restored.output
        assert sql("SELECT count() AS n, uniq(op) AS ops FROM wandb_weave.calls") == [{"n": 500, "ops": 5}]
        after = chain.kube("deployments,statefulsets", "-n", "wandb", "-l", "app.kubernetes.io/instance=wandb")
        assert dict((w["metadata"]["name"], w["spec"]["replicas"]) for w in after["items"]) == writers
        assert "wandb-app-bc" in writers
        assert not [
            w for w in after["items"] if "selfmanaged.wandb/paused-replicas" in w["metadata"].get("annotations", {})
        ]
        sql("DROP DATABASE wandb_weave SYNC")  # the next chain test starts where the chain left it
        if not self.data_on_aws:  # in_cluster: W&B's chart's own MySQL is not in the set, and the manifest says so
            assert "The set's MySQL snapshot" not in restored.output
            return

        snapshot = re.search(r"  wandb_data_mysql_restore_snapshot: ([a-z0-9-]+)", restored.output).group(1)
        assert snapshot == "wandb-demo-wandb-mysql-" + backup_id.lower()
        old = chain.aws["rds"].describe_db_clusters(DBClusterIdentifier="wandb-demo-wandb-mysql")["DBClusters"][0]
        chain.inventory_vars = {"wandb_data_mysql_name": snapshot, "wandb_data_mysql_restore_snapshot": snapshot}
        self.play(chain, "site.yml").require()
        self.play(chain, "site.yml").require(changed=0)
        rds = chain.aws["rds"]
        new = rds.describe_db_clusters(DBClusterIdentifier=snapshot)["DBClusters"][0]
        assert new["Endpoint"] != old["Endpoint"] and new["StorageEncrypted"] and new["DeletionProtection"]
        assert [i["DBClusterIdentifier"] for i in rds.describe_db_instances()["DBInstances"]].count(snapshot) == 1
        app = chain.kube("deployment", "-n", "wandb", "wandb-app-bc")["spec"]["template"]["spec"]["containers"]
        env = dict((e["name"], e.get("value")) for c in app for e in c.get("env", []))
        assert env["MYSQL_HOST"] == new["Endpoint"]
        assert rds.describe_db_clusters(DBClusterIdentifier="wandb-demo-wandb-mysql")["DBClusters"]  # kept

        # the old database deleted once W&B is checked on the new one, as the README says (a final snapshot first)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible"), "-i", harness.INVENTORY, "localhost"]
        command += ["-m", "selfmanaged.wandb.rds_mysql", "-a", "name=wandb-demo-wandb-mysql state=absent"]
        deleted = subprocess.run(
            command, env=chain.env, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert deleted.returncode == 0 and "CHANGED" in deleted.stdout, deleted.stdout[-3000:]
        assert [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]] == [snapshot]

    def test_teardown_removes_everything_and_runs_again(self, chain):
        if self.plan_teardown:
            plan = self.play(chain, "teardown.yml", "--check", "--diff").require()
            assert plan.changed > 5
        # the cluster's and nodes' roles (stage 1), EBS CSI's, ClickHouse's (+ W&B's files and the ALB controller's)
        roles = (0 if self.existing_cluster else 2) + 2 + (2 if self.data_on_aws else 0)
        assert len(chain.roles()) == roles and chain.kube_names("weightsandbiases", "-n", "wandb") == [
            "wandb"
        ]  # nothing removed
        result = self.play(chain, "teardown.yml").require()
        assert result.changed > 5
        if self.data_on_aws:
            mysql = getattr(chain, "inventory_vars", {}).get("wandb_data_mysql_name", "wandb-demo-wandb-mysql")
            assert re.search(r"Kept final snapshot %s-final-\d{14} of MySQL" % mysql, result.output)
        chain.assert_empty()
        for cluster in chain.kept_clusters:  # the user's cluster stays, without the chain's associations
            assert chain.aws["eks"].list_pod_identity_associations(clusterName=cluster)["associations"] == []
        self.play(chain, "teardown.yml").require(changed=0)
