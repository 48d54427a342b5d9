# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes object operations the modules share: owned Secrets, server-side apply with a
dry-run comparison, workload readiness, and events for an object."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
from urllib.parse import quote

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import KubeApiError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.client import namespaced_path

MANAGED_BY = "selfmanaged.wandb"


def encode(value):
    return base64.b64encode(value.encode("utf-8")).decode("ascii")


def secret_body(namespace, name, data, labels, secret_type="Opaque"):
    """A Secret holding ``data`` (already base64, as the API stores it)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": secret_type,
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "data": data,
    }


def secret_matches(current, data, labels, secret_type="Opaque"):
    """Whether a stored Secret already holds ``data`` (base64) and ``labels``: values compared, never returned."""
    if current is None or current.get("type", "Opaque") != secret_type:
        return False
    current_data = current.get("data") or {}
    current_labels = (current.get("metadata") or {}).get("labels") or {}
    return all(current_data.get(k) == v for k, v in data.items()) and all(
        current_labels.get(k) == v for k, v in labels.items()
    )


def ensure_secret(kube, namespace, name, data, labels, field_manager, check_mode):
    """Create or update an Opaque Secret holding ``data`` (text); returns 'created', 'updated' or None.

    The comparison reads the Secret once; its content is never returned or logged.
    """
    path = namespaced_path("v1", "secrets", namespace, name)
    current = kube.get(path, missing_ok=True)
    wanted = dict((k, encode(v)) for k, v in data.items())
    if secret_matches(current, wanted, labels):
        return None
    if not check_mode:
        kube.apply(path, secret_body(namespace, name, wanted, labels), field_manager=field_manager, force=True)
    return "created" if current is None else "updated"


def delete_owned_secrets(kube, namespace, selector, check_mode):
    """Delete the Secrets this collection made for one object; returns their names."""
    items = (
        kube.list("/api/v1/namespaces/%s/secrets" % quote(namespace, safe=""), label_selector=selector).get("items")
        or []
    )
    names = [item["metadata"]["name"] for item in items]
    if not check_mode:
        for name in names:
            kube.delete(namespaced_path("v1", "secrets", namespace, name))
    return names


def workload_ready(obj):
    """Whether a Deployment or StatefulSet reports all its replicas ready for its latest spec."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    wanted = spec.get("replicas", 1)
    observed = status.get("observedGeneration")
    generation = (obj.get("metadata") or {}).get("generation")
    if observed is not None and generation is not None and observed < generation:
        return False
    if obj.get("kind") == "StatefulSet":
        return status.get("readyReplicas", 0) >= wanted and status.get("updatedReplicas", wanted) >= wanted
    return status.get("readyReplicas", 0) >= wanted and status.get("availableReplicas", wanted) >= wanted


def split_image(image):
    """``(repository, tag)`` of ``[registry[:port]/]path[:tag][@digest]``; the tag None when there is none."""
    name = image.partition("@")[0]
    repository, _sep, tag = name.rpartition(":")
    if not repository or "/" in tag:  # no tag, or the colon was a registry's port
        return name, None
    return repository, tag


def template_images(workload):
    """The images of a workload's pod template: its containers', then its init containers'."""
    pod = ((workload.get("spec") or {}).get("template") or {}).get("spec") or {}
    return [c.get("image") or "" for c in (pod.get("containers") or []) + (pod.get("initContainers") or [])]


def list_workloads(kube, namespace, selector):
    """Deployments and StatefulSets in ``namespace`` matching ``selector``, with a readiness flag and their images."""
    workloads = []
    for plural, kind in (("deployments", "Deployment"), ("statefulsets", "StatefulSet")):
        path = "/apis/apps/v1/namespaces/%s/%s" % (quote(namespace, safe=""), plural)
        for item in kube.list(path, label_selector=selector or None).get("items") or []:
            item.setdefault("kind", kind)
            status = item.get("status") or {}
            workloads.append(
                {
                    "kind": kind,
                    "name": item["metadata"]["name"],
                    "ready": workload_ready(item),
                    "replicas": (item.get("spec") or {}).get("replicas", 1),
                    "ready_replicas": status.get("readyReplicas", 0),
                    "images": template_images(item),
                }
            )
    return workloads


def events_for(kube, namespace, kind, name):
    """Event messages about one object, oldest first, as 'Reason: message'."""
    path = "/api/v1/namespaces/%s/events" % quote(namespace, safe="")
    try:
        items = (
            kube.list(path, field_selector="involvedObject.kind=%s,involvedObject.name=%s" % (kind, name)).get("items")
            or []
        )
    except KubeApiError as exc:
        if exc.status != 400:
            return []
        # An API server without event field selectors: filter here instead.
        items = [
            e
            for e in kube.list(path).get("items") or []
            if (e.get("involvedObject") or {}).get("kind") == kind
            and (e.get("involvedObject") or {}).get("name") == name
        ]
    items.sort(
        key=lambda e: (
            e.get("lastTimestamp") or e.get("eventTime") or (e.get("metadata") or {}).get("creationTimestamp") or ""
        )
    )
    return ["%s: %s" % (e.get("reason", ""), (e.get("message") or "").strip()) for e in items]
