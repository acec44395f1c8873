"""The browsable API (Accept: text/html) renders every list and detail for every persona.

Its forms ask the permission class whether to offer each write; a refusal that was not a
DRF exception escaped as a 500 for viewers on every page and analysts on details.
"""

import pytest

from tests.factories import (
    AppearanceFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    publish_again,
)

pytestmark = [
    pytest.mark.django_db,
    # HTML pages of the browsable API, which the schema (JSON only) does not describe.
    pytest.mark.schema_unchecked(reason="the browsable API's HTML"),
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pages():
    claim = PublishedClaimFactory()
    appearance = AppearanceFactory(claim=claim)
    evidence = EvidenceFactory(claims=[claim])
    publish_again(claim)  # the public reads what was published
    return [
        "/api/",
        "/api/claims/",
        f"/api/claims/{claim.public_id}/",
        "/api/sources/",
        f"/api/sources/{appearance.source.public_id}/",
        "/api/appearances/",
        f"/api/appearances/{appearance.public_id}/",
        "/api/evidence/",
        f"/api/evidence/{evidence.public_id}/",
        "/api/captures/",
    ]


@pytest.mark.parametrize("persona", ["anon", "viewer", "analyst", "editor"])
def test_every_page_renders_for_every_persona(request, persona, pages):
    client = request.getfixturevalue(f"{persona}_client")
    client.raise_request_exception = False

    statuses = {path: client.get(path, HTTP_ACCEPT="text/html").status_code for path in pages}

    assert statuses == dict.fromkeys(pages, 200)


def test_viewer_sees_no_write_forms(viewer_client):
    PublishedClaimFactory()

    response = viewer_client.get("/api/claims/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b'id="post-object-form"' not in response.content


def test_analyst_sees_the_create_form(analyst_client):
    response = analyst_client.get("/api/claims/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"Raw data" in response.content


def test_role_refusal_through_the_api_keeps_its_message(viewer_client):
    response = viewer_client.post("/api/claims/", {"text": "A claim"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Requires the analyst role.",
        "code": "permission_denied",
        "fields": {},
    }


def test_api_docs_still_render(anon_client):
    response = anon_client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
