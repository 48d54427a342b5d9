"""The whole chain on Helm 4 (chain_checks.py's tests): site.yml and teardown.yml with inventories/local on a fresh
testbed and moto, in subnets made directly in moto, with ClickHouse through Altinity's operator and W&B's data in
the cluster (wandb_data_mode=in_cluster): those paths through the real charts. The Helm 3 chain, with Bitnami's
ClickHouse, W&B's data on AWS and the VPC built by the role, is the README's demo (test_demo.py)."""

from chain_checks import ChainOnHelm


class TestHelm4(ChainOnHelm):
    helm = 4
    plan_teardown = False  # teardown's plan hardly depends on Helm's version: the demo's chain plans it
    data_on_aws = False
    clickhouse_method = "altinity"
