"""The video behind a page: a child capture (method "media") downloaded through yt-dlp."""

import hashlib

import pytest

from provenance.capture.services import capture_run
from provenance.models import Capture, Evidence
from tests.factories import EvidenceFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    http_server_fixture,
)

pytestmark = pytest.mark.django_db

CLIP = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64
PAGE_WITH_VIDEO = b"""<html><head><title>Drone video</title></head>
<body><video controls src="/media/clip.mp4"></video></body></html>"""


def _run(capture: Capture) -> Capture:
    capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    return capture


def _page_capture(http_server, kind: str) -> Capture:
    url = http_server.route("/post/1", PAGE_WITH_VIDEO, content_type="text/html")
    http_server.route("/media/clip.mp4", CLIP, content_type="video/mp4")
    evidence = EvidenceFactory(url=url, kind=kind)
    return evidence.captures.get(method=Capture.Method.FETCH, parent=None)


def test_video_page_gets_a_media_capture_of_the_clip(capture_settings, http_server):
    page = _run(_page_capture(http_server, Evidence.Kind.VIDEO))

    media = page.embedded_captures.get(method=Capture.Method.MEDIA)
    assert media.status == Capture.Status.QUEUED
    assert media.requested_url == page.final_url

    media = _run(media)

    assert media.status == Capture.Status.SUCCEEDED, media.error_message
    assert media.sha256 == hashlib.sha256(CLIP).hexdigest()
    assert media.size == len(CLIP)
    assert media.final_url.endswith("/media/clip.mp4")
    assert media.metadata["yt_dlp"]["ext"] == "mp4"
    assert media.warc and media.warc_sha256
    assert not media.embedded_captures.exists()  # a child never spawns children


def test_image_evidence_page_gets_no_media_capture(capture_settings, http_server):
    page = _run(_page_capture(http_server, Evidence.Kind.IMAGE))

    assert page.status == Capture.Status.SUCCEEDED
    assert not page.embedded_captures.filter(method=Capture.Method.MEDIA).exists()


def test_media_capture_can_be_turned_off(capture_settings, http_server):
    capture_settings.CAPTURE_MEDIA_ENABLED = False

    page = _run(_page_capture(http_server, Evidence.Kind.VIDEO))

    assert not page.embedded_captures.filter(method=Capture.Method.MEDIA).exists()


def test_page_without_video_fails_the_media_capture_with_a_reason(capture_settings, http_server):
    url = http_server.route(
        "/post/2", b"<html><p>No video here</p></html>", content_type="text/html"
    )
    page = _run(
        EvidenceFactory(url=url, kind=Evidence.Kind.SOCIAL_POST).captures.get(
            method=Capture.Method.FETCH, parent=None
        )
    )

    media = _run(page.embedded_captures.get(method=Capture.Method.MEDIA))

    assert media.status == Capture.Status.FAILED
    assert media.error_code == "no_media"
    assert "found no video" in media.error_message
