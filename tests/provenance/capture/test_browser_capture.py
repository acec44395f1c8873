"""capture_run on a browser capture: real Chromium, a real HTTP server on loopback, real
PostgreSQL. Chromium's requests are all answered by the capture fetcher; the refused ones
never reach a socket (ConnectRecorder) and nothing escapes to the network."""

import hashlib
import io
import json
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image
from warcio.archiveiterator import ArchiveIterator

from provenance.capture.browser import isolation as browser_isolation
from provenance.capture.shared import storage
from provenance.models import Capture
from tests.provenance.capture.browser_support import (  # noqa: F401
    GREEN,
    ConnectionCounter,
    DatagramCounter,
    browser_capture_for,
    browser_processes,
    browser_settings_fixture,
    needs_chromium,
    png_size,
    run,
    serve_page,
)
from tests.provenance.capture.loopback import ConnectRecorder, FakeResolver
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    Route,
    capture_settings_fixture,
    http_server_fixture,
    png_bytes,
)

pytestmark = [pytest.mark.django_db, needs_chromium]

REFUSED = {
    "http://10.9.8.7/x.png",
    "http://169.254.169.254/latest/meta-data/",
    "http://internal.example/y.png",
}


def _warc_records(capture: Capture) -> list[tuple[str, str]]:
    """(type, target URI) of each record; raises when a block or payload digest is wrong."""
    records = []
    with storage.open_warc(capture) as fh:
        for record in ArchiveIterator(fh, check_digests="raise"):
            record.content_stream().read()
            records.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI")))
    return records


def test_browser_capture_renders_the_page_through_the_fetcher(
    browser_settings, http_server, monkeypatch
):
    resolver = FakeResolver({"internal.example": ["10.1.2.3"]}).install(monkeypatch)
    connects = ConnectRecorder().install(monkeypatch)
    start = serve_page(http_server)
    page_url = http_server.url("/page.html")
    capture = browser_capture_for(start)

    capture = run(capture)

    assert (capture.status, capture.error_code, capture.error_message) == ("succeeded", "", "")
    assert capture.method == Capture.Method.BROWSER
    # Custody of the page's document, redirect included.
    assert capture.final_url == page_url
    assert capture.redirect_chain == [
        {"url": start, "status": 302, "location": "/page.html", "remote_ip": "127.0.0.1"}
    ]
    assert (capture.http_status, capture.remote_ip) == (200, "127.0.0.1")
    # The rendered DOM holds the script's change.
    with storage.open_stored(capture.dom) as fh:
        dom = fh.read()
    assert b"changed by the script" in dom
    assert b"static text" not in dom
    assert capture.metadata["dom_sha256"] == hashlib.sha256(dom).hexdigest()
    assert capture.dom == storage.blob_name(hashlib.sha256(dom).hexdigest())
    assert capture.metadata["title"] == "Rendered page"
    # blob/sha256 are the screenshot: a PNG of the whole page, the stylesheet applied.
    with storage.open_blob(capture) as fh:
        png = fh.read()
    assert capture.screenshot == capture.blob
    assert (capture.content_type, capture.size) == ("image/png", len(png))
    assert capture.sha256 == hashlib.sha256(png).hexdigest()
    width, height = png_size(png)
    assert width == 1280
    assert height == capture.metadata["page_height"] > 3000
    assert not capture.metadata["screenshot_truncated"]
    assert Image.open(io.BytesIO(png)).convert("RGB").getpixel((5, height - 5)) == GREEN
    assert capture.thumbnail.startswith("sha256/")
    # Every request that got a response has a request and a response record.
    records = _warc_records(capture)
    for path in ("/page.html", "/style.css", "/photo.png", "/app.js"):
        url = http_server.url(path)
        assert ("request", url) in records
        assert ("response", url) in records
    assert records[0][0] == "warcinfo"
    assert ("resource", f"urn:view:{page_url}") in records
    assert ("resource", f"urn:dom:{page_url}") in records
    assert not [uri for _, uri in records if any(bad in (uri or "") for bad in REFUSED)]
    with storage.open_warc(capture) as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == capture.warc_sha256
    # The refused requests are listed with their reasons...
    refused = {r["url"]: r for r in capture.metadata["refused_requests"]}
    assert set(refused) == REFUSED
    assert {r["code"] for r in refused.values()} == {"refused_address"}
    assert (
        "cloud metadata service" in refused["http://169.254.169.254/latest/meta-data/"]["message"]
    )
    assert "resolves to 10.1.2.3" in refused["http://internal.example/y.png"]["message"]
    assert capture.metadata["refused_count"] == 3
    assert capture.metadata["failed_requests"] == []
    # Chromium asked for the page, old.css (the fetcher followed it to style.css), the photo,
    # the script and the three refused images.
    assert capture.metadata["request_count"] == 7
    assert capture.metadata["console_errors"] >= 3  # Chromium logs each blocked image
    # ...and were refused before any socket opened: only loopback was ever dialled.
    assert connects.attempts
    assert {host for host, *_ in connects.attempts} == {"127.0.0.1"}
    assert "internal.example" in resolver.calls
    # The page's document was fetched once, before Chromium started, and served to it.
    assert http_server.hits_for("/page.html") == 1
    assert http_server.hits_for("/start") == 1
    assert capture.metadata["change"] == "first"
    assert {"launch_ms", "load_ms", "screenshot_ms", "warc_ms", "total_ms"} <= set(capture.timings)
    assert capture.metadata["software"]["playwright"]
    assert capture.metadata["browser_version"]
    call_command("verify_captures")  # blob, WARC, thumbnail and DOM hash as recorded
    assert browser_processes() == []


def test_verify_captures_reports_a_tampered_dom(browser_settings, http_server, capsys):
    capture = run(browser_capture_for(serve_page(http_server)))
    call_command("verify_captures")
    assert "Checked 4 stored files: 0 problem(s)." in capsys.readouterr().out
    path = browser_settings.MEDIA_ROOT / capture.dom
    edited = path.read_bytes().replace(b"changed by the script", b"edited afterwards")
    path.unlink()  # break the hard link a real edit would not share
    path.write_bytes(edited)

    with pytest.raises(CommandError) as raised:
        call_command("verify_captures")

    assert str(raised.value) == "Checked 4 stored files: 1 problem(s)."
    err = capsys.readouterr().err
    assert f"MISMATCH capture {capture.public_id} DOM {capture.dom}" in err


def test_default_settings_refuse_a_loopback_page_before_chromium_starts(
    browser_settings, http_server
):
    browser_settings.CAPTURE_ALLOWED_NETWORKS = []
    capture = browser_capture_for(serve_page(http_server))

    capture = run(capture)

    assert capture.status == "failed"
    assert capture.error_code == "refused_address"
    assert capture.error_message == (
        "Refused 127.0.0.1 (loopback). Captures fetch public internet addresses only; "
        "to allow a test network, list it in the CAPTURE_ALLOWED_NETWORKS setting."
    )
    assert (capture.blob, capture.screenshot, capture.dom, capture.warc) == ("", "", "", "")
    assert http_server.hits == []
    assert browser_processes() == []


def test_a_page_that_never_finishes_loading_is_kept_as_it_was_marked_partial(
    browser_settings, http_server
):
    """Its one subresource never finishes: the screenshot, DOM and WARC of what had loaded
    are kept when the load's share of the deadline runs out, with the reason."""
    browser_settings.CAPTURE_BROWSER_DEADLINE = 12.0
    url = http_server.route(
        "/stalled.html",
        b'<html><title>Stalled</title><body style="background: rgb(0, 200, 0)">'
        b'<p>almost</p><img src="/forever.png"></body></html>',
        content_type="text/html",
    )
    # 30 bytes over 30 seconds: always something arriving, never the end.
    http_server.routes["/forever.png"] = Route(
        body=b"x" * 30, headers=[("Content-Type", "image/png")], chunks=30, delay=1.0
    )
    capture = browser_capture_for(url)
    began = time.monotonic()

    capture = run(capture)

    assert time.monotonic() - began < 25
    assert capture.status == "succeeded", capture.error_message
    assert capture.metadata["partial"] is True
    reason = capture.metadata["partial_reason"]
    assert reason.startswith("The page had not finished loading after ")
    assert "(CAPTURE_BROWSER_DEADLINE): kept what it showed then" in reason
    assert f"still loading: {http_server.url('/forever.png')}" in reason
    screenshot = Image.open(storage.open_screenshot(capture))
    assert screenshot.getpixel((5, 5))[:3] == GREEN  # the page as it showed
    assert "<p>almost</p>" in storage.open_dom(capture).read().decode()
    assert ("response", url) in _warc_records(capture)
    assert http_server.hits_for("/forever.png") == 1
    assert browser_processes() == []


def test_a_loaded_page_is_not_partial(browser_settings, http_server):
    url = http_server.route(
        "/quick.html", b"<html><body>quick</body></html>", content_type="text/html"
    )

    capture = run(browser_capture_for(url))

    assert capture.status == "succeeded"
    assert capture.metadata["partial"] is False
    assert capture.metadata["partial_reason"] == ""


def test_lazy_content_loads_on_scroll_before_the_screenshot(browser_settings, http_server):
    """An image loaded only when scrolled into view (loading=lazy, far below the fold) is
    fetched, in the WARC, and drawn in the screenshot."""
    url = http_server.route(
        "/lazy.html",
        b'<html><body style="margin:0"><div style="height:6000px">long</div>'
        b'<img id="late" loading="lazy" src="/late.png" width="64" height="48">'
        b"</body></html>",
        content_type="text/html",
    )
    http_server.route("/late.png", png_bytes((64, 48), GREEN), content_type="image/png")

    capture = run(browser_capture_for(url))

    assert capture.status == "succeeded", capture.error_message
    assert http_server.hits_for("/late.png") == 1
    assert ("response", http_server.url("/late.png")) in _warc_records(capture)
    assert capture.metadata["scrolled_to"] > 5000
    screenshot = Image.open(storage.open_screenshot(capture))
    assert screenshot.getpixel((10, 6010))[:3] == GREEN


def test_a_page_stuck_in_a_script_is_killed_at_the_deadline(browser_settings, http_server):
    # Long enough for Chromium to start on a busy machine: its start counts against it too.
    browser_settings.CAPTURE_BROWSER_DEADLINE = 8.0
    url = http_server.route(
        "/spin.html",
        b"<html><body><script>for (;;) {}</script></body></html>",
        content_type="text/html",
    )
    capture = browser_capture_for(url)
    began = time.monotonic()

    capture = run(capture)

    assert time.monotonic() - began < 20
    assert (capture.status, capture.error_code) == ("failed", "deadline")
    assert browser_processes() == []


@pytest.mark.parametrize("isolation", ["namespace", "flags"])
def test_nothing_escapes_the_route_to_the_network(
    browser_settings, http_server, monkeypatch, isolation
):
    if isolation == "flags":  # as on a host that forbids network namespaces
        monkeypatch.setattr(browser_isolation, "network_namespaces_available", lambda: False)
    elif not browser_isolation.network_namespaces_available():
        pytest.skip("this host does not allow network namespaces (unshare --user --net)")
    listener, stun = ConnectionCounter(), DatagramCounter()
    target = f"http://127.0.0.1:{listener.port}"
    # What Chromium would otherwise do on its own: open sockets for preconnects, WebSockets
    # and WebRTC, send POSTs and beacons.
    page = f"""<!doctype html><html><head>
    <link rel="preconnect" href="{target}">
    <link rel="dns-prefetch" href="http://prefetch.example">
    </head><body><p>page</p><script>
    new WebSocket("ws://127.0.0.1:{listener.port}/socket");
    fetch("{target}/submit", {{method: "POST", body: "x"}}).catch(() => {{}});
    navigator.sendBeacon("{target}/beacon", "x");
    const peer = new RTCPeerConnection({{iceServers: [
        {{urls: "stun:127.0.0.1:{stun.port}"}},
        {{urls: "turn:127.0.0.1:{listener.port}?transport=tcp", username: "u", credential: "p"}},
    ]}});
    peer.createDataChannel("d");
    peer.createOffer().then((offer) => peer.setLocalDescription(offer));
    </script></body></html>""".encode()
    capture = browser_capture_for(http_server.route("/escape.html", page, content_type="text/html"))

    try:
        capture = run(capture)
    finally:
        listener.close()
        stun.close()

    assert capture.status == "succeeded", capture.error_message
    assert capture.metadata["network_isolation"] == isolation
    assert (listener.accepted, stun.received) == (0, 0)
    refused = {(r["url"], r["code"]) for r in capture.metadata["refused_requests"]}
    assert (f"ws://127.0.0.1:{listener.port}/socket", "refused_websocket") in refused
    assert (f"{target}/submit", "refused_method") in refused
    assert (f"{target}/beacon", "refused_method") in refused


def test_requests_past_the_cap_are_refused_and_listed(browser_settings, http_server):
    browser_settings.CAPTURE_BROWSER_MAX_REQUESTS = 3
    images = "".join(f'<img src="/i{n}.png">' for n in range(5))
    for n in range(5):
        http_server.route(f"/i{n}.png", b"", content_type="image/png")
    url = http_server.route(
        "/many.html", f"<html><body>{images}</body></html>".encode(), content_type="text/html"
    )

    capture = run(browser_capture_for(url))

    assert capture.status == "succeeded", capture.error_message
    assert capture.metadata["request_count"] == 6
    assert capture.metadata["refused_count"] == 3
    refused = capture.metadata["refused_requests"]
    assert {r["code"] for r in refused} == {"too_many_requests"}
    assert refused[0]["message"] == (
        "The page made more than 3 requests (CAPTURE_BROWSER_MAX_REQUESTS); later ones "
        "were not fetched."
    )
    served = sum(http_server.hits_for(f"/i{n}.png") for n in range(5))
    assert served == 2


def test_a_gone_page_is_rendered_and_recorded_as_gone(browser_settings, http_server):
    url = http_server.route(
        "/deleted",
        b"<html><body><h1>This post was deleted</h1></body></html>",
        status=404,
        content_type="text/html",
    )

    capture = run(browser_capture_for(url, kind="social_post"))

    assert capture.status == "failed"
    assert capture.error_code == "gone"
    assert capture.http_status == 404
    with storage.open_stored(capture.dom) as fh:
        assert b"This post was deleted" in fh.read()
    assert capture.screenshot == capture.blob != ""


def test_a_download_is_not_a_page(browser_settings, http_server):
    url = http_server.route(
        "/report.zip",
        b"PK\x03\x04 not really a zip",
        content_type="application/zip",
        headers=[("Content-Disposition", 'attachment; filename="report.zip"')],
    )

    capture = run(browser_capture_for(url))

    assert capture.status == "failed"
    assert capture.error_code == "not_a_page"
    assert capture.error_message == (
        "The address starts a file download instead of showing a page; the HTTP capture of "
        "the same address keeps the file."
    )
    assert browser_processes() == []


def test_warc_metadata_record_lists_what_was_refused(browser_settings, http_server, monkeypatch):
    FakeResolver({"internal.example": ["10.1.2.3"]}).install(monkeypatch)
    capture = run(browser_capture_for(serve_page(http_server)))

    with storage.open_warc(capture) as fh:
        metadata = [
            json.loads(record.content_stream().read())
            for record in ArchiveIterator(fh)
            if record.rec_type == "metadata"
        ]

    assert len(metadata) == 1
    assert {r["url"] for r in metadata[0]["refused_requests"]} == REFUSED
    assert metadata[0]["requested_url"] == capture.requested_url
    assert metadata[0]["dom_sha256"] == capture.metadata["dom_sha256"]
