"""GET /api/sources/{id}/record/: what a source said and how those claims were judged."""

import uuid
from datetime import UTC, datetime

import pytest

from claims.models import Claim
from claims.services import claim_review, claim_update
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory, publish_again
from tests.schema_check import assert_matches_schema

pytestmark = pytest.mark.django_db

PATH = "/api/sources/{public_id}/record/"


def _published(editor, verdict: str, text: str):
    claim = ClaimFactory(actor=editor, text=text)
    claim_review(claim=claim, actor=editor, to_state="published", verdict=verdict, credibility=3)
    return claim


@pytest.fixture
def tass(editor):
    """TASS: asserts two refuted claims (one twice), denies a supported one, and repeats a
    draft claim."""
    source = SourceFactory(actor=editor, name="TASS", kind="outlet", country="RU")
    refuted = [_published(editor, "refuted", f"Refuted {n}") for n in range(2)]
    supported = _published(editor, "supported", "Supported")
    draft = ClaimFactory(actor=editor, text="Draft")
    for n, (claim, stance) in enumerate(
        [
            (refuted[0], "asserts"),
            (refuted[0], "asserts"),
            (refuted[1], "asserts"),
            (supported, "denies"),
            (draft, "repeats"),
        ]
    ):
        AppearanceFactory(
            actor=editor,
            claim=claim,
            source=source,
            stance=stance,
            published_at=datetime(2023, 5, 1 + n, tzinfo=UTC),
        )
    for claim in (*refuted, supported):  # the public reads what was published
        publish_again(claim, actor=editor)
    return source


def _zero(**counts) -> dict:
    verdicts = ["unreviewed", "unverified", "disputed", "supported", "refuted", "misleading"]
    return dict.fromkeys([*verdicts, "unverifiable"], 0) | counts


def test_record_counts_claims_by_verdict_and_stance(viewer_client, tass):
    response = viewer_client.get(f"/api/sources/{tass.public_id}/record/")
    assert response.status_code == 200
    body = response.json()
    assert_matches_schema(body, path=PATH)
    assert body["source"]["name"] == "TASS"
    assert (body["appearance_total"], body["claim_total"]) == (5, 4)
    assert body["verdicts"] == _zero(refuted=2, supported=1, unreviewed=1)
    assert body["verdicts_by_stance"] == {
        "asserts": _zero(refuted=2),
        "denies": _zero(supported=1),
        "repeats": _zero(unreviewed=1),
    }
    first = body["appearances"][0]
    assert (first["stance"], first["claim"]["text"], first["claim"]["verdict"]) == (
        "repeats",
        "Draft",
        "",
    )
    assert first["published_at"] == "2023-05-05T00:00:00Z"
    assert [a["claim"]["text"] for a in body["appearances"]][1:] == [
        "Supported",
        "Refuted 1",
        "Refuted 0",
        "Refuted 0",
    ]


def test_anonymous_record_counts_published_claims_only(anon_client, tass):
    response = anon_client.get(f"/api/sources/{tass.public_id}/record/?limit=2")
    assert response.status_code == 200
    body = response.json()
    assert (body["appearance_total"], body["claim_total"]) == (4, 3)
    assert body["verdicts"] == _zero(refuted=2, supported=1)
    assert "repeats" not in body["verdicts_by_stance"]
    assert [a["claim"]["text"] for a in body["appearances"]] == ["Supported", "Refuted 1"]


def test_record_of_hidden_or_missing_source_is_404(anon_client, viewer_client, editor):
    hidden = SourceFactory(actor=editor, name="Only on drafts")
    AppearanceFactory(actor=editor, claim=ClaimFactory(actor=editor), source=hidden)
    for client, url in (
        (anon_client, f"/api/sources/{hidden.public_id}/record/"),
        (viewer_client, f"/api/sources/{uuid.uuid4()}/record/"),
        (viewer_client, "/api/sources/nope/record/"),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["detail"] == "No such source."
    assert viewer_client.get(f"/api/sources/{hidden.public_id}/record/").status_code == 200


def test_record_rejects_a_bad_limit(viewer_client, tass):
    response = viewer_client.get(f"/api/sources/{tass.public_id}/record/?limit=0")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "limit": ["Ensure this value is greater than or equal to 1."]
    }


@pytest.mark.parametrize("size", [5, 500])
def test_record_query_count_is_flat(editor, viewer_client, django_assert_max_num_queries, size):
    source = SourceFactory(actor=editor)
    claims = [ClaimFactory(actor=editor) for _ in range(3)]
    for n in range(size):
        AppearanceFactory(actor=editor, claim=claims[n % 3], source=source)
    # Roles of the viewer, the source, the appearances, the totals, the counts by stance.
    with django_assert_max_num_queries(5):
        response = viewer_client.get(f"/api/sources/{source.public_id}/record/?limit=1000")
    assert response.status_code == 200
    assert len(response.json()["appearances"]) == size


def test_anonymous_record_shows_claims_as_published(anon_client, viewer_client, tass, editor):
    """A claim reworded after publication reads as published until it is published again."""
    supported = Claim.objects.get(text="Supported")
    claim_update(claim=supported, actor=editor, text="Supported, reworded in the working copy")

    def text_of_supported(client) -> str:
        body = client.get(f"/api/sources/{tass.public_id}/record/").json()
        (text,) = {
            a["claim"]["text"]
            for a in body["appearances"]
            if a["claim"]["id"] == str(supported.public_id)
        }
        return text

    assert text_of_supported(anon_client) == "Supported"
    assert text_of_supported(viewer_client) == "Supported, reworded in the working copy"
