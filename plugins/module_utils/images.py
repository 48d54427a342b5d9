# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Image references and a private registry that mirrors them: one naming rule for every role's images (and for the
list of images to mirror), so that what a role pulls is where the mirror put it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCKER_HUB = "docker.io"


def split_reference(reference):
    """(registry, path, suffix) of an image reference as a container runtime resolves it: ``docker.io`` when the
    first component is no host (no '.' or ':', not localhost), Docker Hub's ``library/`` before a one-part name, and
    the suffix ``:tag``, ``@digest`` or both as given ('' when there is none)."""
    text = str(reference).strip()
    suffix = ""
    if "@" in text:
        text, digest = text.split("@", 1)
        suffix = "@" + digest
    if ":" in text.rsplit("/", 1)[-1]:
        text, tag = text.rsplit(":", 1)
        suffix = ":" + tag + suffix
    first, _sep, rest = text.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, text
    if registry == DOCKER_HUB and "/" not in path:
        path = "library/" + path
    return registry, path, suffix


def mirrored(reference, registry):
    """``reference`` as pulled from the mirror ``registry`` (host[:port][/path]): the mirror, then the image's path
    without its own registry - docker.io/clickhouse/clickhouse-server and clickhouse/clickhouse-server both become
    REGISTRY/clickhouse/clickhouse-server, public.ecr.aws/eks/aws-load-balancer-controller
    REGISTRY/eks/aws-load-balancer-controller. An empty ``registry`` leaves the reference as it is."""
    if not registry:
        return reference
    dummy, path, suffix = split_reference(reference)
    return "%s/%s%s" % (str(registry).strip().rstrip("/"), path, suffix)


def qualified(reference):
    """``reference`` with its registry spelled out, as a container runtime resolves it (docker.io/library/busybox:1.36
    for busybox:1.36): what image copying tools read the same way a node pulls it."""
    registry, path, suffix = split_reference(reference)
    return "%s/%s%s" % (registry, path, suffix)


def pinned(reference):
    """Whether ``reference`` names one build: a digest, or a tag other than ``latest`` (a bare name means latest)."""
    dummy, dummy_path, suffix = split_reference(reference)
    if "@" in suffix:
        return True
    return bool(suffix) and suffix != ":latest"


# What runs pods, and where each keeps its pod spec.
_POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def _helm_test_only(obj):
    """A chart's ``helm test`` hook: it runs only when someone runs helm test, never at install or upgrade."""
    hooks = ((obj.get("metadata") or {}).get("annotations") or {}).get("helm.sh/hook") or ""
    names = [h.strip() for h in str(hooks).split(",") if h.strip()]
    return bool(names) and all(h in ("test", "test-success", "test-failure") for h in names)


def workload_images(objects):
    """[(Kind/name, image)] of every container and init container of the workloads among ``objects`` (rendered
    manifests: dicts, None for empty documents), in their order; a chart's ``helm test`` hooks aside (install and
    upgrade hooks run, and count)."""
    found = []
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("kind") not in _POD_SPEC_PATHS or _helm_test_only(obj):
            continue
        spec = obj
        for key in _POD_SPEC_PATHS[obj["kind"]]:
            spec = (spec or {}).get(key) or {}
        name = "%s/%s" % (obj["kind"], (obj.get("metadata") or {}).get("name", "?"))
        for container in list(spec.get("initContainers") or []) + list(spec.get("containers") or []):
            if container.get("image"):
                found.append((name, str(container["image"])))
    return found
