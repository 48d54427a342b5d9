"""AWS modules through ansible-playbook against moto in server mode on 127.0.0.1."""

import uuid

import boto3

import harness


def test_eks_cluster_and_oidc_provider_lifecycle(moto):
    prefix = "it-" + uuid.uuid4().hex[:8]
    workdir = harness.make_workdir("aws-it-")
    try:
        playbook = harness.target_playbook(workdir, "eks_cluster", "lifecycle.yml")
        harness.run_playbook(playbook, extra_vars={"prefix": prefix}, env=moto.aws_env()).require()
    finally:
        harness.remove(workdir)
    # Independently of the modules: nothing they made is left behind.
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    eks = session.client("eks", endpoint_url=moto.url)
    iam = session.client("iam", endpoint_url=moto.url)
    assert prefix not in eks.list_clusters()["clusters"]
    assert not [p for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] if prefix in p["Arn"]]
