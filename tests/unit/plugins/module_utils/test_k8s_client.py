"""The REST client against a small HTTP server on 127.0.0.1 that records requests."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import KubeApiError, WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.access import ClusterAccess
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.client import KubeClient, namespaced_path


class Recorder(BaseHTTPRequestHandler):
    requests = []
    protocol_version = "HTTP/1.1"

    def handle_one(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        Recorder.requests.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        status, payload = (
            (404, {"kind": "Status", "reason": "NotFound", "message": 'secrets "x" not found'})
            if "missing" in self.path
            else (200, {"kind": "Thing", "path": self.path})
        )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PATCH = do_DELETE = do_POST = handle_one

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def client():
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    kube = KubeClient(ClusterAccess("http://127.0.0.1:%d" % server.server_port, token="tok", source="host"))
    yield kube
    kube.close()
    server.shutdown()


def last():
    return Recorder.requests[-1]


def test_get_sends_the_bearer_token_and_reuses_the_connection(client):
    assert client.get("/api/v1/namespaces/a")["path"] == "/api/v1/namespaces/a"
    client.get("/api/v1/namespaces/b")
    assert last()["headers"]["Authorization"] == "Bearer tok"
    assert client.requests >= 2


def test_list_encodes_selectors(client):
    client.list("/api/v1/namespaces/ns/secrets", label_selector="owner=helm,name=r")
    assert last()["path"] == "/api/v1/namespaces/ns/secrets?labelSelector=owner%3Dhelm%2Cname%3Dr"


def test_apply_is_a_server_side_apply_patch(client):
    client.apply(
        "/apis/apps.wandb.com/v1/namespaces/ns/weightsandbiases/w", {"spec": {}}, "mgr", force=True, dry_run=True
    )
    request = last()
    assert request["method"] == "PATCH"
    assert request["headers"]["Content-Type"] == "application/apply-patch+yaml"
    assert request["path"].endswith("?fieldManager=mgr&force=true&dryRun=All")
    assert json.loads(request["body"]) == {"spec": {}}


def test_errors_carry_status_and_message(client):
    with pytest.raises(KubeApiError) as raised:
        client.get("/api/v1/namespaces/ns/secrets/missing")
    assert raised.value.status == 404 and 'secrets "x" not found' in raised.value.msg
    assert client.get("/api/v1/namespaces/ns/secrets/missing", missing_ok=True) is None
    assert client.delete("/api/v1/namespaces/ns/secrets/missing") is None


def test_unreachable_and_bad_urls():
    with pytest.raises(WandbModuleError, match="cannot reach the Kubernetes API at https://127.0.0.1:9"):
        KubeClient(ClusterAccess("https://127.0.0.1:9", source="host")).get("/version")
    with pytest.raises(WandbModuleError, match="not an http"):
        KubeClient(ClusterAccess("ftp://x", source="host"))


def test_namespaced_paths():
    assert namespaced_path("v1", "secrets", "ns", "a b") == "/api/v1/namespaces/ns/secrets/a%20b"
    assert (
        namespaced_path("apps.wandb.com/v1", "weightsandbiases", "ns")
        == "/apis/apps.wandb.com/v1/namespaces/ns/weightsandbiases"
    )
