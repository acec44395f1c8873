"""In form bodies an empty date or id is the same as leaving the field out: a multipart
PATCH with `first_seen=` keeps the stored date (JSON null clears it)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import Claim
from provenance.models import Evidence
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db
MAY_3 = date(2023, 5, 3)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("form", ["multipart", "urlencoded"])
def test_empty_first_seen_in_a_form_patch_keeps_the_date(analyst_client, form):
    claim = ClaimFactory(first_seen=MAY_3)
    if form == "multipart":
        response = analyst_client.patch(
            f"/api/claims/{claim.public_id}/",
            {"first_seen": "", "summary": "New summary"},
            format="multipart",
        )
    else:
        response = analyst_client.patch(
            f"/api/claims/{claim.public_id}/",
            "first_seen=&summary=New+summary",
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 200
    assert response.json()["first_seen"] == "2023-05-03"
    claim.refresh_from_db()
    assert (claim.first_seen, claim.summary) == (MAY_3, "New summary")


def test_json_null_clears_first_seen(analyst_client):
    claim = ClaimFactory(first_seen=MAY_3)

    response = analyst_client.patch(
        f"/api/claims/{claim.public_id}/", {"first_seen": None}, format="json"
    )

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.first_seen is None


def test_empty_first_seen_in_a_form_create_means_no_date(analyst_client):
    response = analyst_client.post(
        "/api/claims/", {"text": "A claim", "first_seen": ""}, format="multipart"
    )

    assert response.status_code == 201
    assert Claim.objects.get().first_seen is None


def test_empty_appearance_in_a_multipart_evidence_patch_keeps_it(analyst_client):
    appearance = AppearanceFactory()
    evidence = EvidenceFactory(url="https://example.org/a", appearance=appearance)

    response = analyst_client.patch(
        f"/api/evidence/{evidence.public_id}/",
        {"appearance": "", "title": "Renamed"},
        format="multipart",
    )

    assert response.status_code == 200
    evidence.refresh_from_db()
    assert (evidence.appearance, evidence.title) == (appearance, "Renamed")


def test_empty_parent_in_a_form_source_patch_keeps_it(analyst_client):
    parent = SourceFactory()
    source = SourceFactory(parent=parent)

    response = analyst_client.patch(
        f"/api/sources/{source.public_id}/", {"parent": ""}, format="multipart"
    )

    assert response.status_code == 200
    source.refresh_from_db()
    assert source.parent == parent


def test_empty_text_in_a_form_still_clears_text(analyst_client):
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    response = analyst_client.post(
        "/api/evidence/", {"file": upload, "description": "Was here"}, format="multipart"
    )
    evidence_id = response.json()["id"]

    response = analyst_client.patch(
        f"/api/evidence/{evidence_id}/", {"description": ""}, format="multipart"
    )

    assert response.status_code == 200
    assert Evidence.objects.get().description == ""


def test_schema_documents_empty_form_values(anon_client):
    schema = anon_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    first_seen = schema.json()["components"]["schemas"]["ClaimWriteRequest"]["properties"][
        "first_seen"
    ]
    assert (
        "in a form body an empty value is the same as leaving the field out"
        in (first_seen["description"])
    )
