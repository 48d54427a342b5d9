# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ClickHouse's HTTP interface through the Kubernetes API server's service proxy: no port-forward and no route to the
pods, so it works from a controller outside the cluster (EKS mode too), as the ``/ping`` probe does.

The user and password go in ClickHouse's own headers (``X-ClickHouse-User``/``-Key``): the API server consumes the
``Authorization`` header itself, and a password in the URL would be in the API server's audit log. Queries go in the
body; every answer is JSON, so nothing is parsed from text."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.service_probe import proxy_path

_CODE = re.compile(r"Code: (\d+)\.")
AUTHENTICATION_FAILED = 516
BACKUP_ALREADY_EXISTS = 598


class ClickHouseError(WandbModuleError):
    """An error ClickHouse answered, with its code (``details['clickhouse_code']``)."""

    @property
    def code(self):
        return self.details.get("clickhouse_code")


class ClickHouseHttp(object):
    """One ClickHouse Service's HTTP port, as ``user`` with ``password``, through ``kube`` (a KubeClient)."""

    def __init__(self, kube, namespace, service, port, user, password):
        self.kube = kube
        self.label = "ClickHouse at service %s/%s port %s" % (namespace, service, port)
        self.path = proxy_path(namespace, service, port, "/")
        self.user = user
        self.password = password
        self.queries = []  # what was sent (no secret is ever in a query), for the module's result

    def _post(self, sql, settings=None):
        query = dict(settings or {})
        headers = {"X-ClickHouse-User": self.user, "X-ClickHouse-Key": self.password}
        status, text = self.kube.proxy("POST", self.path, query=query, body=sql, headers=headers)
        text = text.replace(self.password, "********") if self.password else text
        if status == 200:
            return text
        code = _CODE.search(text)
        code = int(code.group(1)) if code else None
        if status == 503 and code is None:
            raise WandbModuleError("%s: no ready pod answers (%s)" % (self.label, text.strip()[:300]))
        if status == 404 and code is None:
            raise WandbModuleError("%s: no such service (%s)" % (self.label, text.strip()[:300]))
        if code == AUTHENTICATION_FAILED:
            raise ClickHouseError(
                "%s refused user %s: authentication failed (is the password Secret the one ClickHouse uses?)"
                % (self.label, self.user),
                clickhouse_code=code,
            )
        raise ClickHouseError("%s: %s" % (self.label, text.strip()[:2000]), clickhouse_code=code, status=status)

    def execute(self, sql):
        """A statement whose answer is not needed (DDL); ClickHouse's error raised as ClickHouseError."""
        self.queries.append(sql)
        self._post(sql)

    def rows(self, sql):
        """The rows of a query, as dicts (JSONEachRow)."""
        self.queries.append(sql)
        text = self._post(sql, {"default_format": "JSONEachRow"})
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise WandbModuleError("%s answered something that is not JSON: %s" % (self.label, text[:300])) from exc
