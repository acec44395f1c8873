"""PATCH and PUT /api/appearances/{id}/"""

import uuid
from datetime import UTC, datetime

import pytest

from provenance.models import Appearance
from provenance.services import appearance_set_derived_from
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db
MAY_3 = datetime(2023, 5, 3, 12, tzinfo=UTC)


def url(appearance) -> str:
    return f"/api/appearances/{appearance.public_id}/"


def test_patch_changes_given_fields(analyst_client, analyst):
    appearance = AppearanceFactory(stance="asserts", published_at=MAY_3)

    response = analyst_client.patch(
        url(appearance), {"stance": "denies", "published_at": "2023-05"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["stance"], body["published_at"], body["published_precision"]) == (
        "denies",
        "2023-05-01T00:00:00Z",
        "month",
    )
    appearance.refresh_from_db()
    assert appearance.stance == "denies"
    assert appearance.history.first().history_user == analyst


def test_put_replaces_fields_and_upstreams(analyst_client, analyst):
    claim = ClaimFactory()
    old, new = AppearanceFactory(claim=claim), AppearanceFactory(claim=claim)
    appearance = AppearanceFactory(claim=claim, published_at=None)
    appearance_set_derived_from(appearance=appearance, actor=analyst, upstreams=[old])
    source = SourceFactory()

    response = analyst_client.put(
        url(appearance),
        {
            "claim": str(claim.public_id),
            "source": str(source.public_id),
            "stance": "quotes",
            "derived_from": [str(new.public_id)],
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["derived_from"] == [str(new.public_id)]
    appearance.refresh_from_db()
    assert (appearance.source, appearance.stance) == (source, "quotes")
    assert list(appearance.derived_from.all()) == [new]


def test_cycle_is_400(analyst_client, analyst):
    claim = ClaimFactory()
    a = AppearanceFactory(claim=claim, published_at=None)
    b = AppearanceFactory(claim=claim, published_at=None)
    appearance_set_derived_from(appearance=b, actor=analyst, upstreams=[a])

    response = analyst_client.patch(url(a), {"derived_from": [str(b.public_id)]}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": (
            "This derivation would create a cycle: the appearance is already upstream of one "
            "of the appearances it would derive from."
        ),
        "code": "derivation_cycle",
        "fields": {"derived_from": ["Would create a cycle."]},
    }
    assert list(a.derived_from.all()) == []


def test_self_derivation_is_400(analyst_client):
    appearance = AppearanceFactory()

    response = analyst_client.patch(
        url(appearance), {"derived_from": [str(appearance.public_id)]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "An appearance cannot derive from itself."
    assert list(appearance.derived_from.all()) == []


def test_moving_to_another_claim_is_400(analyst_client):
    appearance = AppearanceFactory()
    other = ClaimFactory()

    response = analyst_client.patch(url(appearance), {"claim": str(other.public_id)}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Cannot change claim of an appearance."
    assert Appearance.objects.get(pk=appearance.pk).claim_id == appearance.claim_id


def test_unknown_appearance_is_404(analyst_client):
    response = analyst_client.patch(
        f"/api/appearances/{uuid.uuid4()}/", {"stance": "denies"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "No such appearance."


def test_viewer_gets_403(viewer_client):
    appearance = AppearanceFactory(stance="asserts")

    response = viewer_client.patch(url(appearance), {"stance": "denies"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Requires the analyst role."
    assert Appearance.objects.get(pk=appearance.pk).stance == "asserts"
