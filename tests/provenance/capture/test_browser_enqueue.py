"""capture_enqueue queues a browser capture beside the HTTP capture of web pages and social
posts (when enabled), each with its own task sent on commit; capture_run dispatches it."""

import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from provenance.capture.services import _enqueue_embedded, capture_enqueue
from provenance.models import Capture
from provenance.selectors import latest_captures
from tests.factories import EvidenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_on(settings):
    settings.CAPTURE_BROWSER_ENABLED = True
    return settings


def _methods(evidence) -> list[str]:
    return sorted(evidence.captures.values_list("method", flat=True))


@pytest.mark.parametrize("kind", ["web_page", "social_post"])
def test_pages_and_posts_get_a_browser_capture_too(
    browser_on, kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        evidence = EvidenceFactory(kind=kind, url="https://example.org/story")

    assert _methods(evidence) == ["browser", "fetch"]
    browser = evidence.captures.get(method="browser")
    assert browser.status == Capture.Status.QUEUED
    assert browser.requested_url == "https://example.org/story"
    assert browser.parent is None
    assert browser.requested_by == evidence.created_by
    assert len(callbacks) == 2  # one task per capture, sent after commit


@pytest.mark.parametrize("kind", ["image", "video", "document", "other"])
def test_other_kinds_get_only_the_http_capture(browser_on, kind):
    evidence = EvidenceFactory(kind=kind, url="https://example.org/file")
    assert _methods(evidence) == ["fetch"]


def test_when_disabled_the_browser_capture_is_listed_as_skipped_with_how_to_turn_it_on(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    """Nothing is sent for it, and the reason names the missing Chromium."""
    settings.CAPTURE_BROWSER_ENABLED = False
    settings.CAPTURE_BROWSER_PATH = "/nonexistent/chromium"
    with django_capture_on_commit_callbacks() as callbacks:
        evidence = EvidenceFactory(kind="web_page", url="https://example.org/story")

    assert _methods(evidence) == ["browser", "fetch"]
    assert len(callbacks) == 1  # only the HTTP capture's task
    skipped = evidence.captures.get(method="browser")
    assert skipped.status == Capture.Status.FAILED
    assert skipped.error_code == "browser_off"
    assert "Chromium is not installed" in skipped.error_message
    assert "/nonexistent/chromium" in skipped.error_message
    assert skipped.finished_at is not None
    # The page's latest capture is still its HTTP capture, not the skipped view.
    assert latest_captures(evidence_id=evidence.pk).first().method == "fetch"


def test_when_turned_off_with_chromium_present_the_reason_says_so(settings):
    settings.CAPTURE_BROWSER_ENABLED = False
    settings.CAPTURE_BROWSER_PATH = sys.executable  # an executable: "installed"
    evidence = EvidenceFactory(kind="social_post", url="https://example.org/post")

    skipped = evidence.captures.get(method="browser")
    assert "CAPTURE_BROWSER_ENABLED=false" in skipped.error_message
    assert "set CAPTURE_BROWSER_ENABLED=true" in skipped.error_message


def test_when_disabled_other_kinds_list_no_browser_capture(settings):
    settings.CAPTURE_BROWSER_ENABLED = False
    evidence = EvidenceFactory(kind="image", url="https://example.org/a.jpg")
    assert _methods(evidence) == ["fetch"]


def test_embedded_media_of_a_page_get_no_browser_capture(browser_on):
    evidence = EvidenceFactory(kind="web_page", url="https://example.org/story")
    page = evidence.captures.get(method="fetch")

    _enqueue_embedded(page, ["https://example.org/photo.jpg"])

    assert evidence.captures.filter(method="browser").count() == 1
    assert page.embedded_captures.get().method == "fetch"


def test_asking_again_queues_both_again(browser_on, analyst):
    evidence = EvidenceFactory(kind="web_page", url="https://example.org/story")

    capture = capture_enqueue(actor=analyst, evidence=evidence)

    assert capture.method == "fetch"  # what the API answers with
    assert _methods(evidence) == ["browser", "browser", "fetch", "fetch"]


def test_uploaded_pages_get_no_browser_capture(browser_on, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("page.html", b"<html></html>", content_type="text/html")
    evidence = EvidenceFactory(kind="web_page", url="", file=upload)
    assert _methods(evidence) == ["upload"]
