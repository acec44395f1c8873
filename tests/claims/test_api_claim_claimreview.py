"""GET /api/claims/{id}/claimreview/: schema.org ClaimReview JSON-LD of a published claim."""

from datetime import UTC, datetime, timedelta

import pytest

from claims.services import claim_review, claim_update
from provenance.services import appearance_update
from tests.claims.jsonld_support import S, expand
from tests.factories import AppearanceFactory, ClaimFactory, PublishedClaimFactory, SourceFactory
from tests.schema_check import assert_matches_schema, openapi_schema

pytestmark = pytest.mark.django_db

START = datetime(2023, 5, 3, 13, 0, tzinfo=UTC)


def url(claim) -> str:
    return f"/api/claims/{claim.public_id}/claimreview/"


@pytest.fixture
def kremlin_claim(editor, settings):
    """A published claim first asserted by the Kremlin press service, relayed by a
    correspondent, and carried by an earlier appearance that relays nothing (no URL)."""
    settings.SITE_URL = "https://claims.example.org"
    settings.CLAIMREVIEW_AUTHOR_NAME = "Example Fact Check"
    settings.CLAIMREVIEW_AUTHOR_URL = "https://factcheck.example.org/"
    claim = ClaimFactory(actor=editor, text="Ukraine attacked the Kremlin with drones.")
    press = SourceFactory(actor=editor, name="Kremlin press service", kind="government_body")
    seddon = SourceFactory(actor=editor, name="Max Seddon", kind="person")
    origin = AppearanceFactory(
        actor=editor,
        claim=claim,
        source=press,
        url="http://kremlin.ru/events/president/news/71047",
        published_at=START,
    )
    AppearanceFactory(
        actor=editor,
        claim=claim,
        source=seddon,
        stance="quotes",
        url="https://x.com/maxseddon/status/1",
        published_at=START + timedelta(minutes=20),
        derived_from=[origin],
    )
    claim_review(claim=claim, actor=editor, to_state="in_review")
    event = claim_review(claim=claim, actor=editor, to_state="published", verdict="refuted")
    claim.refresh_from_db()
    claim.published_event = event
    return claim


def test_published_claim_as_claimreview(anon_client, kremlin_claim):
    response = anon_client.get(url(kremlin_claim))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    claim_url = f"https://claims.example.org/api/claims/{kremlin_claim.public_id}/"
    assert response.json() == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": claim_url,
        "claimReviewed": "Ukraine attacked the Kremlin with drones.",
        "datePublished": kremlin_claim.published_event.created_at.date().isoformat(),
        "author": {
            "@type": "Organization",
            "name": "Example Fact Check",
            "url": "https://factcheck.example.org/",
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Refuted",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": "Kremlin press service"},
            "datePublished": "2023-05-03",
            "firstAppearance": {
                "@type": "CreativeWork",
                "url": "http://kremlin.ru/events/president/news/71047",
                "datePublished": "2023-05-03T13:00:00+00:00",
                "author": {"@type": "Organization", "name": "Kremlin press service"},
            },
            "appearance": [
                {
                    "@type": "CreativeWork",
                    "url": "http://kremlin.ru/events/president/news/71047",
                    "datePublished": "2023-05-03T13:00:00+00:00",
                    "author": {"@type": "Organization", "name": "Kremlin press service"},
                },
                {
                    "@type": "CreativeWork",
                    "url": "https://x.com/maxseddon/status/1",
                    "datePublished": "2023-05-03T13:20:00+00:00",
                    "author": {"@type": "Person", "name": "Max Seddon"},
                },
            ],
        },
    }


def test_edits_after_publication_wait_for_republication(anon_client, editor, kremlin_claim):
    claim_update(claim=kremlin_claim, actor=editor, text="Edited after publication.")

    before = anon_client.get(url(kremlin_claim)).json()
    claim_review(claim=kremlin_claim, actor=editor, to_state="published")
    after = anon_client.get(url(kremlin_claim)).json()

    assert before["claimReviewed"] == "Ukraine attacked the Kremlin with drones."
    assert after["claimReviewed"] == "Edited after publication."
    assert after["datePublished"] == before["datePublished"]


def test_viewer_reads_the_published_revision_too(viewer_client, editor, kremlin_claim):
    claim_update(claim=kremlin_claim, actor=editor, text="Edited after publication.")

    body = viewer_client.get(url(kremlin_claim)).json()

    assert body["claimReviewed"] == "Ukraine attacked the Kremlin with drones."


def test_response_expands_against_schema_org(anon_client, kremlin_claim):
    (node,) = expand(anon_client.get(url(kremlin_claim)).json())

    assert node["@type"] == [f"{S}ClaimReview"]
    item = node[f"{S}itemReviewed"][0]
    assert item[f"{S}author"][0][f"{S}name"] == [{"@value": "Kremlin press service"}]


def test_origin_is_the_earliest_appearance_relaying_nothing(anon_client, editor):
    claim = ClaimFactory(actor=editor)
    relay_source = SourceFactory(actor=editor, name="Relay")
    origin_source = SourceFactory(actor=editor, name="Origin")
    origin = AppearanceFactory(
        actor=editor,
        claim=claim,
        source=origin_source,
        url="https://a.example/",
        published_at=START,
    )
    # Undated, so it sorts last, and it relays the origin: never the first appearance.
    relay = AppearanceFactory(
        actor=editor, claim=claim, source=relay_source, url="https://b.example/", published_at=None
    )
    appearance_update(appearance=relay, actor=editor, derived_from=[origin])
    claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")

    item = anon_client.get(url(claim)).json()["itemReviewed"]

    assert item["author"] == {"@type": "Organization", "name": "Origin"}
    assert item["firstAppearance"]["url"] == "https://a.example/"


def test_unverifiable_has_no_rating_value(anon_client):
    claim = PublishedClaimFactory(verdict="unverifiable")

    body = anon_client.get(url(claim)).json()

    assert body["reviewRating"] == {
        "@type": "Rating",
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Unverifiable",
    }
    assert body["itemReviewed"] == {"@type": "Claim"}
    expand(body)


def test_plain_json_is_accepted(anon_client, kremlin_claim):
    response = anon_client.get(url(kremlin_claim), HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["@type"] == "ClaimReview"


def test_draft_is_not_found_for_anonymous(anon_client):
    response = anon_client.get(url(ClaimFactory()))

    assert response.status_code == 404
    assert response.json() == {
        "detail": "No claim with this id.",
        "code": "not_found",
        "fields": {},
    }


def test_draft_has_no_claimreview_for_a_viewer(viewer_client):
    response = viewer_client.get(url(ClaimFactory()))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Only a published claim has a ClaimReview."
    assert_matches_schema(response.json(), path=PATH, status=404)


PATH = "/api/claims/{public_id}/claimreview/"


def test_schema_documents_both_json_types():
    responses = openapi_schema()["paths"][PATH]["get"]["responses"]

    assert set(responses["200"]["content"]) == {"application/ld+json", "application/json"}
    assert set(responses["404"]["content"]) == {"application/json"}


def test_malformed_id_is_not_found(anon_client):
    response = anon_client.get("/api/claims/not-a-uuid/claimreview/")

    assert response.status_code == 404
    assert response.json()["detail"] == "No claim with this id."


@pytest.mark.parametrize("size", [5, 500])
def test_query_count_is_flat(anon_client, editor, django_assert_max_num_queries, size):
    claim = ClaimFactory(actor=editor)
    sources = [SourceFactory(actor=editor) for _ in range(5)]
    for n in range(size):
        AppearanceFactory(
            actor=editor,
            claim=claim,
            source=sources[n % 5],
            url=f"https://example.org/{n}",
            published_at=START + timedelta(minutes=n),
        )
    claim_review(claim=claim, actor=editor, to_state="published", verdict="misleading")

    # The published revision (with its claim), the claim's review events, which related
    # claims are still published (anonymous: no roles query).
    with django_assert_max_num_queries(3):
        response = anon_client.get(url(claim))

    assert response.status_code == 200
    assert len(response.json()["itemReviewed"]["appearance"]) == size
