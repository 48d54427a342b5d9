# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a module reaches a Kubernetes cluster: one resolution for every module.

Sources, first match wins:
  1. EKS mode: ``eks_cluster_name`` (+ AWS options): endpoint and CA from DescribeCluster, a bearer
     token from a presigned STS GetCallerIdentity request (what ``aws eks get-token`` prints).
  2. Explicit ``host`` (+ ``api_key``, ``ca_cert``): no kubeconfig is read.
  3. A kubeconfig (``kubeconfig`` path or dict, ``K8S_AUTH_KUBECONFIG``, ``KUBECONFIG``, ``~/.kube/config``)
     and its ``context``; ``api_key``, ``ca_cert`` and ``validate_certs`` override what it says.
  4. In-cluster service account (AWX execution environments running in Kubernetes).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os

from ansible.module_utils.basic import env_fallback

from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.options import AWS_ARGSPEC
from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.yaml_safe import safe_load, yaml

HAS_YAML = yaml is not None

K8S_ACCESS_ARGSPEC = dict(
    kubeconfig=dict(type="raw", fallback=(env_fallback, ["K8S_AUTH_KUBECONFIG"])),
    context=dict(type="str", fallback=(env_fallback, ["K8S_AUTH_CONTEXT"])),
    host=dict(type="str", aliases=["k8s_host"], fallback=(env_fallback, ["K8S_AUTH_HOST"])),
    api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["K8S_AUTH_API_KEY"])),
    ca_cert=dict(type="path", aliases=["ssl_ca_cert"], fallback=(env_fallback, ["K8S_AUTH_SSL_CA_CERT"])),
    validate_certs=dict(type="bool", aliases=["verify_ssl"], fallback=(env_fallback, ["K8S_AUTH_VERIFY_SSL"])),
    eks_cluster_name=dict(type="str"),
)
K8S_ACCESS_ARGSPEC.update(AWS_ARGSPEC)


def k8s_access_argspec(api_host_option="host"):
    """The shared access options; a module whose ``host`` means something else (wandb_cr: the W&B
    URL) names the API server option ``k8s_host`` instead (helm_release accepts both spellings)."""
    spec = dict(K8S_ACCESS_ARGSPEC)
    if api_host_option != "host":
        option = dict(spec.pop("host"))
        option.pop("aliases", None)
        spec[api_host_option] = option
    return spec


def k8s_access_mutually_exclusive(api_host_option="host"):
    return [
        tuple(api_host_option if name == "host" else name for name in pair) for pair in K8S_ACCESS_MUTUALLY_EXCLUSIVE
    ]


K8S_ACCESS_MUTUALLY_EXCLUSIVE = [
    ("eks_cluster_name", "kubeconfig"),
    ("eks_cluster_name", "context"),
    ("eks_cluster_name", "host"),
    ("eks_cluster_name", "api_key"),
]

_IN_CLUSTER_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


class ClusterAccess(object):
    """Everything needed to open a connection to one API server, wherever it came from."""

    def __init__(
        self,
        server,
        ca_data=None,
        insecure=False,
        token=None,
        client_cert_data=None,
        client_key_data=None,
        namespace=None,
        kubeconfig_path=None,
        context=None,
        source=None,
    ):
        self.server = server.rstrip("/")
        self.ca_data = ca_data  # PEM text
        self.insecure = insecure
        self.token = token
        self.client_cert_data = client_cert_data  # PEM text
        self.client_key_data = client_key_data  # PEM text
        self.namespace = namespace
        # Set when the access is exactly a kubeconfig file + context, so helm can read the file itself
        # (and refresh exec-plugin credentials during long waits).
        self.kubeconfig_path = kubeconfig_path
        self.context = context
        self.source = source

    def to_kubeconfig(self):
        """A kubeconfig dict holding these credentials, for tools (helm) that need a file."""
        cluster = {"server": self.server}
        if self.insecure:
            cluster["insecure-skip-tls-verify"] = True
        elif self.ca_data:
            cluster["certificate-authority-data"] = _b64(self.ca_data)
        user = {}
        if self.token:
            user["token"] = self.token
        if self.client_cert_data:
            user["client-certificate-data"] = _b64(self.client_cert_data)
            user["client-key-data"] = _b64(self.client_key_data)
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "target", "cluster": cluster}],
            "users": [{"name": "target", "user": user}],
            "contexts": [{"name": "target", "context": {"cluster": "target", "user": "target"}}],
            "current-context": "target",
        }


def _b64(text):
    if isinstance(text, str):
        text = text.encode("utf-8")
    return base64.b64encode(text).decode("ascii")


def _read(path, what):
    try:
        with open(path, "r") as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        raise WandbModuleError("cannot read %s %s: %s" % (what, path, exc)) from exc


def _decode_b64(data, what):
    try:
        return base64.b64decode(data).decode("utf-8")
    except (TypeError, ValueError) as exc:
        raise WandbModuleError("kubeconfig %s is not valid base64: %s" % (what, exc)) from exc


def _load_kubeconfig_files(paths):
    """Merge kubeconfig files as kubectl does: the first file to define a name or current-context wins."""
    merged = {"clusters": {}, "users": {}, "contexts": {}, "current-context": None}
    for path in paths:
        if not os.path.exists(path):
            continue
        try:
            data = safe_load(_read(path, "kubeconfig")) or {}
        except yaml.YAMLError as exc:
            raise WandbModuleError("kubeconfig %s is not valid YAML: %s" % (path, exc)) from exc
        _merge_kubeconfig(merged, data, os.path.dirname(os.path.abspath(path)))
    return merged


def _merge_kubeconfig(merged, data, base_dir):
    if not isinstance(data, dict):
        raise WandbModuleError("kubeconfig must be a mapping with clusters, users and contexts")
    for section in ("clusters", "users", "contexts"):
        key = section[:-1]
        for entry in data.get(section) or []:
            if isinstance(entry, dict) and entry.get("name") and entry["name"] not in merged[section]:
                merged[section][entry["name"]] = (entry.get(key) or {}, base_dir)
    if not merged["current-context"] and data.get("current-context"):
        merged["current-context"] = data["current-context"]


def _resolve_path(path, base_dir):
    if base_dir and not os.path.isabs(path):
        return os.path.join(base_dir, path)
    return path


def _exec_credential(spec, base_dir, run_command):
    """Run a kubeconfig ``exec`` credential plugin once and return its status."""
    command = (
        _resolve_path(spec.get("command", ""), base_dir) if "/" in spec.get("command", "") else spec.get("command")
    )
    env = {}
    for item in spec.get("env") or []:
        env[item["name"]] = item["value"]
    api_version = spec.get("apiVersion", "client.authentication.k8s.io/v1beta1")
    env["KUBERNETES_EXEC_INFO"] = json.dumps(
        {"apiVersion": api_version, "kind": "ExecCredential", "spec": {"interactive": False}}
    )
    if run_command is None:
        raise WandbModuleError("kubeconfig exec credential plugins need a command runner (internal error)")
    try:
        rc, out, err = run_command([command] + list(spec.get("args") or []), environ_update=env)
    except (OSError, ValueError) as exc:
        raise WandbModuleError(
            "kubeconfig exec credential plugin %r failed to run: %s%s"
            % (command, exc, (" (%s)" % spec["installHint"]) if spec.get("installHint") else "")
        ) from exc
    if rc != 0:
        hint = (" (%s)" % spec["installHint"]) if spec.get("installHint") and rc == 127 else ""
        raise WandbModuleError(
            "kubeconfig exec credential plugin %r failed: %s%s" % (command, (err or out).strip(), hint)
        )
    try:
        return json.loads(out).get("status") or {}
    except ValueError:
        raise WandbModuleError(
            "kubeconfig exec credential plugin %r did not print an ExecCredential" % command
        ) from None


def _access_from_kubeconfig(config, context_name, path_for_helm, run_command=None):
    name = context_name or config["current-context"]
    if not name:
        raise WandbModuleError("the kubeconfig has no current-context; set context")
    if name not in config["contexts"]:
        raise WandbModuleError(
            "context %r is not in the kubeconfig (it has: %s)" % (name, ", ".join(sorted(config["contexts"])) or "none")
        )
    context = config["contexts"][name][0]
    cluster, cluster_dir = config["clusters"].get(context.get("cluster"), (None, None))
    if cluster is None or not cluster.get("server"):
        raise WandbModuleError(
            "context %r names cluster %r, which the kubeconfig does not define" % (name, context.get("cluster"))
        )
    user, user_dir = config["users"].get(context.get("user"), ({}, None))

    ca_data = None
    if cluster.get("certificate-authority-data"):
        ca_data = _decode_b64(cluster["certificate-authority-data"], "certificate-authority-data")
    elif cluster.get("certificate-authority"):
        ca_data = _read(_resolve_path(cluster["certificate-authority"], cluster_dir), "CA certificate")

    token = user.get("token")
    if not token and user.get("tokenFile"):
        token = _read(_resolve_path(user["tokenFile"], user_dir), "token file").strip()
    cert = key = None
    if user.get("client-certificate-data"):
        cert = _decode_b64(user["client-certificate-data"], "client-certificate-data")
    elif user.get("client-certificate"):
        cert = _read(_resolve_path(user["client-certificate"], user_dir), "client certificate")
    if user.get("client-key-data"):
        key = _decode_b64(user["client-key-data"], "client-key-data")
    elif user.get("client-key"):
        key = _read(_resolve_path(user["client-key"], user_dir), "client key")
    if user.get("exec"):
        status = _exec_credential(user["exec"], user_dir, run_command)
        token = status.get("token") or token
        cert = status.get("clientCertificateData") or cert
        key = status.get("clientKeyData") or key
    if user.get("auth-provider"):
        raise WandbModuleError(
            "kubeconfig user %r uses an auth-provider, which is not supported; use a token, client "
            "certificate or exec plugin, or EKS mode (eks_cluster_name)" % context.get("user")
        )
    return ClusterAccess(
        server=cluster["server"],
        ca_data=ca_data,
        insecure=bool(cluster.get("insecure-skip-tls-verify")),
        token=token,
        client_cert_data=cert,
        client_key_data=key,
        namespace=context.get("namespace"),
        kubeconfig_path=path_for_helm,
        context=name,
        source="kubeconfig",
    )


def _in_cluster_access():
    host, port = os.environ.get("KUBERNETES_SERVICE_HOST"), os.environ.get("KUBERNETES_SERVICE_PORT", "443")
    token_path = os.path.join(_IN_CLUSTER_DIR, "token")
    if not host or not os.path.exists(token_path):
        return None
    if ":" in host:
        host = "[%s]" % host
    ca_path = os.path.join(_IN_CLUSTER_DIR, "ca.crt")
    return ClusterAccess(
        server="https://%s:%s" % (host, port),
        token=_read(token_path, "service account token").strip(),
        ca_data=_read(ca_path, "CA certificate") if os.path.exists(ca_path) else None,
        source="in-cluster",
    )


def _eks_access(params):
    """EKS mode: endpoint and CA from DescribeCluster, the token made locally. boto3 (and amazon.aws) are imported
    only here, so the other access modes never pay for them."""
    from ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service import AwsService, eks_token  # pylint: disable=import-outside-toplevel

    aws = AwsService(params)
    endpoint, ca_b64 = aws.cluster_endpoint(params["eks_cluster_name"])
    return ClusterAccess(
        server=endpoint,
        ca_data=_decode_b64(ca_b64, "EKS certificateAuthority") if ca_b64 else None,
        token=eks_token(aws.session, params["eks_cluster_name"], params.get("endpoint_url")),
        source="eks",
    )


def resolve_cluster_access(params, run_command=None, api_host_option="host"):
    """Turn the module's access options into a ClusterAccess, or fail saying what to set.

    ``run_command`` (AnsibleModule.run_command) runs kubeconfig exec credential plugins.
    """
    if not HAS_YAML:  # pragma: no cover
        raise WandbModuleError("PyYAML is required: pip install pyyaml")
    if params.get("eks_cluster_name"):
        access = _eks_access(params)
    elif params.get(api_host_option):
        access = ClusterAccess(server=params[api_host_option], token=params.get("api_key"), source=api_host_option)
    else:
        kubeconfig = params.get("kubeconfig")
        if isinstance(kubeconfig, dict):
            config = {"clusters": {}, "users": {}, "contexts": {}, "current-context": None}
            _merge_kubeconfig(config, kubeconfig, None)
            access = _access_from_kubeconfig(config, params.get("context"), None, run_command)
        else:
            if kubeconfig:
                paths = [os.path.expanduser(str(kubeconfig))]
                if not os.path.exists(paths[0]):
                    raise WandbModuleError("kubeconfig %s does not exist" % paths[0])
            elif os.environ.get("KUBECONFIG"):
                paths = [p for p in os.environ["KUBECONFIG"].split(os.pathsep) if p]
            else:
                paths = [os.path.expanduser("~/.kube/config")]
            if not any(os.path.exists(p) for p in paths):
                access = _in_cluster_access()
                if access is None:
                    raise WandbModuleError(
                        "no Kubernetes access configured: no kubeconfig at %s; set kubeconfig, host "
                        "(+ api_key), or eks_cluster_name (+ region)" % os.pathsep.join(paths)
                    )
            else:
                config = _load_kubeconfig_files(paths)
                existing = [p for p in paths if os.path.exists(p)]
                # helm's --kubeconfig takes one file; a merged list is rendered to a temporary one instead
                access = _access_from_kubeconfig(
                    config, params.get("context"), existing[0] if len(existing) == 1 else None, run_command
                )
        if params.get("api_key"):
            access.token = params["api_key"]
            access.kubeconfig_path = None
    if params.get("ca_cert"):
        access.ca_data = _read(params["ca_cert"], "CA certificate")
        access.kubeconfig_path = None
    if params.get("validate_certs") is not None:
        if access.insecure != (not params["validate_certs"]):
            access.kubeconfig_path = None
        access.insecure = not params["validate_certs"]
    return access
