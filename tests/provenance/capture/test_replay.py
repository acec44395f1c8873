"""Every capture method's WARC replays in pywb with the captured bytes, and cdxj-indexer
lists the response (not the custody metadata) under the captured URL.

pywb runs from its own venv (tests/replay/support.py): `wb-manager init/add` into a
temporary collection, then `/<coll>/id_/<url>` through pywb's WSGI app.
"""

import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from provenance.capture.services import capture_run
from provenance.capture.shared import storage
from provenance.capture.shared.warc import metadata_uri
from provenance.models import Capture
from tests.factories import EvidenceFactory
from tests.provenance.capture.browser_support import (  # noqa: F401
    APP_JS,
    PAGE,
    STYLE,
    browser_capture_for,
    browser_settings_fixture,
    needs_chromium,
    serve_page,
)
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    http_server_fixture,
    jpeg_bytes,
    png_bytes,
)
from tests.replay.support import cdxj_lines, pywb_replay, sha256

pytestmark = pytest.mark.django_db

BINARY = os.urandom(3 * 1024 * 1024)
TEXT = b"The minister said so on Tuesday.\n" * 40
CLIP = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


def _run(capture: Capture) -> Capture:
    capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == Capture.Status.SUCCEEDED, capture.error_message
    return capture


def _warc_file(capture: Capture, tmp_path) -> "os.PathLike":
    path = tmp_path / f"{capture.public_id}.warc.gz"
    with storage.open_warc(capture) as fh:
        path.write_bytes(fh.read())
    return path


def _fetched(http_server, path: str, body: bytes, content_type: str) -> Capture:
    url = http_server.route(path, body, content_type=content_type)
    return _run(EvidenceFactory(url=url).captures.get(method=Capture.Method.FETCH, parent=None))


def test_fetched_binary_and_text_replay_with_the_captured_bytes(
    capture_settings, http_server, tmp_path
):
    binary = _fetched(http_server, "/report.bin", BINARY, "application/octet-stream")
    text = _fetched(http_server, "/statement.txt", TEXT, "text/plain; charset=utf-8")
    warcs = [_warc_file(binary, tmp_path), _warc_file(text, tmp_path)]

    replayed = pywb_replay(warcs, [binary.final_url, text.final_url], tmp_path / "pywb")

    assert replayed[binary.final_url]["status"] == 200
    assert replayed[binary.final_url]["size"] == len(BINARY)
    assert replayed[binary.final_url]["sha256"] == sha256(BINARY) == binary.sha256
    assert replayed[text.final_url]["sha256"] == sha256(TEXT) == text.sha256
    assert replayed[text.final_url]["content_type"].startswith("text/plain")


def test_cdxj_indexer_lists_the_response_under_the_url_and_metadata_apart(
    capture_settings, http_server, tmp_path
):
    text = _fetched(http_server, "/statement.txt", TEXT, "text/plain")

    lines = cdxj_lines(_warc_file(text, tmp_path))

    by_url = {}
    for line in lines:
        by_url.setdefault(line["url"], []).append(line)
    assert [(x["status"], x["mime"]) for x in by_url[text.final_url]] == [("200", "text/plain")]
    assert [x["mime"] for x in by_url[metadata_uri(str(text.public_id))]] == ["application/json"]


def test_upload_replays_under_its_urn(capture_settings, tmp_path):
    data = jpeg_bytes((200, 120))
    evidence = EvidenceFactory(url="", file=SimpleUploadedFile("photo.jpg", data))
    capture = _run(evidence.captures.get())
    (line,) = [x for x in cdxj_lines(_warc_file(capture, tmp_path)) if x["mime"] == "image/jpeg"]

    replayed = pywb_replay([_warc_file(capture, tmp_path)], [line["url"]], tmp_path / "pywb")

    assert replayed[line["url"]]["sha256"] == hashlib.sha256(data).hexdigest()


def test_media_capture_replays_the_clip(capture_settings, http_server, tmp_path):
    page_url = http_server.route(
        "/post/1",
        b'<html><body><video controls src="/media/clip.mp4"></video></body></html>',
        content_type="text/html",
    )
    http_server.route("/media/clip.mp4", CLIP, content_type="video/mp4")
    page = _run(
        EvidenceFactory(url=page_url, kind="video").captures.get(
            method=Capture.Method.FETCH, parent=None
        )
    )
    media = _run(page.embedded_captures.get(method=Capture.Method.MEDIA))

    replayed = pywb_replay([_warc_file(media, tmp_path)], [media.final_url], tmp_path / "pywb")

    assert replayed[media.final_url]["sha256"] == sha256(CLIP) == media.sha256


@needs_chromium
def test_browser_capture_replays_the_page_and_its_subresources(
    browser_settings, http_server, tmp_path
):
    start = serve_page(http_server)
    capture = _run(browser_capture_for(start))
    expected = {
        http_server.url("/page.html"): PAGE,
        http_server.url("/app.js"): APP_JS,
        http_server.url("/style.css"): STYLE,
        http_server.url("/photo.png"): png_bytes((64, 48), (200, 30, 30)),
    }

    replayed = pywb_replay([_warc_file(capture, tmp_path)], list(expected), tmp_path / "pywb")

    assert {url: replayed[url]["sha256"] for url in expected} == {
        url: sha256(body) for url, body in expected.items()
    }
