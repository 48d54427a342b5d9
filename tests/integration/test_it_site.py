"""The chain on Helm 4 (chain_checks.py's tests): site.yml and teardown.yml with inventories/local on a fresh testbed
and moto, with ClickHouse through Altinity's operator and W&B's data in the cluster (wandb_data_mode=in_cluster), on
an existing cluster as the README describes it (--skip-tags eks_cluster, the kubeconfig, the cluster's OIDC provider
given): every stage that runs Helm, through the real charts. The cluster stage runs no Helm; it is the Helm 3 chain's,
the README's demo (test_demo.py), with Bitnami's ClickHouse, W&B's data on AWS and the VPC built by the role.

This chain is also the upgrade: it converges first on the older charts in ../shared/charts and an older W&B, then
its re-run is an upgrade to today's pins - the plan shows every version that moves and changes nothing, the upgrade
brings the new CRDs before the new controllers and loses no volume claim, password, bucket or role - and a second
re-run changes nothing. On the way ClickHouse's role moves from IRSA to EKS Pod Identity."""

from chain_checks import ChainOnHelm

# A ClickHouseInstallation using a field only the CRD of Altinity's chart 0.25.6 knows (spec.reconcile.host.drop)
NEW_FIELD = """
apiVersion: clickhouse.altinity.com/v1
kind: ClickHouseInstallation
metadata: {name: crd-probe, namespace: default}
spec:
  reconcile: {host: {drop: {replicas: {onDelete: "yes"}}}}
"""


class TestHelm4(ChainOnHelm):
    helm = 4
    plan_teardown = False  # teardown's plan hardly depends on Helm's version: the demo's chain plans it
    data_on_aws = False
    clickhouse_method = "altinity"
    existing_cluster = True
    ebs_csi_identity = "irsa"  # the EBS CSI driver on IRSA (the demo's is on Pod Identity)
    clickhouse_identity = "pod_identity"  # ClickHouse 25.8 on Altinity's operator, through EKS Pod Identity
    airgapped = True  # what runs is pinned, so the operator needs no release channel
    image_registry = "registry.example.com/mirror"  # and every image from a mirror
    image_pull_secret = True  # with credentials
    first_pins = {
        "ebs_csi_chart_version": "2.62.0",
        "clickhouse_operator_chart_version": "0.25.4",
        "clickhouse_operator_image_tag": "0.25.4",
        "clickhouse_server_image_tag": "25.8.2.29",  # an earlier 25.8 LTS build (the testbed pulls no image)
        "clickhouse_keeper_image_tag": "25.8.2.29",
        "wandb_weave_operator_chart_version": "1.4.7",
        "wandb_weave_operator_wandb_chart_version": "0.43.0",
        "wandb_weave_version": "0.84.1",
        # ClickHouse on IRSA first, switched to EKS Pod Identity with the upgrade: the annotation goes, the trust moves
        "clickhouse_aws_identity": "irsa",
    }
    upgrade_plan = (
        "chart aws-ebs-csi-driver - chart version 2.62.0 -> 2.64.0",
        "chart altinity-clickhouse-operator - chart version 0.25.4 -> 0.25.6",
        "chart altinity-clickhouse-operator - CRDs of altinity-clickhouse-operator-0.25.6 applied first: "
        "clickhouseinstallations.clickhouse.altinity.com",
        "chart altinity-clickhouse-operator - operator.image.tag: 0.25.4 -> 0.25.6",
        "ClickHouseInstallation clickhouse - changes, servers one host at a time: clickhouse/clickhouse: "
        "registry.example.com/mirror/clickhouse/clickhouse-server:25.8.2.29 -> "
        "registry.example.com/mirror/clickhouse/clickhouse-server:25.8.30.16",
        "ClickHouseKeeperInstallation clickhouse-keeper - changes after the servers: keeper/clickhouse-keeper: "
        "registry.example.com/mirror/clickhouse/clickhouse-keeper:25.8.2.29 -> "
        "registry.example.com/mirror/clickhouse/clickhouse-keeper:25.8.30.16",
        "chart operator - chart version 1.4.7 -> 1.4.8",
        "chart operator - CRDs of operator-1.4.8 applied first: weightsandbiases.apps.wandb.com",
        "W&B wandb - chart: operator-wandb 0.43.0 -> operator-wandb 0.43.8",
        "W&B wandb - app.image.tag: 0.84.1 -> 0.85.0",
        "W&B wandb - weave-trace.image.tag: 0.84.1 -> 0.85.0",
    )

    upgrade_order = (
        # each chart's new CRDs before its release: helm_release applies them inside the release's task (apply_crds)
        (
            "selfmanaged.wandb.clickhouse : ClickHouse, MergeTree on S3",
            "selfmanaged.wandb.clickhouse : ClickHouse Keeper, after the servers",
        ),
    )

    def new_crds_served(self, chain):
        return chain.accepts(NEW_FIELD)
