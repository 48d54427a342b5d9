# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets whose values Ansible never has to hold: given, generated once, or copied inside the cluster."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import secrets
import string

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.client import namespaced_path
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.objects import (
    MANAGED_BY,
    encode,
    secret_body,
    secret_matches,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.runner import KubeRunner
from ansible_collections.selfmanaged.wandb.plugins.module_utils.validation import check_options, secret_key

# Letters and digits only: safe unquoted in XML, URLs, shell and the charts' templates.
_ALPHABET = string.ascii_letters + string.digits


def generate_value(length):
    return "".join(secrets.choice(_ALPHABET) for dummy in range(length))


def read_secret_value(kube, namespace, name, key):
    """One value of a Secret, decoded, for a module that hands it straight to another API (never returned)."""
    secret = kube.get(namespaced_path("v1", "secrets", namespace, name), missing_ok=True)
    if secret is None:
        raise WandbModuleError("Secret %s/%s does not exist" % (namespace, name))
    value = (secret.get("data") or {}).get(key)
    if not value:
        raise WandbModuleError("Secret %s/%s has no key %s" % (namespace, name, key))
    return base64.b64decode(value).decode("utf-8")


def copy_map(copy_from):
    """``{target key: source key}`` from ``copy_from.keys`` (a list of keys or a map)."""
    keys = copy_from.get("keys")
    if not keys:
        raise WandbModuleError("copy_from.keys must name at least one key")
    if isinstance(keys, list):
        return dict((str(k), str(k)) for k in keys)
    if isinstance(keys, dict):
        return dict((str(k), str(v)) for k, v in keys.items())
    raise WandbModuleError("copy_from.keys must be a list of keys or a map of target key to source key")


def check_given(given):
    """``data`` values are stored as text: strings, and numbers as they read; anything else would be stored as a
    Python repr ("None", "True", "{'x': 1}"), so it is refused, naming the key (never the value)."""
    for key, value in (given or {}).items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise WandbModuleError(
                "data.%s must be a string (or a number); got %s - quote it, or to_json a structure yourself"
                % (key, "null" if value is None else type(value).__name__)
            )
    for key in list(given or {}):
        if secret_key(key):
            raise WandbModuleError("data key %r %s" % (key, secret_key(key)))


def plan_data(current_data, given, generate, copied, length):
    """The Secret's ``data`` (base64) and which keys were generated now.

    ``given`` and ``copied`` always win; a ``generate`` key keeps its current value, so it is made once.
    """
    wanted = dict((k, encode(str(v))) for k, v in given.items())
    wanted.update(copied)
    generated = []
    for key in generate:
        if key in wanted:
            raise WandbModuleError("key %s is both given (data/copy_from) and in generate" % key)
        if current_data.get(key):
            wanted[key] = current_data[key]
        else:
            wanted[key] = encode(generate_value(length))
            generated.append(key)
    return wanted, generated


class SecretRunner(KubeRunner):
    def run(self):
        p = self.params
        check_options(p, [("name", "k8s_name"), ("namespace", "k8s_label")])
        if p["generate_length"] < 16:
            raise WandbModuleError("generate_length must be at least 16")
        check_given(p.get("data"))
        for key in p.get("generate") or []:
            if secret_key(key):
                raise WandbModuleError("generate key %r %s" % (key, secret_key(key)))
        kube = self.kube
        path = namespaced_path("v1", "secrets", p["namespace"], p["name"])
        current = kube.get(path, missing_ok=True)
        label = "Secret %s/%s" % (p["namespace"], p["name"])
        if p["state"] == "absent":
            if current is not None and not self.module.check_mode:
                kube.delete(path)
            return self._result(current is not None, current, None, [], label)

        if not self.module.check_mode:
            self.require_namespace(p["namespace"])
        copied = self._copied(kube)
        if copied is None:  # check mode before the source exists: it would be copied on a real run
            return self._result(
                True, current, None, [], label, pending="copy_from source %s does not exist yet" % self._source_label()
            )
        given = p["data"] or {}
        current_data = (current or {}).get("data") or {}
        data, generated = plan_data(current_data, given, p["generate"] or [], copied, p["generate_length"])
        labels = dict(p["labels"] or {}, **{"app.kubernetes.io/managed-by": MANAGED_BY})
        same = secret_matches(current, data, labels, p["type"])
        if not same and not self.module.check_mode:
            self.apply(path, secret_body(p["namespace"], p["name"], data, labels, p["type"]), label, force=True)
        return self._result(not same, current, data, generated, label)

    def _source_label(self):
        source = self.params["copy_from"]
        return "%s/%s" % (source.get("namespace") or self.params["namespace"], source["name"])

    def _copied(self, kube):
        """``{key: base64 value}`` read from copy_from's Secret; None in check mode when it is missing."""
        source = self.params["copy_from"]
        if not source:
            return {}
        keys = copy_map(source)
        secret = kube.get(
            namespaced_path("v1", "secrets", source.get("namespace") or self.params["namespace"], source["name"]),
            missing_ok=True,
        )
        if secret is None:
            if self.module.check_mode:
                return None
            raise WandbModuleError("copy_from: Secret %s does not exist" % self._source_label())
        data = secret.get("data") or {}
        missing = sorted(src for src in keys.values() if src not in data)
        if missing:
            raise WandbModuleError("copy_from: Secret %s has no key %s" % (self._source_label(), ", ".join(missing)))
        return dict((target, data[src]) for target, src in keys.items())

    def _result(self, changed, current, data, generated, label, pending=None):
        before = sorted((current or {}).get("data") or {})
        after = sorted(data) if data is not None else before
        current_data = (current or {}).get("data") or {}
        updated = sorted(k for k in (data or {}) if k in current_data and current_data[k] != data[k])
        result = dict(
            changed=changed,
            name=self.params["name"],
            namespace=self.params["namespace"],
            secret_keys=after if self.params["state"] == "present" else [],
            generated=generated,
            updated=updated,
        )
        if pending:
            result["msg"] = pending
        if self.module._diff:
            # Key names only; a changed value shows as a changed marker, never as the value.
            result["diff"] = dict(
                before_header=label,
                after_header=label,
                before={"keys": before} if current is not None else {},
                after={"keys": after, "updated": updated, "generated": generated}
                if self.params["state"] == "present"
                else {},
            )
        return result
