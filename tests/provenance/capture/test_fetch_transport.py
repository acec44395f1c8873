"""How the fetcher connects: pinned addresses, proxies, TLS names, memory, failure codes.

Servers listen on 127.0.0.1 only; names resolve through a fake resolver and every connect is
recorded (non-loopback ones are blocked).
"""

import hashlib
import http.client
import shutil
import socket
import ssl
import subprocess
import tracemalloc
from urllib.parse import urlsplit

import pytest
import requests

from provenance.capture.fetch.fetcher import CaptureRefused, FetchError, FetchLimits, fetch
from tests.provenance.capture.loopback import (  # noqa: F401 (fixtures)
    ConnectRecorder,
    FakeResolver,
    LocalServer,
    allow_loopback_fixture,
    connects_fixture,
    respond,
)

LIMITS = FetchLimits(
    max_bytes=100_000_000, connect_timeout=2, read_timeout=2, deadline=20, max_redirects=3
)
TLS_NAME = "capture-test.example"


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    return FakeResolver({TLS_NAME: ["127.0.0.1"], "other.example": ["127.0.0.1"]}).install(
        monkeypatch
    )


@pytest.fixture
def server():
    local = LocalServer()
    local.routes["/ok"] = lambda h: respond(h, 200, b"ok")
    yield local
    local.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connects_to_the_checked_address_without_a_second_lookup(server, tmp_path, dns, connects):
    answers = iter([["127.0.0.1"]])
    dns.table["rebind.example"] = lambda: next(answers, ["10.0.0.1"])  # DNS rebinding

    result = fetch(server.url("/ok", host="rebind.example"), workdir=tmp_path, limits=LIMITS)

    assert result.http_status == 200
    assert dns.calls == ["rebind.example"]
    assert connects.attempts == [("127.0.0.1", server.port)]
    assert dict(server.received[0].headers)["Host"] == f"rebind.example:{server.port}"


def test_each_redirect_hop_is_resolved_and_checked_again(server, tmp_path, dns, connects):
    answers = iter([["127.0.0.1"]])
    dns.table["rebind.example"] = lambda: next(answers, ["10.0.0.1"])
    server.routes["/hop"] = lambda h: respond(h, 302, headers=[("Location", "/ok")])

    with pytest.raises(CaptureRefused) as refused:
        fetch(server.url("/hop", host="rebind.example"), workdir=tmp_path, limits=LIMITS)

    assert refused.value.code == "refused_address"
    assert dns.calls == ["rebind.example", "rebind.example"]
    assert connects.attempts == [("127.0.0.1", server.port)]


def test_one_refused_address_in_the_answer_refuses_the_name(server, tmp_path, dns, connects):
    dns.table["half.example"] = ["127.0.0.1", "10.0.0.1"]

    with pytest.raises(CaptureRefused) as refused:
        fetch(server.url("/ok", host="half.example"), workdir=tmp_path, limits=LIMITS)

    assert refused.value.message == (
        "Refused half.example: it resolves to 10.0.0.1 (private network). "
        "Captures fetch public internet addresses only; "
        "to allow a test network, list it in the CAPTURE_ALLOWED_NETWORKS setting."
    )
    assert connects.attempts == []


def test_proxy_environment_variables_are_ignored(server, tmp_path, connects, monkeypatch):
    dead_proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    result = fetch(server.url("/ok"), workdir=tmp_path, limits=LIMITS)

    assert result.raw_path.read_bytes() == b"ok"
    assert connects.attempts == [("127.0.0.1", server.port)]


def _forward(h):
    """A minimal forwarding proxy for absolute-form requests."""
    target = urlsplit(h.path)
    upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=5)
    upstream.request("GET", target.path, headers={"Host": h.headers["Host"]})
    answer = upstream.getresponse()
    respond(h, answer.status, answer.read(), [("Via", "1.1 test-proxy")])
    upstream.close()


def test_configured_proxy_is_used(server, tmp_path, connects, settings):
    proxy = LocalServer()
    proxy.default = _forward
    settings.CAPTURE_PROXY_URL = proxy.url("")
    try:
        result = fetch(server.url("/ok"), workdir=tmp_path, limits=LIMITS)
    finally:
        proxy.close()

    assert result.raw_path.read_bytes() == b"ok"
    assert ("Via", "1.1 test-proxy") in result.response_headers
    assert [r.path for r in proxy.received] == [server.url("/ok")]
    assert connects.attempts[0] == ("127.0.0.1", proxy.port)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", f"/CN={TLS_NAME}"]
    command += ["-addext", f"subjectAltName=DNS:{TLS_NAME}"]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603
    return cert, key


@pytest.fixture
def tls_server(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    local = LocalServer(tls=context)
    local.routes["/secure"] = lambda h: respond(h, 200, b"secret page")
    yield local
    local.close()


def test_tls_uses_the_name_for_sni_and_certificate_while_connecting_to_the_ip(
    tls_server, certificate, tmp_path, connects, monkeypatch
):
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(certificate[0]))

    result = fetch(tls_server.url("/secure", host=TLS_NAME), workdir=tmp_path, limits=LIMITS)

    assert result.raw_path.read_bytes() == b"secret page"
    assert result.remote_ip == "127.0.0.1"
    assert tls_server.server_names == [TLS_NAME]
    assert dict(tls_server.received[0].headers)["Host"] == f"{TLS_NAME}:{tls_server.port}"
    assert connects.attempts == [("127.0.0.1", tls_server.port)]


def test_untrusted_certificate_is_a_tls_error(tls_server, tmp_path):
    with pytest.raises(FetchError) as failed:
        fetch(tls_server.url("/secure", host=TLS_NAME), workdir=tmp_path, limits=LIMITS)

    assert (failed.value.code, failed.value.retryable) == ("tls_error", False)
    assert "certificate" in failed.value.message
    assert tls_server.server_names == [TLS_NAME]


def test_certificate_for_another_name_is_a_tls_error(
    tls_server, certificate, tmp_path, monkeypatch
):
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(certificate[0]))

    with pytest.raises(FetchError) as failed:
        fetch(tls_server.url("/secure", host="other.example"), workdir=tmp_path, limits=LIMITS)

    assert failed.value.code == "tls_error"
    assert tls_server.server_names == ["other.example"]


def test_large_download_keeps_memory_flat(server, tmp_path):
    block = bytes(range(256)) * 256  # 64 KiB
    blocks = 512  # 32 MiB

    def large(h):
        h.send_response(200)
        h.send_header("Content-Length", str(len(block) * blocks))
        h.end_headers()
        for _ in range(blocks):
            h.wfile.write(block)

    server.routes["/large"] = large
    expected = hashlib.sha256()
    for _ in range(blocks):
        expected.update(block)

    tracemalloc.start()
    try:
        result = fetch(server.url("/large"), workdir=tmp_path, limits=LIMITS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert (result.raw_size, result.raw_sha256) == (len(block) * blocks, expected.hexdigest())
    assert peak < 4_000_000, f"peak traced memory {peak} bytes for a 32 MiB body"


def _close_silently(h):
    h.close_connection = True


def _cut_body(h):
    h.send_response(200)
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(b"only ten b")
    h.close_connection = True


def _not_http(h):
    h.wfile.write(b"HELLO THERE\r\n\r\n")
    h.close_connection = True


@pytest.mark.parametrize(
    ("route", "code", "retryable"),
    [
        (_close_silently, "connection_reset", True),
        (_cut_body, "connection_reset", True),
        (_not_http, "bad_response", False),
    ],
)
def test_broken_responses_have_stable_codes(server, tmp_path, route, code, retryable):
    server.routes["/broken"] = route

    with pytest.raises(FetchError) as failed:
        fetch(server.url("/broken"), workdir=tmp_path, limits=LIMITS)

    assert (failed.value.code, failed.value.retryable) == (code, retryable)
    assert list(tmp_path.iterdir()) == []


def test_closed_port_is_a_retryable_connect_failure(tmp_path):
    with pytest.raises(FetchError) as failed:
        fetch(f"http://127.0.0.1:{closed_port()}/", workdir=tmp_path, limits=LIMITS)

    assert (failed.value.code, failed.value.retryable) == ("connect_failed", True)
    assert failed.value.message == (
        "Could not connect to 127.0.0.1; the site may be down. Try again later."
    )


def test_unknown_name_is_a_dns_failure(tmp_path, connects):
    with pytest.raises(FetchError) as failed:
        fetch("http://no-such-host.example/", workdir=tmp_path, limits=LIMITS)

    assert (failed.value.code, failed.value.retryable) == ("dns_failed", False)
    assert connects.attempts == []
