"""PATCH and PUT /api/evidence/{id}/"""

import uuid

import pytest

from provenance.models import Evidence, EvidenceClaim
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def url(evidence) -> str:
    return f"/api/evidence/{evidence.public_id}/"


def test_patch_changes_metadata_and_claim_links(analyst_client, analyst):
    keep, drop, add = ClaimFactory(), ClaimFactory(), ClaimFactory()
    evidence = EvidenceFactory(title="Old", claims=[keep, drop])
    appearance = AppearanceFactory(claim=keep)

    response = analyst_client.patch(
        url(evidence),
        {
            "title": "Drone video",
            "appearance": str(appearance.public_id),
            "claims": [
                {"claim": str(keep.public_id), "relation": "supports"},
                str(add.public_id),
            ],
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["appearance"]) == ("Drone video", str(appearance.public_id))
    assert sorted(EvidenceClaim.objects.values_list("claim_id", "relation")) == sorted(
        [(keep.pk, "supports"), (add.pk, "context")]
    )
    assert Evidence.objects.get(pk=evidence.pk).history.first().history_user == analyst


def test_patch_without_claims_keeps_links(analyst_client):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim])
    response = analyst_client.patch(url(evidence), {"description": "Seen"}, format="json")
    assert response.status_code == 200
    assert list(EvidenceClaim.objects.values_list("claim_id", flat=True)) == [claim.pk]


def test_clearing_appearance(analyst_client):
    evidence = EvidenceFactory(appearance=AppearanceFactory())
    response = analyst_client.patch(url(evidence), {"appearance": None}, format="json")
    assert response.status_code == 200
    assert Evidence.objects.get(pk=evidence.pk).appearance is None


def test_same_url_is_accepted_a_new_url_refused(analyst_client):
    evidence = EvidenceFactory(url="https://example.org/a.jpg", title="A")

    same = analyst_client.patch(
        url(evidence), {"url": "https://example.org/a.jpg", "title": "B"}, format="json"
    )
    assert same.status_code == 200

    response = analyst_client.patch(
        url(evidence), {"url": "https://example.org/b.jpg"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Cannot change url of evidence; add new evidence instead."
    assert Evidence.objects.get(pk=evidence.pk).url == "https://example.org/a.jpg"


def test_bad_relation_is_400(analyst_client):
    claim = ClaimFactory()
    evidence = EvidenceFactory(claims=[claim])

    response = analyst_client.patch(
        url(evidence),
        {"claims": [{"claim": str(claim.public_id), "relation": "maybe"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "claims": ["claims[0].relation must be supports, refutes or context, not “maybe”."]
    }
    assert EvidenceClaim.objects.get().relation == "context"


def test_unknown_evidence_is_404(analyst_client):
    response = analyst_client.patch(f"/api/evidence/{uuid.uuid4()}/", {"title": "x"}, format="json")
    assert response.status_code == 404


def test_viewer_gets_403(viewer_client):
    evidence = EvidenceFactory(title="A")
    response = viewer_client.patch(url(evidence), {"title": "B"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Requires the analyst role."
    assert Evidence.objects.get(pk=evidence.pk).title == "A"
