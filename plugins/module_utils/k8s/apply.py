# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server-side apply of arbitrary objects, on the collection's own Kubernetes access (EKS mode included)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import KubeRunner

# Server-owned metadata that differs between any two reads and says nothing about the desired state.
_VOLATILE_METADATA = ("managedFields", "resourceVersion", "generation", "creationTimestamp", "uid", "selfLink")
_HIDDEN = "VALUE_HIDDEN"


def comparable(obj):
    """An object without status and volatile metadata: what the user's apply can change."""
    if obj is None:
        return None
    result = dict((k, v) for k, v in obj.items() if k != "status")
    result["metadata"] = dict((k, v) for k, v in (obj.get("metadata") or {}).items() if k not in _VOLATILE_METADATA)
    return result


def for_output(obj):
    """Secrets' values never leave the module."""
    obj = comparable(obj)
    if obj and obj.get("kind") == "Secret":
        for key in ("data", "stringData"):
            if key in obj:
                obj[key] = dict((k, _HIDDEN) for k in obj[key])
    return obj


class ResourceMap(object):
    """kind -> (plural, namespaced) per apiVersion, from API discovery (one call per apiVersion)."""

    def __init__(self, kube):
        self.kube = kube
        self._cache = {}

    def lookup(self, api_version, kind):
        if api_version not in self._cache:
            path = "/api/v1" if api_version == "v1" else "/apis/%s" % api_version
            discovered = self.kube.get(path, missing_ok=True)
            if discovered is None:
                raise WandbModuleError("the cluster does not serve %s (is its CRD installed?)" % api_version)
            self._cache[api_version] = dict(
                (r["kind"], (r["name"], r.get("namespaced", False)))
                for r in discovered.get("resources") or []
                if "/" not in r["name"]
            )
        if kind not in self._cache[api_version]:
            raise WandbModuleError("%s has no kind %s" % (api_version, kind))
        return self._cache[api_version][kind]

    def path(self, obj, default_namespace):
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        name = (obj.get("metadata") or {}).get("name")
        if not api_version or not kind or not name:
            raise WandbModuleError("every definition needs apiVersion, kind and metadata.name")
        plural, namespaced = self.lookup(api_version, kind)
        base = "/api/v1" if api_version == "v1" else "/apis/%s" % api_version
        if namespaced:
            namespace = (obj.get("metadata") or {}).get("namespace") or default_namespace
            if not namespace:
                raise WandbModuleError("%s %s is namespaced: set metadata.namespace or namespace" % (kind, name))
            obj.setdefault("metadata", {})["namespace"] = namespace
            return "%s/namespaces/%s/%s/%s" % (base, quote(namespace, safe=""), plural, quote(name, safe=""))
        return "%s/%s/%s" % (base, plural, quote(name, safe=""))


class ApplyRunner(KubeRunner):
    def run(self):
        p = self.params
        definitions = p["definition"] if isinstance(p["definition"], list) else [p["definition"]]
        if not all(isinstance(d, dict) for d in definitions):
            raise WandbModuleError("definition must be an object or a list of objects")
        for definition in definitions:
            if definition.get("kind") == "Secret":
                # Masked wherever they would appear, the invocation's module_args included.
                for key in ("data", "stringData"):
                    self.module.no_log_values.update(str(v) for v in (definition.get(key) or {}).values() if v)
        resources = ResourceMap(self.kube)
        targets = []
        for definition in definitions:
            obj = dict(definition)
            targets.append((obj, resources.path(obj, p["namespace"])))  # every path resolved before any change
        outcomes = [self._one(obj, path) for obj, path in targets]
        if p["state"] == "absent" and p.get("wait") and not self.module.check_mode:
            # A Namespace takes its PersistentVolumeClaims with it; the EBS volumes go only while the CSI driver still
            # runs, so a teardown must not move on before the objects are gone. All are deleted first, then waited
            # for: their finalizers run side by side.
            for (_obj, path), outcome in zip(targets, outcomes):
                if outcome["changed"]:
                    self.wait_gone(path, outcome["object"], p["wait_timeout"])
        result = dict(changed=any(o["changed"] for o in outcomes), results=outcomes)
        diffs = [o.pop("_diff") for o in outcomes]
        if self.module._diff:
            result["diff"] = diffs
        return result

    def _one(self, obj, path):
        p = self.params
        existing = self.kube.get(path, missing_ok=True)
        label = "%s/%s" % (obj["kind"], obj["metadata"]["name"])
        if p["state"] == "absent":
            if existing is not None and not self.module.check_mode:
                self.kube.delete(path)
            return dict(
                object=label,
                action="delete" if existing else "none",
                changed=existing is not None,
                _diff=dict(before=for_output(existing) or {}, after={}, before_header=label, after_header=label),
            )
        namespace = (obj.get("metadata") or {}).get("namespace")  # set by ResourceMap.path for namespaced kinds only
        if existing is None and self.module.check_mode and namespace and not self.namespace_exists(namespace):
            # a plan before the namespace exists (it is made earlier in the same run): nothing to dry-run against
            return dict(
                object=label,
                action="create",
                changed=True,
                resource=None,
                _diff=dict(before={}, after=for_output(obj), before_header=label, after_header=label),
            )
        changed, stored = self.apply_if_changed(path, obj, label, existing, comparable)
        action = "none" if not changed else ("create" if existing is None else "update")
        return dict(
            object=label,
            action=action,
            changed=changed,
            resource=for_output(stored),
            _diff=dict(
                before=for_output(existing) or {}, after=for_output(stored), before_header=label, after_header=label
            ),
        )
