"""Errors Django answers outside DRF are JSON under /api/: unknown paths, bodies over the
limit, CSRF failures and crashes, in the one shape and with the same status."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claims.models import Claim
from provenance.models import Evidence

pytestmark = pytest.mark.django_db

BODY_LIMIT = (
    "The request body is over 10 MB, the limit for JSON and form fields. Send files as "
    "multipart uploads (up to 500 MB)."
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.schema_unchecked(reason="a path or a status no operation of the schema has")
@pytest.mark.parametrize("path", ["/api/nope/", "/api/claims/x/y/z/", "/api/nope"])
def test_unknown_api_path_is_a_json_404(anon_client, path):
    response = anon_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"No API endpoint at {path}. /api/ lists the endpoints; /api/docs/ "
        "documents them.",
        "code": "not_found",
        "fields": {},
    }


@pytest.mark.schema_unchecked(reason="a path or a status no operation of the schema has")
def test_unknown_api_path_is_json_with_debug_on(anon_client, settings):
    settings.DEBUG = True

    response = anon_client.get("/api/nope/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_path_outside_the_api_stays_a_page(anon_client):
    response = anon_client.get("/nope/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_json_body_over_the_limit_is_a_413_naming_it(analyst_client):
    body = b'{"text": "' + b"a" * (11 * 1024 * 1024) + b'"}'

    response = analyst_client.post("/api/claims/", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": BODY_LIMIT, "code": "too_large", "fields": {}}
    assert not Claim.objects.exists()


def test_form_fields_over_the_limit_are_a_413(analyst_client):
    response = analyst_client.post(
        "/api/evidence/",
        {"url": "https://example.org/a", "description": "a" * (11 * 1024 * 1024)},
        format="multipart",
    )

    assert response.status_code == 413
    assert response.json()["detail"] == BODY_LIMIT
    assert not Evidence.objects.exists()


def test_multipart_upload_over_the_body_limit_still_works(analyst_client):
    upload = SimpleUploadedFile(
        "big.bin", b"\x00" * (11 * 1024 * 1024), content_type="application/octet-stream"
    )

    response = analyst_client.post(
        "/api/evidence/", {"kind": "document", "file": upload}, format="multipart"
    )

    assert response.status_code == 201
    assert Evidence.objects.get().original_filename == "big.bin"


@pytest.mark.schema_unchecked(reason="a path or a status no operation of the schema has")
def test_a_crash_under_the_api_is_a_json_500(anon_client, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("claims.api.views.claim_list_values", crash)
    anon_client.raise_request_exception = False

    response = anon_client.get("/api/claims/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Server error; it has been logged.",
        "code": "server_error",
        "fields": {},
    }


def test_csrf_failure_under_the_api_is_json(viewer):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/api/auth/login/", {"username": viewer.username, "password": f"pw-{viewer.username}"}
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "csrf_failed"
    assert body["detail"].startswith("CSRF verification failed: CSRF cookie not set.")
    assert body["fields"] == {}


def test_method_not_allowed_outside_drf_keeps_allow_header(viewer_client):
    response = viewer_client.put("/api/auth/logout/")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Method Not Allowed.",
        "code": "method_not_allowed",
        "fields": {},
    }
    assert "POST" in response["Allow"]


def test_disallowed_host_under_the_api_is_a_json_400(anon_client):
    anon_client.raise_request_exception = False

    response = anon_client.get("/api/claims/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Bad Request.", "code": "bad_request", "fields": {}}


def test_too_many_form_fields_is_a_json_400(analyst_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{n}=x" for n in range(20))

    response = analyst_client.post(
        "/api/claims/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Bad request: The number of GET/POST parameters exceeded "
        "settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.",
        "code": "bad_request",
        "fields": {},
    }
    assert not Claim.objects.exists()
