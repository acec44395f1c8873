"""Friendly error pages for the application; /api/ keeps answering errors as JSON."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.views.defaults import permission_denied

from claimtrail import dashboard
from tests.factories import ClaimFactory


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client, viewer):
    client.force_login(viewer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html and 'href="/"' in html


@pytest.mark.django_db
@pytest.mark.schema_unchecked  # an unknown path is not in the schema, by definition
def test_unknown_api_path_stays_json(client):
    response = client.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_server_error_is_a_friendly_500_page(client, viewer, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dashboard, "claims_awaiting_review", broken)
    client.raise_request_exception = False
    client.force_login(viewer)

    response = client.get("/")

    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()
    assert "boom" not in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_explains_the_expired_form(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "<h1>This form has expired</h1>" in response.content.decode()


def test_permission_denied_is_the_friendly_403_page(rf):
    response = permission_denied(rf.get("/claims/"), PermissionDenied("no"))
    assert response.status_code == 403
    assert "<h1>You cannot do that</h1>" in response.content.decode()


@pytest.mark.django_db
def test_unpublished_public_page_uses_the_404_page(client, editor):
    draft = ClaimFactory(actor=editor)
    response = client.get(f"/c/{draft.public_id}/")
    assert response.status_code == 404 and "<h1>Page not found</h1>" in response.content.decode()
