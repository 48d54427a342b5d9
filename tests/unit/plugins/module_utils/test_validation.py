"""The input rules the modules and the roles' preflight share (module_utils/validation.py)."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import (
    RULES,
    check_options,
    known_regions,
    problem,
    unknown_names,
    version_tuple,
)

GOOD = {
    "k8s_label": ["clickhouse", "wandb-cr", "a1"],
    "k8s_name": ["ebs-sc", "gp3.encrypted", "clickhouse-auth"],
    "secret_key": ["admin-password", "LICENSE", "tls.crt"],
    "helm_release_name": ["clickhouse", "aws-ebs-csi-driver", "w" * 53],
    "quantity": ["100Gi", "512Mi", "500m", "2", 4, "1.5", "1e3"],
    "resources": [{"requests": {"cpu": "4", "memory": "32Gi"}, "limits": {"memory": "56Gi"}}, {}],
    "positive_int": [1, 900],
    "non_negative_int": [0, 3],
    "positive_number": [0.5, 1],
    "cidr": ["0.0.0.0/0", "203.0.113.0/24", "2001:db8::/32"],
    "cidrs": [["0.0.0.0/0"], []],
    "k8s_namespaces": [[], ["monitoring", "team-a"]],
    "url_host_only": ["https://wandb.example.com", "http://wandb.demo.local:8080", "https://wandb.example.com/"],
    "http_url": ["https://charts.example.com/wandb"],
    "license_text": ["eyJhbGciOi.abc-def_123"],
    "eks_name": ["wandb", "wandb-demo", "a_b"],
    "eks_nodegroup_name": ["wandb-default"],
    "iam_role_name": ["wandb-clickhouse", "x" * 64],
    "s3_bucket_name": ["wandb-demo-weave-clickhouse-123456789012", "my.bucket-1"],
    "instance_type": ["r6i.2xlarge", "m7g.large", "u-6tb1.metal"],
    "instance_types": [["r6i.2xlarge", "r7i.2xlarge"]],
    "subnet_id": ["subnet-0123456789abcdef0", "subnet-01234567"],
    "subnet_ids": [["subnet-0123456789abcdef0"], []],
    "kubernetes_version": ["1.35", "1.32"],
    "release_version": ["0.85.0", "2.18.16", "1.22.0-rc.1"],
    "wandb_olap_clickhouse": [{}, {"global": {"olap": {"history": {"enabled": False}}}}],
    "image_repository": [
        "wandb/local",
        "docker.io/clickhouse/clickhouse-server",
        "registry.example.com:5000/mirror/wandb/local",
        "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver",
        "bitnamilegacy/clickhouse",
    ],
    "image_tag": ["0.85.0", "25.3.2-debian-12-r3", "v1.64.0", "sha256:" + "a" * 64],
    "image_registry": ["", "registry.example.com/mirror", "registry.example.com:5000", "localhost:5000/a/b", "ecr.io"],
    "image_pull_secret": [{}, None],  # none; with a mirror: test_images.py
    "k8s_labels": [{}, {"role": "wandb", "node.kubernetes.io/pool": "w-1", "empty": ""}],
    "rds_instance_class": ["db.r6g.large", "db.t4g.medium", "db.serverless"],
    "cache_node_type": ["cache.t4g.medium", "cache.r7g.large"],
    "mysql_engine_version": ["", "8.0.32", "8.4", "8.4.7"],
    "http_urls": [[], ["https://wandb.example.com", "http://localhost:8080", "*"]],
    "keeper_ensemble": [3, 5],
    "oidc_provider_arn": ["", "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"],
    "identifier": ["weave_cluster", "wandb_weave", "default"],
    "aws_region": ["us-east-1", "us-gov-west-1", "eu-central-2"],
    "backup_id": ["20261207T020000Z", "before-upgrade", "7"],
    "access_entries": [[], [{"principal_arn": "arn:aws:iam::123456789012:user/ci", "policies": []}]],
    "s3_directory_url": [
        "https://b.s3.us-west-2.amazonaws.com/backups/20261207T020000Z/",
        "http://127.0.0.1:5000/b/p/",
    ],
    "s3_prefix_url": ["", "https://b.s3.us-west-2.amazonaws.com/backups", "http://127.0.0.1:5000/b/backups/"],
    "no_plain_secrets": [{"global": {"licenseSecret": {"name": "x"}}}, {}],
    "kubeconfig_file": [""],
    "kubeconfig_context": [""],
}

BAD = {
    "k8s_label": ["Bad_NS", "-a", "a" * 64, "", None, 5],
    "k8s_name": ["Bad_Class", "a..b" * 0 + "A", "x" * 254],
    "secret_key": ["a/b", "", None],
    "helm_release_name": ["Click_House", "W-and-B", "w" * 54, "x_y"],
    "quantity": ["abc", "0", "-1Gi", "", None, True, "10 Gi", "5GB"],
    "resources": [{"requests": {"cpu": "lots"}}, {"limitz": {}}, "4"],
    "positive_int": [0, -5, "5", True, None],
    "non_negative_int": [-1, "0"],
    "positive_number": [0, -1, "1"],
    "cidr": ["not-a-cidr", "10.0.0.1/16", "", None],
    "cidrs": [["not-a-cidr"], "0.0.0.0/0"],
    "k8s_namespaces": ["monitoring", ["Monitoring"], ["ok", "-lead"], [None]],
    "url_host_only": [
        "https://wandb.example.com/wandb",
        "wandb.example.com",
        "ftp://x",
        "https://u:p@x.com",
        "https://x.com/?a=1",
        "https://x.com:99999",
        "",
    ],
    "http_url": ["charts.example.com", "oci://x"],
    "license_text": ["", "   ", None, "abc\ndef", " abc", "abc ", 12],
    "eks_name": ["bad name!", "-x", "x" * 101],
    "eks_nodegroup_name": ["x" * 64],
    "iam_role_name": ["x" * 65, "a b", ""],
    "s3_bucket_name": ["a..b-bucket", "ab", "Upper", "192.168.1.1", "a-.b", "xn--abc", "x" * 64, "end-"],
    "instance_type": ["r6i", "R6I.large", ""],
    "instance_types": [["r6i"], [], "r6i.large"],
    "subnet_id": ["subnet-nope", "sg-0123456789abcdef0"],
    "subnet_ids": [["subnet-nope"], "subnet-0123456789abcdef0"],
    "kubernetes_version": ["1.x", "1.35.1", "2", 1.35],
    "release_version": ["latest", "", None, "0.85", "v0.85.0", "0.85.0 ", "0.85.0!", 85],
    "image_repository": ["wandb/local:0.85.0", "Wandb/Local", "wandb/local ", "", "wandb//local", "-wandb/local"],
    "image_tag": ["latest", "0.85 .0", "0.85.0!", " 0.85.0", "", ".hidden", "x" * 129, None],
    "image_pull_secret": ["u:p", {"username": "u"}, {"other": 1}],
    "image_registry": [
        "mirror",
        "mirror/wandb",
        "https://registry.example.com",
        "registry.example.com/Mirror",
        "registry.example.com/mirror:1.0",
        None,
    ],
    "k8s_labels": [[], {"bad key": "x"}, {"role": "has space"}, {"-lead": "x"}, {"a/b/c": "x"}, {"r": "x" * 64}],
    "rds_instance_class": ["r6g.large", "cache.r6g.large", "db.", "db.R6G.large"],
    "cache_node_type": ["t4g.medium", "db.t4g.medium", "cache."],
    "mysql_engine_version": ["8.0.28", "5.7.44", "eight", None],
    "http_urls": ["https://wandb.example.com", ["wandb.example.com"], ["https://wandb example.com"]],
    "keeper_ensemble": [1, 2, 4, 0, "3"],
    "oidc_provider_arn": ["oidc.eks.us-east-1.amazonaws.com/id/ABC", "arn:aws:iam::1234:oidc-provider/x", None],
    "identifier": ["weave-cluster", "1abc", ""],
    "aws_region": ["mars-central-1", "xx-central-1", "US-EAST-1", ""],
    "backup_id": ["", "-x", "a_b", "a/b", "x" * 64, None],
    "access_entries": [None, {}, [{"principal_arn": "ci"}], [{"principal_arn": "arn:aws:iam::1:role/x"}]],
    "s3_directory_url": [
        "https://b.s3.amazonaws.com/backups/x",
        "s3://b/x/",
        "https://b/x.zip/",
        "https://b/it's/",
        "",
    ],
    "s3_prefix_url": ["https://b.s3.amazonaws.com", "s3://b/backups", "https://b/a b"],
    "no_plain_secrets": [{"global": {"license": "x"}}, {"global": {"mysql": {"password": "p"}}}, []],
    "kubeconfig_file": ["/nonexistent/kubeconfig", 5],
}


@pytest.mark.parametrize("rule,value", [(r, v) for r, values in GOOD.items() for v in values])
def test_good_values_pass(rule, value):
    assert problem(value, rule) == ""


@pytest.mark.parametrize("rule,value", [(r, v) for r, values in BAD.items() for v in values])
def test_bad_values_say_what_is_wrong(rule, value):
    found = problem(value, rule)
    assert found and not found[0].isupper()  # a fragment that follows the variable's name


def test_every_rule_is_tested():
    # these two judge a value only together with other values: tested below
    assert set(GOOD) == set(RULES) and set(BAD) | {"kubeconfig_context", "wandb_olap_clickhouse"} == set(RULES)


def test_a_secret_in_plain_text_anywhere_is_found_but_never_echoed():
    found = problem({"foo": {"bar": "the-license-text"}}, "no_plain_secrets", "the-license-text")
    assert "plain text" in found and "the-license-text" not in found


def test_kubeconfig_and_its_contexts(tmp_path):
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncontexts: [{name: a, context: {}}, {name: b, context: {}}]\ncurrent-context: a\n"
    )
    assert problem(str(config), "kubeconfig_file") == ""
    assert problem("b", "kubeconfig_context", str(config)) == ""
    assert problem("", "kubeconfig_context", str(config)) == ""
    assert problem("c", "kubeconfig_context", str(config)) == "c is not a context of %s (contexts: a, b)" % config
    config.write_text("apiVersion: v1\nkind: Config\ncontexts: [{name: a, context: {}}]\n")
    assert "has no current-context" in problem("", "kubeconfig_context", str(config))
    config.write_text("[not: a mapping")
    assert problem(str(config), "kubeconfig_file").startswith("is not a kubeconfig")
    config.write_text("apiVersion: v1\nkind: Config\n")
    assert problem(str(config), "kubeconfig_file") == "has no contexts"


def test_an_unknown_rule_is_an_error():
    with pytest.raises(ValueError, match="unknown input rule 'nope'"):
        problem("x", "nope")


def test_typos_name_the_nearest_known_variable():
    known = ["clickhouse_replicas", "clickhouse_shards", "clickhouse_namespace"]
    names = ["clickhouse_replica", "clickhouse_shards", "clickhouse_zzz", "wandb_weave_x"]
    assert unknown_names(names, known, "clickhouse_") == [
        "clickhouse_replica (did you mean clickhouse_replicas?)",
        "clickhouse_zzz",
    ]


def test_check_options_names_the_option_and_skips_unset_ones():
    check_options({"name": "ok", "timeout": None}, [("name", "k8s_label"), ("timeout", "positive_int")])
    with pytest.raises(WandbModuleError, match=r"^wait_timeout must be a whole number greater than zero$"):
        check_options({"wait_timeout": -1}, [("wait_timeout", "positive_int")])


def test_release_versions_also_accept_one_word_and_compare_as_numbers():
    assert problem("channel", "release_version", "channel") == ""
    assert "(or channel), not 'stable'" in problem("stable", "release_version", "channel")
    assert problem("", "release_version").endswith("not empty")
    assert version_tuple("0.85.0") > version_tuple("0.9.12")
    assert version_tuple("latest") is None


OLAP_ON = {"global": {"olap": {"registrySearch": {"enabled": True}, "history": {"enabled": "true"}}}}


@pytest.mark.parametrize(
    "wandb_version, clickhouse_version, refused",
    [
        ("0.85.0", "25.3.2-debian-12-r3", True),  # Bitnami's frozen image
        ("0.85.0", "25.8.30.16", True),
        ("0.85.0", "26.3.1.5", False),
        ("0.80.2", "25.3.2-debian-12-r3", False),  # before W&B needed it
        ("channel", "25.3.2", False),  # W&B's channel: the version is not known here
        ("0.85.0", "", False),  # an external ClickHouse of unknown version
    ],
)
def test_olap_features_need_a_new_enough_clickhouse(wandb_version, clickhouse_version, refused):
    found = problem(OLAP_ON, "wandb_olap_clickhouse", wandb_version, clickhouse_version)
    assert bool(found) == refused
    if refused:
        assert found == (
            "turns on global.olap.registrySearch/history, which W&B 0.85.0 runs only on ClickHouse 26.3 or later, "
            "and ClickHouse here is %s" % clickhouse_version
        )


@pytest.mark.parametrize(
    "version, refused",
    [
        ("8.0.mysql_aurora.3.05.2", False),
        ("8.0.mysql_aurora.3.10.0", False),
        ("8.0.mysql_aurora.3.04.3", True),
        ("8.0.mysql_aurora.2.12.0", True),
        ("8.0.32", True),  # a MySQL version where Aurora's is expected
    ],
)
def test_aurora_versions_are_read_as_aurora_releases(version, refused):
    assert bool(problem(version, "mysql_engine_version", "aurora-mysql")) == refused


def test_keeper_messages_say_why_and_a_single_node_is_allowed_when_accepted():
    assert problem(1, "keeper_ensemble", True) == ""
    assert "use 3, or set clickhouse_keeper_no_fault_tolerance: true" in problem(1, "keeper_ensemble")
    assert problem(4, "keeper_ensemble") == (
        "is 4, an even Keeper ensemble: it needs 3 nodes for a quorum, so it survives no more failures than 3 nodes "
        "would, and a network split can leave no side a majority - use an odd count (3 or 5)"
    )


def test_regions_are_every_partitions_read_once_without_pseudo_regions():
    regions = known_regions()
    assert {"us-east-1", "cn-north-1", "us-gov-west-1"} <= regions
    assert not [r for r in regions if r.endswith("-global")]  # aws-global is an endpoint's, not a region
    assert known_regions() is regions  # the filter runs it in every check task: read once per process
    assert problem("xx-central-1", "aws_region").startswith("xx-central-1 is not an AWS region (botocore knows: ")
