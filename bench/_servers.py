"""Local HTTP file server for bench/capture.py; run as a subprocess, listens on 127.0.0.1 only.

    python bench/_servers.py --root DIR [--port 0]

Prints `PORT <n>` once it listens, then serves until its standard input closes (so it
cannot outlive the benchmark) or it gets SIGTERM:

  GET /files/<name>  a file of DIR, sent with sendfile(2) (no copy through Python)
  GET /big/<bytes>   <bytes> of a deterministic pattern generated on the fly (never on
                     disk); `pattern_sha256(<bytes>)` gives its SHA-256

A ThreadingHTTPServer: one thread per connection, HTTP/1.1 keep-alive, no request log.
"""

import argparse
import hashlib
import os
import random
import signal
import struct
import sys
import threading
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
        else:
            self.send_error(404)

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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


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
