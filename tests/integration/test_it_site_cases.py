"""site.yml and teardown.yml cases that do not depend on the Helm version, run once on one set of services:
bad input, inventories/aws planning a real account, the chart mode, the EBS CSI driver as the EKS add-on,
and smoke.yml. Each case ends with nothing left behind (test_it_site.py runs the chain on Helm 3 and 4)."""

import base64
import json
import os
import re

import harness
import pytest
import yaml
from chain_checks import MIRROR_PASSWORD, WORKLOAD_KINDS, check_images_playbook, workload_images

from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import problem

LICENSE = "demo-license-not-a-real-one"  # inventories/local/group_vars/all/license.yml
MIRROR = "registry.example.com/mirror"
CHECK_TASK = "selfmanaged.wandb.%s : Check the input (each failure names its variable)"
LOOKUP_TASK = "selfmanaged.wandb.%s : They are there (the failure names the variable)"


def spec_task(role):
    """The task name ansible-core gives a role's argument-spec check of its 'validate' entry point."""
    with open(os.path.join(harness.ROOT, "roles", role, "meta", "argument_specs.yml")) as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["validate"]
    return "selfmanaged.wandb.%s : Validating arguments against arg spec 'validate' - %s" % (
        role,
        spec["short_description"],
    )


@pytest.fixture(scope="module")
def chain():
    path = harness.make_workdir("wandb-cases-")
    env = harness.Chain(path, 4)
    yield env
    env.stop()
    harness.remove(path)


def check(role, variable, value, rule, *args):
    """The preflight's failure for ``variable``: its role's check task, the message naming it and the rule."""
    return CHECK_TASK % role, "%s: %s %s" % (role, variable, problem(value, rule, *args))


def chart_check(role, message):
    return "selfmanaged.wandb.%s : The chart is there (the failure names the variable)" % role, re.compile(message)


LONG_ROLE = "r" * 70
# case: (extra vars, other arguments, (the one task that must fail, its exact message or a pattern it must match))
BAD_INPUT = {
    # caught before only after the chain had changed things
    "release_name": (
        {"clickhouse_release_name": "Click_House"},
        [],
        check("clickhouse", "clickhouse_release_name", "Click_House", "helm_release_name"),
    ),
    "wandb_name": (
        {"wandb_weave_name": "W-and-B"},
        [],
        check("wandb_weave", "wandb_weave_name", "W-and-B", "helm_release_name"),
    ),
    "operator_namespace": (
        {"wandb_weave_operator_namespace": "Bad_NS"},
        [],
        check("wandb_weave", "wandb_weave_operator_namespace", "Bad_NS", "k8s_label"),
    ),
    "volume_size": (
        {"clickhouse_volume_size": "abc"},
        [],
        check("clickhouse", "clickhouse_volume_size", "abc", "quantity"),
    ),
    "wait_timeout": (
        {"clickhouse_wait_timeout": -5},
        [],
        check("clickhouse", "clickhouse_wait_timeout", -5, "positive_int"),
    ),
    "role_name": (
        {"clickhouse_role_name": LONG_ROLE},
        [],
        check("clickhouse", "clickhouse_role_name", LONG_ROLE, "iam_role_name"),
    ),
    "instance_types": (
        {"eks_cluster_node_instance_types": ["r6i"]},
        [],
        check("eks_cluster", "eks_cluster_node_instance_types", ["r6i"], "instance_types"),
    ),
    "eks_version_format": (
        {"eks_cluster_version": "1.x"},
        [],
        check("eks_cluster", "eks_cluster_version", "1.x", "kubernetes_version"),
    ),
    "license_in_extra_values": (
        {"wandb_weave_extra_values": {"global": {"license": LICENSE}}},
        [],
        check("wandb_weave", "wandb_weave_extra_values", {"global": {"license": LICENSE}}, "no_plain_secrets"),
    ),
    "license_hidden_in_extra_values": (
        {"wandb_weave_extra_values": {"app": {"env": {"X": LICENSE}}}},
        [],
        check("wandb_weave", "wandb_weave_extra_values", {"x": LICENSE}, "no_plain_secrets", LICENSE),
    ),
    "host_with_path": (
        {"wandb_weave_host": "https://wandb.example.com/wandb"},
        [],
        check("wandb_weave", "wandb_weave_host", "https://wandb.example.com/wandb", "url_host_only"),
    ),
    "chart_version": (
        {"clickhouse_chart_version": "9.9.9"},
        [],
        chart_check(
            "clickhouse",
            r"clickhouse: clickhouse_chart_version: chart clickhouse has no version 9\.9\.9 in http://127\.0\.0\.1:\d+ "
            r"\(newest: 8\.0\.10\)",
        ),
    ),
    "chart_repo_unreachable": (
        {"clickhouse_chart_repo_url": "http://127.0.0.1:9"},
        [],
        chart_check(
            "clickhouse",
            r"clickhouse: clickhouse_chart_repo_url: cannot read the chart repository index "
            r"http://127\.0\.0\.1:9/index\.yaml: "
            r".*Connection refused.*",
        ),
    ),
    "kubeconfig_unreadable": (
        {"clickhouse_kubeconfig": "/nonexistent/kubeconfig"},
        [],
        check("clickhouse", "clickhouse_kubeconfig", "/nonexistent/kubeconfig", "kubeconfig_file"),
    ),
    "context_missing": (
        {"ebs_csi_context": "nope"},
        [],
        (
            CHECK_TASK % "ebs_csi",
            re.compile(r"ebs_csi: ebs_csi_context nope is not a context of \S+ \(contexts: testbed\)"),
        ),
    ),
    # not caught at all before
    "license_two_lines": (
        {"wandb_weave_license": "abc\ndef"},
        [],
        check("wandb_weave", "wandb_weave_license", "abc\ndef", "license_text"),
    ),
    "license_blank": (
        {"wandb_weave_license": "   "},
        [],
        check("wandb_weave", "wandb_weave_license", "   ", "license_text"),
    ),
    "storage_class": (
        {"clickhouse_storage_class": "Bad_Class"},
        [],
        check("clickhouse", "clickhouse_storage_class", "Bad_Class", "k8s_name"),
    ),
    "bucket_name": (
        {"clickhouse_bucket_name": "a..b-bucket"},
        [],
        check("clickhouse", "clickhouse_bucket_name", "a..b-bucket", "s3_bucket_name"),
    ),
    "public_access_cidrs": (
        {"eks_cluster_public_access_cidrs": ["not-a-cidr"]},
        [],
        check("eks_cluster", "eks_cluster_public_access_cidrs", ["not-a-cidr"], "cidrs"),
    ),
    "wandb_wait_timeout": (
        {"wandb_weave_wait_timeout": -1},
        [],
        check("wandb_weave", "wandb_weave_wait_timeout", -1, "positive_int"),
    ),
    "typo": (
        {"clickhouse_replica": 5},
        [],
        (
            CHECK_TASK % "clickhouse",  # the last of its checks
            "clickhouse: unknown variable clickhouse_replica (did you mean clickhouse_replicas?) - "
            "the role's variables are listed "
            "by ansible-doc -t role selfmanaged.wandb.clickhouse",
        ),
    ),
    "image_registry_with_a_scheme": (
        # the one setting for every role, named as the user set it by the first stage that reads it
        {"wandb_image_registry": "https://registry.example.com"},
        [],
        check("ebs_csi", "wandb_image_registry", "https://registry.example.com", "image_registry"),
    ),
    "image_registry_of_one_role": (
        {"wandb_weave_image_registry": "mirror"},  # no host: a runtime would take it for a Docker Hub path
        [],
        check("wandb_weave", "wandb_weave_image_registry", "mirror", "image_registry"),
    ),
    "image_pull_secret_half": (
        {"wandb_image_registry": MIRROR, "wandb_image_pull_secret": {"username": "mirror-user"}},
        [],
        check("ebs_csi", "wandb_image_pull_secret", {"username": "mirror-user"}, "image_pull_secret", MIRROR),
    ),
    "network_policy_namespace": (
        {"clickhouse_network_policy_allowed_namespaces": ["monitoring", "Team_A"]},
        [],
        check("clickhouse", "clickhouse_network_policy_allowed_namespaces", ["monitoring", "Team_A"], "k8s_namespaces"),
    ),
    "network_policy_api_server_range": (
        {"clickhouse_network_policy_api_server_cidrs": ["10.0.0.0/33"]},
        [],
        check("clickhouse", "clickhouse_network_policy_api_server_cidrs", ["10.0.0.0/33"], "cidrs"),
    ),
    "network_policy_api_server_unknown": (
        # an existing cluster, not named to the clickhouse stage: nothing to look the API server's ranges up in
        {"clickhouse_eks_cluster_name": ""},
        ["--skip-tags", "eks_cluster"],
        (
            CHECK_TASK % "clickhouse",
            "clickhouse: clickhouse_network_policy_api_server_cidrs is empty and no EKS cluster is named "
            "(clickhouse_eks_cluster_name) to look up the address ranges the API server's proxy connects from: give "
            "them, or turn clickhouse_network_policy off",
        ),
    ),
    "network_policy_cluster_not_found": (
        # an existing cluster named to the clickhouse stage that is not there: found out before anything is made
        {"clickhouse_eks_cluster_name": "no-such-cluster", "wandb_data_mode": "in_cluster"},
        ["--skip-tags", "eks_cluster"],
        (
            "selfmanaged.wandb.clickhouse : The cluster is there (the failure names the variable)",
            "clickhouse: clickhouse_network_policy_api_server_cidrs is empty and EKS cluster no-such-cluster "
            "(clickhouse_eks_cluster_name) was not found in us-east-1 to look up its subnets: give the address ranges "
            "the API server's proxy connects from, or turn clickhouse_network_policy off",
        ),
    ),
    "typo_with_data_in_cluster": (
        # the stage's other checks are for AWS's services only: an unknown name is refused in either mode
        {"wandb_data_mode": "in_cluster", "wandb_data_no_such_setting": 1},
        [],
        (
            CHECK_TASK % "wandb_data",
            "wandb_data: unknown variable wandb_data_no_such_setting - the role's variables are listed "
            "by ansible-doc -t role selfmanaged.wandb.wandb_data",
        ),
    ),
    "cluster_name": (
        {"eks_cluster_name": "bad name!"},
        [],
        check("eks_cluster", "eks_cluster_name", "bad name!", "eks_name"),
    ),
    "subnet_ids": (
        {"eks_cluster_subnet_ids": ["subnet-nope", "subnet-0123456789abcdef0"]},
        [],
        (
            CHECK_TASK % "eks_cluster",
            "eks_cluster: eks_cluster_subnet_ids holds 'subnet-nope', which is not a subnet ID "
            "such as subnet-0123456789abcdef0",
        ),
    ),
    "subnets_missing": (
        {"eks_cluster_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]},
        [],
        (
            "selfmanaged.wandb.eks_cluster : Every subnet is there (the failure names the variable)",
            "eks_cluster: eks_cluster_subnet_ids: subnet-0123456789abcdef0, subnet-0123456789abcdef1 "
            "do not exist in us-east-1",
        ),
    ),
    # unclear messages before
    "license_null": (
        {"wandb_weave_license": None},
        [],
        check("wandb_weave", "wandb_weave_license", None, "license_text"),
    ),
    "region": (
        {"eks_cluster_region": "mars-central-1"},
        [],
        check("eks_cluster", "eks_cluster_region", "mars-central-1", "aws_region"),
    ),
    # earlier cases
    "replicas": ({"clickhouse_replicas": 0}, [], check("clickhouse", "clickhouse_replicas", 0, "positive_int")),
    "license_empty": ({"wandb_weave_license": ""}, [], check("wandb_weave", "wandb_weave_license", "", "license_text")),
    "host_not_a_url": (
        {"wandb_weave_host": "wandb.example.com"},
        [],
        check("wandb_weave", "wandb_weave_host", "wandb.example.com", "url_host_only"),
    ),
    "pod_identity_on_bitnami": (
        {"clickhouse_aws_identity": "pod_identity"},  # the demo inventory's method: Bitnami's ClickHouse 25.3
        [],
        (
            CHECK_TASK % "clickhouse",
            "clickhouse: clickhouse_aws_identity is pod_identity, which ClickHouse supports from 25.7 on; this one is "
            "25.3.2 (clickhouse_image_tag; Bitnami's image stops at 25.3) - use clickhouse_method altinity with "
            "ClickHouse 25.7 or later, or irsa",
        ),
    ),
    "pod_identity_on_old_altinity": (
        {
            "clickhouse_aws_identity": "pod_identity",
            "clickhouse_method": "altinity",
            "clickhouse_server_image_tag": "25.3.6.56",
        },
        [],
        (
            CHECK_TASK % "clickhouse",
            "clickhouse: clickhouse_aws_identity is pod_identity, which ClickHouse supports from 25.7 on; this one is "
            "25.3.6.56 (clickhouse_server_image_tag) - use clickhouse_method altinity with ClickHouse 25.7 or later, "
            "or irsa",
        ),
    ),
    "chart_source": (
        {"clickhouse_chart_repo_url": "ftp://charts"},
        [],
        (
            CHECK_TASK % "clickhouse",
            "clickhouse: clickhouse_chart must be an oci:// reference, a local path, or a chart name with an "
            "http(s) clickhouse_chart_repo_url",
        ),
    ),
    "choice": (
        {"ebs_csi_method": "operator"},
        [],
        (
            spec_task("ebs_csi"),
            "Validation of arguments failed:\nvalue of ebs_csi_method must be one of: chart, addon, got: operator",
        ),
    ),
    "type": (
        {"clickhouse_shards": "two"},
        [],
        (
            spec_task("clickhouse"),
            "Validation of arguments failed:\nargument 'clickhouse_shards' is of type str and we were unable to "
            "convert to int: \"'two'\" cannot be converted to an int",
        ),
    ),
    "eks_version_below_wandb": (
        {"eks_cluster_version": "1.31"},
        [],
        (
            CHECK_TASK % "eks_cluster",
            "eks_cluster: eks_cluster_version 1.31 is older than 1.32, the oldest Kubernetes version W&B "
            "supports; set eks_cluster_allow_unsupported_version=true to use it anyway",
        ),
    ),
    # W&B's data on AWS
    "data_prefix": (
        {"wandb_data_name_prefix": "Bad_Prefix"},
        [],
        (
            CHECK_TASK % "wandb_data",
            "wandb_data: wandb_data_name_prefix must make AWS names: lowercase letters, digits and single hyphens, "
            "starting with a letter, and short enough for Bad_Prefix-redis to have at most 40 characters",
        ),
    ),
    "data_backups": (
        {"wandb_data_mysql_backup_retention_days": 40},
        [],
        (
            CHECK_TASK % "wandb_data",
            "wandb_data: wandb_data_mysql_backup_retention_days must be 1-35 (days RDS keeps backups)",
        ),
    ),
    "data_no_certificate": (
        {"wandb_data_route53_zone_id": ""},
        [],
        (
            CHECK_TASK % "wandb_data",
            "wandb_data: wandb_data_certificate_arn or wandb_data_route53_zone_id must be set with "
            "wandb_data_ingress=alb (a certificate issued for wandb.demo.local, or the Route 53 zone that validates "
            "a new one)",
        ),
    ),
    "data_external_mysql": (
        {"wandb_data_mysql_engine": "external", "wandb_data_mysql_external": {"host": "db.example"}},
        [],
        (
            CHECK_TASK % "wandb_data",
            "wandb_data: wandb_data_mysql_external must give host and password_secret {name, key} (a Secret in wandb) "
            "with wandb_data_mysql_engine=external",
        ),
    ),
    # every stage's rules come before any stage's lookups: the unreachable repository of stage 2 is never asked
    "rules_before_lookups": (
        {"ebs_csi_chart_repo_url": "http://127.0.0.1:9", "wandb_weave_host": "wandb.example.com"},
        [],
        check("wandb_weave", "wandb_weave_host", "wandb.example.com", "url_host_only"),
    ),
    # what runs is pinned: W&B's version is a release (or W&B's channel), the chart one the operator can fetch
    "wandb_version_latest": (
        {"wandb_weave_version": "latest"},
        [],
        check("wandb_weave", "wandb_weave_version", "latest", "release_version", "channel"),
    ),
    "wandb_chart_local_path": (
        {"wandb_weave_operator_wandb_chart": "./charts/operator-wandb"},
        [],
        (
            CHECK_TASK % "wandb_weave",
            "wandb_weave: wandb_weave_operator_wandb_chart must be an oci:// reference, or a chart name with an "
            "http(s) wandb_weave_operator_wandb_chart_repo_url (the W&B operator fetches it from inside the "
            "cluster: a local path cannot work)",
        ),
    ),
    # W&B's OLAP features on Bitnami's ClickHouse (frozen at 25.3): the version the clickhouse stage publishes
    "olap_on_old_clickhouse": (
        {"wandb_weave_extra_values": {"global": {"olap": {"registrySearch": {"enabled": True}}}}},
        [],
        (
            CHECK_TASK % "wandb_weave",
            "wandb_weave: wandb_weave_extra_values turns on global.olap.registrySearch, which W&B 0.85.0 runs only on "
            "ClickHouse 26.3 or later, and ClickHouse here is 25.3.2 - with wandb_weave_version; Bitnami's frozen "
            "ClickHouse images stop at 25.3, ClickHouse's own 26.3 and later run with clickhouse_method=altinity and "
            "clickhouse_server_image_tag",
        ),
    ),
    # round 2: what Kubernetes, EKS, RDS and ElastiCache would refuse late (or run wrong), refused first
    "image_tag_space": (
        {"clickhouse_server_image_tag": "25.8.30.16 "},
        [],
        check("clickhouse", "clickhouse_server_image_tag", "25.8.30.16 ", "image_tag"),
    ),
    "image_repository_uppercase": (
        {"wandb_weave_operator_image_repository": "wandb/Controller"},
        [],
        check("wandb_weave", "wandb_weave_operator_image_repository", "wandb/Controller", "image_repository"),
    ),
    "node_label_value": (
        {"eks_cluster_node_labels": {"team": "w and b"}},
        [],
        check("eks_cluster", "eks_cluster_node_labels", {"team": "w and b"}, "k8s_labels"),
    ),
    "rds_class_prefix": (
        {"wandb_data_mysql_instance_class": "r6g.large"},
        [],
        check("wandb_data", "wandb_data_mysql_instance_class", "r6g.large", "rds_instance_class"),
    ),
    "cache_node_type_prefix": (
        {"wandb_data_redis_node_type": "t4g.medium"},
        [],
        check("wandb_data", "wandb_data_redis_node_type", "t4g.medium", "cache_node_type"),
    ),
    "aurora_too_old": (
        {"wandb_data_mysql_engine_version": "8.0.mysql_aurora.3.04.3"},
        [],
        check(
            "wandb_data",
            "wandb_data_mysql_engine_version",
            "8.0.mysql_aurora.3.04.3",
            "mysql_engine_version",
            "aurora-mysql",
        ),
    ),
    "cors_origin_not_a_url": (
        {"wandb_data_bucket_cors_origins": ["wandb.example.com"]},
        [],
        check("wandb_data", "wandb_data_bucket_cors_origins", ["wandb.example.com"], "http_urls"),
    ),
    "keeper_even": (
        {"clickhouse_method": "altinity", "clickhouse_keeper_replicas": 2},
        [],
        check("clickhouse", "clickhouse_keeper_replicas", 2, "keeper_ensemble", False),
    ),
    "bitnami_keeper_single": (
        {"clickhouse_replicas": 1},
        [],
        (
            CHECK_TASK % "clickhouse",
            "clickhouse: clickhouse_replicas is also the number of Keeper nodes (Bitnami runs one in each replica), "
            "and is 1: a single Keeper node, whose loss stops every replicated write and DDL - use 3, or set "
            "clickhouse_keeper_no_fault_tolerance: true to accept that",
        ),
    ),
    "oidc_provider_arn": (
        {"clickhouse_oidc_provider_arn": "oidc.eks.us-east-1.amazonaws.com/id/X"},
        [],
        check(
            "clickhouse", "clickhouse_oidc_provider_arn", "oidc.eks.us-east-1.amazonaws.com/id/X", "oidc_provider_arn"
        ),
    ),
    "lb_controller_namespace": (
        {"wandb_data_lb_controller_namespace": "Kube_System"},
        [],
        check("wandb_data", "wandb_data_lb_controller_namespace", "Kube_System", "k8s_label"),
    ),
    # read-only lookups of what the input names (one call each), after every rule passed
    "kms_key_missing": (
        {
            "wandb_data_bucket_kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/"
            + "0" * 8
            + "-0000-0000-0000-"
            + "0" * 12
        },
        [],
        (
            LOOKUP_TASK % "wandb_data",
            "wandb_data: wandb_data_bucket_kms_key_arn arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-"
            "000000000000 does not exist (or these credentials may not describe it)",
        ),
    ),
    "route53_zone_missing": (
        {"wandb_data_route53_zone_id": "Z0000000000NOSUCHZONE"},
        [],
        (
            LOOKUP_TASK % "wandb_data",
            "wandb_data: wandb_data_route53_zone_id Z0000000000NOSUCHZONE does not exist, so W&B's certificate could "
            "never be validated",
        ),
    ),
    "airgapped_with_channel": (
        {"wandb_weave_airgapped": True, "wandb_weave_version": "channel"},
        [],
        (
            CHECK_TASK % "wandb_weave",
            "wandb_weave: wandb_weave_airgapped is true, so the operator cannot ask W&B's release channel: set "
            "wandb_weave_version to a release",
        ),
    ),
    "weave_without_clickhouse": (
        {},
        # the stages chosen with --tags: the preflight's included tasks must run under a --tags filter too
        ["--tags", "eks_cluster,ebs_csi,wandb_data,wandb_weave"],
        (
            CHECK_TASK % "wandb_weave",
            "wandb_weave: wandb_weave_clickhouse needs a host for Weave - run the clickhouse role first, set it "
            "(host, password_secret {namespace, name, key}, ...), or set wandb_weave_weave_trace=false",
        ),
    ),
}


# Cases whose message reads a variable another case sets (the license, W&B's version): each on a host of its own.
READS_ANOTHER_CASES_VARIABLE = {"license_in_extra_values", "license_hidden_in_extra_values", "olap_on_old_clickhouse"}
CHECK_TASKS = set(CHECK_TASK % role for role in ("eks_cluster", "ebs_csi", "clickhouse", "wandb_data", "wandb_weave"))


def bad_input_hosts():
    """The cases on inventory hosts: {(command-line arguments, host): [cases]}. A stage's check task reports every rule
    its input breaks, each as a loop item naming its variable, so a case that sets one variable and fails there shares a
    host with other such cases of that task that set other variables (a host then runs the preflight once for
    several); any other case has a host of its own."""
    hosts = {}
    for case, (extra, args, (task, _message)) in sorted(BAD_INPUT.items()):
        if task in CHECK_TASKS and len(extra) == 1 and case not in READS_ANOTHER_CASES_VARIABLE:
            shared = [
                key
                for key, cases in sorted(hosts.items())
                if key[0] == tuple(args)
                and key[1].startswith("check_")
                and BAD_INPUT[cases[0]][2][0] == task
                and not any(set(extra) & set(BAD_INPUT[other][0]) for other in cases)
            ]
            key = shared[0] if shared else (tuple(args), "check_%s_%d" % (task.split(".")[2].split(" ")[0], len(hosts)))
        else:
            key = (tuple(args), "case_" + case)
        hosts.setdefault(key, []).append(case)
    return hosts


@pytest.fixture(scope="module")
def bad_input_runs(chain, tmp_path_factory):
    """Every bad-input case through site.yml, as a user's inventory would give it: the cases' variables as host
    variables (bad_input_hosts), all hosts in the group ``localhost`` (site.yml's hosts pattern), one ansible-playbook
    run per set of command-line arguments. Each host runs the whole preflight on its own variables, in parallel; a case
    that got through would go on to converge and show up in its recap and in moto or the testbed. Returns {case: (the
    run's PlaybookResult, the case's host, the cases on that host)}."""
    groups = {}
    for (args, host), cases in bad_input_hosts().items():
        variables = {}
        for case in cases:
            variables.update(BAD_INPUT[case][0])
        groups.setdefault(args, {})[host] = (variables, cases)
    with open(os.path.join(harness.INVENTORY, "hosts.yml")) as handle:
        connection = yaml.safe_load(handle)["all"]["hosts"]["localhost"]  # how the demo inventory reaches localhost
    runs = {}
    for index, (args, hosts) in enumerate(sorted(groups.items())):
        directory = tmp_path_factory.mktemp("bad-input-%d" % index)
        # the demo inventory's group_vars, beside the hosts as Ansible finds them
        os.symlink(os.path.join(harness.INVENTORY, "group_vars"), str(directory / "group_vars"))
        inventory = dict((host, dict(connection, **variables)) for host, (variables, _cases) in hosts.items())
        (directory / "hosts.yml").write_text(yaml.safe_dump({"localhost": {"hosts": inventory}}))
        # a fork per host: measured, one fork made the whole command slower (157 s against 57-91 s for this run)
        result = chain.play("site.yml", *args, inventory=str(directory), env={"ANSIBLE_FORKS": str(len(hosts))})
        assert sorted(result.recaps) == sorted(hosts), result.output[-6000:]
        for host, (_variables, cases) in hosts.items():
            runs.update((case, (result, host, cases)) for case in cases)
    chain.assert_empty()  # no case made anything
    return runs


def test_cases_share_hosts_only_in_a_check_task():
    """The packing itself: a shared host holds cases of one check task with disjoint variables, and it saves hosts."""
    hosts = bad_input_hosts()
    assert sorted(case for cases in hosts.values() for case in cases) == sorted(BAD_INPUT)
    for (_args, host), cases in hosts.items():
        if len(cases) > 1:
            assert len(set(BAD_INPUT[case][2][0] for case in cases)) == 1, host
            variables = [name for case in cases for name in BAD_INPUT[case][0]]
            assert len(variables) == len(set(variables)), host
    assert len(hosts) < len(BAD_INPUT) / 2


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_fails_in_the_preflight_naming_its_variable(bad_input_runs, case):
    """The one failing task is the preflight's, its message names the variable and the rule (one item of that task for
    each case on the host, no other failure), nothing was made."""
    extra, args, (task, message) = BAD_INPUT[case]
    result, host, together = bad_input_runs[case]
    assert result.rc != 0, result.output[-3000:]
    failures = [(f.task, f.msg) for f in result.failures if f.host == host]
    assert len(failures) == len(together) and set(t for t, _m in failures) == {task}, result.output[-6000:]
    if isinstance(message, str):
        assert message in [m for _t, m in failures], failures
    else:
        assert [m for _t, m in failures if message.fullmatch(m)], failures
    assert result.recaps[host]["changed"] == 0 and result.recaps[host]["failed"] == 1
    assert LICENSE not in result.output


def test_aws_inventory_plans_a_real_account(chain):
    """inventories/aws (EKS mode, no kubeconfig) in check mode on an empty account: every stage plans, nothing is made.
    The charts come from the local mirror (the preflight checks they can be fetched; these machines reach no public
    repository)."""
    mirror = chain.env["WANDB_DEMO_CHART_REPO"]
    # the account's own zone, as a real account has it (the preflight reads it)
    zone = chain.aws["route53"].create_hosted_zone(Name="example.com", CallerReference="aws-inventory-plan")
    zone_id = zone["HostedZone"]["Id"].split("/")[-1]
    extra = {
        "wandb_weave_license": LICENSE,
        "ebs_csi_chart_repo_url": mirror,
        "clickhouse_chart_repo_url": mirror,
        "wandb_weave_operator_chart_repo_url": mirror,
        "wandb_data_lb_controller_chart_repo_url": mirror,
        "wandb_data_route53_zone_id": zone_id,
    }
    args = ["-e", json.dumps(extra), "--check", "--diff"]
    result = chain.play(
        "site.yml",
        *args,
        inventory=os.path.join(harness.ROOT, "inventories", "aws"),
        env={"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-west-2"},
    ).require()
    for stage in (
        "creates IAM role wandb-ebs-csi",
        "creates an S3 bucket, IAM role wandb-clickhouse",
        "creates security group wandb-wandb-data, Aurora MySQL cluster wandb-wandb-mysql, ElastiCache Redis",
        "the AWS Load Balancer Controller and a certificate for wandb.example.com",
        "installs W&B (operator mode)",
    ):
        assert stage in result.output
    assert LICENSE not in result.output
    chain.assert_empty()
    chain.aws["route53"].delete_hosted_zone(Id=zone_id)


# An object of a version only the CRDs of the ALB controller's chart 3.5.0 serve (gateway.k8s.aws/v1)
ALB_V1_ONLY = """
apiVersion: gateway.k8s.aws/v1
kind: LoadBalancerConfiguration
metadata: {name: crd-probe, namespace: default}
spec: {}
"""


def test_chart_mode_and_the_ebs_csi_addon(chain, tmp_path):
    """The real wandb/wandb chart 0.3.9: the license in a Secret the role makes (not in the release). With
    wandb_data's in_cluster mode: a LoadBalancer, MySQL's volume on ebs-sc; then moved onto wandb_data's AWS services:
    RDS MySQL (password copied inside the cluster), Redis over TLS, the bucket and key, the files role, the ALB
    ingress - both roles through EKS Pod Identity (wandb_data_aws_identity, the opt-in: an association per service
    account, no annotation), then back on IRSA with the controller's upgrade. On the way, the EBS CSI driver as the
    EKS add-on (ebs_csi_method=addon, against the EKS add-on API the test fixtures add to moto) instead of the chart
    the chains install; and the ALB controller's upgrade, installed
    from the older chart 3.4.0 first: the plan shows the version and the CRDs that move, the upgrade brings the CRDs
    that 3.5.0 changes (Helm alone would keep 3.4.0's), a re-run changes nothing. All of it on an existing cluster, as
    the README describes it (--skip-tags eks_cluster; the cluster, its OIDC provider, VPC, private subnets and security
    group given to the stages): the cluster stage is the demo's subject."""
    eks = chain.aws["eks"]
    made = eks.create_cluster(
        name="wandb-demo",
        roleArn="arn:aws:iam::123456789012:role/users-cluster-role",
        resourcesVpcConfig={"subnetIds": list(chain.services.subnet_ids)},
    )["cluster"]
    provider = chain.aws["iam"].create_open_id_connect_provider(
        Url="https://oidc.eks.us-east-1.amazonaws.com/id/CHARTMODE0CLUSTER", ClientIDList=["sts.amazonaws.com"]
    )["OpenIDConnectProviderArn"]
    chain.kept_clusters.append("wandb-demo")
    chain.kept_oidc_provider_arns.append(provider)
    existing = {
        "ebs_csi_eks_cluster_name": "wandb-demo",
        "ebs_csi_eks_cluster_arn": made["arn"],
        "ebs_csi_oidc_provider_arn": provider,
        "wandb_data_eks_cluster_name": "wandb-demo",
        "wandb_data_oidc_provider_arn": provider,
        "wandb_data_vpc_id": made["resourcesVpcConfig"]["vpcId"],
        "wandb_data_subnet_ids": list(chain.services.subnet_ids),
        "wandb_data_client_security_group_ids": [made["resourcesVpcConfig"]["clusterSecurityGroupId"]],
        "wandb_weave_eks_cluster_name": "wandb-demo",
        "wandb_image_registry": MIRROR,  # every image from a mirror (the add-on's aside: EKS's own registry)
        "wandb_image_pull_secret": {"username": "mirror-user", "password": MIRROR_PASSWORD},  # that needs credentials
    }
    in_cluster = dict(
        existing,
        wandb_weave_mode="chart",
        wandb_weave_weave_trace=False,
        wandb_data_mode="in_cluster",
        ebs_csi_method="addon",
        ebs_csi_aws_identity="pod_identity",  # the add-on without a role of its own; switched to IRSA below
    )
    skip = ["--skip-tags", "eks_cluster,clickhouse"]
    mode = skip + ["-e", json.dumps(in_cluster)]
    result = chain.play("site.yml", "-vvv", "--diff", *mode).require()
    assert LICENSE not in result.output and MIRROR_PASSWORD not in result.output
    addon = eks.describe_addon(clusterName="wandb-demo", addonName="aws-ebs-csi-driver")["addon"]
    assert "serviceAccountRoleArn" not in addon  # EKS Pod Identity: the association, the agent add-on
    found = eks.list_pod_identity_associations(clusterName="wandb-demo", namespace="kube-system")["associations"]
    assert [a["serviceAccount"] for a in found] == ["ebs-csi-controller-sa"]
    assert "eks-pod-identity-agent" in eks.list_addons(clusterName="wandb-demo")["addons"]
    assert addon["addonVersion"] == "v1.38.1-eksbuild.2"  # latest: the newest the fixture offers
    assert chain.kube_names("storageclasses") == ["ebs-sc"]
    assert chain.kube_names("secrets", "-n", "kube-system", "-l", "owner=helm") == []  # no chart
    assert chain.helm_chart("wandb", "wandb") == "wandb-0.3.9"
    assert chain.kube("service", "-n", "wandb", "wandb")["spec"]["type"] == "LoadBalancer"
    claim = chain.kube("persistentvolumeclaim", "-n", "wandb", "wandb")
    assert claim["spec"]["storageClassName"] == "ebs-sc" and claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    mysql = chain.kube("statefulset", "-n", "wandb", "wandb-mysql")["spec"]["template"]["spec"]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "wandb"}} in mysql["volumes"]
    assert [c["image"] for c in mysql["containers"]] == [
        MIRROR + "/mysql/mysql-server:8.0"
    ]  # the chart's pin, mirrored
    app = chain.kube("deployment", "-n", "wandb", "wandb")["spec"]["template"]["spec"]["containers"][0]
    assert app["image"] == MIRROR + "/wandb/local:0.85.0"  # wandb_weave_version, not the chart's appVersion 0.60.0
    env = dict((e["name"], e.get("valueFrom")) for e in app["env"])
    assert env["LICENSE"] == {"secretKeyRef": {"name": "wandb-secrets", "key": "LICENSE"}}
    secret = chain.kube("secret", "-n", "wandb", "wandb-secrets")
    assert base64.b64decode(secret["data"]["LICENSE"]).decode() == LICENSE
    assert sorted(secret["data"]) == ["ADMIN_API_KEY", "LICENSE", "MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD"]
    assert "helm.sh/chart" not in (secret["metadata"].get("labels") or {})  # the role's, not the chart's
    # no release record holds the license: Helm's storage Secrets decoded, every revision
    values = chain.helm_values("wandb", "wandb")
    assert values["createSecrets"] is False and "license" not in values
    for record in chain.kube("secrets", "-n", "wandb", "-l", "owner=helm")["items"]:
        assert LICENSE not in harness.decode_helm_record(record["data"]["release"])
    # (a re-run changes nothing: checked below on AWS's services, and for in_cluster by the Helm 4 chain)
    assert chain.aws["rds"].describe_db_clusters()["DBClusters"] == []  # in_cluster: nothing on AWS
    # images.yml refuses this one: the chart's in-cluster MySQL runs an init container the chart hardcodes as `busybox`
    # (no tag, no value to set it: no mirror, no pin); below, on wandb_data's MySQL, the list is complete
    wandb_images_dir = str(tmp_path / "refused")
    refused = chain.play("images.yml", *(mode + ["-e", "wandb_images_dir=" + wandb_images_dir]))
    assert refused.rc != 0 and not os.path.exists(wandb_images_dir)
    assert (
        "images: not pinned - busybox in StatefulSet/wandb-mysql: pin each (its role's image variables, or the "
        "chart's values)" in refused.output
    )

    # the RDS MySQL path here (the chain's is Aurora): one instance, W&B's parameter group, the password generated
    # and the EBS CSI add-on switched from Pod Identity to IRSA: the add-on gets its role, the association goes (it
    # would otherwise stay beside the annotation); the re-runs below then prove the switch converged
    # and W&B's data roles (its files role, the ALB controller's) on EKS Pod Identity, the opt-in
    moved = dict(
        in_cluster,
        wandb_data_mode="aws",
        wandb_data_mysql_engine="mysql",
        ebs_csi_aws_identity="irsa",
        wandb_data_aws_identity="pod_identity",
        wandb_data_eks_cluster_arn=made["arn"],
    )
    on_aws = skip + ["-e", json.dumps(moved)]
    older_alb = ["-e", json.dumps({"wandb_data_lb_controller_chart_version": "3.4.0"})]
    chain.play("site.yml", *(on_aws + older_alb)).require()
    addon = eks.describe_addon(clusterName="wandb-demo", addonName="aws-ebs-csi-driver")["addon"]
    assert addon["serviceAccountRoleArn"].endswith(":role/wandb-demo-ebs-csi")
    assert (
        eks.list_pod_identity_associations(
            clusterName="wandb-demo", namespace="kube-system", serviceAccount="ebs-csi-controller-sa"
        )["associations"]
        == []
    )
    trust = chain.aws["iam"].get_role(RoleName="wandb-demo-ebs-csi")["Role"]["AssumeRolePolicyDocument"]
    assert "system:serviceaccount:kube-system:ebs-csi-controller-sa" in json.dumps(trust)
    assert chain.helm_chart("kube-system", "aws-load-balancer-controller") == "aws-load-balancer-controller-3.4.0"
    assert not chain.accepts(ALB_V1_ONLY)
    db = chain.aws["rds"].describe_db_instances()["DBInstances"][0]
    assert (db["Engine"], db["EngineVersion"].split(".")[:2], db["DBInstanceClass"]) == (
        "mysql",
        ["8", "4"],
        "db.r6g.large",
    )
    assert db["StorageEncrypted"] and db["DeletionProtection"] and db["AllocatedStorage"] == 100
    assert [g["DBParameterGroupName"] for g in db["DBParameterGroups"]] == ["wandb-demo-wandb-mysql"]
    parameters = chain.aws["rds"].describe_db_parameters(DBParameterGroupName="wandb-demo-wandb-mysql")["Parameters"]
    assert sorted(p["ParameterName"] for p in parameters) == [
        "binlog_format",
        "innodb_online_alter_log_max_size",
        "max_prepared_stmt_count",
        "sort_buffer_size",
    ]
    db["Endpoint"] = db["Endpoint"]["Address"]
    app = chain.kube("deployment", "-n", "wandb", "wandb")["spec"]["template"]["spec"]
    env = dict((e["name"], e.get("value", e.get("valueFrom"))) for e in app["containers"][0]["env"])
    assert env["DB_HOST"] == db["Endpoint"] and env["DB_PASSWORD"]["secretKeyRef"]["name"] == "wandb-secrets"
    secret = chain.kube("secret", "-n", "wandb", "wandb-secrets")["data"]
    assert secret["MYSQL_PASSWORD"] == chain.kube("secret", "-n", "wandb", "wandb-mysql-password")["data"]["password"]
    assert base64.b64decode(secret["BUCKET"]).decode() == "s3://wandb-demo-wandb-files-123456789012"
    assert env["REDIS"].startswith("redis://master.wandb-demo-wandb-redis.") and "tls=true" in env["REDIS"]
    assert env["AWS_S3_KMS_ID"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    # images.yml lists what chart mode runs: the ALB controller and W&B from the mirror (the add-on's from EKS's own)
    listed = check_images_playbook(
        chain, lambda *a, **kw: chain.play("images.yml", *(on_aws + older_alb + list(a)), **kw), MIRROR, tmp_path
    )
    assert re.search(r'"msg": \[\s*"aws-ebs-csi-driver",\s*"eks-pod-identity-agent"\s*\]', listed.output)
    # every image from the mirror: the ALB controller's and W&B's (MySQL's went with the move)
    images = workload_images(chain.kube(WORKLOAD_KINDS, "-A")["items"])
    assert ("Deployment/aws-load-balancer-controller", MIRROR + "/eks/aws-load-balancer-controller:v3.4.0") in images
    assert [(w, i) for w, i in images if not i.startswith(MIRROR + "/")] == []
    for workload in chain.kube(WORKLOAD_KINDS, "-A")["items"]:  # each pulls with the mirror's credentials
        pod = workload["spec"]["template"]["spec"]
        assert pod.get("imagePullSecrets") == [{"name": "wandb-image-pull"}], workload["metadata"]["name"]
    assert "wandb-mysql" not in chain.kube_names("statefulsets", "-n", "wandb")
    ingress = chain.kube("ingress", "-n", "wandb", "wandb")
    assert ingress["spec"]["ingressClassName"] == "alb"
    assert ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/certificate-arn"].startswith("arn:aws:acm:")
    # Pod Identity: an association per service account that needs a role, each with its role; no IRSA annotation
    associations = dict(
        ("%s/%s" % (a["namespace"], a["serviceAccount"]), a["associationId"])
        for a in eks.list_pod_identity_associations(clusterName="wandb-demo")["associations"]
    )
    assert sorted(associations) == [
        "kube-system/aws-load-balancer-controller",
        "wandb/wandb",
        "wandb/wandb-app",
        "wandb/wandb-parquet",
    ]
    roles = dict(
        (name, eks.describe_pod_identity_association(clusterName="wandb-demo", associationId=found)["association"])
        for name, found in associations.items()
    )
    assert roles["wandb/" + app["serviceAccountName"]]["roleArn"].endswith(":role/wandb-demo-wandb-files")
    assert roles["kube-system/aws-load-balancer-controller"]["roleArn"].endswith(":role/wandb-demo-wandb-lb-controller")
    for role in ("wandb-demo-wandb-files", "wandb-demo-wandb-lb-controller"):
        trust = chain.aws["iam"].get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "pods.eks.amazonaws.com"}]
    for namespace, name in (("wandb", app["serviceAccountName"]), ("kube-system", "aws-load-balancer-controller")):
        account = chain.kube("serviceaccount", "-n", namespace, name)
        assert "eks.amazonaws.com/role-arn" not in (account["metadata"].get("annotations") or {}), name
    # the ALB controller's upgrade to today's pin: the plan (of the stages it needs) shows what moves, changes nothing
    plan = chain.play("site.yml", "--tags", "wandb_data", "--check", "--diff", *on_aws).require()
    for moving in (
        "chart aws-load-balancer-controller - chart version 3.4.0 -> 3.5.0",
        "chart aws-load-balancer-controller - CRDs of aws-load-balancer-controller-3.5.0 applied first: ",
    ):
        assert moving in plan.output, moving
    assert not chain.accepts(ALB_V1_ONLY)
    # the upgrade, with W&B's data roles switched back to IRSA on the way: the associations go, the annotations return
    on_irsa = skip + ["-e", json.dumps(dict(moved, wandb_data_aws_identity="irsa"))]
    upgraded = chain.play("site.yml", *on_irsa).require()
    assert upgraded.changed > 0 and chain.accepts(ALB_V1_ONLY)
    assert chain.helm_chart("kube-system", "aws-load-balancer-controller") == "aws-load-balancer-controller-3.5.0"
    assert eks.list_pod_identity_associations(clusterName="wandb-demo")["associations"] == []
    for namespace, name, role in (
        ("wandb", app["serviceAccountName"], "wandb-demo-wandb-files"),
        ("kube-system", "aws-load-balancer-controller", "wandb-demo-wandb-lb-controller"),
    ):
        account = chain.kube("serviceaccount", "-n", namespace, name)
        assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/" + role), name
        trust = chain.aws["iam"].get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        assert [s["Principal"] for s in trust["Statement"]] == [{"Federated": provider}]
    chain.play("site.yml", *on_irsa).require(changed=0)
    chain.play("teardown.yml", *on_irsa).require()
    chain.assert_empty()


def test_smoke_playbook_hands_the_sdk_url_and_key_without_printing_the_key(tmp_path):
    """smoke.yml's wiring, with a stand-in for the wandb SDK (logging to a real server needs a real W&B)."""
    record = tmp_path / "record.json"
    key = "local-0123456789abcdef0123456789abcdef01234567"
    env = harness.ansible_env(
        {
            "PYTHONPATH": os.path.join(harness.ROOT, "tests", "fixtures", "wandb_sdk_standin"),
            "WANDB_STANDIN_RECORD": str(record),
        }
    )
    smoke = os.path.join(harness.ROOT, "playbooks", "smoke.yml")
    result = harness.ansible_playbook(
        smoke, "-vvv", "-e", json.dumps({"smoke_api_key": key}), inventory=harness.INVENTORY, env=env, timeout=300
    ).require()
    assert key not in result.output
    assert "Logged run standin1: https://wandb.demo.local/me/smoke/runs/standin1" in result.output
    assert json.loads(record.read_text()) == {
        "base_url": "https://wandb.demo.local",
        "api_key_set": True,
        "project": "smoke",
        "steps": 10,
    }

    result = harness.ansible_playbook(
        smoke, "-vvv", inventory=harness.INVENTORY, env=dict(env, WANDB_API_KEY=""), timeout=300
    )
    failures = [(f.task, f.msg) for f in result.failures]
    assert failures == [
        (
            "Check the input (each failure names its variable)",
            "smoke: smoke_api_key is required (or WANDB_API_KEY) - a W&B API key",
        )
    ], result.output[-3000:]
    assert result.rc != 0
