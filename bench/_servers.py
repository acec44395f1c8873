"""Local HTTP file server for bench/capture.py; run as a subprocess, listens on 127.0.0.1 only.

    python bench/_servers.py --root DIR [--port 0]

Prints `PORT <n>` once it listens, then serves until its standard input closes (so it
cannot outlive the benchmark) or it gets SIGTERM:

  GET /files/<name>  a file of DIR, sent with sendfile(2) (no copy through Python)
  GET /big/<bytes>   <bytes> of a deterministic pattern generated on the fly (never on
                     disk); `pattern_sha256(<bytes>)` gives its SHA-256
  GET /slow/<wait_ms>/<spread_ms>/<name>
                     the file <name> of DIR after <wait_ms> (a real site's latency), its
                     body in 10 pieces over <spread_ms> (0: at once)
  GET /page/<n>.html a page whose stylesheet, script and 4 images (/asset/<n>/...) are
                     generated too: for browser captures

A ThreadingHTTPServer: one thread per connection, HTTP/1.1 keep-alive, no request log.
"""

import argparse
import functools
import hashlib
import os
import random
import signal
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BLOCK = 1024 * 1024
PATTERN_SEED = 20240601


def _base_block() -> bytes:
    # Random-looking bytes (incompressible, like video) from a fixed seed.
    return random.Random(PATTERN_SEED).randbytes(BLOCK)


def pattern_blocks(total: int) -> Iterator[bytes]:
    """The /big/<total> body in blocks of up to 1 MiB: block i is the base block with its
    first 8 bytes replaced by i, so no two blocks are equal."""
    base = _base_block()
    sent, index = 0, 0
    while sent < total:
        block = struct.pack(">Q", index) + base[8:]
        block = block[: total - sent]
        yield block
        sent += len(block)
        index += 1


def pattern_sha256(total: int) -> str:
    digest = hashlib.sha256()
    for block in pattern_blocks(total):
        digest.update(block)
    return digest.hexdigest()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "capbench"
    root: Path

    def log_message(self, format, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/files/"):
            self._send_file(self.path.removeprefix("/files/"))
        elif self.path.startswith("/big/") and self.path[5:].isdigit():
            self._send_pattern(int(self.path[5:]))
        elif self.path.startswith("/slow/"):
            self._send_slow(self.path.removeprefix("/slow/"))
        elif self.path.startswith("/page/"):
            self._send_page(self.path.removeprefix("/page/"))
        elif self.path.startswith("/asset/"):
            self._send_asset(self.path.removeprefix("/asset/"))
        else:
            self.send_error(404)

    def _send_slow(self, rest: str) -> None:
        wait_ms, spread_ms, name = [*rest.split("/", 2), "", "", ""][:3]
        if not (wait_ms.isdigit() and spread_ms.isdigit()) or "/" in name:
            self.send_error(404)
            return
        try:
            data = (self.root / name).read_bytes()
        except OSError:
            self.send_error(404)
            return
        time.sleep(int(wait_ms) / 1000)
        self._headers(len(data))
        pieces = 10 if int(spread_ms) else 1
        step = -(-len(data) // pieces)
        for start in range(0, len(data), step):
            if start:
                time.sleep(int(spread_ms) / 1000 / (pieces - 1))
            self.wfile.write(data[start : start + step])
            self.wfile.flush()

    def _send_page(self, name: str) -> None:
        number = name.removesuffix(".html")
        if not number.isdigit():
            self.send_error(404)
            return
        images = "".join(
            f'<img src="/asset/{number}/img{i}.png" width="320" height="200"><p>{LOREM}</p>'
            for i in range(4)
        )
        body = (
            f"<!doctype html><html><head><title>Page {number}</title>"
            f'<link rel="stylesheet" href="/asset/{number}/style.css">'
            f'<script src="/asset/{number}/app.js"></script></head>'
            f"<body><h1>Page {number}</h1>{images}</body></html>"
        ).encode()
        self._send_bytes(body, "text/html; charset=utf-8")

    def _send_asset(self, rest: str) -> None:
        kind = rest.rsplit(".", 1)[-1]
        if kind == "png":
            self._send_bytes(_png(), "image/png")
        elif kind == "css":
            self._send_bytes(STYLE, "text/css")
        elif kind == "js":
            self._send_bytes(SCRIPT, "text/javascript")
        else:
            self.send_error(404)

    def _send_bytes(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _headers(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()

    def _send_file(self, name: str) -> None:
        if "/" in name or name.startswith("."):
            self.send_error(404)
            return
        try:
            fh = open(self.root / name, "rb")  # noqa: SIM115 - closed below
        except OSError:
            self.send_error(404)
            return
        with fh:
            size = os.fstat(fh.fileno()).st_size
            self._headers(size)
            self.wfile.flush()
            self.connection.sendfile(fh, 0, size)

    def _send_pattern(self, total: int) -> None:
        self._headers(total)
        for block in pattern_blocks(total):
            self.wfile.write(block)


STYLE = b"body { font: 16px serif; margin: 2em; } img { display: block; }"
SCRIPT = b"addEventListener('DOMContentLoaded', () => { document.title += ' (rendered)'; });"
LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20


@functools.cache
def _png() -> bytes:
    """A 320×200 PNG of random pixels (about 190 KB: images do not compress)."""
    rows = b"".join(b"\x00" + random.Random(row).randbytes(320 * 3) for row in range(200))
    header = struct.pack(">IIBBBBB", 320, 200, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    handler = type("Handler", (_Handler,), {"root": args.root})
    server = _Server(("127.0.0.1", args.port), handler)

    def stop(*_args) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)

    def watch_stdin() -> None:
        sys.stdin.buffer.read()  # returns at EOF: the benchmark has gone
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
