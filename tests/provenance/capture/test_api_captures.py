"""/api/captures/ list, detail and downloads; POST /api/evidence/{id}/captures/; admin."""

import hashlib
import uuid

import pytest
from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

import provenance.capture.admin  # noqa: F401 - registers CaptureAdmin
from provenance.capture import api as capture_api
from provenance.capture.services import capture_enqueue, capture_run
from provenance.models import Capture
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    UserFactory,
    publish_again,
)
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    http_server_fixture,
    jpeg_bytes,
)

# Mounted the way claimtrail/urls.py mounts them.
_router = DefaultRouter()
capture_api.register(_router)
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(capture_api.urlpatterns)),
    path("api/", include(_router.urls)),
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _captured(http_server, route: str, body: bytes, *, claims=(), **kwargs) -> Capture:
    evidence = EvidenceFactory(url=http_server.route(route, body, **kwargs), claims=claims)
    capture = evidence.captures.get()
    capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    return capture


@pytest.fixture
def published_and_draft(capture_settings, http_server):
    claim = PublishedClaimFactory()
    published = _captured(http_server, "/pub.jpg", jpeg_bytes(), claims=[claim])
    publish_again(claim)  # the evidence was added after the first publication
    draft = _captured(http_server, "/draft.txt", b"draft only", claims=[ClaimFactory()])
    return published, draft


def test_anonymous_sees_only_captures_behind_published_claims(anon_client, published_and_draft):
    published, _ = published_and_draft
    response = anon_client.get("/api/captures/")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [str(published.public_id)]


def test_viewer_sees_all_captures_newest_first(viewer_client, published_and_draft):
    published, draft = published_and_draft
    response = viewer_client.get("/api/captures/")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [
        str(draft.public_id),
        str(published.public_id),
    ]


def test_detail_shows_status_hashes_metadata_and_links(viewer_client, published_and_draft):
    published, _ = published_and_draft
    response = viewer_client.get(f"/api/captures/{published.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["evidence"] == str(published.evidence.public_id)
    assert body["parent"] is None
    assert body["error"] is None
    assert body["gone"] is False
    assert body["change"] == "first"
    assert body["sha256"] == published.sha256
    assert body["warc_sha256"] == published.warc_sha256
    assert body["content_type"] == "image/jpeg"
    assert body["metadata"]["width"] == 640
    base = f"http://testserver/api/captures/{published.public_id}"
    assert body["links"] == {
        "blob": f"{base}/blob/",
        "warc": f"{base}/warc/",
        "thumbnail": f"{base}/thumbnail/",
        "screenshot": None,
        "dom": None,
    }


def test_hidden_and_unknown_captures_are_404_alike(anon_client, published_and_draft):
    _, draft = published_and_draft
    for target in (draft.public_id, uuid.uuid4(), "not-a-uuid"):
        response = anon_client.get(f"/api/captures/{target}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such capture.", "code": "not_found", "fields": {}}


def test_filters_by_evidence_and_status(viewer_client, capture_settings, http_server):
    ok = _captured(http_server, "/ok", b"fine")
    gone = _captured(http_server, "/gone", b"", status=404)

    by_evidence = viewer_client.get(f"/api/captures/?evidence={ok.evidence.public_id}")
    failed = viewer_client.get("/api/captures/?status=failed")
    bad = viewer_client.get("/api/captures/?status=lost")

    assert [c["id"] for c in by_evidence.json()["results"]] == [str(ok.public_id)]
    results = failed.json()["results"]
    assert [c["id"] for c in results] == [str(gone.public_id)]
    assert results[0]["gone"] is True
    assert results[0]["error"]["code"] == "gone"
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert "status" in bad.json()["fields"]


@pytest.mark.parametrize("count", [5, 120])
def test_list_query_count_is_flat(viewer_client, analyst, django_assert_max_num_queries, count):
    evidence = EvidenceFactory(url="https://example.org/many.jpg")
    for _ in range(count - 1):
        capture_enqueue(actor=analyst, evidence=evidence)
    # roles of the user, the page of captures (evidence and parent joined)
    with django_assert_max_num_queries(2):
        response = viewer_client.get("/api/captures/?page_size=200")
    assert len(response.json()["results"]) == count


def test_blob_download_is_an_attachment_with_its_type(viewer_client, published_and_draft):
    published, _ = published_and_draft
    response = viewer_client.get(f"/api/captures/{published.public_id}/blob/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == published.sha256


def test_captured_html_is_never_served_inline(viewer_client, capture_settings, http_server):
    page = b"<html><body><script>alert(document.cookie)</script></body></html>"
    capture = _captured(http_server, "/evil.html", page, content_type="text/html")
    response = viewer_client.get(
        f"/api/captures/{capture.public_id}/blob/", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html"
    assert response["Content-Disposition"] == (
        f'attachment; filename="capture-{capture.public_id}.html"'
    )
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_warc_and_thumbnail_downloads(viewer_client, published_and_draft):
    published, _ = published_and_draft
    warc = viewer_client.get(
        f"/api/captures/{published.public_id}/warc/", HTTP_ACCEPT="application/warc"
    )
    thumb = viewer_client.get(f"/api/captures/{published.public_id}/thumbnail/")
    assert warc.status_code == 200
    assert warc["Content-Type"] == "application/warc"
    assert warc["Content-Disposition"] == (
        f'attachment; filename="capture-{published.public_id}.warc.gz"'
    )
    assert hashlib.sha256(b"".join(warc.streaming_content)).hexdigest() == published.warc_sha256
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"


def test_download_of_a_queued_capture_says_why(viewer_client):
    capture = EvidenceFactory(url="https://example.org/later.jpg").captures.get()
    response = viewer_client.get(
        f"/api/captures/{capture.public_id}/blob/", HTTP_ACCEPT="application/octet-stream"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "This capture has no bytes yet: it is queued."


def test_analyst_asks_for_a_new_capture(analyst_client, django_capture_on_commit_callbacks):
    evidence = EvidenceFactory(url="https://example.org/again.jpg")
    with django_capture_on_commit_callbacks() as callbacks:
        response = analyst_client.post(f"/api/evidence/{evidence.public_id}/captures/")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert body["evidence"] == str(evidence.public_id)
    assert body["requested_url"] == "https://example.org/again.jpg"
    assert evidence.captures.count() == 2
    assert len(callbacks) == 1


def test_viewer_may_not_ask_for_a_capture(viewer_client):
    evidence = EvidenceFactory(url="https://example.org/v.jpg")
    response = viewer_client.post(f"/api/evidence/{evidence.public_id}/captures/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Requires the analyst role.",
        "code": "permission_denied",
        "fields": {},
    }
    assert evidence.captures.count() == 1


def test_anonymous_may_not_ask_for_a_capture(anon_client):
    evidence = EvidenceFactory(url="https://example.org/a.jpg", claims=[PublishedClaimFactory()])
    response = anon_client.post(f"/api/evidence/{evidence.public_id}/captures/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Log in or send a token to do this."
    assert evidence.captures.count() == 1


def test_capture_of_unknown_evidence_is_404(analyst_client):
    response = analyst_client.post(f"/api/evidence/{uuid.uuid4()}/captures/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such evidence."


def test_schema_describes_binary_downloads(viewer_client, settings):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)
    blob = schema["paths"]["/api/captures/{public_id}/blob/"]["get"]["responses"]
    assert blob["200"]["content"]["*/*"]["schema"]["format"] == "binary"
    assert "404" in blob
    post = schema["paths"]["/api/evidence/{public_id}/captures/"]["post"]["responses"]
    assert set(post) >= {"202", "403", "404"}


def test_admin_requeues_failed_captures(client, capture_settings, http_server):
    superuser = UserFactory(username="root_admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    failed = _captured(http_server, "/down", b"", status=403)
    response = client.post(
        "/admin/provenance/capture/",
        {"action": "requeue", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Re-queued 1 capture(s)." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error_code) == ("queued", 0, "")
    listing = client.get("/admin/provenance/capture/?status__exact=queued")
    assert listing.status_code == 200
