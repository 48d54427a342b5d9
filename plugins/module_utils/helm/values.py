# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values as Helm sees them: merge in Helm's order, normalise for comparison, mask secrets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.yaml_safe import SafeLoader, yaml

if yaml:

    class _HelmLikeLoader(SafeLoader):
        """The safe loader, keeping timestamps as strings, as Helm does (JSON has no date type)."""

    _HelmLikeLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()
    }

MASK = "********"


def deep_merge(base, override):
    """Helm's -f merge: maps merge recursively, anything else (lists, scalars, null) replaces."""
    result = copy.deepcopy(base) if isinstance(base, dict) else {}
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def load_values_file(path):
    try:
        with open(path, "r") as handle:
            data = yaml.load(handle, Loader=_HelmLikeLoader)  # noqa: S506 - a SafeLoader subclass
    except (IOError, OSError) as exc:
        raise WandbModuleError("cannot read values file %s: %s" % (path, exc)) from exc
    except yaml.YAMLError as exc:
        raise WandbModuleError("values file %s is not valid YAML: %s" % (path, exc)) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise WandbModuleError("values file %s must hold a mapping, not %s" % (path, type(data).__name__))
    return data


def merge_values(values_files, values, secret_values):
    """The user-supplied values of a release, merged in Helm's order: files, then values, then secrets."""
    merged = {}
    for path in values_files or []:
        merged = deep_merge(merged, load_values_file(path))
    merged = deep_merge(merged, values or {})
    return deep_merge(merged, secret_values or {})


def normalise(value):
    """The form Helm stores values in (JSON through Go's float64): string keys, integral floats as ints.

    Two values that normalise equal are what Helm would store identically.
    """
    if isinstance(value, dict):
        return dict((str(k), normalise(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        as_float = float(value)
        return int(as_float) if as_float.is_integer() else as_float
    return value


def same_values(left, right):
    """Whether Helm would store both alike. Compared as canonical JSON, so that True is not 1."""
    return json.dumps(normalise(left), sort_keys=True) == json.dumps(normalise(right), sort_keys=True)


# Leaves that say which version runs: image tags (and digests), chart and app versions.
VERSION_KEYS = ("tag", "digest", "version", "appVersion")


def versions_that_move(before, after, secret_paths=()):
    """``path: old -> new`` for each version leaf (VERSION_KEYS) that differs between two sets of values, for a plan
    that shows what moves among everything that differs. Secret paths are never shown."""

    def leaves(value):
        found = {}
        for path in leaf_paths(normalise(value or {})):
            if path and path[-1] in VERSION_KEYS and tuple(path) not in secret_paths:
                node = value
                for key in path:
                    node = node.get(key) if isinstance(node, dict) else None
                found[path] = node
        return found

    old, new = leaves(before), leaves(after)
    return [
        "%s: %s -> %s" % (".".join(path), old.get(path, "(chart default)"), new.get(path, "(chart default)"))
        for path in sorted(set(old) | set(new))
        if str(old.get(path)) != str(new.get(path))
    ]


def leaf_paths(value, prefix=()):
    """Paths to every leaf of a nested dict (a dict leaf that is empty counts as a leaf)."""
    if isinstance(value, dict) and value:
        paths = []
        for key, child in value.items():
            paths.extend(leaf_paths(child, prefix + (str(key),)))
        return paths
    return [prefix]


def mask_paths(value, paths):
    """A copy of ``value`` with every given path that exists replaced by a mask."""
    result = copy.deepcopy(value)
    for path in paths:
        node = result
        for key in path[:-1]:
            if not isinstance(node, dict) or key not in node:
                node = None
                break
            node = node[key]
        if isinstance(node, dict) and path and path[-1] in node:
            node[path[-1]] = MASK
    return result
