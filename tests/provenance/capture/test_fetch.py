"""The fetcher against real HTTP servers on 127.0.0.1 (let through by the allowlist).

Every connect is recorded and non-loopback ones are blocked, so redirects to refused addresses
are proven to stop before a socket opens. Names resolve through a fake resolver.
"""

import gzip
import hashlib
import time
import zlib

import pytest

from provenance.capture.fetch.fetcher import FetchError, FetchLimits, Hop, fetch, user_agent
from tests.provenance.capture.loopback import (  # noqa: F401 (fixtures)
    ConnectRecorder,
    FakeResolver,
    LocalServer,
    allow_loopback_fixture,
    connects_fixture,
    respond,
    server_fixture,
)

LIMITS = FetchLimits(
    max_bytes=1_000_000, connect_timeout=2, read_timeout=2, deadline=10, max_redirects=3
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    return FakeResolver({"intranet.example": ["10.0.0.1"]}).install(monkeypatch)


def test_fetch_stores_body_with_hash_status_and_headers(server, tmp_path, connects):
    body = b"<html><title>Kremlin statement</title></html>"
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Set-Cookie", "a=1"),
        ("X-Trace", "t1"),
        ("Set-Cookie", "b=2"),
    ]
    server.routes["/page"] = lambda h: respond(h, 200, body, headers)

    result = fetch(server.url("/page"), workdir=tmp_path, limits=LIMITS)

    assert (result.http_status, result.reason, result.http_version) == (200, "OK", "HTTP/1.1")
    assert result.requested_url == result.final_url == server.url("/page")
    assert result.redirect_chain == []
    assert result.remote_ip == "127.0.0.1"
    assert result.raw_path.parent == tmp_path
    assert result.raw_path.read_bytes() == body
    assert (result.raw_sha256, result.raw_size) == (sha256(body), len(body))
    assert (result.body_path, result.body_sha256, result.body_size) == (
        result.raw_path,
        sha256(body),
        len(body),
    )
    assert result.content_type == "text/html"
    received = [(k, v) for k, v in result.response_headers if k in ("Set-Cookie", "X-Trace")]
    assert received == headers[1:]
    assert result.request_headers[0] == ("Host", f"127.0.0.1:{server.port}")
    assert ("User-Agent", user_agent()) in result.request_headers
    assert user_agent().startswith("Claimtrail/0.1.0 (+https://github.com/claimtrail;")
    sent = dict(server.received[0].headers)
    assert sent["User-Agent"] == user_agent()
    assert sent["Host"] == f"127.0.0.1:{server.port}"
    assert {"connect_ms", "ttfb_ms", "total_ms"} <= result.timings.keys()
    assert connects.attempts == [("127.0.0.1", server.port)]

    result.cleanup()
    assert list(tmp_path.iterdir()) == []


def test_not_found_is_a_result_not_an_error(server, tmp_path):
    server.routes["/gone"] = lambda h: respond(h, 404, b"not here")

    result = fetch(server.url("/gone"), workdir=tmp_path, limits=LIMITS)

    assert (result.http_status, result.reason) == (404, "Not Found")
    assert result.raw_path.read_bytes() == b"not here"


def test_redirect_chain_is_recorded(server, tmp_path):
    final = server.url("/c", host="localhost")
    server.routes["/a"] = lambda h: respond(h, 302, headers=[("Location", "/b")])
    server.routes["/b"] = lambda h: respond(h, 301, headers=[("Location", final)])
    server.routes["/c"] = lambda h: respond(h, 200, b"landed")

    result = fetch(server.url("/a"), workdir=tmp_path, limits=LIMITS)

    assert result.redirect_chain == [
        Hop(url=server.url("/a"), status=302, location="/b", remote_ip="127.0.0.1"),
        Hop(url=server.url("/b"), status=301, location=final, remote_ip="127.0.0.1"),
    ]
    assert (result.final_url, result.http_status) == (final, 200)
    assert result.raw_path.read_bytes() == b"landed"
    assert dict(server.received[-1].headers)["Host"] == f"localhost:{server.port}"


@pytest.mark.parametrize(
    ("location", "code"),
    [
        ("http://10.1.2.3/", "refused_address"),
        ("http://169.254.169.254/latest/meta-data/iam/", "refused_address"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "refused_address"),
        ("http://intranet.example/", "refused_address"),
        ("http://127.0.0.2:{port}/ok", "refused_address"),
        ("http://2130706433:{port}/ok", "refused_address"),
        ("http://[::ffff:10.1.2.3]/", "refused_address"),
        ("http://user:pw@127.0.0.1:{port}/ok", "refused_credentials"),
        ("file:///etc/passwd", "refused_scheme"),
        ("gopher://127.0.0.1:{port}/_", "refused_scheme"),
    ],
)
def test_redirect_to_refused_target_stops_before_connecting(
    server, tmp_path, connects, location, code
):
    target = location.format(port=server.port)
    server.routes["/jump"] = lambda h: respond(h, 302, headers=[("Location", target)])
    server.routes["/ok"] = lambda h: respond(h, 200, b"should not be reached")

    with pytest.raises(FetchError) as failed:
        fetch(server.url("/jump"), workdir=tmp_path, limits=LIMITS)

    assert (failed.value.code, failed.value.retryable) == (code, False)
    assert connects.attempts == [("127.0.0.1", server.port)]  # the allowed server only
    assert [r.path for r in server.received] == ["/jump"]
    assert list(tmp_path.iterdir()) == []


def test_too_many_redirects(server, tmp_path):
    server.routes["/loop"] = lambda h: respond(h, 302, headers=[("Location", "/loop")])

    with pytest.raises(FetchError) as failed:
        fetch(server.url("/loop"), workdir=tmp_path, limits=LIMITS)

    assert (failed.value.code, failed.value.retryable) == ("too_many_redirects", False)
    assert failed.value.message == (
        "The URL redirected more than 3 times (CAPTURE_MAX_REDIRECTS); capture the final "
        "address instead."
    )
    assert len(server.received) == 4  # the first request and three redirects followed


def test_announced_content_length_over_limit_is_refused_before_reading(server, tmp_path):
    def huge(h):
        h.send_response(200)
        h.send_header("Content-Length", "5000000")
        h.end_headers()
        h.wfile.write(b"x" * 10)

    server.routes["/huge"] = huge

    with pytest.raises(FetchError) as failed:
        fetch(server.url("/huge"), workdir=tmp_path, limits=LIMITS)

    assert (failed.value.code, failed.value.retryable) == ("too_large", False)
    assert failed.value.message == (
        "The server announced 5000000 bytes, more than the 1000000-byte limit (CAPTURE_MAX_BYTES)."
    )
    assert list(tmp_path.iterdir()) == []


def test_streamed_body_over_limit_is_cut_off(server, tmp_path):
    def endless(h):
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        for _ in range(1000):  # 64 MB if nobody stopped reading
            h.wfile.write(b"y" * 65536)

    server.routes["/endless"] = endless

    with pytest.raises(FetchError) as failed:
        fetch(server.url("/endless"), workdir=tmp_path, limits=LIMITS)

    assert failed.value.code == "too_large"
    assert failed.value.message == "The body passed the 1000000-byte limit (CAPTURE_MAX_BYTES)."
    assert list(tmp_path.iterdir()) == []


def _stall_before_headers(h):
    h.server.owner.stop.wait(5)


def _stall_in_body(h):
    h.send_response(200)
    h.send_header("Content-Length", "100")
    h.end_headers()
    h.wfile.write(b"0123456789")
    h.wfile.flush()
    h.server.owner.stop.wait(5)


@pytest.mark.parametrize("stall", [_stall_before_headers, _stall_in_body])
def test_silent_server_times_out(server, tmp_path, stall):
    server.routes["/stall"] = stall
    limits = FetchLimits(**{**vars(LIMITS), "read_timeout": 0.3})

    started = time.monotonic()
    with pytest.raises(FetchError) as failed:
        fetch(server.url("/stall"), workdir=tmp_path, limits=limits)

    assert (failed.value.code, failed.value.retryable) == ("timeout", True)
    assert time.monotonic() - started < 5  # without the timeout it would wait forever
    assert list(tmp_path.iterdir()) == []


def _trickle_body(h):
    h.send_response(200)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    while not h.server.owner.stop.wait(0.05):
        h.wfile.write(b"z")
        h.wfile.flush()


def _trickle_headers(h):
    h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not h.server.owner.stop.wait(0.05):
        h.wfile.write(b"z")
        h.wfile.flush()


@pytest.mark.parametrize("trickle", [_trickle_body, _trickle_headers])
def test_deadline_cuts_a_trickling_server(server, tmp_path, trickle):
    server.routes["/trickle"] = trickle
    limits = FetchLimits(**{**vars(LIMITS), "read_timeout": 2, "deadline": 1})

    started = time.monotonic()
    with pytest.raises(FetchError) as failed:
        fetch(server.url("/trickle"), workdir=tmp_path, limits=limits)

    assert (failed.value.code, failed.value.retryable) == ("deadline", True)
    assert 0.9 < time.monotonic() - started < 5  # the trickle alone would never end
    assert list(tmp_path.iterdir()) == []


TEXT = b"Ukraine launched a drone attack on the Kremlin, the statement said.\n" * 3000


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        ("gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", raw_deflate(TEXT)),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw"],
)
def test_encoded_body_is_kept_raw_and_decoded(server, tmp_path, coding, encoded):
    server.routes["/enc"] = lambda h: respond(h, 200, encoded, [("Content-Encoding", coding)])

    result = fetch(server.url("/enc"), workdir=tmp_path, limits=LIMITS)

    assert result.raw_path.read_bytes() == encoded
    assert (result.raw_sha256, result.raw_size) == (sha256(encoded), len(encoded))
    assert result.body_path != result.raw_path
    assert result.body_path.read_bytes() == TEXT
    assert (result.body_sha256, result.body_size) == (sha256(TEXT), len(TEXT))
    assert dict(server.received[0].headers)["Accept-Encoding"] == "gzip, deflate"
    result.cleanup()
    assert list(tmp_path.iterdir()) == []


def test_gzip_bomb_is_refused(server, tmp_path):
    bomb = gzip.compress(b"\0" * 20_000_000)  # ~20 kB that inflate to 20 MB
    assert len(bomb) < LIMITS.max_bytes
    server.routes["/bomb"] = lambda h: respond(h, 200, bomb, [("Content-Encoding", "gzip")])

    with pytest.raises(FetchError) as failed:
        fetch(server.url("/bomb"), workdir=tmp_path, limits=LIMITS)

    assert (failed.value.code, failed.value.retryable) == ("too_large", False)
    assert "compression bomb" in failed.value.message
    assert list(tmp_path.iterdir()) == []


def test_chunked_body_is_stored_dechunked(server, tmp_path):
    def chunked(h):
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for part in (b"first ", b"second ", b"third"):
            h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        h.wfile.write(b"0\r\n\r\n")

    server.routes["/chunked"] = chunked

    result = fetch(server.url("/chunked"), workdir=tmp_path, limits=LIMITS)

    assert result.raw_path.read_bytes() == b"first second third"
    assert ("Transfer-Encoding", "chunked") in result.response_headers


def test_body_up_to_the_memory_limit_is_also_kept_in_memory(server, tmp_path):
    body = bytes(range(256)) * 2000  # 512,000 bytes: read in more than one chunk
    encoded = gzip.compress(body)
    server.routes["/file"] = lambda h: respond(h, 200, body, [])
    server.routes["/gz"] = lambda h: respond(h, 200, encoded, [("Content-Encoding", "gzip")])

    kept = fetch(server.url("/file"), workdir=tmp_path, limits=LIMITS, keep_in_memory=len(body))
    assert len(kept.raw_chunks) > 1 and b"".join(kept.raw_chunks) == body
    assert kept.raw_path.read_bytes() == body  # the file is written all the same
    kept.cleanup()
    assert kept.raw_chunks is None

    over = fetch(server.url("/file"), workdir=tmp_path, limits=LIMITS, keep_in_memory=len(body) - 1)
    assert over.raw_chunks is None and over.raw_path.read_bytes() == body
    assert fetch(server.url("/file"), workdir=tmp_path, limits=LIMITS).raw_chunks is None

    coded = fetch(server.url("/gz"), workdir=tmp_path, limits=LIMITS, keep_in_memory=len(body))
    assert b"".join(coded.raw_chunks) == encoded  # the raw bytes, as the WARC holds them
