# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service behind the ``helm_release`` module: chart sources, release records, the decision.

No-op cost: the deployed release is read from its Helm storage object (one Kubernetes API list, no
helm process), the chart's name and version come from the request (pinned version), Chart.yaml
(local chart) or the repository index (unpinned), and values are compared as Helm stores them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import gzip
import json
import os
import re
from urllib.parse import quote

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import HelmError, KubeApiError, WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.client import (
    HelmClient,
    helm_duration,
    helm_seconds,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.crds import (
    ReleaseCrds,
    crd_names_in_chart_files,
    crds_in_text,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.helm.values import (
    leaf_paths,
    mask_paths,
    merge_values,
    normalise,
    same_values,
    versions_that_move,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import KubeRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.private_file import private_file
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options
from ansible_collections.selfmanaged.wandb.plugins.module_utils.yaml_safe import safe_load, yaml

PENDING_INSTALL = ("pending-install", "uninstalling")
PENDING_CHANGE = ("pending-upgrade", "pending-rollback")

# Actions, in the order the runner may chain them.
NONE, INSTALL, UPGRADE, UNINSTALL = "none", "install", "upgrade", "uninstall"
REINSTALL = "reinstall"  # uninstall a release stuck in pending-install, then install
ROLLBACK_UPGRADE = "rollback-upgrade"  # roll back a stuck pending-upgrade/rollback, then upgrade

_SEMVER_RE = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


# -- chart sources ---------------------------------------------------------------------------------
class ChartSource(object):
    """Where a chart comes from and which name/version it has (``version`` None: not known yet)."""

    LOCAL_DIR, LOCAL_TGZ, REPO, OCI = "local directory", "packaged chart", "repository", "OCI registry"

    def __init__(self, kind, ref, name, version=None, repo_url=None, pinned=False):
        self.kind = kind
        self.ref = ref  # what to give helm
        self.name = name
        self.version = version
        self.repo_url = repo_url
        self.pinned = pinned  # the user asked for this exact version

    @property
    def label(self):
        return "%s-%s" % (self.name, self.version) if self.version else self.name


def _chart_metadata_from_dir(path):
    chart_yaml = os.path.join(path, "Chart.yaml")
    try:
        with open(chart_yaml) as handle:
            return safe_load(handle) or {}
    except (IOError, OSError) as exc:
        raise WandbModuleError("chart %s is a directory without a readable Chart.yaml: %s" % (path, exc)) from exc
    except yaml.YAMLError as exc:
        raise WandbModuleError("%s is not valid YAML: %s" % (chart_yaml, exc)) from exc


def _chart_metadata_from_tgz(path):
    import tarfile  # pylint: disable=import-outside-toplevel  # only packaged charts need it

    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive.getmembers():
                parts = member.name.split("/")
                if len(parts) == 2 and parts[1] == "Chart.yaml":
                    return safe_load(archive.extractfile(member).read()) or {}
    except (tarfile.TarError, IOError, OSError) as exc:
        raise WandbModuleError("chart %s is not a readable chart archive: %s" % (path, exc)) from exc
    raise WandbModuleError("chart archive %s has no <name>/Chart.yaml" % path)


def semver_key(version):
    """Sort key for chart versions; None when the text is not a SemVer-like version."""
    match = _SEMVER_RE.match(str(version).strip())
    if not match:
        return None
    major, minor, patch, pre = match.groups()
    # A release sorts after its pre-releases; pre-release parts compare numerically where numeric.
    pre_key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ((2, 0, ""),)
    return (int(major), int(minor or 0), int(patch or 0), pre_key)


def latest_version(index, name, repo_url):
    """The newest non-prerelease version of ``name`` in a repository index (what helm picks)."""
    entries = ((index or {}).get("entries") or {}).get(name)
    if not entries:
        raise WandbModuleError("chart %r is not in the repository %s" % (name, repo_url))
    candidates = []
    for entry in entries:
        key = semver_key(entry.get("version", ""))
        if key is not None and "-" not in str(entry.get("version")):
            candidates.append((key, str(entry["version"])))
    if not candidates:
        raise WandbModuleError("chart %r in %s has no stable version; set chart_version" % (name, repo_url))
    return max(candidates)[1]


def resolve_chart(chart, repo_url, chart_version, fetch_index, show_chart):
    """Classify ``chart`` and learn its name/version with the cheapest call that can.

    ``fetch_index(repo_url)`` returns a parsed index.yaml; ``show_chart(ref, version)`` returns
    Chart.yaml of an OCI chart via ``helm show chart``. Neither is called for a pinned version.
    """
    if repo_url:
        if "/" in chart or chart.startswith("oci:"):
            raise WandbModuleError("with repo_url, chart must be a chart name such as 'wandb', not %r" % chart)
        source = ChartSource(
            ChartSource.REPO, chart, chart, chart_version, repo_url=repo_url, pinned=bool(chart_version)
        )
        if not chart_version:
            source.version = latest_version(fetch_index(repo_url), chart, repo_url)
        return source
    if chart.startswith("oci://"):
        ref, tag = chart, None
        last = chart.rsplit("/", 1)[-1]
        if ":" in last:
            ref, tag = chart.rsplit(":", 1)
            last = last.split(":", 1)[0]
        if tag and chart_version and tag != chart_version:
            raise WandbModuleError("chart %s names version %s but chart_version is %s" % (chart, tag, chart_version))
        version = chart_version or tag
        source = ChartSource(ChartSource.OCI, ref, last, version, pinned=bool(version))
        if not version:
            metadata = show_chart(ref, None)
            source.name = metadata.get("name", last)
            source.version = str(metadata.get("version"))
        return source
    path = os.path.expanduser(chart)
    if os.path.isdir(path):
        metadata, kind = _chart_metadata_from_dir(path), ChartSource.LOCAL_DIR
    elif os.path.isfile(path) and (path.endswith(".tgz") or path.endswith(".tar.gz")):
        metadata, kind = _chart_metadata_from_tgz(path), ChartSource.LOCAL_TGZ
    elif os.path.exists(path):
        raise WandbModuleError("chart %s is neither a chart directory nor a .tgz archive" % chart)
    else:
        raise WandbModuleError(
            "chart %r is not a local path, an oci:// reference, or a chart name with repo_url; "
            "give the repository URL in repo_url (helm repository aliases are not used)" % chart
        )
    if not metadata.get("name") or not metadata.get("version"):
        raise WandbModuleError("chart %s: Chart.yaml needs name and version" % chart)
    version = str(metadata["version"])
    if chart_version and str(chart_version) != version:
        raise WandbModuleError(
            "chart_version %s asked for, but the %s %s is version %s" % (chart_version, kind, chart, version)
        )
    return ChartSource(kind, path, str(metadata["name"]), version, pinned=True)


def check_chart(chart, repo_url, chart_version, head, fetch_index, show_chart):
    """Whether a chart can be fetched, with the cheapest call that proves it: ``(source, None, None)``, or
    ``(None, option, problem)`` naming the option at fault (chart, repo_url or chart_version).

    A pinned repository chart is one HEAD of ``<repo>/<name>-<version>.tgz`` (where most repositories keep it),
    else the index; ``head(url)`` returns the HTTP status or raises WandbModuleError when the repository cannot
    be reached. An OCI chart is ``helm show chart``; a local chart is read from disk.
    """
    if repo_url and chart_version and "/" not in chart:
        if head("%s/%s-%s.tgz" % (repo_url.rstrip("/"), chart, chart_version)) == 200:
            return (
                ChartSource(ChartSource.REPO, chart, chart, chart_version, repo_url=repo_url, pinned=True),
                None,
                None,
            )
    try:
        source = resolve_chart(chart, repo_url, None if repo_url else chart_version, fetch_index, show_chart)
    except HelmError as exc:
        if chart.startswith("oci://") and ("not found" in exc.msg or "manifest unknown" in exc.msg):
            return None, "chart_version" if (chart_version or ":" in chart.rsplit("/", 1)[-1]) else "chart", exc.msg
        return None, "chart", exc.msg
    except WandbModuleError as exc:
        if "cannot read the chart repository index" in exc.msg:
            return None, "repo_url", exc.msg
        return None, "chart", exc.msg
    if repo_url and chart_version:
        versions = [
            str(e.get("version")) for e in ((fetch_index(repo_url) or {}).get("entries") or {}).get(chart) or []
        ]
        if str(chart_version) not in versions:
            newest = sorted(versions, key=lambda v: semver_key(v) or (0,), reverse=True)[:5]
            return (
                None,
                "chart_version",
                "chart %s has no version %s in %s (newest: %s)"
                % (chart, chart_version, repo_url, ", ".join(newest) or "none"),
            )
        source.version, source.pinned = str(chart_version), True
    return source, None, None


def fetch_index(repo_url):
    """A chart repository's parsed index.yaml."""
    # Imported here: ansible.module_utils.urls costs ~0.14 s to import, and a pinned no-op never needs it.
    from ansible.module_utils.urls import open_url  # pylint: disable=import-outside-toplevel

    url = repo_url.rstrip("/") + "/index.yaml"
    try:
        return safe_load(open_url(url, timeout=60).read())
    except Exception as exc:  # pylint: disable=broad-except  # urllib raises many kinds
        raise WandbModuleError("cannot read the chart repository index %s: %s" % (url, exc)) from exc


# -- release records -------------------------------------------------------------------------------
class ReleaseRecord(object):
    """The latest revision of a release, as Helm stored it."""

    def __init__(
        self,
        name,
        namespace,
        revision,
        status,
        chart_name,
        chart_version,
        app_version,
        config,
        chart_label=None,
        crd_names=(),
    ):
        self.name = name
        self.namespace = namespace
        self.revision = revision
        self.status = status
        self.chart_name = chart_name
        self.chart_version = chart_version
        self.app_version = app_version
        self.config = config or {}
        self.chart_label = chart_label or ("%s-%s" % (chart_name, chart_version))
        self.crd_names = list(crd_names)  # the CRDs in the recorded chart's crds/

    @classmethod
    def from_release(cls, release):
        """From Helm's release JSON (storage object or ``helm ... -o json``)."""
        chart = release.get("chart") or {}
        metadata = chart.get("metadata") or {}
        info = release.get("info") or {}
        return cls(
            release.get("name"),
            release.get("namespace"),
            release.get("version"),
            info.get("status"),
            metadata.get("name"),
            metadata.get("version"),
            metadata.get("appVersion"),
            release.get("config"),
            crd_names=crd_names_in_chart_files(chart.get("files")),
        )


def decode_release(data, double_base64):
    """Helm's storage encoding: base64(gzip(json)); Secrets add Kubernetes' own base64 layer."""
    raw = base64.b64decode(data)
    if double_base64:
        raw = base64.b64decode(raw)
    if raw[:3] == b"\x1f\x8b\x08":
        raw = gzip.decompress(raw)
    return json.loads(raw.decode("utf-8"))


def read_release_from_storage(kube, name, namespace, driver):
    """Latest revision from the Secret/ConfigMap storage driver: one list call, no helm process."""
    plural = "configmaps" if driver.startswith("configmap") else "secrets"
    path = "/api/v1/namespaces/%s/%s" % (quote(namespace, safe=""), plural)
    try:
        items = kube.list(path, label_selector="owner=helm,name=%s" % name).get("items") or []
    except KubeApiError as exc:
        if exc.status == 404:
            return None
        raise
    latest = None
    for item in items:
        labels = (item.get("metadata") or {}).get("labels") or {}
        try:
            revision = int(labels.get("version", "0"))
        except ValueError:
            continue
        if latest is None or revision > latest[0]:
            latest = (revision, item)
    if latest is None:
        return None
    try:
        release = decode_release(latest[1]["data"]["release"], double_base64=(plural == "secrets"))
    except (KeyError, TypeError, ValueError, IOError, OSError) as exc:
        raise WandbModuleError("cannot decode the Helm release record of %s/%s: %s" % (namespace, name, exc)) from exc
    return ReleaseRecord.from_release(release)


def read_release_with_helm(helm, name, namespace):
    """For storage drivers this module cannot read directly (sql, memory): two helm calls."""
    try:
        history = helm.run_json(["history", name, "--namespace", namespace, "--max", "1", "--output", "json"])
    except HelmError as exc:
        if "not found" in exc.msg:
            return None
        raise
    if not history:
        return None
    latest = history[-1]
    config = helm.run_json(["get", "values", name, "--namespace", namespace, "--output", "json"])
    return ReleaseRecord(
        name,
        namespace,
        latest.get("revision"),
        latest.get("status"),
        None,
        None,
        latest.get("app_version"),
        config,
        chart_label=latest.get("chart"),
    )


# -- the decision ----------------------------------------------------------------------------------
def decide(state, record, chart=None, values=None, secret_paths=()):
    """What to do, and why: ``(action, reasons)``. Pure: every branch is unit-tested."""
    if state == "absent":
        if record is None or record.status == "uninstalled":
            return NONE, []
        return UNINSTALL, ["release exists (status %s)" % record.status]
    if record is None:
        return INSTALL, ["release does not exist"]
    if record.status == "uninstalled":
        return INSTALL, ["release was uninstalled (history kept)"]
    if record.status in PENDING_INSTALL:
        return REINSTALL, [
            "release is stuck in %s (an interrupted run); it is uninstalled and installed again" % record.status
        ]
    if record.status in PENDING_CHANGE:
        return ROLLBACK_UPGRADE, [
            "release is stuck in %s (an interrupted run); it is rolled back, then upgraded" % record.status
        ]
    reasons = []
    if record.status != "deployed":
        reasons.append("release status is %s" % record.status)
    if record.chart_name is None:
        if record.chart_label != chart.label:
            reasons.append("chart %s -> %s" % (record.chart_label, chart.label))
    else:
        if record.chart_name != chart.name:
            reasons.append("chart name %s -> %s" % (record.chart_name, chart.name))
        if str(record.chart_version) != str(chart.version):
            reasons.append("chart version %s -> %s" % (record.chart_version, chart.version))
    if not same_values(record.config or {}, values or {}):
        reasons.append("values differ")
        reasons.extend(versions_that_move(record.config, values, secret_paths))
    return (UPGRADE if reasons else NONE), reasons


# -- the runner ------------------------------------------------------------------------------------
_RELEASE_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_STORAGE_DRIVERS_READ_DIRECTLY = ("", "secret", "secrets", "configmap", "configmaps")


class HelmReleaseRunner(KubeRunner):
    """Reads the current release, decides, and (unless check mode) runs the fewest helm commands.

    The Kubernetes client and helm are built on first use: a no-op run never starts helm nor writes a kubeconfig.
    """

    def __init__(self, module, **kwargs):
        super(HelmReleaseRunner, self).__init__(module, **kwargs)
        self._helm = None

    def helm(self):
        if self._helm is None:
            access = self.access
            pass_fds = ()
            if access.kubeconfig_path:
                kube_args = ["--kubeconfig", access.kubeconfig_path]
                if access.context:
                    kube_args += ["--kube-context", access.context]
            else:
                # EKS mode and the like: a kubeconfig holding a bearer token, which never touches the disk
                path, fd = private_file("kubeconfig", json.dumps(access.to_kubeconfig()), self.module.tmpdir)
                kube_args, pass_fds = ["--kubeconfig", path], (fd,) if fd is not None else ()
            tmp = self.module.tmpdir
            env = {
                "HELM_REPOSITORY_CONFIG": os.path.join(tmp, "helm-repositories.yaml"),
                "HELM_REPOSITORY_CACHE": os.path.join(tmp, "helm-cache"),
            }
            self._helm = HelmClient(
                self.module, self.params.get("helm_binary"), kube_args=kube_args, env=env, pass_fds=pass_fds
            )
        return self._helm

    @staticmethod
    def _fetch_index(repo_url):
        return fetch_index(repo_url)

    def _show_chart(self, ref, version):
        args = ["show", "chart", ref] + (["--version", version] if version else [])
        return safe_load(self.helm().run(args, kube=False)) or {}

    def read_release(self):
        name, namespace = self.params["name"], self.params["namespace"]
        driver = os.environ.get("HELM_DRIVER", "secret").lower()
        if driver in _STORAGE_DRIVERS_READ_DIRECTLY:
            return read_release_from_storage(self.kube, name, namespace, driver or "secret")
        return read_release_with_helm(self.helm(), name, namespace)

    def run(self):
        p = self.params
        # Bad input fails here, before anything is read or changed.
        if len(p["name"]) > 53 or not _RELEASE_NAME_RE.match(p["name"]):
            raise WandbModuleError(
                "name %r is not a valid release name: lowercase letters, digits, '-' and '.', at most 53 characters"
                % p["name"]
            )
        check_options(p, [("namespace", "k8s_label")])
        if p["timeout"] is not None:
            helm_duration(p["timeout"])
        if p["history_max"] is not None and p["history_max"] < 0:
            raise WandbModuleError("history_max must be 0 (unlimited) or more")
        if p["state"] == "present" and not p["chart"]:
            raise WandbModuleError("chart is required with state=present")
        # A missing helm fails now, even when this run turns out to be a no-op (the check runs nothing).
        HelmClient(self.module, p.get("helm_binary"))
        values = merge_values(p["values_files"], p["values"], p["secret_values"]) if p["state"] == "present" else {}
        secret_paths = leaf_paths(p["secret_values"]) if p["secret_values"] else []

        record = self.read_release()
        chart = None
        if p["state"] == "present":
            chart = resolve_chart(p["chart"], p["repo_url"], p["chart_version"], self._fetch_index, self._show_chart)
        action, reasons = decide(p["state"], record, chart, values, secret_paths)

        result = dict(changed=action != NONE, action=action, reasons=reasons, name=p["name"], namespace=p["namespace"])
        # the CRDs this run applies (the new chart's, before Helm runs) or deletes (after the uninstall)
        crds_to_apply = self._chart_crds(chart) if p["apply_crds"] and action not in (NONE, UNINSTALL) else []
        crds_to_delete = self._release_crd_names(record) if p["state"] == "absent" and p["delete_crds"] else []
        result["crds"] = sorted(c["metadata"]["name"] for c in crds_to_apply) or crds_to_delete
        if crds_to_apply:
            reasons.append("CRDs of %s applied first: %s" % (chart.label, ", ".join(result["crds"])))
        if crds_to_delete:
            reasons.append("CRDs deleted after the uninstall: %s" % ", ".join(crds_to_delete))
            result["changed"] = True
        # the plan's part of the reasons: every version that moves, and the CRDs applied first
        result["versions"] = [r for r in reasons if " -> " in r or r.startswith("CRDs of ")]
        if self.module._diff:
            result["diff"] = self._diff(record, chart, values, secret_paths)
        if (action == NONE and not crds_to_delete) or self.module.check_mode:
            result.update(self._describe(record if action == NONE else None, chart))
            if action != NONE:
                result["status"] = "would %s" % action.replace("-", " then ")
            result["commands"] = self._helm.commands if self._helm else []
            return result

        if crds_to_apply:
            self._crds().apply(crds_to_apply)
        try:
            release = self._execute(action, chart, values) if action != NONE else None
        except HelmError as exc:
            # A failed install or upgrade still wrote a revision (status failed): that is a change, and it is reported.
            after = self.read_release()
            if after is not None and (
                record is None or after.revision != record.revision or after.status != record.status
            ):
                exc.details.update(
                    changed=True,
                    action=action,
                    reasons=reasons,
                    status=after.status,
                    revision=after.revision,
                    chart=after.chart_label,
                    commands=self.helm().commands,
                )
            raise
        if crds_to_delete:
            self._crds().delete(crds_to_delete, timeout=helm_seconds(p["timeout"]))
        result.update(self._describe(release, chart))
        result["commands"] = self._helm.commands if self._helm else []
        return result

    def _crds(self):
        return ReleaseCrds(self.kube, self.params["name"], self.params["namespace"])

    def _chart_crds(self, chart):
        """The CRDs in the ``crds/`` of the chart about to be installed (``helm show crds``)."""
        args = ["show", "crds", chart.ref]
        if chart.kind in (ChartSource.REPO, ChartSource.OCI) and chart.version:
            args += ["--version", chart.version]
        if chart.repo_url:
            args += ["--repo", chart.repo_url]
        return crds_in_text(self.helm().run(args, kube=False), chart.label)

    def _release_crd_names(self, record):
        """The CRDs of the release that still exist: its recorded chart's and those labelled with it."""
        crds = self._crds()
        names = set(record.crd_names if record is not None else []) | set(crds.labelled())
        return sorted(crds.existing(sorted(names)))

    def _execute(self, action, chart, values):
        p = self.params
        helm = self.helm()
        flags = helm.flags
        name, namespace = p["name"], p["namespace"]
        if action == UNINSTALL:
            helm.run(flags.uninstall(name, namespace, wait=p["wait"], timeout=p["timeout"]))
            return None
        if action == REINSTALL:
            helm.run(flags.uninstall(name, namespace))
        elif action == ROLLBACK_UPGRADE:
            helm.run(flags.rollback(name, namespace))
        # the values (secret_values among them) go through helm's stdin, never into a file
        release = helm.run_json(
            flags.upgrade(
                name,
                chart.ref,
                namespace,
                "-",
                chart_version=chart.version if chart.kind in (ChartSource.REPO, ChartSource.OCI) else None,
                repo_url=chart.repo_url,
                wait=p["wait"],
                atomic=p["atomic"],
                timeout=p["timeout"],
                skip_crds=p["skip_crds"] or p["apply_crds"],  # applied above, as the new chart has them
                history_max=p["history_max"],
                create_namespace=p["create_namespace"],
            ),
            stdin=json.dumps(values),
        )
        return ReleaseRecord.from_release(release)

    @staticmethod
    def _describe(record, chart):
        if record is None:
            return dict(status=None, revision=None, chart=chart.label if chart else None, app_version=None)
        return dict(
            status=record.status, revision=record.revision, chart=record.chart_label, app_version=record.app_version
        )

    def _diff(self, record, chart, values, secret_paths):
        def render(chart_label, config):
            if chart_label is None:
                return ""
            data = {"chart": chart_label, "values": mask_paths(normalise(config or {}), secret_paths)}
            return yaml.safe_dump(data, default_flow_style=False, sort_keys=True)

        present = record is not None and record.status != "uninstalled"
        before = render(record.chart_label, record.config) if present else ""
        after = render(chart.label, values) if chart is not None else ""
        header = "%s/%s" % (self.params["namespace"], self.params["name"])
        return dict(before=before, after=after, before_header=header, after_header=header)


# Where a chart comes from, for the modules that read a chart without installing it (doc fragment helm_chart_source)
CHART_SOURCE_ARGSPEC = dict(
    chart=dict(type="str", required=True),
    repo_url=dict(type="str"),
    chart_version=dict(type="str"),
    helm_binary=dict(type="path"),
)


class ChartCheckRunner(object):
    """The ``helm_chart_info`` module: can this chart be fetched? Reads only; starts helm only for OCI charts."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self._index = {}

    def _head(self, url):
        from urllib.error import HTTPError  # pylint: disable=import-outside-toplevel

        from ansible.module_utils.urls import open_url  # pylint: disable=import-outside-toplevel  # 0.14 s to import

        try:
            return open_url(url, method="HEAD", timeout=30).getcode()
        except HTTPError as exc:
            return exc.code
        except Exception:  # pylint: disable=broad-except  # unreachable or refused: the index read says why
            return None

    def _fetch_index(self, repo_url):
        if repo_url not in self._index:
            self._index[repo_url] = fetch_index(repo_url)
        return self._index[repo_url]

    def _show_chart(self, ref, version):
        tmp = self.module.tmpdir
        helm = HelmClient(
            self.module,
            self.params.get("helm_binary"),
            env={
                "HELM_REPOSITORY_CONFIG": os.path.join(tmp, "helm-repositories.yaml"),
                "HELM_REPOSITORY_CACHE": os.path.join(tmp, "helm-cache"),
            },
        )
        return (
            safe_load(helm.run(["show", "chart", ref] + (["--version", version] if version else []), kube=False)) or {}
        )

    def run(self):
        p = self.params
        source, option, problem = check_chart(
            p["chart"], p["repo_url"], p["chart_version"], self._head, self._fetch_index, self._show_chart
        )
        if source is None:
            return dict(
                changed=False,
                available=False,
                problem_option=option,
                problem=problem,
                chart=None,
                version=None,
                source=None,
            )
        return dict(
            changed=False,
            available=True,
            problem_option=None,
            problem=None,
            chart=source.name,
            version=source.version,
            source=source.kind,
        )
