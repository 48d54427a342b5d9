# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input rules the modules and the roles' preflight share (filter ``selfmanaged.wandb.input_problem``).

Each rule takes a value and returns None when it is valid, else what is wrong with it, phrased to follow the
option's or variable's name ("must be ..."). Only the standard library, bar PyYAML for kubeconfigs and botocore's
list of regions when it is installed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import functools
import ipaddress
import json
import os
import re
from urllib.parse import urlsplit

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
# Kubernetes resource.Quantity: a decimal number with an optional binary/decimal suffix or exponent.
_QUANTITY = re.compile(r"^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")
_EKS_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]*$")
_IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]+$")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$")
_K8S_VERSION = re.compile(r"^1\.[0-9]+$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BACKUP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
_S3_DIRECTORY = re.compile(r"^https?://[^\s'\\/]+/[^\s'\\]*/$")
_RELEASE_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z][0-9A-Za-z.-]*)?$")


def _text(value):
    return value if isinstance(value, str) else None


def _each(value, rule, what, non_empty=False):
    """A list whose every item passes ``rule``: the first that does not is named with the rule's own words."""
    if not isinstance(value, list) or (non_empty and not value):
        return "must be " + what
    for item in value:
        found = rule(item)
        if found:
            return "holds %r, which %s" % (item, found)
    return None


def k8s_label(value):
    """Namespaces, Service and release-derived names: an RFC 1123 label."""
    text = _text(value)
    if text is None or not _DNS_LABEL.match(text) or len(text) > 63:
        return (
            "must be a Kubernetes name (RFC 1123 label): lowercase letters, digits and '-', starting and ending "
            "with a letter or digit, at most 63 characters"
        )
    return None


def k8s_namespaces(value):
    """A list of namespace names (RFC 1123 labels)."""
    return _each(value, k8s_label, "a list of namespace names")


def k8s_name(value):
    """Secrets, ServiceAccounts, StorageClasses, custom resources: an RFC 1123 subdomain."""
    text = _text(value)
    if text is None or not _DNS_SUBDOMAIN.match(text) or len(text) > 253:
        return (
            "must be a Kubernetes object name (RFC 1123 subdomain): lowercase letters, digits, '-' and '.', "
            "starting and ending with a letter or digit, at most 253 characters"
        )
    return None


def secret_key(value):
    text = _text(value)
    if text is None or not _SECRET_KEY.match(text) or len(text) > 253:
        return "must be a Secret key: letters, digits, '-', '_' and '.'"
    return None


def helm_release_name(value):
    text = _text(value)
    if text is None or not _DNS_SUBDOMAIN.match(text) or len(text) > 53:
        return (
            "must be a Helm release name: lowercase letters, digits, '-' and '.', starting and ending with a letter "
            "or digit, at most 53 characters"
        )
    return None


def quantity(value):
    """A Kubernetes quantity greater than zero, such as 100Gi, 500m or 2."""
    text = str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _text(value)
    if text is None or not _QUANTITY.match(text) or not re.search(r"[1-9]", text.split("e")[0].split("E")[0]):
        return "must be a Kubernetes quantity greater than zero, such as 100Gi, 512Mi, 500m or 2"
    return None


def resources(value):
    """A container's resources: {requests, limits} of cpu/memory/ephemeral-storage quantities."""
    if not isinstance(value, dict) or set(value) - {"requests", "limits", "claims"}:
        return "must be a mapping with requests and/or limits"
    for part in ("requests", "limits"):
        for name, amount in (value.get(part) or {}).items():
            if quantity(amount):
                return "%s.%s %r %s" % (part, name, amount, quantity(amount))
    return None


def positive_int(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return "must be a whole number greater than zero"
    return None


def non_negative_int(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return "must be a whole number, zero or more"
    return None


def positive_number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return "must be a number greater than zero"
    return None


def cidr(value):
    text = _text(value)
    try:
        ipaddress.ip_network(text)
    except (TypeError, ValueError):
        return "must be a CIDR block such as 203.0.113.0/24 (an address with its prefix length, host bits zero)"
    return None


def cidrs(value):
    return _each(value, cidr, "a list of CIDR blocks")


def url_host_only(value):
    """The URL users open: http(s), a host, an optional port, nothing else (W&B serves from /)."""
    text = _text(value)
    try:
        parts = urlsplit(text or "")
        if parts.port is not None and not 0 < parts.port < 65536:  # urlsplit raises ValueError on most bad ports
            parts = None
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
    ):
        return "must be an http(s) URL of the host only, like https://wandb.example.com (no path, query or user)"
    return None


def http_url(value):
    text = _text(value)
    parts = urlsplit(text or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL"
    return None


def license_text(value):
    """A W&B license: one line of text, no blanks around it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "is required - the W&B license (keep it in a vault or an AWX credential)"
    if not isinstance(value, str):
        return "must be the license text (a string)"
    if value != value.strip():
        return "has blanks or a newline around it - the license is one line of text"
    if "\n" in value or "\r" in value:
        return "spans several lines - the license is one line of text"
    return None


def eks_name(value, limit=100):
    text = _text(value)
    if text is None or not _EKS_NAME.match(text) or len(text) > limit:
        return (
            "must start with a letter or digit and hold only letters, digits, '-' and '_', at most %d characters"
            % limit
        )
    return None


def eks_nodegroup_name(value):
    return eks_name(value, 63)


def iam_role_name(value):
    text = _text(value)
    if text is None or not _IAM_ROLE_NAME.match(text) or len(text) > 64:
        return "must be an IAM role name: at most 64 letters, digits and +=,.@_- (got %d characters)" % len(text or "")
    return None


def s3_bucket_name(value):
    """S3's rules for general purpose bucket names."""
    text = _text(value)
    if (
        text is None
        or not 3 <= len(text) <= 63
        or not re.match(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$", text)
        or ".." in text
        or ".-" in text
        or "-." in text
        or re.match(r"^\d+\.\d+\.\d+\.\d+$", text)
        or text.startswith(("xn--", "sthree-"))
        or text.endswith(("-s3alias", "--ol-s3"))
    ):
        return (
            "must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a "
            "letter or digit, no '..', '.-' or '-.', not an IP address"
        )
    return None


def instance_type(value):
    text = _text(value)
    if text is None or not _INSTANCE_TYPE.match(text):
        return "must be an EC2 instance type such as r6i.2xlarge (family.size)"
    return None


def instance_types(value):
    return _each(value, instance_type, "a non-empty list of EC2 instance types", non_empty=True)


def subnet_id(value):
    text = _text(value)
    if text is None or not _SUBNET_ID.match(text):
        return "must be subnet IDs such as subnet-0123456789abcdef0"
    return None


def subnet_ids(value):
    if not isinstance(value, list):
        return "must be a list of subnet IDs"
    for item in value:
        if subnet_id(item):
            return "holds %r, which is not a subnet ID such as subnet-0123456789abcdef0" % (item,)
    return None


def kubernetes_version(value):
    text = _text(value)
    if text is None or not _K8S_VERSION.match(text):
        return "must be a Kubernetes MAJOR.MINOR version like 1.35"
    return None


def release_version(value, also=None):
    """A pinned release such as 0.85.0 (an image tag or a chart version): never latest, empty or a floating tag.
    ``also``: one more word the variable accepts (W&B's ``channel``)."""
    text = _text(value)
    if text is not None and also and text == also:
        return None
    if text is None or not _RELEASE_VERSION.match(text):
        return "must be a pinned release like 0.85.0%s, not %s" % (
            " (or %s)" % also if also else "",
            repr(value) if value not in (None, "") else "empty",
        )
    return None


def version_tuple(value):
    """(major, minor, patch) of a release version; None when it is not one."""
    match = _RELEASE_VERSION.match(_text(value) or "")
    return tuple(int(part) for part in match.groups()[:3]) if match else None


# Docker's reference grammar (distribution/reference): a registry host[:port] (optional), path components of
# lowercase alphanumerics joined by '.', '_', '__' or dashes; a tag of at most 128 word characters, '.' and '-'.
_IMAGE_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_IMAGE_REPOSITORY = re.compile(
    r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?|"
    r"\[[0-9a-fA-F:]+\](?::[0-9]+)?)/)?%s(?:/%s)*$" % (_IMAGE_COMPONENT, _IMAGE_COMPONENT)
)
_IMAGE_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_IMAGE_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def image_repository(value):
    """An image repository as Kubernetes pulls it: [registry[:port]/]path, lowercase, no tag."""
    text = _text(value)
    if text is None or not _IMAGE_REPOSITORY.match(text) or len(text) > 255:
        return (
            "must be an image repository such as docker.io/clickhouse/clickhouse-server or registry.example.com:5000/"
            "mirror/wandb/local (lowercase path, no tag, no spaces)"
        )
    return None


def image_registry(value):
    """A registry to pull every image from: host[:port] and an optional path, no scheme, no tag. '' is none. The host
    must look like one (a '.', a port or localhost): a container runtime takes any other first part for a Docker Hub
    path."""
    text = _text(value)
    if text == "":
        return None
    host = (text or "").split("/", 1)[0]
    # a bare host is checked as the host of a repository path
    if (
        text is None
        or not _IMAGE_REPOSITORY.match(text if "/" in text else text + "/x")
        or len(text) > 200
        or not ("." in host or ":" in host or host == "localhost")
    ):
        return (
            "must be a registry host with an optional path, such as registry.example.com/mirror or "
            "registry.example.com:5000 (no scheme, lowercase path, no tag), or empty for the images' own registries"
        )
    return None


def image_pull_secret(value, registry=""):
    """The credentials of an image mirror: {} (none), {name} (a Secret the user made), or {username, password} with
    an optional name - and only with a mirror to use them for. Never says what the values are."""
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict):
        return "must be a dict: {username, password} (and optionally name), or {name} of a Secret you made"
    unknown = sorted(set(value) - {"name", "username", "password"})
    if unknown:
        return "has unknown keys %s (it takes name, username, password)" % ", ".join(map(str, unknown))
    bad_name = k8s_name(value["name"]) if "name" in value else None
    if bad_name:
        return "name " + bad_name
    if bool(value.get("username")) != bool(value.get("password")):
        return "needs both username and password (or only name, for a Secret you made)"
    if not value.get("name") and not value.get("password"):
        return "needs username and password, or name"
    if not registry:
        return "is given, but there is no mirror to pull from: set wandb_image_registry"
    return None


def image_tag(value):
    """An image tag (or a digest, sha256:...), pinned: never latest."""
    text = _text(value)
    if text is None or not (_IMAGE_TAG.match(text) or _IMAGE_DIGEST.match(text)):
        return (
            "must be an image tag (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-') or a "
            "digest"
        )
    if text == "latest":
        return "must be a pinned tag, not latest (what runs would change with every pull)"
    return None


def k8s_labels(value):
    """Kubernetes labels: keys [prefix/]name (a DNS subdomain prefix, a name of at most 63), values of at most 63."""
    if not isinstance(value, dict):
        return "must be a mapping of label keys to values"
    for key, label in value.items():
        prefix, _sep, name = str(key).rpartition("/")
        if (
            (prefix and (not _DNS_SUBDOMAIN.match(prefix) or len(prefix) > 253))
            or not _LABEL_NAME.match(name)
            or len(name) > 63
        ):
            return (
                "has the key %r, which is not a label key ([prefix/]name: a name of at most 63 letters, digits, "
                "'-', '_' and '.', starting and ending with a letter or digit)" % (key,)
            )
        text = "" if label is None else str(label)
        if text and (not _LABEL_NAME.match(text) or len(text) > 63):
            return (
                "has %s=%r, which is not a label value (at most 63 letters, digits, '-', '_' and '.', starting and "
                "ending with a letter or digit, or empty)" % (key, text)
            )
    return None


def aws_class(value, prefix, example):
    """An RDS instance class (``db.``) or an ElastiCache node type (``cache.``): the prefix and <family>.<size>."""
    text = _text(value)
    if text is None or not re.match(r"^%s[a-z][a-z0-9-]*\.[a-z0-9]+$" % re.escape(prefix), text):
        return "must be a %s<family>.<size> class such as %s" % (prefix, example)
    return None


def rds_instance_class(value):
    if value == "db.serverless":  # Aurora Serverless v2
        return None
    return aws_class(value, "db.", "db.r6g.large")


def cache_node_type(value):
    return aws_class(value, "cache.", "cache.r7g.large")


# The oldest MySQL W&B Server supports, per engine (W&B's requirements page; it recommends MySQL 8.4).
WANDB_MIN_MYSQL = {"mysql": (8, 0, 32), "aurora-mysql": (3, 5, 2)}


def mysql_engine_version(value, engine="mysql"):
    """An engine version W&B supports: MySQL 8.0.32 or later; Aurora MySQL 3.05.2 or later (8.0.mysql_aurora.3.05.2).
    Empty: the role's default."""
    text = _text(value)
    if text == "":
        return None
    if text is None:
        return "must be an engine version such as 8.4.7 (mysql) or 8.0.mysql_aurora.3.10.0 (aurora-mysql)"
    if engine == "aurora-mysql":
        match = re.match(r"^8\.0\.mysql_aurora\.(\d+)\.(\d+)\.(\d+)$", text)
        example, minimum_text = "8.0.mysql_aurora.3.10.0", "Aurora MySQL 3.05.2 (8.0.mysql_aurora.3.05.2)"
    else:
        match = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?$", text)
        example, minimum_text = "8.4.7", "MySQL 8.0.32"
    if not match:
        return "must be a %s engine version such as %s" % (engine, example)
    found = tuple(int(part or 0) for part in match.groups())
    if found < WANDB_MIN_MYSQL.get(engine, WANDB_MIN_MYSQL["mysql"]):
        return "is older than W&B supports: %s or later (W&B recommends MySQL 8.4)" % minimum_text
    return None


def http_urls(value):
    """A list of http(s) origins such as https://wandb.example.com (CORS origins)."""
    if not isinstance(value, list):
        return "must be a list of URLs such as https://wandb.example.com"
    for item in value:
        if item == "*":
            continue
        if http_url(item) or re.search(r"\s", item):
            return "holds %r, which is not an http(s) URL such as https://wandb.example.com (or *)" % (item,)
    return None


def keeper_ensemble(value, single_ok=False, single_var="clickhouse_keeper_no_fault_tolerance"):
    """A Keeper ensemble that keeps its quorum through a node's failure: an odd count of 3 or more; 1 only when
    the user accepts no fault tolerance."""
    found = positive_int(value)
    if found:
        return found
    count = int(value)
    if count == 1 and not single_ok:
        return (
            "is 1: a single Keeper node, whose loss stops every replicated write and DDL - use 3, or set %s: true "
            "to accept that" % single_var
        )
    if count > 1 and count % 2 == 0:
        return (
            "is %d, an even Keeper ensemble: it needs %d nodes for a quorum, so it survives no more failures than "
            "%d nodes would, and a network split can leave no side a majority - use an odd count (3 or 5)"
            % (count, count // 2 + 1, count - 1)
        )
    return None


# W&B's Models OLAP features (operator-wandb's global.olap.<feature>.enabled) and, per W&B Server release, the oldest
# ClickHouse they run on (W&B's server release notes): (W&B from, ClickHouse at least), newest last.
WANDB_OLAP_FEATURES = ("registrySearch", "runStoreAccelerator", "history")
WANDB_OLAP_MIN_CLICKHOUSE = (((0, 81, 0), (26, 3)),)


def clickhouse_version_tuple(value):
    """The numeric head of a ClickHouse version or image tag (25.3.2-debian-12-r3, 25.8.30.16); None if none."""
    match = re.match(r"^(\d+(?:\.\d+)*)", _text(value) or "")
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def wandb_olap_clickhouse(values, wandb_version=None, clickhouse_version=None):
    """W&B chart values that turn on OLAP features the ClickHouse in use is too old for (a known W&B and ClickHouse
    version only: a channel or an external ClickHouse of unknown version is not judged)."""
    olap = (((values or {}).get("global") or {}) if isinstance(values, dict) else {}).get("olap") or {}
    enabled = [f for f in WANDB_OLAP_FEATURES if str((olap.get(f) or {}).get("enabled")).lower() == "true"]
    wandb, clickhouse = version_tuple(wandb_version), clickhouse_version_tuple(clickhouse_version)
    if not enabled or wandb is None or clickhouse is None:
        return None
    needed = None
    for since, minimum in WANDB_OLAP_MIN_CLICKHOUSE:
        if wandb >= since:
            needed = minimum
    if needed is None or clickhouse[: len(needed)] >= needed:
        return None
    return "turns on global.olap.%s, which W&B %s runs only on ClickHouse %s or later, and ClickHouse here is %s" % (
        "/".join(enabled),
        wandb_version,
        ".".join(str(part) for part in needed),
        clickhouse_version,
    )


def oidc_provider_arn(value):
    """An IAM OIDC provider's ARN (empty: the cluster's, from the eks_cluster stage)."""
    text = _text(value)
    if text == "":
        return None
    if text is None or not re.match(r"^arn:aws[-a-z]*:iam::[0-9]{12}:oidc-provider/[^\s]+$", text):
        return "must be an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks..."
    return None


def identifier(value):
    text = _text(value)
    if text is None or not _IDENTIFIER.match(text):
        return "must be letters, digits and underscores, not starting with a digit"
    return None


def backup_id(value):
    """A backup set's id: it names the set's S3 prefix and its snapshots."""
    text = _text(value)
    if text is None or not _BACKUP_ID.match(text):
        return (
            "must be 1-63 letters, digits and '-', starting with a letter or digit (it names the set's S3 prefix and "
            "its database snapshot), such as 20261207T020000Z"
        )
    return None


def s3_directory_url(value):
    """Where ClickHouse backs up to (a directory: ClickHouse takes no archive ON CLUSTER), quoted in its SQL."""
    text = _text(value)
    if text is None or not _S3_DIRECTORY.match(text) or text.lower().endswith((".zip/", ".tar/")):
        return (
            "must be an S3 directory URL such as https://<bucket>.s3.<region>.amazonaws.com/<prefix>/<id>/ "
            "(ending in /; no quotes or spaces)"
        )
    return None


def s3_prefix_url(value):
    """Where backup sets go: empty (the default), or a directory URL, the set's id added to it."""
    text = _text(value)
    if text == "":
        return None
    return s3_directory_url((text or "").rstrip("/") + "/")


def aws_region(value):
    """A region of botocore's partitions, or at least shaped like one (without botocore)."""
    text = _text(value)
    if text is None or not _REGION.match(text):
        return "must be an AWS region such as us-west-2"
    known = known_regions()
    if known and text not in known:
        return "%s is not an AWS region (botocore knows: %s; if it is new, update botocore)" % (
            text,
            ", ".join(sorted(known)),
        )
    return None


# Where operator-wandb reads a secret value in plain text (the collection passes Secret references instead).
WANDB_PLAIN_SECRET_PATHS = (
    ("global", "license"),
    ("global", "mysql", "password"),
    ("global", "clickhouse", "password"),
    ("global", "redis", "password"),
    ("global", "bucket", "secretKey"),
    ("global", "bucket", "accessKey"),
)


def no_plain_secrets(values, *secrets):
    """W&B values that hold no secret in plain text: none at the chart's secret paths, none of ``secrets`` anywhere."""
    if not isinstance(values, dict):
        return "must be a mapping of chart values"
    for path in WANDB_PLAIN_SECRET_PATHS:
        node = values
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node not in (None, ""):
            return (
                "holds %s in plain text - secrets go into Secrets: set the license with the license variable, "
                "passwords by Secret reference" % ".".join(path)
            )
    text = repr(values)
    for secret in secrets:
        if isinstance(secret, str) and len(secret.strip()) >= 4 and secret.strip() in text:
            return (
                "holds the license (or another secret) in plain text - it belongs in a Secret, set through its own "
                "variable"
            )
    return None


def kubeconfig_file(value):
    """A readable kubeconfig with at least one context (empty: not used)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        return "must be the path of a kubeconfig file"
    try:
        config = _load_kubeconfig(value)
    except (IOError, OSError) as exc:
        return "cannot be read: %s" % (exc.strerror or exc)
    except ValueError as exc:
        return "is not a kubeconfig: %s" % exc
    if not config.get("contexts"):
        return "has no contexts"
    return None


def kubeconfig_context(value, kubeconfig=None):
    """A context of ``kubeconfig`` (empty: its current-context, which must then be set)."""
    if not kubeconfig or kubeconfig_file(kubeconfig):
        return None  # nothing to check against (or the kubeconfig's own problem is reported)
    config = _load_kubeconfig(kubeconfig)
    names = [c.get("name") for c in config.get("contexts") or [] if isinstance(c, dict)]
    if value in (None, ""):
        if config.get("current-context") not in names:
            return "is empty and the kubeconfig has no current-context; set it to one of: %s" % ", ".join(names)
        return None
    if value not in names:
        return "%s is not a context of %s (contexts: %s)" % (value, kubeconfig, ", ".join(names))
    return None


def _load_kubeconfig(path):
    # pylint: disable-next=import-outside-toplevel  # only the kubeconfig rules need PyYAML
    from ansible_collections.selfmanaged.wandb.plugins.module_utils.yaml_safe import safe_load, yaml

    with open(path) as handle:
        try:
            config = safe_load(handle)
        except yaml.YAMLError as exc:
            raise ValueError(str(exc).splitlines()[0]) from exc
    if not isinstance(config, dict):
        raise ValueError("not a YAML mapping")
    return config


@functools.lru_cache(maxsize=None)
def known_regions():
    """Every region of botocore's partitions (aws, aws-cn, aws-us-gov, ...), or None without botocore. Read from its
    small partitions.json: a botocore session's region lists load the 1 MB endpoints.json, a tenth of a second that
    every check of a region paid again."""
    try:
        import botocore  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    try:
        with open(os.path.join(os.path.dirname(botocore.__file__), "data", "partitions.json")) as handle:
            partitions = json.load(handle)["partitions"]
    except (IOError, OSError, ValueError, KeyError):
        return None
    regions = set()
    for partition in partitions:
        regions.update(name for name in partition.get("regions", {}) if not name.endswith("-global"))
    return frozenset(regions) or None


_PRINCIPAL_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$")
_ACCESS_POLICY_RE = re.compile(r"^(arn:aws[a-z-]*:eks::aws:cluster-access-policy/)?AmazonEKS[A-Za-z0-9]*Policy$")


def access_entries(value):
    """EKS access entries as eks_access_entries takes them: [{principal_arn, policies: [{policy, namespaces}],
    kubernetes_groups, username}]; the first problem, naming the entry."""
    if not isinstance(value, list):
        return "must be a list of {principal_arn, policies, kubernetes_groups, username}"
    seen = set()
    for index, entry in enumerate(value):
        where = "[%d]" % index
        if not isinstance(entry, dict):
            return "%s must be a mapping with principal_arn" % where
        unknown = sorted(set(entry) - {"principal_arn", "policies", "kubernetes_groups", "username"})
        if unknown:
            return "%s has unknown keys %s (principal_arn, policies, kubernetes_groups, username)" % (where, unknown)
        principal = entry.get("principal_arn")
        if not isinstance(principal, str) or not _PRINCIPAL_ARN_RE.match(principal):
            return "%s.principal_arn %r must be the ARN of an IAM role or user, such as " % (where, principal) + (
                "arn:aws:iam::123456789012:role/platform-admins"
            )
        if principal in seen:
            return "%s.principal_arn %s is listed twice" % (where, principal)
        seen.add(principal)
        policies = entry.get("policies", [])
        if not isinstance(policies, list):
            return "%s.policies must be a list of {policy, namespaces}" % where
        for number, policy in enumerate(policies):
            here = "%s.policies[%d]" % (where, number)
            if not isinstance(policy, dict) or not _ACCESS_POLICY_RE.match(str(policy.get("policy", ""))):
                return (
                    "%s must be {policy: <an EKS access policy such as AmazonEKSClusterAdminPolicy or its ARN>}" % here
                )
            if set(policy) - {"policy", "namespaces"}:
                return "%s has unknown keys (policy, namespaces)" % here
            namespaces = policy.get("namespaces")
            if namespaces is not None and (
                not isinstance(namespaces, list) or not namespaces or any(k8s_name(n) for n in namespaces)
            ):
                return (
                    "%s.namespaces must be a non-empty list of namespace names (or leave it out: cluster scope)" % here
                )
        for key in ("kubernetes_groups",):
            if not isinstance(entry.get(key, []), list) or any(not isinstance(g, str) for g in entry.get(key, [])):
                return "%s.%s must be a list of group names" % (where, key)
    return None


RULES = {
    "access_entries": access_entries,
    "k8s_label": k8s_label,
    "k8s_namespaces": k8s_namespaces,
    "k8s_name": k8s_name,
    "secret_key": secret_key,
    "helm_release_name": helm_release_name,
    "quantity": quantity,
    "resources": resources,
    "positive_int": positive_int,
    "non_negative_int": non_negative_int,
    "positive_number": positive_number,
    "cidr": cidr,
    "cidrs": cidrs,
    "url_host_only": url_host_only,
    "http_url": http_url,
    "license_text": license_text,
    "eks_name": eks_name,
    "eks_nodegroup_name": eks_nodegroup_name,
    "iam_role_name": iam_role_name,
    "s3_bucket_name": s3_bucket_name,
    "instance_type": instance_type,
    "instance_types": instance_types,
    "subnet_id": subnet_id,
    "subnet_ids": subnet_ids,
    "kubernetes_version": kubernetes_version,
    "release_version": release_version,
    "wandb_olap_clickhouse": wandb_olap_clickhouse,
    "image_repository": image_repository,
    "image_tag": image_tag,
    "image_registry": image_registry,
    "image_pull_secret": image_pull_secret,
    "k8s_labels": k8s_labels,
    "rds_instance_class": rds_instance_class,
    "cache_node_type": cache_node_type,
    "mysql_engine_version": mysql_engine_version,
    "http_urls": http_urls,
    "keeper_ensemble": keeper_ensemble,
    "oidc_provider_arn": oidc_provider_arn,
    "identifier": identifier,
    "aws_region": aws_region,
    "backup_id": backup_id,
    "s3_directory_url": s3_directory_url,
    "s3_prefix_url": s3_prefix_url,
    "no_plain_secrets": no_plain_secrets,
    "kubeconfig_file": kubeconfig_file,
    "kubeconfig_context": kubeconfig_context,
}


def problem(value, rule, *args):
    """What is wrong with ``value`` under ``rule`` (a name from RULES), or '' when it is valid."""
    try:
        check = RULES[rule]
    except KeyError:
        raise ValueError("unknown input rule %r (rules: %s)" % (rule, ", ".join(sorted(RULES)))) from None
    return check(value, *args) or ""


def unknown_names(names, known, prefix):
    """``names`` starting with ``prefix`` that are not in ``known``, each with the nearest known name: typos."""
    found = []
    for name in sorted(set(names)):
        if name.startswith(prefix) and name not in known:
            # compared without the prefix, which every name shares
            nearest = difflib.get_close_matches(
                name[len(prefix) :], sorted(k[len(prefix) :] for k in known if k.startswith(prefix)), n=1, cutoff=0.6
            )
            found.append("%s (did you mean %s%s?)" % (name, prefix, nearest[0]) if nearest else name)
    return found


def check_options(params, rules):
    """For modules: raise WandbModuleError naming the first option that breaks its rule, before anything is read or
    changed. ``rules``: (option, rule name, extra rule arguments...); options that are None are not checked."""
    from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError  # pylint: disable=import-outside-toplevel

    for option, rule, *args in rules:
        value = params.get(option)
        if value is None:
            continue
        found = problem(value, rule, *args)
        if found:
            raise WandbModuleError("%s %s" % (option, found))
