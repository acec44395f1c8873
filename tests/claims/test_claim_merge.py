"""claims.services.claim_merge: folding a duplicate claim into another."""

import pytest

from claims.models import ClaimRelation, ReviewEvent
from claims.services import claim_merge, claim_relation_create, claim_review
from claimtrail.exceptions import DomainError, NotPermitted
from provenance.models import Appearance, EvidenceClaim
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def test_merge_moves_appearances_to_target(editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    moved = AppearanceFactory(claim=duplicate, quote="Беспилотники выведены из строя")
    stays = AppearanceFactory(claim=target)

    claim_merge(actor=editor, duplicate=duplicate, target=target)

    assert set(Appearance.objects.filter(claim=target)) == {moved, stays}
    assert not Appearance.objects.filter(claim=duplicate).exists()
    target.refresh_from_db()
    assert "Беспилотники выведены из строя" in target.search_document


def test_merge_moves_evidence_links_without_duplicating_them(editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    shared = EvidenceFactory(claims=[duplicate, target])
    only_duplicate = EvidenceFactory(claims=[duplicate], relation="supports")

    claim_merge(actor=editor, duplicate=duplicate, target=target)

    links = set(EvidenceClaim.objects.filter(claim=target).values_list("evidence_id", "relation"))
    assert links == {(shared.pk, "context"), (only_duplicate.pk, "supports")}
    assert not EvidenceClaim.objects.filter(claim=duplicate).exists()


def test_merge_moves_relations_and_drops_clashing_ones(editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    counter, part, whole = ClaimFactory(), ClaimFactory(), ClaimFactory()
    claim_relation_create(actor=editor, from_claim=counter, to_claim=duplicate, kind="contradicts")
    claim_relation_create(actor=editor, from_claim=duplicate, to_claim=whole, kind="part_of")
    claim_relation_create(actor=editor, from_claim=part, to_claim=duplicate, kind="part_of")
    claim_relation_create(actor=editor, from_claim=part, to_claim=target, kind="part_of")
    claim_relation_create(actor=editor, from_claim=duplicate, to_claim=target, kind="supports")

    claim_merge(actor=editor, duplicate=duplicate, target=target)

    edges = set(ClaimRelation.objects.values_list("from_claim_id", "kind", "to_claim_id"))
    assert edges == {
        (counter.pk, "contradicts", target.pk),
        (target.pk, "part_of", whole.pk),
        (part.pk, "part_of", target.pk),
        (duplicate.pk, "same_as", target.pk),
    }


def test_merge_keeps_duplicate_archived_with_same_as_edge(editor):
    duplicate, target = ClaimFactory(tags=["drone"]), ClaimFactory(tags=["kremlin"])

    result = claim_merge(actor=editor, duplicate=duplicate, target=target, comment="Same event.")

    assert result == target
    duplicate.refresh_from_db()
    assert duplicate.review_state == "archived"
    assert ClaimRelation.objects.filter(
        from_claim=duplicate, to_claim=target, kind="same_as"
    ).exists()
    event = ReviewEvent.objects.get(claim=duplicate)
    assert event.comment == f"Merged into {target.public_id}. Same event."
    assert sorted(t.name for t in target.tags.all()) == ["drone", "kremlin"]


def test_merge_refuses_analyst(analyst):
    duplicate, target = ClaimFactory(), ClaimFactory()
    appearance = AppearanceFactory(claim=duplicate)

    with pytest.raises(NotPermitted) as exc:
        claim_merge(actor=analyst, duplicate=duplicate, target=target)

    assert exc.value.message == "Only editors can merge claims."
    appearance.refresh_from_db()
    assert appearance.claim == duplicate


def test_merge_refuses_claim_into_itself(editor):
    claim = ClaimFactory()

    with pytest.raises(DomainError) as exc:
        claim_merge(actor=editor, duplicate=claim, target=claim)

    assert exc.value.message == "A claim cannot be merged into itself."


def test_merge_refuses_merging_back_into_a_duplicate(editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    claim_merge(actor=editor, duplicate=duplicate, target=target)

    with pytest.raises(DomainError) as exc:
        claim_merge(actor=editor, duplicate=target, target=duplicate)

    assert exc.value.message == "The target was itself merged into this claim."
    target.refresh_from_db()
    assert target.review_state == "draft"


def test_merge_records_who_moved_every_link_in_history(editor):
    duplicate, target, other = ClaimFactory(), ClaimFactory(), ClaimFactory()
    shared = EvidenceFactory(claims=[duplicate, target])
    only_duplicate = EvidenceFactory(claims=[duplicate])
    relation = claim_relation_create(
        actor=editor, from_claim=duplicate, to_claim=other, kind="supports"
    )

    claim_merge(actor=editor, duplicate=duplicate, target=target)

    moved_link = EvidenceClaim.objects.get(evidence=only_duplicate, claim=target)
    assert moved_link.history.latest().history_user == editor
    dropped = EvidenceClaim.history.filter(evidence_id=shared.pk, claim_id=duplicate.pk).latest()
    assert (dropped.history_type, dropped.history_user) == ("-", editor)
    relation.refresh_from_db()
    assert relation.from_claim_id == target.pk
    assert relation.history.latest().history_user == editor
    same_as = ClaimRelation.objects.get(from_claim=duplicate, to_claim=target, kind="same_as")
    assert same_as.history.latest().history_user == editor


def test_merge_refuses_an_archived_target(editor):
    duplicate, target = ClaimFactory(), ClaimFactory()
    appearance = AppearanceFactory(claim=duplicate)
    claim_review(claim=target, actor=editor, to_state="archived")

    with pytest.raises(DomainError) as exc:
        claim_merge(actor=editor, duplicate=duplicate, target=target)

    assert exc.value.message == (
        "A claim cannot be merged into an archived claim; return the target to draft "
        "or choose another one."
    )
    assert exc.value.fields == {"into": ["This claim is archived."]}
    appearance.refresh_from_db()
    assert appearance.claim_id == duplicate.pk
    duplicate.refresh_from_db()
    assert duplicate.review_state == "draft"
    assert not ClaimRelation.objects.exists()
