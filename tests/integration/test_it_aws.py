"""AWS modules through ansible-playbook against moto in server mode on 127.0.0.1."""

import json
import os
import uuid

import harness


def test_eks_cluster_and_oidc_provider_lifecycle(moto, tmp_path):
    prefix = "it-" + uuid.uuid4().hex[:8]
    harness.run_target("eks_cluster", "lifecycle.yml", {"prefix": prefix}, str(tmp_path), env=moto.aws_env())
    # Independently of the modules: nothing they made is left behind.
    clients = harness.aws_clients(moto.url)
    eks, iam = clients["eks"], clients["iam"]
    assert prefix not in eks.list_clusters()["clusters"]
    assert not [p for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] if prefix in p["Arn"]]


VPC_IDS = {}  # every VPC seen per cluster name, so NAT gateways are checked after their VPC is gone


def _leftovers(clients, name):
    """Everything the role tags or names for cluster ``name`` that still exists."""
    ec2, eks, iam = clients["ec2"], clients["eks"], clients["iam"]
    tagged = [{"Name": "tag:selfmanaged.wandb/cluster", "Values": [name]}]
    vpc_ids = set(VPC_IDS.get(name, [])) | set(v["VpcId"] for v in ec2.describe_vpcs(Filters=tagged)["Vpcs"])
    VPC_IDS.setdefault(name, []).extend(vpc_ids)
    found = {
        "cluster": [c for c in eks.list_clusters()["clusters"] if c == name],
        "addons": eks.list_addons(clusterName=name)["addons"] if name in eks.list_clusters()["clusters"] else [],
        "roles": [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(name + "-")],
        "oidc": [
            p["Arn"]
            for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
            if any(
                t["Key"] == "selfmanaged.wandb/cluster" and t["Value"] == name
                for t in iam.get_open_id_connect_provider(OpenIDConnectProviderArn=p["Arn"]).get("Tags", [])
            )
        ],
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs(Filters=tagged)["Vpcs"]],
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets(Filters=tagged)["Subnets"]],
        "nat": [
            n["NatGatewayId"]
            for n in ec2.describe_nat_gateways()["NatGateways"]
            if n["State"] != "deleted" and n["VpcId"] in vpc_ids
        ],
        "igw": [g["InternetGatewayId"] for g in ec2.describe_internet_gateways(Filters=tagged)["InternetGateways"]],
    }
    return dict((k, v) for k, v in found.items() if v)


def test_eks_cluster_role_plans_its_vpc_and_creates_nothing(moto):
    """The role on its own in check mode on the empty account, VPC included: it plans and makes nothing. Its converge,
    re-run and teardown building the VPC are the demo's chain (test_demo.py), which checks the VPC it made."""
    name = "role-" + uuid.uuid4().hex[:6]
    clients = harness.aws_clients(moto.url)
    playbook = os.path.join(harness.ROOT, "tests", "integration", "playbooks", "eks_cluster_role.yml")
    # moto does not store a cluster's accessConfig, so the authentication mode is not managed here.
    extra = {
        "eks_cluster_name": name,
        "eks_cluster_region": "us-east-1",
        "eks_cluster_authentication_mode": "",
        "eks_cluster_wait_timeout": 60,
    }
    planned = harness.run_playbook(playbook, extra_vars=extra, env=moto.aws_env(), check=True, diff=True).require()
    assert planned.changed > 0
    assert _leftovers(clients, name) == {}, "check mode created something"


def test_eks_cluster_oidc_provider_defaults_to_what_the_stages_need():
    """eks_cluster_oidc_provider's computed default: true unless every stage is on EKS Pod Identity (the role with it
    false makes none: test_eks_cluster_role_upgrades_in_steps_with_a_plan)."""
    playbook = os.path.join(harness.ROOT, "tests", "integration", "playbooks", "eks_cluster_oidc_default.yml")
    assert harness.run_playbook(playbook).require().recap["ok"] == 4


def test_eks_vpc_builds_keeps_repairs_and_removes_the_network(moto, tmp_path):
    """The eks_cluster role's network in one module call: plan, build, no-op, a tag put back, a NAT gateway per zone,
    removal (checked through amazon.aws's info modules, not the module under test)."""
    prefix = "vpc-" + uuid.uuid4().hex[:8]
    harness.run_target("eks_cluster", "vpc.yml", {"prefix": prefix}, str(tmp_path), env=moto.aws_env())
    assert _leftovers(harness.aws_clients(moto.url), prefix) == {}


def test_iam_role_makes_keeps_repairs_adopts_and_removes_a_role(moto, tmp_path):
    """iam_role: plan, create, no-op (a policy written another way too), drift put right, a role amazon.aws.iam_role
    made adopted unchanged, removal with its instance profile (read back through amazon.aws's info modules)."""
    prefix = "role-" + uuid.uuid4().hex[:8]
    harness.run_target("iam_role", "main.yml", {"prefix": prefix}, str(tmp_path), env=moto.aws_env())
    iam = harness.aws_clients(moto.url)["iam"]
    assert [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)] == []


def test_rds_snapshot_makes_one_snapshot_per_name_and_deletes_it(moto, tmp_path):
    """rds_snapshot: an Aurora cluster snapshot and an RDS DB snapshot of databases made here in moto."""
    prefix = "snap-" + uuid.uuid4().hex[:8]
    rds = harness.aws_clients(moto.url)["rds"]
    for name in ("aurora", "other"):
        rds.create_db_cluster(
            DBClusterIdentifier="%s-%s" % (prefix, name),
            Engine="aurora-mysql",
            MasterUsername="wandb",
            MasterUserPassword="not-a-secret-1",
        )
    rds.create_db_instance(
        DBInstanceIdentifier=prefix + "-mysql",
        Engine="mysql",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="wandb",
        MasterUserPassword="not-a-secret-1",
    )
    harness.run_target("rds_snapshot", "main.yml", {"prefix": prefix}, str(tmp_path), env=moto.aws_env())
    assert [s for s in rds.describe_db_snapshots()["DBSnapshots"] if s["DBSnapshotIdentifier"].startswith(prefix)] == []


def test_eks_cluster_role_upgrades_in_steps_with_a_plan(moto):
    """The eks_cluster role (site.yml's first stage) on a cluster it made at 1.34, eks_cluster_version raised to 1.36:
    the plan lists both steps and changes nothing; an ERROR insight stops the run before any update; a run that gives
    up during the control plane's update is resumed by the next, which takes the steps as async jobs (ASYNC POLL lines
    show each step is alive); EKS's record, in order - per step one control-plane update, the node group, then each
    add-on; a re-run and a check run change nothing; a downgrade is refused before any change. With every stage on
    EKS Pod Identity (eks_cluster_oidc_provider false), no IAM OIDC provider is made."""
    name = "roleup-" + uuid.uuid4().hex[:6]
    clients = harness.aws_clients(moto.url)
    ec2, eks = clients["ec2"], clients["eks"]
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.%d.0/24" % i, AvailabilityZone="us-east-1" + zone)["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    playbook = os.path.join(harness.ROOT, "tests", "integration", "playbooks", "eks_cluster_role.yml")
    extra = {
        "eks_cluster_name": name,
        "eks_cluster_region": "us-east-1",
        "eks_cluster_authentication_mode": "",
        "eks_cluster_wait_timeout": 60,
        "eks_cluster_subnet_ids": subnets,
        "eks_cluster_version": "1.34",
        "eks_cluster_allow_unsupported_version": False,
        "eks_cluster_upgrade_poll_interval": 1,
        # every stage on EKS Pod Identity: no IAM OIDC provider for this cluster
        "eks_cluster_oidc_provider": False,
        # the user's own configuration of vpc-cni: kept beside the network policy agent the role turns on
        "eks_cluster_addons": [
            {"name": "vpc-cni", "configuration_values": {"env": {"WARM_IP_TARGET": "2"}}},
            {"name": "coredns"},
            {"name": "kube-proxy"},
        ],
        # the role's access entries ride along: made once, unchanged by every later run
        "eks_cluster_access_entries": [
            {
                "principal_arn": "arn:aws:iam::123456789012:role/platform-admins",
                "policies": [
                    {"policy": "AmazonEKSClusterAdminPolicy"},
                    {"policy": "AmazonEKSViewPolicy", "namespaces": ["wandb"]},
                ],
            }
        ],
    }

    def play(version, check=False, diff=False, **given):
        return harness.run_playbook(
            playbook,
            extra_vars=dict(extra, eks_cluster_version=version, **given),
            env=moto.aws_env(),
            check=check,
            diff=diff,
        )

    first = play("1.34").require()
    assert '"oidc_provider_arn": ""' in first.output  # what the stages on Pod Identity get
    nodegroup = name + "-default"
    addons = ("coredns", "kube-proxy", "vpc-cni")

    def at():
        return (
            eks.describe_cluster(name=name)["cluster"]["version"],
            eks.describe_nodegroup(clusterName=name, nodegroupName=nodegroup)["nodegroup"]["version"],
            dict((a, eks.describe_addon(clusterName=name, addonName=a)["addon"]["addonVersion"]) for a in addons),
        )

    admins = eks.list_associated_access_policies(
        clusterName=name, principalArn="arn:aws:iam::123456789012:role/platform-admins"
    )["associatedAccessPolicies"]
    assert sorted((p["policyArn"].rsplit("/", 1)[-1], p["accessScope"]["type"]) for p in admins) == [
        ("AmazonEKSClusterAdminPolicy", "cluster"),
        ("AmazonEKSViewPolicy", "namespace"),
    ]
    issuer = eks.describe_cluster(name=name)["cluster"]["identity"]["oidc"]["issuer"].split("://", 1)[1]
    providers = clients["iam"].list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert issuer and not [p for p in providers if p["Arn"].endswith(issuer)]
    before = at()
    assert before[:2] == ("1.34", "1.34") and before[2]["kube-proxy"] == "v1.34.1-eksbuild.2"
    cni = eks.describe_addon(clusterName=name, addonName="vpc-cni")["addon"]
    assert json.loads(cni["configurationValues"]) == {"env": {"WARM_IP_TARGET": "2"}, "enableNetworkPolicy": "true"}

    plan = play("1.36", check=True, diff=True).require()
    assert at() == before and eks.list_updates(name=name)["updateIds"] == []
    for step in (
        "Kubernetes 1.35: control plane 1.34 -> 1.35; node group %s 1.34 -> 1.35; add-on kube-proxy "
        "v1.34.1-eksbuild.2 -> v1.35.1-eksbuild.2" % nodegroup,
        "Kubernetes 1.36: control plane 1.35 -> 1.36; node group %s 1.35 -> 1.36; add-on kube-proxy "
        "v1.35.1-eksbuild.2 -> v1.36.1-eksbuild.2" % nodegroup,
    ):
        assert step in plan.output, plan.output[-4000:]

    # an ERROR insight for 1.35 (played by a cluster tag, which the role's own tags must carry: it manages the
    # cluster's tags) stops the run before any update, in EKS's words
    stopped = play("1.36", eks_cluster_tags={"fixture.selfmanaged.wandb/insight-error": "1.35"})
    assert stopped.rc != 0
    assert [f.msg for f in stopped.failures if "report 1 error(s); nothing was updated" in (f.msg or "")], (
        stopped.output[-3000:]
    )
    assert at() == before and eks.list_updates(name=name)["updateIds"] == []
    # a run that gives up while EKS updates the control plane (as a killed one would): the next one resumes
    interrupted = play("1.36", eks_cluster_wait_timeout=1)
    assert [
        f
        for f in interrupted.failures
        if "waiting for EKS to update the control plane to Kubernetes 1.35" in (f.msg or "")
    ]
    ran = play("1.36").require()
    assert "ASYNC POLL on localhost" in ran.output  # each step's progress, while it runs
    assert at() == ("1.36", "1.36", dict(before[2], **{"kube-proxy": "v1.36.1-eksbuild.2"}))
    record = []
    for where in [{}, {"nodegroupName": nodegroup}] + [{"addonName": a} for a in addons]:
        for update_id in eks.list_updates(name=name, **where)["updateIds"]:
            update = eks.describe_update(name=name, updateId=update_id, **where)["update"]
            record.append((update["createdAt"], update["type"], where, [p["value"] for p in update["params"]]))
    assert [(kind, list(where.values()), values) for _t, kind, where, values in sorted(record, key=lambda r: r[0])] == [
        ("VersionUpdate", [], ["1.35"]),
        ("VersionUpdate", [nodegroup], ["1.35"]),
        ("AddonUpdate", ["kube-proxy"], ["v1.35.1-eksbuild.2"]),
        ("VersionUpdate", [], ["1.36"]),
        ("VersionUpdate", [nodegroup], ["1.36"]),
        ("AddonUpdate", ["kube-proxy"], ["v1.36.1-eksbuild.2"]),
    ]
    play("1.36").require(changed=0)
    play("1.36", check=True).require(changed=0)
    refused = play("1.35")
    assert [f.msg for f in refused.failures] == ["EKS cannot downgrade Kubernetes from 1.36 to 1.35"]
    assert at()[0] == "1.36"


def test_eks_access_entries(moto, tmp_path):
    """eks_access_entries: a bad principal refused before any call, plan, create, no-op, change and purge - never the
    entry it did not make (EKS's own for the node role, played by one made here); then EKS's record, independently."""
    prefix = "acc-" + uuid.uuid4().hex[:8]
    eks = harness.aws_clients(moto.url)["eks"]
    eks.create_cluster(
        name=prefix, roleArn="arn:aws:iam::123456789012:role/c", resourcesVpcConfig={"subnetIds": ["s-1", "s-2"]}
    )
    nodes = "arn:aws:iam::123456789012:role/wandb-node"
    eks.create_access_entry(clusterName=prefix, principalArn=nodes, type="EC2_LINUX")
    harness.run_target("eks_access_entries", "main.yml", {"prefix": prefix}, str(tmp_path), env=moto.aws_env())
    team = "arn:aws:iam::123456789012:role/wandb-team"
    assert eks.list_access_entries(clusterName=prefix)["accessEntries"] == [nodes, team]
    policies = eks.list_associated_access_policies(clusterName=prefix, principalArn=team)["associatedAccessPolicies"]
    assert [(p["policyArn"].rsplit("/", 1)[-1], p["accessScope"]["type"]) for p in policies] == [
        ("AmazonEKSAdminViewPolicy", "cluster")
    ]
    entry = eks.describe_access_entry(clusterName=prefix, principalArn=team)["accessEntry"]
    assert entry["kubernetesGroups"] == ["wandb-ops"] and entry["tags"]["selfmanaged.wandb/access-entry"] == "managed"
    eks.delete_cluster(name=prefix)


def test_eks_pod_identity_association(moto, tmp_path):
    """eks_pod_identity_association: plan, create, no-op, the role changed in place, a bad name refused, delete."""
    prefix = "pia-" + uuid.uuid4().hex[:8]
    eks = harness.aws_clients(moto.url)["eks"]
    eks.create_cluster(
        name=prefix, roleArn="arn:aws:iam::123456789012:role/c", resourcesVpcConfig={"subnetIds": ["s-1", "s-2"]}
    )
    harness.run_target(
        "eks_pod_identity_association", "main.yml", {"prefix": prefix}, str(tmp_path), env=moto.aws_env()
    )
    assert eks.list_pod_identity_associations(clusterName=prefix)["associations"] == []
    eks.delete_cluster(name=prefix)


def test_eks_upgrade_takes_each_step_stops_on_an_insight_and_resumes(moto, tmp_path):
    """eks_upgrade, 1.34 -> 1.36 on a cluster made here (a node group, kube-proxy and coredns): the plan, refusals,
    an ERROR insight, an interrupted step resumed; then EKS's own record: one version update per step for the
    control plane and the node group, in order, and every part at 1.36."""
    prefix = "upg-" + uuid.uuid4().hex[:8]
    eks = harness.aws_clients(moto.url)["eks"]
    vpc = {"subnetIds": ["subnet-1", "subnet-2"]}
    arn = eks.create_cluster(
        name=prefix, version="1.34", roleArn="arn:aws:iam::123456789012:role/c", resourcesVpcConfig=vpc
    )
    eks.create_nodegroup(
        clusterName=prefix,
        nodegroupName="default",
        version="1.34",
        nodeRole="arn:aws:iam::123456789012:role/n",
        subnets=vpc["subnetIds"],
    )
    eks.create_addon(clusterName=prefix, addonName="kube-proxy", addonVersion="v1.34.1-eksbuild.2")
    eks.create_addon(clusterName=prefix, addonName="coredns", addonVersion="v1.11.4-eksbuild.2")
    arn = arn["cluster"]["arn"]
    eks.tag_resource(resourceArn=arn, tags={"fixture.selfmanaged.wandb/insight-error": "1.35"})
    harness.run_target("eks_upgrade", "main.yml", {"prefix": prefix}, str(tmp_path), env=moto.aws_env())
    assert eks.list_updates(name=prefix)["updateIds"] == []  # nothing was started
    eks.untag_resource(resourceArn=arn, tagKeys=["fixture.selfmanaged.wandb/insight-error"])
    harness.run_target("eks_upgrade", "resume.yml", {"prefix": prefix}, str(tmp_path), env=moto.aws_env())

    def versions(**where):
        updates = [
            eks.describe_update(name=prefix, updateId=i, **where)["update"]
            for i in eks.list_updates(name=prefix, **where)["updateIds"]
        ]
        return [(u["status"], [p["value"] for p in u["params"]]) for u in updates]

    assert versions() == [("Successful", ["1.35"]), ("Successful", ["1.36"])]
    assert versions(nodegroupName="default") == [("Successful", ["1.35"]), ("Successful", ["1.36"])]
    assert eks.describe_cluster(name=prefix)["cluster"]["version"] == "1.36"
    assert eks.describe_nodegroup(clusterName=prefix, nodegroupName="default")["nodegroup"]["version"] == "1.36"
    addons = dict(
        (a, eks.describe_addon(clusterName=prefix, addonName=a)["addon"]["addonVersion"])
        for a in ("kube-proxy", "coredns")
    )
    assert addons == {"kube-proxy": "v1.36.1-eksbuild.2", "coredns": "v1.11.4-eksbuild.2"}
