"""provenance.services.appearance_delete"""

import pytest

from claims.models import Claim
from claimtrail.exceptions import NotPermitted
from provenance.models import Appearance, AppearanceDerivation
from provenance.services import appearance_delete, appearance_set_derived_from
from tests.factories import AppearanceFactory

pytestmark = pytest.mark.django_db


def test_editor_deletes_and_derivatives_lose_the_edge(editor):
    upstream = AppearanceFactory(quote="Original words")
    downstream = AppearanceFactory(claim=upstream.claim)
    appearance_set_derived_from(appearance=downstream, actor=editor, upstreams=[upstream])

    appearance_delete(actor=editor, appearance=upstream)

    assert not Appearance.objects.filter(pk=upstream.pk).exists()
    assert Appearance.objects.filter(pk=downstream.pk).exists()
    assert not AppearanceDerivation.objects.exists()
    assert "Original words" not in Claim.objects.get(pk=upstream.claim_id).search_document


def test_analyst_cannot_delete(analyst):
    appearance = AppearanceFactory()
    with pytest.raises(NotPermitted) as exc:
        appearance_delete(actor=analyst, appearance=appearance)
    assert exc.value.message == "Only editors can delete appearances."
    assert Appearance.objects.filter(pk=appearance.pk).exists()


def test_the_edges_that_go_with_an_appearance_are_recorded_with_the_actor(analyst, editor):
    upstream = AppearanceFactory()
    downstream = AppearanceFactory(claim=upstream.claim)
    appearance_set_derived_from(appearance=downstream, actor=analyst, upstreams=[upstream])
    upstream_id = upstream.pk

    appearance_delete(actor=editor, appearance=upstream)

    deleted = AppearanceDerivation.history.get(history_type="-")
    assert (deleted.history_user, deleted.appearance_id, deleted.upstream_id) == (
        editor,
        downstream.pk,
        upstream_id,
    )
    assert Appearance.history.get(history_type="-").history_user == editor
