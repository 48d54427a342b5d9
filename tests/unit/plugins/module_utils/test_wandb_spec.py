"""The W&B spec builder against expected dicts."""

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.wandb.spec import (
    WANDB_IMAGE_TAG_PATHS,
    build_spec,
    check_no_downgrade,
    check_no_plain_secrets,
    validate_name,
    versions_moving,
)

BASE = {"host": "https://wandb.example.com/", "license": "LIC"}


def build(**settings):
    return build_spec("wandb", dict(BASE, **settings))


def test_defaults_minimal_spec_and_license_secret():
    spec, secrets = build()
    assert spec == {
        "values": {
            "global": {
                "host": "https://wandb.example.com",
                "licenseSecret": {"name": "wandb-license", "key": "license"},
                "weave-trace": {"enabled": False},
            },
            "weave-trace": {"install": False},
        }
    }
    assert [(s.name, s.data) for s in secrets] == [("wandb-license", {"license": "LIC"})]
    assert "LIC" not in repr(secrets)


def test_every_option():
    spec, secrets = build(
        bucket={"provider": "s3", "name": "files", "path": "wandb", "region": "us-west-2", "kms_key": "arn:kms"},
        mysql={"host": "db", "port": 3307, "database": "w", "user": "u", "password": "mypw"},
        clickhouse={"host": "ch", "password": "chpw", "replicated": True, "cluster": "weavecluster"},
        weave_trace=True,
        chart={"url": "https://charts.wandb.ai", "name": "operator-wandb", "version": "0.30.0"},
    )
    values = spec["values"]
    assert values["global"]["bucket"] == {
        "provider": "s3",
        "name": "files",
        "path": "wandb",
        "region": "us-west-2",
        "kmsKey": "arn:kms",
    }
    assert values["global"]["mysql"] == {
        "host": "db",
        "port": 3307,
        "database": "w",
        "user": "u",
        "passwordSecret": {"name": "wandb-mysql", "passwordKey": "password"},
    }
    assert values["global"]["clickhouse"] == {
        "host": "ch",
        "port": 8123,
        "user": "default",
        "database": "wandb_weave",
        "replicated": True,
        "passwordSecret": {"name": "wandb-clickhouse", "passwordKey": "password"},
    }
    assert values["global"]["weave-trace"] == {"enabled": True}
    extra_env = {"WF_CLICKHOUSE_REPLICATED": "true", "WF_CLICKHOUSE_REPLICATED_CLUSTER": "weavecluster"}
    assert values["weave-trace"] == {"install": True, "extraEnv": extra_env}
    assert values["mysql"] == {"install": False} and values["clickhouse"] == {"install": False}
    assert spec["chart"] == {"url": "https://charts.wandb.ai", "name": "operator-wandb", "version": "0.30.0"}
    assert sorted((s.name, s.data["password"]) for s in secrets if s.name != "wandb-license") == [
        ("wandb-clickhouse", "chpw"),
        ("wandb-mysql", "mypw"),
    ]


def test_replicated_clickhouse_defaults_to_weave_cluster():
    spec = build(clickhouse={"host": "ch", "password": "p", "replicated": True}, weave_trace=True)[0]
    assert spec["values"]["weave-trace"]["extraEnv"]["WF_CLICKHOUSE_REPLICATED_CLUSTER"] == "weave_cluster"


def test_user_named_secrets_are_referenced_not_created():
    spec, secrets = build_spec(
        "w",
        {
            "host": "https://h",
            "license_secret": {"name": "lic", "key": "k"},
            "clickhouse": {"host": "ch", "password_secret": {"name": "chs", "key": "admin-password"}},
        },
    )
    assert spec["values"]["global"]["licenseSecret"] == {"name": "lic", "key": "k"}
    assert spec["values"]["global"]["clickhouse"]["passwordSecret"] == {"name": "chs", "passwordKey": "admin-password"}
    assert secrets == []


def test_extra_values_merge_last():
    spec = build(
        extra_values={"global": {"host": "https://override.example.com", "size": "medium"}, "app": {"replicas": 2}}
    )[0]
    assert spec["values"]["global"]["host"] == "https://override.example.com"
    assert spec["values"]["global"]["size"] == "medium"
    assert spec["values"]["global"]["licenseSecret"]["name"] == "wandb-license"
    assert spec["values"]["app"] == {"replicas": 2}


def test_data_services_redis_service_accounts_and_ingress():
    """wandb_data's wiring: Redis over TLS (password by reference or kept in a Secret), the files role on the
    components that use the bucket, the ALB ingress; the chart's own Redis off."""
    role = {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/files"}
    ingress = {"ingress_class": "alb", "annotations": {"alb.ingress.kubernetes.io/certificate-arn": "arn:cert"}}
    spec, secrets = build(
        redis={"host": "master.cache", "port": 6379, "tls": True},
        service_account_annotations=role,
        ingress=ingress,
    )
    values = spec["values"]
    assert values["global"]["redis"] == {"host": "master.cache", "port": 6379, "params": {"tls": True}}
    assert values["redis"] == {"install": False}
    assert values["app"] == values["parquet"] == {"serviceAccount": {"annotations": role}}
    assert values["ingress"] == {"class": "alb", "annotations": ingress["annotations"]}
    assert [s.name for s in secrets] == ["wandb-license"]

    spec, dummy = build(redis={"host": "r", "tls": False, "password_secret": {"name": "mine", "key": "auth"}})
    assert spec["values"]["global"]["redis"] == {
        "host": "r",
        "port": 6379,
        "secret": {"secretName": "mine", "secretKey": "auth"},
    }
    spec, secrets = build(redis={"host": "r", "password": "redispw"})
    assert spec["values"]["global"]["redis"]["secret"] == {"secretName": "wandb-redis", "secretKey": "password"}
    assert [(s.name, s.data) for s in secrets][1] == ("wandb-redis", {"password": "redispw"})
    assert "redispw" not in repr(spec)


@pytest.mark.parametrize(
    "settings,message",
    [
        ({"license": None}, "license .* is required"),
        ({"host": "wandb.example.com"}, "not a valid W&B URL"),
        ({"host": "https://h/path"}, "not a valid W&B URL"),
        ({"weave_trace": True}, "weave_trace needs clickhouse"),
        ({"clickhouse": {"host": "ch"}}, "clickhouse needs password or password_secret"),
        ({"clickhouse": {"host": "ch", "password": "p", "port": 9000}}, "native protocol"),
        ({"clickhouse": {"host": "ch", "password": "p", "cluster": "c"}}, "replicated is false"),
        ({"bucket": {"provider": "minio", "name": "b"}}, "bucket.provider"),
        ({"mysql": {"host": "db"}}, "mysql needs password"),
        ({"extra_values": {"global": {"license": "plain"}}}, "spec.values.global.license holds a secret"),
        ({"extra_values": {"global": {"redis": {"password": "plain"}}}}, "spec.values.global.redis.password holds"),
    ],
)
def test_bad_settings(settings, message):
    with pytest.raises(WandbModuleError, match=message):
        build(**settings)


def test_whole_spec_with_plain_secret_is_refused():
    with pytest.raises(WandbModuleError, match="clickhouse.password"):
        check_no_plain_secrets({"values": {"global": {"clickhouse": {"password": "x"}}}})
    check_no_plain_secrets({"values": {"global": {"clickhouse": {"password": ""}}}})


@pytest.mark.parametrize("name", ["Wandb", "-x", "a" * 64, ""])
def test_bad_names(name):
    with pytest.raises(WandbModuleError):
        validate_name(name)


def test_versions_pin_every_w_and_b_image_and_the_console_and_extra_values_still_win():
    spec = build(
        version="0.85.0",
        console_version="2.18.16",
        service_account_annotations={"eks.amazonaws.com/role-arn": "arn:role"},
        extra_values={"weave": {"image": {"tag": "0.85.1-hotfix"}}},
    )[0]
    values = spec["values"]
    for path in WANDB_IMAGE_TAG_PATHS:
        node = values
        for key in path:
            node = node[key]
        assert node == ("0.85.1-hotfix" if path[0] == "weave" else "0.85.0"), path
    assert values["console"]["image"]["tag"] == "2.18.16"
    assert values["app"]["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:role"}
    assert "image" not in build()[0]["values"].get("app", {})  # no version: the operator's channel decides


def test_a_downgrade_is_refused_and_an_upgrade_lists_what_moves():
    old = build(
        version="0.84.2", chart={"url": "https://charts.wandb.ai", "name": "operator-wandb", "version": "0.43.0"}
    )[0]
    new = build(
        version="0.85.0", chart={"url": "https://charts.wandb.ai", "name": "operator-wandb", "version": "0.43.8"}
    )[0]
    check_no_downgrade(old, new)
    check_no_downgrade(None, new)  # a new resource
    check_no_downgrade(build()[0], new)  # from W&B's channel: nothing pinned to compare with
    with pytest.raises(WandbModuleError, match="version 0.84.2 is older than W&B's 0.85.0 in the resource"):
        check_no_downgrade(new, old)
    moving = versions_moving(old, new)
    assert moving[0] == "chart: operator-wandb 0.43.0 -> operator-wandb 0.43.8"
    assert "app.image.tag: 0.84.2 -> 0.85.0" in moving and len(moving) == 1 + len(WANDB_IMAGE_TAG_PATHS)


def test_a_mirror_prefixes_every_image_and_extra_values_still_win():
    values = build(image_registry="registry.example.com/mirror/")[0]["values"]["global"]
    assert (values["repositoryPrefix"], values["imageRegistry"]) == (
        "registry.example.com/mirror",
        "registry.example.com/mirror",
    )
    assert "repositoryPrefix" not in build()[0]["values"]["global"]  # none: the chart's own registries
    mine = build(image_registry="registry.example.com/mirror", extra_values={"global": {"imageRegistry": "other.io"}})
    assert mine[0]["values"]["global"]["imageRegistry"] == "other.io"


def test_pull_secrets_reach_every_component_by_name():
    values = build(image_registry="registry.example.com/mirror", image_pull_secrets=["wandb-image-pull"])[0]["values"]
    assert values["global"]["imagePullSecrets"] == [{"name": "wandb-image-pull"}]
    assert "imagePullSecrets" not in build()[0]["values"]["global"]
