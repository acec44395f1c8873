"""GET /api/captures/{id}/screenshot/ and /dom/: a browser capture's files, as attachments
that never render from our origin; links in the capture's detail."""

import hashlib

import pytest
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from provenance.capture import api as capture_api
from provenance.capture.services import capture_fail
from provenance.models import Capture
from tests.factories import EvidenceFactory
from tests.provenance.capture.browser_support import (  # noqa: F401
    browser_capture_for,
    browser_settings_fixture,
    needs_chromium,
    png_size,
    run,
)
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    http_server_fixture,
)

_router = DefaultRouter()
capture_api.register(_router)
urlpatterns = [
    path("api/", include(capture_api.urlpatterns)),
    path("api/", include(_router.urls)),
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

PAGE = b"""<html><head><title>Post</title></head><body>
<p id="p">before</p><script>document.getElementById("p").textContent = "after";</script>
</body></html>"""


@pytest.fixture
def rendered(browser_settings, http_server) -> Capture:
    url = http_server.route("/post", PAGE, content_type="text/html")
    return run(browser_capture_for(url, kind="social_post"))


@needs_chromium
def test_screenshot_download_is_the_png_attachment(viewer_client, rendered):
    response = viewer_client.get(
        f"/api/captures/{rendered.public_id}/screenshot/", HTTP_ACCEPT="image/png"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        f'attachment; filename="capture-{rendered.public_id}-screenshot.png"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == rendered.sha256
    assert png_size(body)[0] == 1280


@needs_chromium
def test_dom_download_is_sandboxed_html_attachment(viewer_client, rendered):
    response = viewer_client.get(
        f"/api/captures/{rendered.public_id}/dom/", HTTP_ACCEPT="text/html"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="capture-{rendered.public_id}-dom.html"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    body = b"".join(response.streaming_content)
    assert b'<p id="p">after</p>' in body
    assert hashlib.sha256(body).hexdigest() == rendered.metadata["dom_sha256"]


@needs_chromium
def test_detail_links_the_screenshot_and_dom(viewer_client, rendered):
    response = viewer_client.get(f"/api/captures/{rendered.public_id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["method"] == "browser"
    assert body["content_type"] == "image/png"
    assert body["metadata"]["title"] == "Post"
    base = f"http://testserver/api/captures/{rendered.public_id}"
    assert body["links"] == {
        "blob": f"{base}/blob/",
        "warc": f"{base}/warc/",
        "thumbnail": f"{base}/thumbnail/",
        "screenshot": f"{base}/screenshot/",
        "dom": f"{base}/dom/",
    }


@pytest.mark.parametrize(("name", "what"), [("screenshot", "screenshot"), ("dom", "rendered DOM")])
def test_an_http_capture_has_no_screenshot_or_dom(viewer_client, capture_settings, name, what):
    capture = EvidenceFactory(url="https://example.org/photo.jpg").captures.get()
    capture_fail(capture=capture, code="timeout", message="Too slow.")

    response = viewer_client.get(f"/api/captures/{capture.public_id}/{name}/")

    assert response.status_code == 404
    assert response.json() == {
        "detail": f"This capture has no stored {what}.",
        "code": "not_found",
        "fields": {},
    }


def test_download_of_a_queued_browser_capture_says_why(viewer_client, capture_settings):
    capture_settings.CAPTURE_BROWSER_ENABLED = True
    capture = browser_capture_for("https://example.org/news/story")

    response = viewer_client.get(f"/api/captures/{capture.public_id}/screenshot/")

    assert response.status_code == 404
    assert response.json()["detail"] == "This capture has no screenshot yet: it is queued."
