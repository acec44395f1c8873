"""Video behind a page through yt-dlp, against real HTTP servers on 127.0.0.1.

Every connect is recorded and non-loopback ones are blocked, names resolve through a fake
resolver: a refused address is proven never to be connected to, although yt-dlp's own
urllib and requests handlers are installed in the same process.
"""

import hashlib
import time

import pytest
from yt_dlp.networking.common import _REQUEST_HANDLERS

from provenance.capture.fetch.fetcher import FetchError, FetchLimits, user_agent
from provenance.capture.media.download import MediaResult, download_media
from provenance.capture.media.transport import (
    GuardedTransport,
    MediaYDL,
    browser_extractor_modules,
)
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
    max_bytes=1_000_000, connect_timeout=2, read_timeout=2, deadline=20, max_redirects=3
)
# yt-dlp's "best" format is downloaded as it is: no container check, so any bytes will do.
CLIP = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 40


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page(video_src: str, title: str = "Drone over the Kremlin") -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f'<video src="{video_src}" width="640" height="360"></video></body></html>'
    ).encode()


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    table = {"media.test": ["127.0.0.1"], "intranet.example": ["10.0.0.5"]}
    return FakeResolver(table).install(monkeypatch)


def html(body: bytes):
    return lambda h: respond(h, 200, body, [("Content-Type", "text/html; charset=utf-8")])


def video(body: bytes, content_type: str = "video/mp4"):
    return lambda h: respond(h, 200, body, [("Content-Type", content_type)])


def files_in(path) -> list:
    return [p for p in path.rglob("*") if p.is_file()]


def only_loopback(connects: ConnectRecorder) -> bool:
    return all(host == "127.0.0.1" for host in connects.hosts)


def test_html5_video_on_a_page_is_downloaded_through_the_guard(server, tmp_path, connects):
    server.routes["/news/drone.html"] = html(page("clip.mp4"))
    server.routes["/news/clip.mp4"] = video(CLIP)
    page_url = server.url("/news/drone.html")

    result = download_media(page_url, workdir=tmp_path, limits=LIMITS)

    assert isinstance(result, MediaResult)
    assert result.sha256 == sha256(CLIP)
    assert result.size == len(CLIP)
    assert result.path.read_bytes() == CLIP
    assert result.path.is_relative_to(tmp_path)
    assert result.media_url == server.url("/news/clip.mp4")
    assert result.info["ext"] == "mp4"
    assert result.info["extractor"] in {"generic", "html5"}
    assert result.info["title"].startswith("Drone over the Kremlin")
    assert result.info["webpage_url"] == page_url
    assert result.urls[0] == page_url
    assert server.url("/news/clip.mp4") in result.urls
    assert {r["remote_ip"] for r in result.requests} == {"127.0.0.1"}
    assert result.request_count == len(result.requests)
    assert connects.hosts and only_loopback(connects)
    result.cleanup()
    assert files_in(tmp_path) == []


def test_direct_link_to_a_video_file(server, tmp_path):
    server.routes["/clip.mp4"] = video(CLIP)

    result = download_media(server.url("/clip.mp4"), workdir=tmp_path, limits=LIMITS)

    assert result.sha256 == sha256(CLIP)
    assert result.info["ext"] == "mp4"


def test_host_name_is_resolved_once_and_sent_as_host(server, tmp_path, dns, connects):
    server.routes["/page"] = html(page("/clip.mp4"))
    server.routes["/clip.mp4"] = video(CLIP)

    result = download_media(server.url("/page", host="media.test"), workdir=tmp_path, limits=LIMITS)

    assert result.sha256 == sha256(CLIP)
    assert "media.test" in dns.calls
    assert only_loopback(connects)
    hosts = {value for r in server.received for name, value in r.headers if name == "Host"}
    assert hosts == {f"media.test:{server.port}"}


def test_page_without_video_returns_none(server, tmp_path):
    server.routes["/text"] = html(b"<html><title>Statement</title><p>No video here.</p></html>")

    assert download_media(server.url("/text"), workdir=tmp_path, limits=LIMITS) is None
    assert files_in(tmp_path) == []


@pytest.mark.parametrize(
    ("src", "refused_ip"),
    [
        ("http://10.1.2.3/v.mp4", "10.1.2.3"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://intranet.example/v.mp4", "10.0.0.5"),  # refused after DNS
    ],
)
def test_video_on_a_refused_address_is_never_connected_to(
    server, tmp_path, connects, src, refused_ip
):
    server.routes["/page"] = html(page(src))

    with pytest.raises(FetchError) as caught:
        download_media(server.url("/page"), workdir=tmp_path, limits=LIMITS)

    assert caught.value.code == "refused_address"
    assert refused_ip in caught.value.message
    assert refused_ip not in connects.hosts
    assert only_loopback(connects)
    assert files_in(tmp_path) == []


def test_redirect_to_a_refused_address_is_refused(server, tmp_path, connects):
    server.routes["/page"] = html(page("/go.mp4"))
    server.routes["/go.mp4"] = lambda h: respond(
        h, 302, b"", [("Location", "http://10.1.2.3/v.mp4")]
    )

    with pytest.raises(FetchError) as caught:
        download_media(server.url("/page"), workdir=tmp_path, limits=LIMITS)

    assert caught.value.code == "refused_address"
    assert "10.1.2.3" not in connects.hosts
    assert files_in(tmp_path) == []


def test_allowed_redirects_are_followed_and_listed(server, tmp_path):
    server.routes["/page"] = html(page("/go.mp4"))
    server.routes["/go.mp4"] = lambda h: respond(h, 302, b"", [("Location", "/files/clip.mp4")])
    server.routes["/files/clip.mp4"] = video(CLIP)

    result = download_media(server.url("/page"), workdir=tmp_path, limits=LIMITS)

    assert result.sha256 == sha256(CLIP)
    statuses = [(r["url"], r["status"]) for r in result.requests]
    assert (server.url("/go.mp4"), 302) in statuses
    assert (server.url("/files/clip.mp4"), 200) in statuses


def test_file_announced_larger_than_the_limit_is_too_large(server, tmp_path):
    server.routes["/page"] = html(page("/big.mp4"))
    server.routes["/big.mp4"] = video(b"x" * 5000)
    limits = FetchLimits(
        max_bytes=2000, connect_timeout=2, read_timeout=2, deadline=20, max_redirects=3
    )

    with pytest.raises(FetchError) as caught:
        download_media(server.url("/page"), workdir=tmp_path, limits=limits)

    assert caught.value.code == "too_large"
    assert files_in(tmp_path) == []


def test_file_streaming_past_the_limit_is_too_large(server, tmp_path):
    def unannounced(handler):  # no Content-Length: the body ends when the connection closes
        handler.send_response(200)
        handler.send_header("Content-Type", "video/mp4")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        for _ in range(50):
            handler.wfile.write(b"x" * 1000)

    server.routes["/stream.mp4"] = unannounced
    limits = FetchLimits(
        max_bytes=8000, connect_timeout=2, read_timeout=2, deadline=20, max_redirects=3
    )

    with pytest.raises(FetchError) as caught:
        download_media(server.url("/stream.mp4"), workdir=tmp_path, limits=limits)

    assert caught.value.code == "too_large"
    assert files_in(tmp_path) == []


def test_hls_fragments_go_through_the_guard_and_count_toward_the_limit(server, tmp_path):
    playlist = (
        b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n"
        b"#EXTINF:4.0,\nseg0.ts\n#EXTINF:4.0,\nseg1.ts\n#EXTINF:4.0,\nseg2.ts\n#EXT-X-ENDLIST\n"
    )
    server.routes["/live/index.m3u8"] = video(playlist, "application/vnd.apple.mpegurl")
    segment = b"G" + bytes(187) * 16  # 3008 bytes, each under the limit; 9024 together
    for n in range(3):
        server.routes[f"/live/seg{n}.ts"] = video(segment, "video/mp2t")
    url = server.url("/live/index.m3u8")

    result = download_media(url, workdir=tmp_path, limits=LIMITS)
    assert result.sha256 == sha256(segment * 3)
    assert server.url("/live/seg2.ts") in result.urls

    limits = FetchLimits(
        max_bytes=5000, connect_timeout=2, read_timeout=2, deadline=20, max_redirects=3
    )
    with pytest.raises(FetchError) as caught:
        download_media(url, workdir=tmp_path / "small", limits=limits)
    assert caught.value.code == "too_large"
    assert files_in(tmp_path / "small") == []


def test_missing_video_reports_the_status(server, tmp_path):
    server.routes["/page"] = html(page("/gone.mp4"))

    with pytest.raises(FetchError) as caught:
        download_media(server.url("/page"), workdir=tmp_path, limits=LIMITS)

    assert caught.value.code == "gone"
    assert "404" in caught.value.message


def test_slow_download_stops_at_the_deadline(server, tmp_path):
    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "video/mp4")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        for _ in range(100):
            if server.stop.is_set():
                return
            handler.wfile.write(b"x" * 10)
            handler.wfile.flush()
            time.sleep(0.1)  # the slow server under test

    server.routes["/slow.mp4"] = trickle
    limits = FetchLimits(
        max_bytes=1_000_000, connect_timeout=2, read_timeout=2, deadline=1, max_redirects=3
    )
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        download_media(server.url("/slow.mp4"), workdir=tmp_path, limits=limits)

    assert caught.value.code == "deadline"
    assert time.monotonic() - started < 8
    assert files_in(tmp_path) == []


def test_default_settings_refuse_loopback(server, tmp_path, settings, connects):
    settings.CAPTURE_ALLOWED_NETWORKS = []
    server.routes["/clip.mp4"] = video(CLIP)

    with pytest.raises(FetchError) as caught:
        download_media(server.url("/clip.mp4"), workdir=tmp_path, limits=LIMITS)

    assert caught.value.code == "refused_address"
    assert server.received == []
    assert connects.hosts == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/clip.mp4"])
def test_other_schemes_are_refused_before_yt_dlp_runs(tmp_path, url, connects):
    with pytest.raises(FetchError) as caught:
        download_media(url, workdir=tmp_path, limits=LIMITS)

    assert caught.value.code == "refused_scheme"
    assert connects.hosts == []


def test_proxy_environment_variables_are_ignored(server, tmp_path, monkeypatch, connects):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://10.9.9.9:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server.routes["/page"] = html(page("clip.mp4"))
    server.routes["/clip.mp4"] = video(CLIP)

    result = download_media(server.url("/page"), workdir=tmp_path, limits=LIMITS)

    assert result.sha256 == sha256(CLIP)
    assert "10.9.9.9" not in connects.hosts
    assert only_loopback(connects)
    assert [r.path for r in server.received] == ["/page", "/clip.mp4"]


def test_yt_dlp_gets_only_the_guarded_handler(tmp_path):
    assert {"Urllib", "Requests"} <= set(_REQUEST_HANDLERS)  # installed, never chosen
    transport = GuardedTransport(LIMITS)
    try:
        with MediaYDL({"quiet": True}, transport=transport) as ydl:
            handlers = ydl._request_director.handlers.values()
            assert [handler.RH_NAME for handler in handlers] == ["claimtrail-guarded"]
    finally:
        transport.close()


def test_page_with_several_videos_gives_the_first(server, tmp_path):
    server.routes["/page"] = html(
        b'<html><title>Two</title><video src="/a.mp4"></video><video src="/b.mp4"></video></html>'
    )
    server.routes["/a.mp4"] = video(CLIP)
    server.routes["/b.mp4"] = video(b"second clip")

    result = download_media(server.url("/page"), workdir=tmp_path, limits=LIMITS)

    assert result.sha256 == sha256(CLIP)
    assert "/b.mp4" not in [r.path for r in server.received]
    assert result.info["playlist_count"] == 2


def test_downloaders_with_sockets_of_their_own_are_refused(tmp_path, connects):
    transport = GuardedTransport(LIMITS)
    info = {"id": "x", "url": "rtmp://127.0.0.1/live/x", "protocol": "rtmp", "ext": "flv"}
    try:
        with (
            MediaYDL({"quiet": True}, transport=transport) as ydl,
            pytest.raises(FetchError) as caught,
        ):
            ydl.dl(str(tmp_path / "x.flv"), info)
    finally:
        transport.close()

    assert caught.value.code == "media_unsupported"
    assert connects.hosts == []


def test_extractors_driving_phantomjs_are_not_used():
    assert "yt_dlp.extractor.pornhub" in browser_extractor_modules()
    transport = GuardedTransport(LIMITS)
    try:
        with MediaYDL({"quiet": True}, transport=transport) as ydl:
            assert "PornHub" not in ydl._ies
            assert "Generic" in ydl._ies
            with pytest.raises(FetchError) as caught:
                ydl.get_info_extractor("PornHub")
    finally:
        transport.close()

    assert caught.value.code == "media_unsupported"


def test_page_read_whole_is_capped_below_the_file_limit(server, tmp_path, monkeypatch):
    monkeypatch.setattr("provenance.capture.media.transport.IN_MEMORY_MAX_BYTES", 3000)
    server.routes["/page"] = html(page("/clip.mp4") + b"<!-- padding -->" * 500)
    server.routes["/clip.mp4"] = video(CLIP)  # 10 kB: a block-read download is not capped

    with pytest.raises(FetchError) as caught:
        download_media(server.url("/page"), workdir=tmp_path, limits=LIMITS)
    assert caught.value.code == "too_large"

    result = download_media(server.url("/clip.mp4"), workdir=tmp_path, limits=LIMITS)
    assert result.sha256 == sha256(CLIP)


def test_requests_identify_claimtrail(server, tmp_path):
    server.routes["/clip.mp4"] = video(CLIP)

    download_media(server.url("/clip.mp4"), workdir=tmp_path, limits=LIMITS)

    agents = {value for r in server.received for name, value in r.headers if name == "User-Agent"}
    assert agents == {user_agent()}


def test_redirect_loop_stops_at_the_redirect_limit(server, tmp_path):
    server.routes["/loop.mp4"] = lambda h: respond(h, 302, b"", [("Location", "/loop.mp4")])

    with pytest.raises(FetchError) as caught:
        download_media(server.url("/loop.mp4"), workdir=tmp_path, limits=LIMITS)

    assert caught.value.code == "too_many_redirects"
    assert len(server.received) == LIMITS.max_redirects + 1
