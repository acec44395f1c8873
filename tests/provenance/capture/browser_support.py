"""Shared pieces of the browser capture tests: the skip when Chromium is absent, settings,
a page with a script, a stylesheet, an image and references to refused addresses, and a
listener that counts connections made to it (what escapes the route would land there).

Imported explicitly by the modules that use them; fixtures by their `*_fixture` names.
"""

import contextlib
import os
import socket
import threading
from pathlib import Path

import psutil
import pytest

from provenance.capture.services import capture_run
from provenance.models import Capture
from tests.factories import EvidenceFactory
from tests.provenance.capture.pipeline_support import png_bytes

CHROMIUM = "/usr/bin/chromium"

needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)",
)

GREEN = (0, 200, 0)
PAGE = b"""<!doctype html>
<html lang="en"><head>
<title>Before the script</title>
<link rel="stylesheet" href="/old.css">
</head><body>
<p id="target">static text</p>
<img id="photo" src="/photo.png" width="64" height="48">
<img src="http://10.9.8.7/x.png">
<img src="http://169.254.169.254/latest/meta-data/">
<img src="http://internal.example/y.png">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<div style="height: 3000px">tall</div>
<script src="/app.js"></script>
</body></html>"""
APP_JS = b"""
document.getElementById("target").textContent = "changed by the script";
document.title = "Rendered page";
"""
STYLE = b"body { background: rgb(0, 200, 0); margin: 0; }"


@pytest.fixture(name="browser_settings")
def browser_settings_fixture(capture_settings):
    """capture_settings (loopback allowed, media in tmp) plus the browser on."""
    capture_settings.CAPTURE_BROWSER_ENABLED = True
    capture_settings.CAPTURE_BROWSER_PATH = CHROMIUM
    capture_settings.CAPTURE_BROWSER_DEADLINE = 30.0
    capture_settings.CAPTURE_MAX_ATTEMPTS = 1  # a failure is final: no retry to wait for
    return capture_settings


def serve_page(server) -> str:
    """The test page on `server` (pipeline_support.LocalServer); returns its start URL,
    which redirects to the page itself."""
    server.route("/page.html", PAGE, content_type="text/html; charset=utf-8")
    server.route("/app.js", APP_JS, content_type="text/javascript")
    server.route("/old.css", status=301, headers=[("Location", "/style.css")])
    server.route("/style.css", STYLE, content_type="text/css")
    server.route("/photo.png", png_bytes((64, 48), (200, 30, 30)), content_type="image/png")
    return server.route("/start", status=302, headers=[("Location", "/page.html")])


def browser_capture_for(url: str, *, kind: str = "web_page") -> Capture:
    evidence = EvidenceFactory(kind=kind, url=url)
    return evidence.captures.get(method=Capture.Method.BROWSER)


def run(capture: Capture) -> Capture:
    capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    return capture


def browser_processes() -> list[psutil.Process]:
    """Chromium or Playwright driver processes under this test process."""
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            command = " ".join(process.cmdline())
        except psutil.Error:
            continue
        if "chrom" in command or "playwright" in command:
            found.append(process)
    return found


class ConnectionCounter:
    """A loopback listener that accepts and counts every connection made to it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        # Count what the kernel already took in: a connect made before now (the browser has
        # exited) completed on loopback and waits in the backlog.
        self.sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while True:
                conn, _ = self.sock.accept()
                self.accepted += 1
                conn.close()
        self.sock.close()


class DatagramCounter:
    """A loopback UDP socket that counts the datagrams sent to it (a STUN server)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self.received += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        # Loopback datagrams sent before now are already in the receive buffer: count them.
        self.sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while True:
                self.sock.recvfrom(4096)
                self.received += 1
        self.sock.close()


def png_size(path_or_bytes) -> tuple[int, int]:
    data = Path(path_or_bytes).read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
