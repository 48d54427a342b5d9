"""The chain on Helm 4 (chain_checks.py's tests): site.yml and teardown.yml with inventories/local on a fresh testbed
and moto, with ClickHouse through Altinity's operator and W&B's data in the cluster (wandb_data_mode=in_cluster), on
an existing cluster as the README describes it (--skip-tags eks_cluster, the kubeconfig, the cluster's OIDC provider
given): every stage that runs Helm, through the real charts. The cluster stage runs no Helm; it is the Helm 3 chain's,
the README's demo (test_demo.py), with Bitnami's ClickHouse, W&B's data on AWS and the VPC built by the role."""

from chain_checks import ChainOnHelm


class TestHelm4(ChainOnHelm):
    helm = 4
    plan_teardown = False  # teardown's plan hardly depends on Helm's version: the demo's chain plans it
    data_on_aws = False
    clickhouse_method = "altinity"
    existing_cluster = True
