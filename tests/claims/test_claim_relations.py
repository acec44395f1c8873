"""claims.services.claim_relation_create / claim_relation_delete and their constraints."""

import pytest
from django.db import IntegrityError, transaction

from claims.models import ClaimRelation
from claims.services import claim_merge, claim_relation_create, claim_relation_delete
from claimtrail.exceptions import DomainError, NotPermitted
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_relation_create_links_two_claims(analyst):
    claim, counter = ClaimFactory(), ClaimFactory()

    relation = claim_relation_create(
        actor=analyst, from_claim=counter, to_claim=claim, kind="contradicts"
    )

    assert (relation.from_claim, relation.to_claim, relation.kind) == (
        counter,
        claim,
        "contradicts",
    )
    assert relation.created_by == analyst
    assert relation.history.get().history_user == analyst


def test_relation_create_refuses_duplicate(analyst):
    claim, counter = ClaimFactory(), ClaimFactory()
    claim_relation_create(actor=analyst, from_claim=counter, to_claim=claim, kind="contradicts")

    with pytest.raises(DomainError) as exc:
        claim_relation_create(actor=analyst, from_claim=counter, to_claim=claim, kind="contradicts")

    assert exc.value.message == "These claims are already related this way."
    assert ClaimRelation.objects.count() == 1


def test_relation_create_allows_other_kind_or_direction(analyst):
    claim, other = ClaimFactory(), ClaimFactory()
    claim_relation_create(actor=analyst, from_claim=other, to_claim=claim, kind="supports")

    claim_relation_create(actor=analyst, from_claim=other, to_claim=claim, kind="part_of")
    claim_relation_create(actor=analyst, from_claim=claim, to_claim=other, kind="supports")

    assert ClaimRelation.objects.count() == 3


def test_db_rejects_duplicate_relation(analyst):
    claim, counter = ClaimFactory(), ClaimFactory()
    claim_relation_create(actor=analyst, from_claim=counter, to_claim=claim, kind="contradicts")

    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelation.objects.create(from_claim=counter, to_claim=claim, kind="contradicts")

    assert ClaimRelation.objects.count() == 1


def test_relation_create_refuses_self_relation(analyst):
    claim = ClaimFactory()

    with pytest.raises(DomainError) as exc:
        claim_relation_create(actor=analyst, from_claim=claim, to_claim=claim, kind="supports")

    assert exc.value.message == "A claim cannot be related to itself."
    assert not ClaimRelation.objects.exists()


def test_db_rejects_self_relation():
    claim = ClaimFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelation.objects.create(from_claim=claim, to_claim=claim, kind="supports")


def test_relation_create_refuses_viewer(viewer):
    claim, other = ClaimFactory(), ClaimFactory()

    with pytest.raises(NotPermitted) as exc:
        claim_relation_create(actor=viewer, from_claim=claim, to_claim=other, kind="supports")

    assert exc.value.message == "Requires the analyst role."


def test_relation_delete_removes_the_edge_and_records_who(analyst):
    claim, other = ClaimFactory(), ClaimFactory()
    relation = claim_relation_create(
        actor=analyst, from_claim=claim, to_claim=other, kind="supports"
    )

    claim_relation_delete(actor=analyst, relation=relation)

    assert not ClaimRelation.objects.exists()
    deleted = ClaimRelation.history.filter(history_type="-").get()
    assert deleted.history_user == analyst


def test_relation_delete_of_same_as_is_for_editors_only(analyst, editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    claim_merge(actor=editor, duplicate=duplicate, target=target)
    same_as = ClaimRelation.objects.get(kind="same_as")

    with pytest.raises(NotPermitted) as exc:
        claim_relation_delete(actor=analyst, relation=same_as)

    assert exc.value.message == "Only editors can remove a same_as relation."
    assert ClaimRelation.objects.filter(pk=same_as.pk).exists()
    assert not ClaimRelation.history.filter(history_type="-").exists()


def test_relation_delete_keeps_the_edge_and_the_actor_in_history_to_restore_it(editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    claim_merge(actor=editor, duplicate=duplicate, target=target)
    same_as = ClaimRelation.objects.get(kind="same_as")
    same_as_id = same_as.pk

    claim_relation_delete(actor=editor, relation=same_as)

    assert not ClaimRelation.objects.exists()
    created, deleted = ClaimRelation.history.filter(id=same_as_id).order_by("history_id")
    assert (created.history_type, created.history_user) == ("+", editor)
    assert (deleted.history_type, deleted.history_user) == ("-", editor)
    assert (deleted.from_claim_id, deleted.to_claim_id, deleted.kind) == (
        duplicate.pk,
        target.pk,
        "same_as",
    )
    assert deleted.public_id == same_as.public_id
    assert deleted.history_date >= created.history_date
