"""POST /api/claims/{id}/merge/: editors fold a duplicate into another claim."""

import uuid

import pytest

from claims.models import ClaimRelation
from claims.services import claim_review
from provenance.models import Appearance
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def _url(claim) -> str:
    return f"/api/claims/{claim.public_id}/merge/"


def test_merge_moves_everything_and_returns_target(editor_client):
    duplicate, target = ClaimFactory(text="Duplicate"), ClaimFactory(text="Target")
    appearance = AppearanceFactory(claim=duplicate)
    evidence = EvidenceFactory(claims=[duplicate])

    response = editor_client.post(
        _url(duplicate), {"into": str(target.public_id), "comment": "Same event."}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(target.public_id)
    assert [a["id"] for a in body["appearances"]] == [str(appearance.public_id)]
    assert [e["id"] for e in body["evidence"]] == [str(evidence.public_id)]
    assert body["related_claims"][0]["kind"] == "same_as"
    assert body["related_claims"][0]["direction"] == "in"
    assert body["related_claims"][0]["claim"] == {
        "id": str(duplicate.public_id),
        "text": "Duplicate",
        "review_state": "archived",
    }
    assert Appearance.objects.get().claim == target
    assert ClaimRelation.objects.filter(
        from_claim=duplicate, to_claim=target, kind="same_as"
    ).exists()


def test_merge_refuses_analyst(analyst_client):
    duplicate, target = ClaimFactory(), ClaimFactory()
    AppearanceFactory(claim=duplicate)

    response = analyst_client.post(_url(duplicate), {"into": str(target.public_id)}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only editors can merge claims.",
        "code": "permission_denied",
        "fields": {},
    }
    assert Appearance.objects.get().claim == duplicate


def test_merge_rejects_unknown_target(editor_client):
    duplicate = ClaimFactory()
    missing = uuid.uuid4()

    response = editor_client.post(_url(duplicate), {"into": str(missing)}, format="json")

    assert response.status_code == 400
    message = f"No claim with id {missing}."
    assert response.json() == {
        "detail": message,
        "code": "unknown_reference",
        "fields": {"into": [message]},
    }
    duplicate.refresh_from_db()
    assert duplicate.review_state == "draft"


def test_merge_rejects_claim_into_itself(editor_client):
    claim = ClaimFactory()

    response = editor_client.post(_url(claim), {"into": str(claim.public_id)}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "A claim cannot be merged into itself."
    assert not ClaimRelation.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [({}, "This field is required."), ({"into": "nope"}, "Must be a valid UUID.")],
)
def test_merge_rejects_invalid_input(editor_client, body, message):
    claim = ClaimFactory()

    response = editor_client.post(_url(claim), body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"into": [message]}


def test_merge_of_unknown_claim_is_404(editor_client):
    target = ClaimFactory()

    response = editor_client.post(
        f"/api/claims/{uuid.uuid4()}/merge/", {"into": str(target.public_id)}, format="json"
    )

    assert response.status_code == 404


def test_merge_refuses_an_archived_target(editor_client, editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    AppearanceFactory(claim=duplicate)
    claim_review(claim=target, actor=editor, to_state="archived")

    response = editor_client.post(_url(duplicate), {"into": str(target.public_id)}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A claim cannot be merged into an archived claim; return the target to "
        "draft or choose another one.",
        "code": "target_archived",
        "fields": {"into": ["This claim is archived."]},
    }
    assert Appearance.objects.get().claim == duplicate
    duplicate.refresh_from_db()
    assert duplicate.review_state == "draft"
    assert not ClaimRelation.objects.exists()
