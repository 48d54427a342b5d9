"""k8s_secret's data plan and k8s_service_probe against an HTTP server standing in for the API server's proxy."""

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.selfmanaged.wandb.plugins.module_utils.errors import WandbModuleError
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.secret import (
    copy_map,
    encode,
    generate_value,
    plan_data,
)
from ansible_collections.selfmanaged.wandb.plugins.module_utils.k8s.service_probe import ProbeRunner, proxy_path


def test_generated_key_is_made_once_and_then_kept():
    data, generated = plan_data({}, {}, ["admin-password"], {}, 32)
    assert generated == ["admin-password"]
    value = base64.b64decode(data["admin-password"]).decode()
    assert len(value) == 32 and value.isalnum()
    again, generated = plan_data(data, {}, ["admin-password"], {}, 32)
    assert again == data and generated == []


def test_given_and_copied_values_win_and_clash_with_generate():
    data, generated = plan_data({"a": encode("old")}, {"a": "new"}, [], {"b": encode("copied")}, 32)
    assert data == {"a": encode("new"), "b": encode("copied")} and generated == []
    with pytest.raises(WandbModuleError, match="both given"):
        plan_data({}, {"a": "x"}, ["a"], {}, 32)


def test_generated_values_differ():
    assert generate_value(32) != generate_value(32)


def test_copy_map_accepts_a_list_or_a_map():
    assert copy_map({"keys": ["password"]}) == {"password": "password"}
    assert copy_map({"keys": {"password": "admin-password"}}) == {"password": "admin-password"}
    with pytest.raises(WandbModuleError, match="at least one key"):
        copy_map({"keys": []})
    with pytest.raises(WandbModuleError, match="list of keys or a map"):
        copy_map({"keys": "password"})


class ProxyStandIn(BaseHTTPRequestHandler):
    """Answers like the API server's service proxy to ClickHouse: 503 until ``ready_after`` requests."""

    protocol_version = "HTTP/1.1"
    seen = []
    ready_after = 2

    def do_GET(self):
        ProxyStandIn.seen.append(self.path)
        ok = self.path.endswith("/proxy/ping") and len(ProxyStandIn.seen) > ProxyStandIn.ready_after
        status, body = (200, b"Ok.\n") if ok else (503, b'no endpoints available for service "clickhouse"')
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    ProxyStandIn.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), ProxyStandIn)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % server.server_port
    server.shutdown()


class FakeModule(object):
    check_mode = False

    def __init__(self, **params):
        self.params = dict(
            kubeconfig=None,
            context=None,
            api_key="tok",
            ca_cert=None,
            validate_certs=None,
            eks_cluster_name=None,
            path="/ping",
            scheme="http",
            expect_status=200,
            expect_body="Ok.",
            timeout=30,
            interval=1,
            namespace="clickhouse",
            service="clickhouse",
            port="8123",
        )
        self.params.update(params)

    def run_command(self, *args, **kwargs):
        raise AssertionError("no command expected")


def test_proxy_path():
    assert (
        proxy_path("ch", "clickhouse", "8123", "/ping")
        == "/api/v1/namespaces/ch/services/http:clickhouse:8123/proxy/ping"
    )


def test_probe_retries_until_the_service_answers(proxy):
    sleeps = []
    result = ProbeRunner(FakeModule(host=proxy), sleep=sleeps.append).run()
    assert result == dict(changed=False, status=200, body="Ok.\n", attempts=3)
    assert sleeps == [1, 1]
    assert ProxyStandIn.seen[-1] == "/api/v1/namespaces/clickhouse/services/http:clickhouse:8123/proxy/ping"


def test_probe_fails_with_the_last_answer(proxy):
    clock = iter(range(0, 1000, 10))
    with pytest.raises(WandbModuleError) as err:
        ProbeRunner(FakeModule(host=proxy, path="/nothing"), sleep=lambda s: None, clock=lambda: next(clock)).run()
    assert "did not answer 200 on /nothing within 30 s" in err.value.msg
    assert "503 no endpoints available" in err.value.msg
