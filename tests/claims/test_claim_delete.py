"""claims.services.claim_delete: what was ever reviewed is archived, never deleted."""

import pytest
from django.db.models import ProtectedError

from claims.models import Claim, ClaimRelation, ReviewEvent
from claims.services import claim_delete, claim_relation_create, claim_review
from claimtrail.exceptions import DomainError, NotFound, NotPermitted
from provenance.models import Appearance, AppearanceDerivation, EvidenceClaim
from provenance.services import appearance_set_derived_from
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, PublishedClaimFactory

pytestmark = pytest.mark.django_db


def test_delete_removes_a_never_reviewed_claim_recording_the_actor_on_every_row(editor):
    claim, other = ClaimFactory(), ClaimFactory()
    first, second = AppearanceFactory(claim=claim), AppearanceFactory(claim=claim)
    appearance_set_derived_from(appearance=second, actor=editor, upstreams=[first])
    claim_relation_create(actor=editor, from_claim=claim, to_claim=other, kind="supports")
    evidence = EvidenceFactory(claims=[claim])

    claim_delete(actor=editor, claim=claim)

    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not Appearance.objects.exists()
    assert not AppearanceDerivation.objects.exists()
    assert not ClaimRelation.objects.exists()
    assert not EvidenceClaim.objects.exists()
    assert Claim.objects.filter(pk=other.pk).exists()
    assert evidence.captures.exists()  # the evidence itself is not the claim's to delete
    for model in (Claim, Appearance, AppearanceDerivation, ClaimRelation, EvidenceClaim):
        users = set(model.history.filter(history_type="-").values_list("history_user", flat=True))
        assert users == {editor.pk}, model


def test_delete_refuses_a_claim_that_was_ever_published(editor):
    claim = PublishedClaimFactory()
    claim_review(claim=claim, actor=editor, to_state="in_review")

    with pytest.raises(DomainError) as exc:
        claim_delete(actor=editor, claim=claim)

    assert (
        exc.value.message
        == "A claim that was ever published cannot be deleted; archive it instead."
    )
    assert exc.value.status_code == 400
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert ReviewEvent.objects.filter(claim=claim).count() == 2


def test_delete_refuses_a_claim_with_any_review_event(analyst, editor):
    claim = ClaimFactory()
    claim_review(claim=claim, actor=analyst, to_state="in_review")
    claim_review(claim=claim, actor=analyst, to_state="draft")

    with pytest.raises(DomainError) as exc:
        claim_delete(actor=editor, claim=claim)

    assert exc.value.message == "A claim with review history cannot be deleted; archive it instead."
    assert ReviewEvent.objects.filter(claim=claim).count() == 2


def test_delete_refuses_analyst(analyst):
    claim = ClaimFactory()

    with pytest.raises(NotPermitted) as exc:
        claim_delete(actor=analyst, claim=claim)

    assert exc.value.message == "Only editors can delete claims."
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_review_events_are_never_cascaded_away():
    """Below the service too: a bare delete of a reviewed claim is refused by the model."""
    claim = PublishedClaimFactory()

    with pytest.raises(ProtectedError):
        claim.delete()

    assert ReviewEvent.objects.filter(claim=claim).count() == 1


def test_delete_of_a_claim_deleted_meanwhile_is_not_found(editor):
    claim = ClaimFactory()
    stale = Claim.objects.get(pk=claim.pk)
    claim_delete(actor=editor, claim=claim)

    with pytest.raises(NotFound) as exc:
        claim_delete(actor=editor, claim=stale)

    assert exc.value.message == "No claim with this id."
