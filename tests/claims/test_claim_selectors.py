"""claims.selectors: visibility and the filters of claim_list_values."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from claims.detail import claim_detail_for_user
from claims.selectors import claim_list_values, claim_lookup_for_user
from claimtrail.exceptions import NotFound
from tests.factories import AppearanceFactory, ClaimFactory, PublishedClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _ids(rows) -> list[int]:
    return [row["id"] for row in rows]


def test_claim_list_shows_anonymous_only_published(anonymous, viewer):
    published, draft = PublishedClaimFactory(), ClaimFactory()

    assert _ids(claim_list_values(actor=anonymous)) == [published.pk]
    assert set(_ids(claim_list_values(actor=viewer))) == {published.pk, draft.pk}


def test_claim_list_applies_filters(viewer):
    ClaimFactory(tags=["drone"])
    refuted = PublishedClaimFactory(verdict="refuted", tags=["drone"])

    claims = claim_list_values(actor=viewer, filters={"verdict": "refuted", "tag": "drone"})

    assert _ids(claims) == [refuted.pk]


def test_claim_list_rejects_invalid_filters(viewer):
    with pytest.raises(ValidationError) as exc:
        claim_list_values(actor=viewer, filters={"source": "nope"})

    assert exc.value.message_dict == {"source": ["Enter a valid UUID."]}


def test_claim_lookup_hides_unpublished_claims_like_missing_ones(anonymous, viewer):
    draft = ClaimFactory()

    assert claim_lookup_for_user(public_id=draft.public_id, actor=viewer) == draft
    assert claim_lookup_for_user(public_id=str(draft.public_id), actor=viewer) == draft
    for public_id in (draft.public_id, uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(NotFound) as exc:
            claim_lookup_for_user(public_id=public_id, actor=anonymous)
        assert exc.value.message == "No claim with this id."


def test_claim_detail_hides_unpublished_claims_like_missing_ones(anonymous, viewer):
    draft = ClaimFactory()

    assert claim_detail_for_user(public_id=str(draft.public_id), actor=viewer)["id"] == draft.pk
    for public_id in (draft.public_id, uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(NotFound) as exc:
            claim_detail_for_user(public_id=public_id, actor=anonymous)
        assert exc.value.message == "No claim with this id."


def test_claim_detail_reads_each_claims_own_rows(viewer, editor):
    # On PostgreSQL the detail's SQL is compiled once and run with each claim's values.
    claims = [PublishedClaimFactory(actor=editor, tags=[f"tag-{n}"]) for n in range(2)]
    source = SourceFactory(actor=editor)
    quotes = {claim.pk: f"Quote on {claim.pk}" for claim in claims}
    for claim in claims:
        AppearanceFactory(actor=editor, claim=claim, source=source, quote=quotes[claim.pk])

    for _ in range(2):
        for claim in (*claims, claims[0]):
            detail = claim_detail_for_user(public_id=claim.public_id, actor=viewer)
            assert detail["id"] == claim.pk
            assert detail["tags"] == [f"tag-{claims.index(claim)}"]
            assert [a["quote"] for a in detail["appearances"]] == [quotes[claim.pk]]
