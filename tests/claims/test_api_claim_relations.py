"""POST /api/claims/{id}/relations/ and DELETE /api/claims/{id}/relations/{relation_id}/."""

import uuid

import pytest

from claims.models import ClaimRelation
from claims.services import claim_merge, claim_relation_create
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def _url(claim) -> str:
    return f"/api/claims/{claim.public_id}/relations/"


def test_relation_create_links_this_claim_to_another(analyst_client, analyst):
    counter, claim = ClaimFactory(text="False flag"), ClaimFactory(text="Main")

    response = analyst_client.post(
        _url(counter), {"to_claim": str(claim.public_id), "kind": "contradicts"}, format="json"
    )

    assert response.status_code == 201
    relation = ClaimRelation.objects.get()
    assert response.json() == {
        "id": str(relation.public_id),
        "kind": "contradicts",
        "direction": "out",
        "claim": {"id": str(claim.public_id), "text": "Main", "review_state": "draft"},
    }
    assert (relation.from_claim, relation.to_claim, relation.created_by) == (
        counter,
        claim,
        analyst,
    )


def test_relation_create_refuses_duplicate(analyst_client, analyst):
    counter, claim = ClaimFactory(), ClaimFactory()
    claim_relation_create(actor=analyst, from_claim=counter, to_claim=claim, kind="contradicts")

    response = analyst_client.post(
        _url(counter), {"to_claim": str(claim.public_id), "kind": "contradicts"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "These claims are already related this way.",
        "code": "duplicate",
        "fields": {},
    }
    assert ClaimRelation.objects.count() == 1


def test_relation_create_refuses_self(analyst_client):
    claim = ClaimFactory()

    response = analyst_client.post(
        _url(claim), {"to_claim": str(claim.public_id), "kind": "supports"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "A claim cannot be related to itself."
    assert not ClaimRelation.objects.exists()


def test_relation_create_rejects_unknown_other_claim(analyst_client):
    claim, missing = ClaimFactory(), uuid.uuid4()

    response = analyst_client.post(
        _url(claim), {"to_claim": str(missing), "kind": "supports"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"to_claim": [f"No claim with id {missing}."]}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "supports"}, "to_claim", "This field is required."),
        ({"to_claim": "x", "kind": "supports"}, "to_claim", "Must be a valid UUID."),
        (
            {"to_claim": str(uuid.uuid4()), "kind": "likes"},
            "kind",
            '"likes" is not a valid choice.',
        ),
    ],
)
def test_relation_create_rejects_invalid_input(analyst_client, body, field, message):
    claim = ClaimFactory()

    response = analyst_client.post(_url(claim), body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {field: [message]}


def test_relation_create_refuses_viewer(viewer_client):
    claim, other = ClaimFactory(), ClaimFactory()

    response = viewer_client.post(
        _url(claim), {"to_claim": str(other.public_id), "kind": "supports"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Requires the analyst role."
    assert not ClaimRelation.objects.exists()


@pytest.mark.parametrize("side", ["from", "to"])
def test_relation_delete_removes_relation_seen_from_either_claim(analyst_client, analyst, side):
    claim, other = ClaimFactory(), ClaimFactory()
    relation = claim_relation_create(
        actor=analyst, from_claim=claim, to_claim=other, kind="supports"
    )

    response = analyst_client.delete(
        f"{_url(claim if side == 'from' else other)}{relation.public_id}/"
    )

    assert response.status_code == 204
    assert not ClaimRelation.objects.exists()


def test_relation_delete_of_relation_not_on_this_claim_is_404(analyst_client, analyst):
    claim, other, third = ClaimFactory(), ClaimFactory(), ClaimFactory()
    relation = claim_relation_create(
        actor=analyst, from_claim=claim, to_claim=other, kind="supports"
    )

    response = analyst_client.delete(f"{_url(third)}{relation.public_id}/")
    malformed = analyst_client.delete(f"{_url(claim)}not-a-uuid/")

    assert response.status_code == malformed.status_code == 404
    assert response.json()["detail"] == "This claim has no relation with this id."
    assert ClaimRelation.objects.count() == 1


def test_relation_delete_refuses_viewer(viewer_client, analyst):
    claim, other = ClaimFactory(), ClaimFactory()
    relation = claim_relation_create(
        actor=analyst, from_claim=claim, to_claim=other, kind="supports"
    )

    response = viewer_client.delete(f"{_url(claim)}{relation.public_id}/")

    assert response.status_code == 403
    assert response.json()["detail"] == "Requires the analyst role."
    assert ClaimRelation.objects.count() == 1


def test_relation_delete_of_same_as_refuses_analyst(analyst_client, editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    claim_merge(actor=editor, duplicate=duplicate, target=target)
    same_as = ClaimRelation.objects.get(kind="same_as")

    response = analyst_client.delete(f"{_url(target)}{same_as.public_id}/")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only editors can remove a same_as relation.",
        "code": "permission_denied",
        "fields": {},
    }
    assert ClaimRelation.objects.filter(pk=same_as.pk).exists()


def test_relation_delete_of_same_as_by_editor_is_recorded_with_the_editor(editor_client, editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    claim_merge(actor=editor, duplicate=duplicate, target=target)
    same_as = ClaimRelation.objects.get(kind="same_as")

    response = editor_client.delete(f"{_url(duplicate)}{same_as.public_id}/")

    assert response.status_code == 204
    assert not ClaimRelation.objects.exists()
    deleted = ClaimRelation.history.get(id=same_as.pk, history_type="-")
    assert (deleted.history_user, deleted.kind, deleted.from_claim_id, deleted.to_claim_id) == (
        editor,
        "same_as",
        duplicate.pk,
        target.pk,
    )
