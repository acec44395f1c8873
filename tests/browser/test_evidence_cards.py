"""The claim page's evidence cards show the browser capture beside a page's HTTP capture:
the screenshot a reader saw, or why there is none."""

import pytest
from django.urls import reverse
from django.utils import timezone

from provenance.capture.shared.storage import store_file
from provenance.models import Capture
from tests.browser.conftest import PHONE, assert_accessible
from tests.factories import ClaimFactory, EvidenceFactory
from tests.provenance.capture.pipeline_support import (
    capture_settings_fixture,  # noqa: F401
    png_bytes,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _stored_png(tmp_path) -> str:
    path = tmp_path / "shot.png"
    path.write_bytes(png_bytes(size=(320, 200)))
    return store_file(path).name


def _page_with_browser_views(settings, tmp_path):
    """Two web pages: one captured by Chromium too, one while browser captures were off."""
    claim = ClaimFactory(text="Drones over the Kremlin")
    settings.CAPTURE_BROWSER_ENABLED = False
    settings.CAPTURE_BROWSER_PATH = str(tmp_path / "no-chromium")
    skipped = EvidenceFactory(claims=[claim], kind="web_page", url="https://skipped.example/")
    seen = EvidenceFactory(claims=[claim], kind="web_page", url="https://seen.example/")
    now = timezone.now()
    for evidence in (skipped, seen):
        evidence.captures.filter(method="fetch").update(
            status="succeeded", sha256="ab" * 32, blob="x", finished_at=now
        )
    seen.captures.filter(method="browser").update(
        status="succeeded",
        error_code="",
        error_message="",
        sha256="cd" * 32,
        screenshot=_stored_png(tmp_path),
        metadata={"partial": True, "partial_reason": "Still loading after 30 s"},
    )
    return claim, seen.captures.get(method="browser")


def test_analyst_sees_the_screenshot_and_why_a_browser_view_is_missing(
    page, login, viewer, capture_settings, tmp_path
):
    claim, browser = _page_with_browser_views(capture_settings, tmp_path)
    login(viewer)

    page.goto(reverse("claims:detail", args=[claim.public_id]))

    views = page.locator(".browser-capture")
    assert views.count() == 2
    skipped = page.locator('.browser-capture[data-status="skipped"]')
    assert "not made" in skipped.inner_text()
    assert "Chromium is not installed" in skipped.inner_text()
    seen = page.locator('.browser-capture[data-status="succeeded"]')
    assert "partial" in seen.inner_text() and "Still loading after 30 s" in seen.inner_text()
    preview = page.locator(".preview img")
    assert preview.get_attribute("src") == reverse("capture-screenshot", args=[browser.public_id])
    # The screenshot was served and drawn (a broken image has no natural width).
    page.wait_for_function("() => document.querySelector('.preview img').naturalWidth === 320")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    assert Capture.objects.filter(method="browser").count() == 2
