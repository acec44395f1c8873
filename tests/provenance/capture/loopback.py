"""Network doubles that keep capture tests on loopback.

`FakeResolver` answers getaddrinfo from a table (numeric hosts pass through with
AI_NUMERICHOST), so no query reaches the machine's nameserver. `ConnectRecorder` logs every
socket connect and refuses any that is not loopback, so a guard bug shows up as a recorded
attempt without a packet leaving the machine. `LocalServer` is a threaded HTTP/1.1 server on
127.0.0.1 whose routes write whatever bytes a test needs.
"""

import errno
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

_real_getaddrinfo = socket.getaddrinfo


class FakeResolver:
    def __init__(self, table: dict | None = None):
        self.table = {"localhost": ["127.0.0.1"], **(table or {})}
        self.calls: list[str] = []

    def install(self, monkeypatch) -> "FakeResolver":
        monkeypatch.setattr(socket, "getaddrinfo", self)
        return self

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        numeric = flags | socket.AI_NUMERICHOST
        try:
            return _real_getaddrinfo(name, port, family, type, proto, numeric)
        except socket.gaierror:
            pass
        self.calls.append(name)
        answers = self.table.get(name.lower().rstrip("."))
        if callable(answers):
            answers = answers()
        if isinstance(answers, BaseException):
            raise answers
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            info
            for address in answers
            for info in _real_getaddrinfo(address, port, family, type, proto, numeric)
        ]


class ConnectRecorder:
    def __init__(self):
        self.attempts: list[tuple] = []

    def install(self, monkeypatch) -> "ConnectRecorder":
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

        def connect(sock, address):
            self._check(address)
            return real_connect(sock, address)

        def connect_ex(sock, address):
            self._check(address)
            return real_connect_ex(sock, address)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        return self

    @property
    def hosts(self) -> list[str]:
        return [a[0] for a in self.attempts]

    def _check(self, address) -> None:
        if not isinstance(address, tuple):  # a Unix socket path stays on the machine
            return
        self.attempts.append(address)
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise OSError(errno.ENETUNREACH, f"test network: connect to {address} blocked")


@dataclass
class Received:
    path: str
    headers: list[tuple[str, str]]


class LocalServer:
    """Routes map a path to `route(handler)`; `default` serves paths without a route."""

    def __init__(self, *, tls: ssl.SSLContext | None = None):
        self.routes: dict = {}
        self.default = None
        self.received: list[Received] = []
        self.server_names: list[str | None] = []  # TLS SNI seen
        self.stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.httpd.owner = self
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _ctx: self.server_names.append(name)
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str):
        def register(func):
            self.routes[path] = func
            return func

        return register

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        owner = self.server.owner
        owner.received.append(Received(self.path, list(self.headers.items())))
        route = owner.routes.get(urlsplit(self.path).path, owner.default)
        try:
            if route is None:
                respond(self, 404, b"no such route")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format, *args):
        pass


def respond(handler, status: int, body: bytes = b"", headers=()) -> None:
    """Send a complete response with Content-Length."""
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


# Fixtures shared by the fetcher tests: import them by these names into a test module
# (an imported autouse fixture applies to that module only).


@pytest.fixture(name="connects", autouse=True)
def connects_fixture(monkeypatch):
    """Every socket connect of the test recorded; non-loopback ones refused."""
    return ConnectRecorder().install(monkeypatch)


@pytest.fixture(name="allow_loopback", autouse=True)
def allow_loopback_fixture(settings):
    """The local servers allowed through the guard; no proxy configured."""
    settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.CAPTURE_PROXY_URL = ""


@pytest.fixture(name="server")
def server_fixture():
    local = LocalServer()
    yield local
    local.close()
