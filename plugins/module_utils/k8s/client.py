# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small Kubernetes REST client on the standard library.

Why not the ``kubernetes`` package: importing it costs about 0.6 s per module run, more than the
whole budget of a no-op ``helm_release``. The modules need a handful of verbs (get, list, apply,
delete, dry-run), which plain HTTPS with keep-alive covers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client as http_client
import json
import os
import socket
import ssl
from urllib.parse import quote, urlencode, urlparse

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import KubeApiError, WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.private_file import private_file

APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"


def _ssl_context(access):
    if access.insecure:
        context = ssl._create_unverified_context()  # noqa: S323 - the user turned validation off
    elif access.ca_data:
        # Trust only the cluster's CA; skipping the system store saves ~20 ms per module run.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cadata=access.ca_data)
    else:
        context = ssl.create_default_context()
    if access.client_cert_data:
        # ssl loads key pairs only from files: an anonymous in-memory one (see private_file), closed at once.
        path, fd = private_file(
            "k8s-client-key", access.client_cert_data.rstrip("\n") + "\n" + (access.client_key_data or "")
        )
        try:
            context.load_cert_chain(path)
        except ssl.SSLError as exc:
            raise WandbModuleError("cannot load the Kubernetes client certificate/key: %s" % exc) from exc
        finally:
            if fd is not None:
                os.close(fd)
            else:
                os.unlink(path)
    return context


class KubeClient(object):
    """Talks to one API server over one kept-alive connection."""

    def __init__(self, access, timeout=60):
        self.access = access
        url = urlparse(access.server)
        if url.scheme not in ("https", "http") or not url.hostname:
            raise WandbModuleError("Kubernetes host %r is not an http(s) URL" % access.server)
        self._scheme = url.scheme
        self._host = url.hostname
        self._port = url.port or (443 if url.scheme == "https" else 80)
        self._prefix = url.path.rstrip("/")
        self._timeout = timeout
        self._conn = None
        self.requests = 0  # counted, for tests and benchmarks

    def _connection(self):
        if self._conn is None:
            if self._scheme == "https":
                self._conn = http_client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=_ssl_context(self.access)
                )
            else:
                self._conn = http_client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _send(
        self,
        method,
        path,
        query=None,
        payload=None,
        content_type="application/json",
        accept="application/json",
        extra_headers=None,
    ):
        """One HTTP exchange over the kept-alive connection: ``(response, body bytes)``."""
        url = self._prefix + path
        if query:
            url += "?" + urlencode([(k, v) for k, v in query.items() if v is not None])
        headers = dict(extra_headers or {}, Accept=accept)
        if self.access.token:
            headers["Authorization"] = "Bearer " + self.access.token
        if payload is not None:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, url, body=payload, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (
                http_client.BadStatusLine,
                http_client.CannotSendRequest,
                ConnectionResetError,
                BrokenPipeError,
            ) as exc:
                # A kept-alive connection the server closed: reconnect once.
                self.close()
                if attempt == 2:
                    raise self._unreachable(exc) from exc
            except ssl.SSLError as exc:
                self.close()
                raise WandbModuleError(
                    "TLS error talking to the Kubernetes API at %s: %s (check ca_cert / validate_certs)"
                    % (self.access.server, exc)
                ) from exc
            except (socket.error, OSError) as exc:
                self.close()
                raise self._unreachable(exc) from exc
        self.requests += 1
        return response, data

    def request(self, method, path, query=None, body=None, content_type="application/json"):
        """One API call; returns the decoded JSON body, raises KubeApiError on an error status."""
        payload = None
        if body is not None:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        response, data = self._send(method, path, query=query, payload=payload, content_type=content_type)
        try:
            decoded = json.loads(data.decode("utf-8")) if data else {}
        except ValueError:
            decoded = {"message": data.decode("utf-8", "replace")[:500]}
        if response.status >= 400:
            message = decoded.get("message") if isinstance(decoded, dict) else None
            raise KubeApiError(
                "Kubernetes API %s %s failed (%s %s): %s"
                % (method, path, response.status, response.reason, message or "no details"),
                status=response.status,
                reason=(decoded.get("reason") if isinstance(decoded, dict) else None),
            )
        return decoded

    def _unreachable(self, exc):
        return WandbModuleError(
            "cannot reach the Kubernetes API at %s (%s): %s; check that the cluster is up and that "
            "kubeconfig/context/host point at it" % (self.access.server, self.access.source, exc)
        )

    def proxy(self, method, path, query=None, body=None, headers=None):
        """``(status, text)`` of a request through a service proxy, with the target's own headers (the API server
        passes them on); never raises on status: the target's answer is the caller's to read."""
        payload = body.encode("utf-8") if isinstance(body, str) else body
        response, data = self._send(
            method, path, query=query, payload=payload, content_type="text/plain", accept="*/*", extra_headers=headers
        )
        return response.status, data.decode("utf-8", "replace")

    def get_text(self, path):
        """``(status, text)`` of a GET that may not answer JSON (a service proxy); never raises on status."""
        response, data = self._send("GET", path, accept="*/*")
        return response.status, data.decode("utf-8", "replace")

    # -- verbs ---------------------------------------------------------------------------------
    def get(self, path, missing_ok=False):
        try:
            return self.request("GET", path)
        except KubeApiError as exc:
            if missing_ok and exc.status == 404:
                return None
            raise

    def list(self, path, label_selector=None, field_selector=None):
        return self.request("GET", path, query={"labelSelector": label_selector, "fieldSelector": field_selector})

    def apply(self, path, body, field_manager, force=False, dry_run=False):
        """Server-side apply; ``dry_run`` returns what the server would store, storing nothing."""
        query = {
            "fieldManager": field_manager,
            "force": "true" if force else None,
            "dryRun": "All" if dry_run else None,
        }
        return self.request("PATCH", path, query=query, body=body, content_type=APPLY_PATCH)

    def patch(self, path, body, dry_run=False, content_type=MERGE_PATCH):
        return self.request(
            "PATCH", path, query={"dryRun": "All" if dry_run else None}, body=body, content_type=content_type
        )

    def create(self, path, body, dry_run=False):
        return self.request("POST", path, query={"dryRun": "All" if dry_run else None}, body=body)

    def delete(self, path, missing_ok=True, dry_run=False):
        try:
            return self.request("DELETE", path, query={"dryRun": "All" if dry_run else None})
        except KubeApiError as exc:
            if missing_ok and exc.status == 404:
                return None
            raise


def namespaced_path(api_version, plural, namespace, name=None):
    """REST path of a namespaced resource (``v1`` core or ``group/version``)."""
    base = "/api/v1" if api_version == "v1" else "/apis/" + api_version
    path = "%s/namespaces/%s/%s" % (base, quote(namespace, safe=""), plural)
    if name:
        path += "/" + quote(name, safe="")
    return path
