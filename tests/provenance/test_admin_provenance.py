"""The Appearance and Evidence admins: pages load, and saves go through the services."""

import pytest

from provenance.models import Appearance, Evidence
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/provenance/appearance/",
        "/admin/provenance/appearance/?q=drone&stance__exact=asserts",
        "/admin/provenance/appearance/add/",
        "/admin/provenance/evidence/",
        "/admin/provenance/evidence/?q=video&kind__exact=video",
        "/admin/provenance/capture/",
    ],
)
def test_pages_load(admin_client, path):
    EvidenceFactory(claims=[ClaimFactory()], appearance=AppearanceFactory())
    assert admin_client.get(path).status_code == 200


def test_change_pages_load(admin_client):
    appearance = AppearanceFactory()
    evidence = EvidenceFactory(claims=[appearance.claim], appearance=appearance)
    assert (
        admin_client.get(f"/admin/provenance/appearance/{appearance.pk}/change/").status_code == 200
    )
    assert admin_client.get(f"/admin/provenance/evidence/{evidence.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/provenance/evidence/{evidence.pk}/history/").status_code == 200


def test_add_appearance_through_the_service(admin_client):
    claim, source = ClaimFactory(), SourceFactory()

    response = admin_client.post(
        "/admin/provenance/appearance/add/",
        {
            "claim": claim.pk,
            "source": source.pk,
            "stance": "asserts",
            "quote": "Два беспилотника",
            "quote_language": "ru",
            "quote_translation": "",
            "url": "",
            "published_at_0": "2023-05-03",
            "published_at_1": "13:36:00",
            "published_precision": "day",
        },
        follow=True,
    )

    # The service refuses the untranslated quote; nothing is saved.
    assert "needs a translation into “en”." in response.content.decode()
    assert not Appearance.objects.exists()

    response = admin_client.post(
        "/admin/provenance/appearance/add/",
        {
            "claim": claim.pk,
            "source": source.pk,
            "stance": "asserts",
            "quote": "Два беспилотника",
            "quote_language": "ru",
            "quote_translation": "Two drones",
            "url": "",
            "published_at_0": "2023-05-03",
            "published_at_1": "13:36:00",
            "published_precision": "day",
        },
    )

    assert response.status_code == 302
    appearance = Appearance.objects.get()
    assert appearance.published_at.hour == 0  # truncated to the day by the service


def test_change_evidence_through_the_service(admin_client):
    evidence = EvidenceFactory(title="Old")

    response = admin_client.post(
        f"/admin/provenance/evidence/{evidence.pk}/change/",
        {
            "kind": "video",
            "title": "New",
            "description": "",
            "appearance": "",
            "claim_links-TOTAL_FORMS": "0",
            "claim_links-INITIAL_FORMS": "0",
            "claim_links-MIN_NUM_FORMS": "0",
            "claim_links-MAX_NUM_FORMS": "0",
        },
    )

    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.title, evidence.kind) == ("New", "video")
    assert evidence.history.first().history_user.username == "root"


def test_evidence_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get("/admin/provenance/evidence/add/").status_code == 403


def test_bulk_delete_uses_the_service(admin_client):
    evidence = EvidenceFactory()
    response = admin_client.post(
        "/admin/provenance/evidence/",
        {"action": "delete_selected", "_selected_action": [evidence.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert evidence.history.first().history_type == "-"
