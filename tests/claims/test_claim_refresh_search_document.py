"""claims.services.claim_refresh_search_document: the document and its stored tsvector."""

import pytest
from django.db import connection

from claims.models import Claim
from claims.services import claim_merge, claim_update
from provenance.services import appearance_delete
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _vector_matches_document(claim: Claim) -> bool:
    """Whether the stored vector is what 'simple' makes of the stored document now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector = to_tsvector('simple'::regconfig, search_document) "
            "FROM claims_claim WHERE id = %s",
            [claim.pk],
        )
        return cursor.fetchone()[0]


def _lexemes(claim: Claim) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme FROM unnest((SELECT search_vector FROM claims_claim WHERE id = %s))",
            [claim.pk],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres  # search_vector is a tsvector
def test_refresh_stores_the_vector_of_the_document(editor):
    claim = ClaimFactory(actor=editor, text="Drones over the Kremlin", summary="Two drones")
    AppearanceFactory(
        actor=editor,
        claim=claim,
        source=SourceFactory(),
        quote="Спланированный теракт",
        quote_language="ru",
        quote_translation="A planned terrorist act",
    )

    assert _vector_matches_document(claim)
    assert {"kremlin", "теракт", "terrorist", "two"} <= _lexemes(claim)


@pytest.mark.postgres  # search_vector is a tsvector
def test_refresh_keeps_the_vector_in_step_with_edits_deletes_and_merges(editor):
    claim = ClaimFactory(actor=editor, text="Drones over the Kremlin")
    appearance = AppearanceFactory(
        actor=editor, claim=claim, source=SourceFactory(), quote="A flagpole"
    )
    duplicate = ClaimFactory(actor=editor, text="Explosion in Moscow")

    claim_update(claim=claim, actor=editor, text="Drones over Red Square")
    assert "kremlin" not in _lexemes(claim)
    appearance_delete(actor=editor, appearance=appearance)
    assert "flagpole" not in _lexemes(claim)
    AppearanceFactory(actor=editor, claim=duplicate, source=SourceFactory(), quote="A bang")
    claim_merge(actor=editor, duplicate=duplicate, target=claim)

    assert "bang" in _lexemes(claim)
    assert _vector_matches_document(claim)
    assert _vector_matches_document(duplicate)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback database")
def test_refresh_leaves_the_vector_null_elsewhere(editor):
    claim = ClaimFactory(actor=editor, text="Drones over the Kremlin")

    stored = Claim.objects.values_list("search_document", "search_vector").get(pk=claim.pk)

    assert stored == ("Drones over the Kremlin\n", None)
