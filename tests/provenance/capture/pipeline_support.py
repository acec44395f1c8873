"""Shared pieces of the capture pipeline tests (fixtures are imported under their
`*_fixture` names and used by their `name=`): a real HTTP server on loopback and the
settings that let the fetcher reach it (CAPTURE_ALLOWED_NETWORKS) and keep files in a
temporary media directory. Imported explicitly by the modules that use them."""

import gzip
import io
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    gzip: bool = False
    delay: float = 0.0  # seconds between chunks, for slow downloads
    chunks: int = 1


class LocalServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with a table of routes; records each hit."""

    def __init__(self):
        self.routes: dict[str, Route | list[Route]] = {}
        self.hits: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                with server._lock:
                    server.hits.append(self.path)
                    route = server._next(self.path)
                if route is None:
                    route = Route(body=b"not here", status=404)
                body = gzip.compress(route.body, mtime=0) if route.gzip else route.body
                self.send_response(route.status)
                names = {name.lower() for name, _ in route.headers}
                for name, value in route.headers:
                    self.send_header(name, value)
                if route.gzip:
                    self.send_header("Content-Encoding", "gzip")
                if "content-type" not in names:
                    self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                step = max(1, len(body) // route.chunks)
                try:
                    for start in range(0, len(body), step):
                        self.wfile.write(body[start : start + step])
                        self.wfile.flush()
                        if route.delay:
                            time.sleep(route.delay)  # a slow server, by request
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _next(self, path: str) -> Route | None:
        route = self.routes.get(path)
        if isinstance(route, list):  # a sequence: one response per request, last repeats
            return route.pop(0) if len(route) > 1 else route[0]
        return route

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def route(self, path: str, body: bytes = b"", *, content_type: str = "", **kwargs) -> str:
        headers = list(kwargs.pop("headers", []))
        if content_type:
            headers.append(("Content-Type", content_type))
        self.routes[path] = Route(body=body, headers=headers, **kwargs)
        return self.url(path)

    def sequence(self, path: str, routes: list[Route]) -> str:
        self.routes[path] = list(routes)
        return self.url(path)

    def hits_for(self, path: str) -> int:
        return sum(1 for hit in self.hits if hit == path)

    def start(self) -> "LocalServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(name="http_server")
def http_server_fixture():
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture(name="capture_settings")
def capture_settings_fixture(settings, tmp_path):
    """Media in a temporary directory; the loopback server allowed through the guard."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CAPTURE_WORK_DIR = str(tmp_path / "work")
    (tmp_path / "work").mkdir()
    settings.CAPTURE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.CAPTURE_READ_TIMEOUT = 5.0
    settings.CAPTURE_CONNECT_TIMEOUT = 5.0
    settings.CAPTURE_DEADLINE = 20.0
    return settings


def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size=(640, 480), color=(10, 120, 200), *, exif: dict | None = None) -> bytes:
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 16):  # some structure, so the perceptual hash is not flat
        for y in range(size[1]):
            image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        for tag, value in exif.items():
            data[tag] = value
        kwargs["exif"] = data
    image.save(out, "JPEG", quality=90, **kwargs)
    return out.getvalue()


PAGE = b"""<!doctype html>
<html lang="en"><head>
<title>Drone over the  Kremlin</title>
<meta name="description" content="Footage of the night of 3 May 2023.">
<meta property="og:title" content="Drone over the Kremlin (OG)">
<meta property="og:image" content="/media/og.jpg">
<meta property="og:video" content="https://video.example.org/clip.mp4">
<meta name="twitter:image" content="/media/og.jpg">
<link rel="canonical" href="/news/drone">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "VideoObject", "name": "Clip",
 "contentUrl": "/media/clip.mp4"}
</script>
</head><body>
<video src="/media/clip.mp4"><source src="/media/clip.webm"></video>
<img src="/media/photo.png"><img src="data:image/png;base64,AAAA"><img src="/media/photo.png">
<img src="javascript:alert(1)"><img src="#frag">
</body></html>"""
