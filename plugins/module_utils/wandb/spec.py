# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that turns high-level W&B settings into a ``WeightsAndBiases`` spec.

Value paths follow the operator-wandb chart's values.yaml (wandb/helm-charts, charts/operator-wandb):
  global.host; global.licenseSecret {name, key}; global.bucket {provider, name, path, region, kmsKey}
  (same keys as global.defaultBucket); global.mysql {host, port, database, user,
  passwordSecret {name, passwordKey}}; global.clickhouse {host, port, user, database, replicated,
  passwordSecret {name, passwordKey}} (templates/_clickhouse.tpl reads exactly these); global.redis {host, port,
  params {tls}, secret {secretName, secretKey}} with redis.install false; <component>.serviceAccount.annotations (no
  global key exists); ingress {class, annotations} (global.ingress is read by no template);
  global.weave-trace.enabled and weave-trace.install.
W&B's self-managed Weave guide: ClickHouse's cluster must be ``weave_cluster`` unless
WF_CLICKHOUSE_REPLICATED_CLUSTER is set in ``weave-trace.extraEnv`` (a name -> value map; the chart has no
key for it), next to WF_CLICKHOUSE_REPLICATED. External databases turn off the chart's bundled ones
(top-level ``mysql.install`` / ``clickhouse.install``). The operator only uses a license Secret when both
``licenseSecret.name`` and ``licenseSecret.key`` are set, so both always are.

Secrets never enter the spec: the license and passwords go into Kubernetes Secrets (``SecretPlan``)
that the spec references by name and key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import urlparse

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.values import deep_merge, versions_that_move
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.objects import split_image
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import (
    WANDB_PLAIN_SECRET_PATHS,
    version_tuple,
)

CLICKHOUSE_HTTP_PORT = 8123
CLICKHOUSE_DATABASE = "wandb_weave"
WEAVE_DEFAULT_CLUSTER = "weave_cluster"
LICENSE_KEY = "license"
PASSWORD_KEY = "password"
BUCKET_PROVIDERS = ("s3", "gcs", "az")
_DNS_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

# Plain-text secret paths that must never be stored in a spec.
FORBIDDEN_SPEC_PATHS = tuple(("values",) + path for path in WANDB_PLAIN_SECRET_PATHS)


class SecretPlan(object):
    """A Secret the module creates or updates: ``data`` holds the plain values (never logged)."""

    def __init__(self, name, data, purpose):
        self.name = name
        self.data = data
        self.purpose = purpose

    def __repr__(self):  # never show data
        return "SecretPlan(%s, keys=%s)" % (self.name, sorted(self.data))


# W&B's components that read and write the files bucket (operator-wandb 0.43.8: only they get its settings).
BUCKET_COMPONENTS = ("app", "parquet")

# Where operator-wandb (0.43.8) sets the tag of each image W&B builds with its server release - wandb/local,
# wandb/megabinary, weave-python, weave-trace, frontend-nginx, anaconda2 - all ``latest`` in the chart's values, so
# W&B's release channel (or nothing, air-gapped) would decide what runs. Every one gets W&B's version.
WANDB_IMAGE_TAG_PATHS = tuple(
    (component, "image", "tag")
    for component in (
        "app",
        "api",
        "anaconda2",
        "clickhouseMigrationJob",
        "executor",
        "filemeta",
        "filestream",
        "flat-run-fields-updater",
        "frontend",
        "glue",
        "history-reader",
        "history-updater",
        "internalSignerPreHook",
        "metric-observer",
        "parquet",
        "parquet-metadata-cache",
        "settingsMigrationJob",
        "weave",
        "weave-evaluate-model-worker",
        "weave-trace",
        "weave-trace-agent-scoring-worker",
        "weave-trace-worker",
    )
) + (("settingsMigrationJob", "jobs", "smj", "containers", "smj", "image", "tag"),)
# The System Console (wandb/console) is released on its own.
CONSOLE_IMAGE_TAG_PATH = ("console", "image", "tag")
# The repositories of those images (under W&B's name on Docker Hub, or a mirror's prefix before it).
WANDB_BUILT_REPOSITORIES = ("local", "megabinary", "weave-python", "weave-trace", "frontend-nginx", "anaconda2")


def wandb_built(image):
    """Whether ``image`` (``[registry/]wandb/<name>:<tag>``) is one W&B builds with its server release."""
    parts = split_image(image)[0].split("/")
    return len(parts) >= 2 and parts[-2] == "wandb" and parts[-1] in WANDB_BUILT_REPOSITORIES


def secret_names(cr_name):
    return dict((what, "%s-%s" % (cr_name, what)) for what in ("license", "mysql", "redis", "clickhouse"))


def _password_ref(settings, what, default_name, secrets):
    """The passwordSecret of a database: the user's Secret, or one this module writes."""
    if settings.get("password_secret"):
        ref = settings["password_secret"]
        return {"name": ref["name"], "passwordKey": ref.get("key") or PASSWORD_KEY}
    if settings.get("password") is None:
        raise WandbModuleError("%s needs password or password_secret" % what)
    secrets.append(SecretPlan(default_name, {PASSWORD_KEY: str(settings["password"])}, "%s password" % what))
    return {"name": default_name, "passwordKey": PASSWORD_KEY}


def validate_host(host):
    url = urlparse(host or "")
    if url.scheme not in ("http", "https") or not url.hostname or url.path not in ("", "/") or url.query:
        raise WandbModuleError("host %r is not a valid W&B URL such as https://wandb.example.com" % (host,))
    return host.rstrip("/")


def _nested(path, value):
    node = value
    for key in reversed(path):
        node = {key: node}
    return node


def image_tag_values(version, console_version=None):
    """The values that pin every W&B-built image to ``version`` (and the console to ``console_version``)."""
    values = {}
    pins = [(path, version) for path in WANDB_IMAGE_TAG_PATHS] if version else []
    pins += [(CONSOLE_IMAGE_TAG_PATH, console_version)] if console_version else []
    for path, tag in pins:
        values = deep_merge(values, _nested(path, tag))
    return values


def build_spec(name, settings):
    """``(spec, secrets)`` for a WeightsAndBiases named ``name``.

    ``settings``: host, license, license_secret {name, key}, bucket {provider, name, path, region,
    kms_key}, mysql {host, port, database, user, password | password_secret}, redis {host, port, tls,
    password | password_secret}, service_account_annotations, ingress {ingress_class, annotations},
    clickhouse {host, port, user, password | password_secret, database, replicated, cluster}, weave_trace,
    version (W&B's server release: every W&B-built image's tag), console_version, chart {url, name, version},
    image_registry (a mirror of every image: global.repositoryPrefix for W&B's own components and the charts they
    share, global.imageRegistry for the Bitnami-style subcharts), image_pull_secrets (Secret names, as
    global.imagePullSecrets), extra_values (merged last: an image tag there wins).
    """
    names = secret_names(name)
    secrets = []
    global_values = {"host": validate_host(settings.get("host"))}

    if settings.get("license_secret"):
        ref = settings["license_secret"]
        global_values["licenseSecret"] = {"name": ref["name"], "key": ref.get("key") or LICENSE_KEY}
    elif settings.get("license"):
        secrets.append(SecretPlan(names["license"], {LICENSE_KEY: settings["license"]}, "license"))
        global_values["licenseSecret"] = {"name": names["license"], "key": LICENSE_KEY}
    else:
        raise WandbModuleError("license (or license_secret) is required for W&B")

    bucket = settings.get("bucket")
    if bucket:
        provider = bucket.get("provider") or "s3"
        if provider not in BUCKET_PROVIDERS:
            raise WandbModuleError("bucket.provider %r is not one of %s" % (provider, ", ".join(BUCKET_PROVIDERS)))
        if not bucket.get("name"):
            raise WandbModuleError("bucket.name is required")
        global_values["bucket"] = dict(
            (key, value)
            for key, value in (
                ("provider", provider),
                ("name", bucket["name"]),
                ("path", bucket.get("path")),
                ("region", bucket.get("region")),
                ("kmsKey", bucket.get("kms_key")),
            )
            if value
        )

    values = {}
    mysql = settings.get("mysql")
    if mysql:
        if not mysql.get("host"):
            raise WandbModuleError("mysql.host is required")
        values["mysql"] = {"install": False}
        global_values["mysql"] = {
            "host": mysql["host"],
            "port": int(mysql.get("port") or 3306),
            "database": mysql.get("database") or "wandb_local",
            "user": mysql.get("user") or "wandb",
            "passwordSecret": _password_ref(mysql, "mysql", names["mysql"], secrets),
        }

    redis = settings.get("redis")
    if redis:
        if not redis.get("host"):
            raise WandbModuleError("redis.host is required")
        values["redis"] = {"install": False}
        global_values["redis"] = {"host": redis["host"], "port": int(redis.get("port") or 6379)}
        if redis.get("tls", True):
            global_values["redis"]["params"] = {"tls": True}
        if redis.get("password_secret") or redis.get("password") is not None:
            ref = _password_ref(redis, "redis", names["redis"], secrets)
            global_values["redis"]["secret"] = {"secretName": ref["name"], "secretKey": ref["passwordKey"]}

    annotations = settings.get("service_account_annotations")
    if annotations:
        for component in BUCKET_COMPONENTS:
            values[component] = {"serviceAccount": {"annotations": dict(annotations)}}

    ingress = settings.get("ingress")
    if ingress:
        values["ingress"] = dict(
            (key, value)
            for key, value in (("class", ingress.get("ingress_class")), ("annotations", ingress.get("annotations")))
            if value
        )

    clickhouse = settings.get("clickhouse")
    if clickhouse:
        if not clickhouse.get("host"):
            raise WandbModuleError("clickhouse.host is required")
        port = int(clickhouse.get("port") or CLICKHOUSE_HTTP_PORT)
        if port in (9000, 9440):
            raise WandbModuleError(
                "clickhouse.port %d is ClickHouse's native protocol; weave-trace uses HTTP (8123)" % port
            )
        replicated = bool(clickhouse.get("replicated"))
        global_values["clickhouse"] = {
            "host": clickhouse["host"],
            "port": port,
            "user": clickhouse.get("user") or "default",
            "database": clickhouse.get("database") or CLICKHOUSE_DATABASE,
            "replicated": replicated,
            "passwordSecret": _password_ref(clickhouse, "clickhouse", names["clickhouse"], secrets),
        }
        values["clickhouse"] = {"install": False}
        if replicated:
            cluster = clickhouse.get("cluster") or WEAVE_DEFAULT_CLUSTER
            values["weave-trace"] = {
                "extraEnv": {"WF_CLICKHOUSE_REPLICATED": "true", "WF_CLICKHOUSE_REPLICATED_CLUSTER": cluster}
            }
        elif clickhouse.get("cluster"):
            raise WandbModuleError("clickhouse.cluster is set but clickhouse.replicated is false")

    weave_trace = bool(settings.get("weave_trace"))
    if weave_trace and not clickhouse:
        raise WandbModuleError("weave_trace needs clickhouse (weave-trace stores traces in ClickHouse)")
    global_values["weave-trace"] = {"enabled": weave_trace}
    values = deep_merge(values, {"weave-trace": {"install": weave_trace}})
    values = deep_merge(values, image_tag_values(settings.get("version"), settings.get("console_version")))
    registry = (settings.get("image_registry") or "").strip().rstrip("/")
    if registry:
        global_values["repositoryPrefix"] = registry
        global_values["imageRegistry"] = registry
    if settings.get("image_pull_secrets"):
        global_values["imagePullSecrets"] = [{"name": name} for name in settings["image_pull_secrets"]]
    values["global"] = global_values
    values = deep_merge(values, settings.get("extra_values") or {})

    spec = {"values": values}
    chart = settings.get("chart")
    if chart:
        spec["chart"] = dict((key, chart[key]) for key in ("url", "name", "version") if chart.get(key))
    check_no_plain_secrets(spec)
    return spec, secrets


def wandb_version(spec):
    """The W&B version a spec pins (wandb/local's tag, as ``version`` sets it); None when the channel decides."""
    return ((((spec or {}).get("values") or {}).get("app") or {}).get("image") or {}).get("tag")


def check_no_downgrade(current, desired):
    """Refuse a spec that would take W&B back to an older version: its database migrations run forward only."""
    old, new = wandb_version(current), wandb_version(desired)
    if version_tuple(old) and version_tuple(new) and version_tuple(new) < version_tuple(old):
        raise WandbModuleError(
            "version %s is older than W&B's %s in the resource: W&B's database migrations run forward only, so it "
            "cannot go back (restore a backup made before the upgrade instead)" % (new, old)
        )


def versions_moving(current, desired):
    """``what: old -> new`` for the chart and every image tag that a new spec changes, for the plan."""
    moving = []
    old_chart, new_chart = (current or {}).get("chart") or {}, (desired or {}).get("chart") or {}
    if old_chart.get("version") != new_chart.get("version") or old_chart.get("name") != new_chart.get("name"):
        moving.append(
            "chart: %s -> %s"
            % tuple(
                "%s %s" % (c.get("name") or c.get("url") or "(W&B's channel)", c.get("version") or "")
                for c in (old_chart, new_chart)
            )
        )
    return moving + versions_that_move((current or {}).get("values"), (desired or {}).get("values"))


def check_no_plain_secrets(spec):
    """Refuse a spec that carries a license or password in plain text (extra_values or a whole spec)."""
    for path in FORBIDDEN_SPEC_PATHS:
        node = spec
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node not in (None, ""):
            raise WandbModuleError(
                "spec.%s holds a secret in plain text; pass it with license / mysql.password / "
                "clickhouse.password (stored in a Secret) or reference a Secret instead" % ".".join(path)
            )


def validate_name(name):
    if not _DNS_LABEL_RE.match(name or "") or len(name) > 63:
        raise WandbModuleError("name %r is not a valid resource name (lowercase letters, digits, '-')" % (name,))
