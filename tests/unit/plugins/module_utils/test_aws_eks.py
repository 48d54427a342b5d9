"""EKS mode: the k8s-aws-v1 token format, and DescribeCluster against a real moto server.

moto's server cannot replay a presigned GET (without an Authorization header it routes the request to
S3), so the token is checked for its format, its signed headers and its credential scope.
"""

import base64
import os
import sys
import urllib.parse

import boto3
import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import (
    EKS_TOKEN_PREFIX,
    AwsService,
    aws_session,
    eks_token,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.access import (
    K8S_ACCESS_ARGSPEC,
    resolve_cluster_access,
)

KEYS = {"access_key": "AKIDEXAMPLE", "secret_key": "secret", "region": "us-west-2"}


def decode(token):
    body = token[len(EKS_TOKEN_PREFIX) :]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()


def test_token_is_a_presigned_get_caller_identity_bound_to_the_cluster():
    token = eks_token(aws_session(KEYS), "my-cluster")
    assert token.startswith(EKS_TOKEN_PREFIX) and "=" not in token
    url = urllib.parse.urlsplit(decode(token))
    query = dict(urllib.parse.parse_qsl(url.query))
    assert (url.scheme, url.netloc) == ("https", "sts.us-west-2.amazonaws.com")
    assert (query["Action"], query["Version"], query["X-Amz-Expires"]) == ("GetCallerIdentity", "2011-06-15", "60")
    assert set(query["X-Amz-SignedHeaders"].split(";")) == {"host", "x-k8s-aws-id"}
    assert (
        query["X-Amz-Credential"].startswith("AKIDEXAMPLE/")
        and "/us-west-2/sts/aws4_request" in query["X-Amz-Credential"]
    )


def test_endpoint_url_changes_the_sts_host():
    assert decode(eks_token(aws_session(KEYS), "c", "http://127.0.0.1:5000")).startswith("http://127.0.0.1:5000/?")


def test_no_credentials_is_a_clear_error(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(WandbModuleError, match="no AWS credentials"):
        eks_token(aws_session({"region": "us-east-1"}), "c")


def test_no_region_is_a_clear_error(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with pytest.raises(WandbModuleError, match="no AWS region"):
        aws_session({"access_key": "a", "secret_key": "b"})


@pytest.fixture(scope="module")
def moto_url(tmp_path_factory):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "scripts", "lib"))
    from localenv import MotoServer  # pylint: disable=import-outside-toplevel

    server = MotoServer(str(tmp_path_factory.mktemp("moto"))).start()
    yield server.url
    server.stop()


def create_cluster(moto_url, name):
    eks = boto3.client(
        "eks", region_name="us-east-1", endpoint_url=moto_url, aws_access_key_id="a", aws_secret_access_key="b"
    )
    eks.create_cluster(
        name=name,
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]},
    )


def test_eks_mode_against_moto(moto_url):
    settings = dict(KEYS, region="us-east-1", endpoint_url=moto_url)
    create_cluster(moto_url, "demo")
    endpoint, ca_data = AwsService(settings).cluster_endpoint("demo")
    assert endpoint.startswith("https://") and ca_data
    with pytest.raises(WandbModuleError, match="EKS cluster 'missing' not found in us-east-1"):
        AwsService(settings).cluster_endpoint("missing")


def test_eks_mode_resolves_endpoint_ca_and_token(monkeypatch, moto_url):
    """moto's CA data is random bytes, not a PEM; DescribeCluster is stood in with a real-shaped answer."""
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    seen = {}

    def cluster_endpoint(service, name):
        seen.update(name=name, region=service.session.region_name, endpoint_url=service.params["endpoint_url"])
        return "https://ABC.gr7.us-east-1.eks.amazonaws.com", base64.b64encode(pem.encode()).decode()

    monkeypatch.setattr(AwsService, "cluster_endpoint", cluster_endpoint)
    params = dict((name, None) for name in K8S_ACCESS_ARGSPEC)
    params.update(KEYS, region="us-east-1", endpoint_url=moto_url, eks_cluster_name="demo")
    access = resolve_cluster_access(params)
    assert seen == {"name": "demo", "region": "us-east-1", "endpoint_url": moto_url}
    assert (access.source, access.server, access.ca_data, access.kubeconfig_path) == (
        "eks",
        "https://ABC.gr7.us-east-1.eks.amazonaws.com",
        pem,
        None,
    )
    assert access.token.startswith(EKS_TOKEN_PREFIX)
    kubeconfig = access.to_kubeconfig()
    assert kubeconfig["users"][0]["user"] == {"token": access.token}


def test_moto_ca_garbage_is_a_clear_error(moto_url):
    settings = dict(KEYS, region="us-east-1", endpoint_url=moto_url)
    params = dict((name, None) for name in K8S_ACCESS_ARGSPEC)
    params.update(settings, eks_cluster_name="garbage-ca")
    create_cluster(moto_url, "garbage-ca")
    with pytest.raises(WandbModuleError, match="certificateAuthority"):
        resolve_cluster_access(params)
