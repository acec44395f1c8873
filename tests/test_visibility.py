"""claimtrail.visibility: who sees unpublished rows, and what a public id is."""

import uuid

import pytest

from claimtrail.visibility import parse_public_id, sees_unpublished, visible_claims
from tests.factories import ClaimFactory, PublishedClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_viewers_and_above_see_unpublished(anonymous, viewer, analyst, editor):
    no_role = UserFactory(username="nora_no_role")

    assert [sees_unpublished(u) for u in (None, anonymous, no_role)] == [False, False, False]
    assert [sees_unpublished(u) for u in (viewer, analyst, editor)] == [True, True, True]


def test_parse_public_id_takes_uuids_and_their_text_only():
    value = uuid.uuid4()

    assert parse_public_id(value) is value
    assert parse_public_id(str(value)) == value
    assert parse_public_id(str(value).upper()) == value
    for bad in ("not-a-uuid", "", None, 12, str(value)[:-1]):
        assert parse_public_id(bad) is None


def test_visible_claims_narrows_a_given_queryset(anonymous, viewer):
    published, draft = PublishedClaimFactory(text="kept"), ClaimFactory(text="kept too")
    PublishedClaimFactory(text="other")
    kept = published.__class__.objects.filter(text__startswith="kept")

    assert list(visible_claims(anonymous, kept)) == [published]
    assert set(visible_claims(viewer, kept)) == {published, draft}
