"""Full-text `q` over claims: any language, translations, the GIN index on PostgreSQL."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from claims.filters import claim_search
from claims.models import Claim
from claims.selectors import claim_list
from provenance.services import appearance_create
from tests.factories import ClaimFactory, PublishedClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

URL = "/api/claims/"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search and its index"
)


@pytest.fixture
def kremlin_statement(editor):
    """The main claim, with the Kremlin's Russian statement and its English translation."""
    claim = PublishedClaimFactory(text="Ukraine attacked the Kremlin with drones")
    appearance_create(
        actor=editor,
        claim=claim,
        source=SourceFactory(name="Kremlin press service"),
        stance="asserts",
        quote="Расцениваем эти действия как спланированный теракт и покушение на жизнь Президента",
        quote_language="ru",
        quote_translation="We regard these actions as a planned terrorist act",
        published_at=datetime(2023, 5, 3, tzinfo=UTC),
        published_precision="day",
    )
    return claim


def _texts(response) -> list[str]:
    return [row["text"] for row in response.json()["results"]]


def test_search_finds_russian_word_from_quote(anon_client, kremlin_statement):
    ClaimFactory(text="Something else entirely")

    response = anon_client.get(URL, {"q": "теракт"})

    assert response.status_code == 200
    assert _texts(response) == [kremlin_statement.text]


def test_search_ignores_case_in_any_script(anon_client, kremlin_statement):
    assert _texts(anon_client.get(URL, {"q": "ТЕРАКТ"})) == [kremlin_statement.text]
    assert _texts(anon_client.get(URL, {"q": "KREMLIN"})) == [kremlin_statement.text]


def test_search_finds_english_word_from_translation(anon_client, kremlin_statement):
    response = anon_client.get(URL, {"q": "terrorist"})

    assert _texts(response) == [kremlin_statement.text]


def test_search_requires_every_word(anon_client, kremlin_statement):
    assert _texts(anon_client.get(URL, {"q": "terrorist Kremlin"})) == [kremlin_statement.text]
    assert _texts(anon_client.get(URL, {"q": "terrorist Washington"})) == []


def test_search_respects_visibility(anon_client, viewer_client):
    ClaimFactory(text="Draft about drones")

    assert _texts(anon_client.get(URL, {"q": "drones"})) == []
    assert _texts(viewer_client.get(URL, {"q": "drones"})) == ["Draft about drones"]


def test_search_with_blank_q_lists_everything(viewer_client):
    ClaimFactory(text="One")

    assert _texts(viewer_client.get(URL, {"q": "   "})) == ["One"]


def test_search_sees_appearance_quotes_added_later(viewer_client, editor):
    claim = ClaimFactory(text="Drone attack")
    assert _texts(viewer_client.get(URL, {"q": "flagpole"})) == []

    appearance_create(
        actor=editor,
        claim=claim,
        source=SourceFactory(),
        stance="reports",
        quote="A small explosion near a flagpole",
    )

    assert _texts(viewer_client.get(URL, {"q": "flagpole"})) == ["Drone attack"]


@on_postgresql
def test_search_understands_web_search_syntax(viewer_client):
    ClaimFactory(text="Drone attack on the Kremlin")
    ClaimFactory(text="Drone attack on Moscow")

    assert _texts(viewer_client.get(URL, {"q": "drone -Moscow"})) == ["Drone attack on the Kremlin"]
    assert _texts(viewer_client.get(URL, {"q": '"on the kremlin"'})) == [
        "Drone attack on the Kremlin"
    ]
    either = viewer_client.get(URL, {"q": "Kremlin or Moscow"})
    assert sorted(_texts(either)) == ["Drone attack on Moscow", "Drone attack on the Kremlin"]


@on_postgresql
def test_search_orders_by_rank_unless_ordering_given(viewer_client):
    ClaimFactory(text="Drone seen once", summary="A report")
    ClaimFactory(text="Drone drone drone", summary="Drone footage of a drone")
    ClaimFactory(text="Unrelated")

    ranked = viewer_client.get(URL, {"q": "drone"})
    assert _texts(ranked) == ["Drone drone drone", "Drone seen once"]
    by_age = viewer_client.get(URL, {"q": "drone", "ordering": "created_at"})
    assert _texts(by_age) == ["Drone seen once", "Drone drone drone"]


@on_postgresql
def test_search_ranked_pages_cover_every_match_once(viewer_client):
    for n in range(7):
        ClaimFactory(text="drone " * (n % 3 + 1) + f"claim {n}")

    seen, response = [], viewer_client.get(URL, {"q": "drone", "page_size": 2})
    while True:
        seen += _texts(response)
        if not response.json()["next"]:
            break
        response = viewer_client.get(response.json()["next"])

    assert len(seen) == 7
    assert len(set(seen)) == 7


@on_postgresql
def test_search_uses_gin_index(viewer, editor):
    # The planner picks the index only if the query's expression is exactly the indexed one:
    # to_tsvector('simple'::regconfig, COALESCE(search_document, '')).
    for n in range(200):
        ClaimFactory(actor=editor, text=f"Claim {n} about a drone")
    ClaimFactory(actor=editor, text="An explosion near a flagpole")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
        # Leave the planner a bitmap scan of an index that matches the condition, or a
        # (penalized) sequential scan; a reused test database's bloated GIN pending list
        # would otherwise make a full scan of some btree index look cheaper.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")

    plan = claim_list(actor=viewer, filters={"q": "flagpole"}).explain()

    assert "Bitmap Index Scan on claims_claim_search_gin" in plan


def test_claim_list_selector_orders_q_by_rank_on_postgresql(viewer, editor):
    ClaimFactory(actor=editor, text="drone")
    ClaimFactory(actor=editor, text="drone drone drone")

    claims = claim_list(actor=viewer, filters={"q": "drone"})

    texts = [claim.text for claim in claims]
    if connection.vendor == "postgresql":
        assert texts == ["drone drone drone", "drone"]
    else:
        assert sorted(texts) == ["drone", "drone drone drone"]


def test_claim_search_fallback_matches_words_case_insensitively(editor):
    # The same call on SQLite uses the plain fallback: every word, any case, any script.
    ClaimFactory(actor=editor, text="Кремль атакован беспилотниками")
    ClaimFactory(actor=editor, text="Kremlin attacked by drones")

    assert [c.text for c in claim_search(Claim.objects.all(), "КРЕМЛЬ")] == [
        "Кремль атакован беспилотниками"
    ]
    assert [c.text for c in claim_search(Claim.objects.all(), "kremlin, DRONES!")] == [
        "Kremlin attacked by drones"
    ]
