"""Full-text `q` over claims: any language, translations, the GIN index on PostgreSQL."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from claims.filters import claim_search, search_tsquery
from claims.models import Claim
from claims.selectors import claim_list_values
from provenance.services import appearance_create
from tests.factories import ClaimFactory, PublishedClaimFactory, SourceFactory, publish_again

pytestmark = pytest.mark.django_db

URL = "/api/claims/"


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
    return publish_again(claim)


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


@pytest.mark.postgres  # full-text search and its index
def test_search_understands_web_search_syntax(viewer_client):
    ClaimFactory(text="Drone attack on the Kremlin")
    ClaimFactory(text="Drone attack on Moscow")

    assert _texts(viewer_client.get(URL, {"q": "drone -Moscow"})) == ["Drone attack on the Kremlin"]
    assert _texts(viewer_client.get(URL, {"q": '"on the kremlin"'})) == [
        "Drone attack on the Kremlin"
    ]
    either = viewer_client.get(URL, {"q": "Kremlin or Moscow"})
    assert sorted(_texts(either)) == ["Drone attack on Moscow", "Drone attack on the Kremlin"]


@pytest.mark.postgres  # full-text search and its index
def test_search_orders_by_rank_unless_ordering_given(viewer_client):
    ClaimFactory(text="Drone seen once", summary="A report")
    ClaimFactory(text="Drone drone drone", summary="Drone footage of a drone")
    ClaimFactory(text="Unrelated")

    ranked = viewer_client.get(URL, {"q": "drone"})
    assert _texts(ranked) == ["Drone drone drone", "Drone seen once"]
    by_age = viewer_client.get(URL, {"q": "drone", "ordering": "created_at"})
    assert _texts(by_age) == ["Drone seen once", "Drone drone drone"]


@pytest.mark.postgres  # full-text search and its index
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


@pytest.mark.postgres  # full-text search and its index
def test_search_uses_gin_index(viewer, editor):
    # The index is on the stored search_vector column (claims/migrations/0004).
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

    plan = claim_list_values(actor=viewer, filters={"q": "flagpole"}).explain()

    assert "Bitmap Index Scan on claims_claim_search_gin" in plan


def test_claim_list_selector_orders_q_by_rank_on_postgresql(viewer, editor):
    ClaimFactory(actor=editor, text="drone")
    ClaimFactory(actor=editor, text="drone drone drone")

    claims = claim_list_values(actor=viewer, filters={"q": "drone"})

    texts = [claim["text"] for claim in claims]
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


def test_search_matches_word_prefixes_in_any_script(anon_client, editor):
    claim = PublishedClaimFactory(text="Drones over the Kremlin")
    appearance_create(
        actor=editor,
        claim=claim,
        source=SourceFactory(),
        stance="asserts",
        quote="Расцениваем это как террористическую акцию",
        quote_language="ru",
        quote_translation="We regard this as a terrorist action",
    )
    publish_again(claim)
    PublishedClaimFactory(text="Something else entirely")

    assert _texts(anon_client.get(URL, {"q": "террор"})) == [claim.text]
    assert _texts(anon_client.get(URL, {"q": "Krem"})) == [claim.text]
    assert _texts(anon_client.get(URL, {"q": "террор Krem dron"})) == [claim.text]
    assert _texts(anon_client.get(URL, {"q": "террор Washing"})) == []


@pytest.mark.postgres  # full-text search and its index
def test_search_keeps_phrases_and_exclusions_exact(viewer_client):
    ClaimFactory(text="Drone attack on the Kremlin")
    ClaimFactory(text="Drone attack on Moscow")

    assert _texts(viewer_client.get(URL, {"q": '"on the krem"'})) == []
    # An exclusion is a whole word: -Mosc does not exclude Moscow.
    assert sorted(_texts(viewer_client.get(URL, {"q": "drone -Mosc"}))) == [
        "Drone attack on Moscow",
        "Drone attack on the Kremlin",
    ]


@pytest.mark.postgres  # full-text search and its index
@pytest.mark.parametrize("q", ["it's", "a' | 'b", "x:* & !y", "(drone) <-> | !"])
def test_search_treats_tsquery_syntax_as_text(viewer_client, q):
    ClaimFactory(text="It's a drone, a b x y")

    response = viewer_client.get(URL, {"q": q})

    assert response.status_code == 200
    assert _texts(response) == ["It's a drone, a b x y"]


@pytest.mark.postgres  # full-text search and its index
@pytest.mark.parametrize("q", ["\\'", "(", "'; drop table x; --", "-", '"', "!!!"])
def test_search_without_words_finds_nothing_and_does_not_fail(viewer_client, q):
    ClaimFactory(text="It's a drone")

    response = viewer_client.get(URL, {"q": q})

    assert response.status_code == 200
    assert _texts(response) == []


@pytest.mark.postgres  # full-text search and its index
def test_search_ranks_on_the_stored_vector(viewer):
    # Ranking that parsed each match's document again was most of a broad search's time.
    sql = str(claim_list_values(actor=viewer, filters={"q": "drone"}).query)

    assert "ts_rank" in sql
    assert "to_tsvector" not in sql


def test_search_tsquery_makes_words_prefixes_and_quotes_every_operand():
    assert search_tsquery("террор  Krem") == "(('террор':*) & ('Krem':*))"
    assert search_tsquery("it's a\\b") == "(('it''s':*) & ('a\\\\b':*))"
    assert search_tsquery("x:* & !y") == "(('x:*':*) & ('&':*) & ('!y':*))"


def test_search_tsquery_reads_web_search_syntax():
    assert search_tsquery('"on the kremlin" -moscow') == (
        "(('on' <-> 'the' <-> 'kremlin') & !('moscow'))"
    )
    assert (
        search_tsquery("kremlin or moscow drone")
        == "(('kremlin':*)) | (('moscow':*) & ('drone':*))"
    )
    assert search_tsquery("or kremlin or") == "(('or':*) & ('kremlin':*) & ('or':*))"
    assert search_tsquery('"" "') == ""
