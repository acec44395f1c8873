"""claims.exports.claimreview: ClaimReview JSON-LD from plain data, expanded by a JSON-LD
processor (pyld) against the schema.org context trimmed to the terms ClaimReview uses
(tests/claims/data/schemaorg-context.jsonld: the entries of schema.org's own context,
without its catch-all @vocab, so a term that is not there is dropped and caught here)."""

from datetime import UTC, date, datetime

import pytest

from claims.exports.claimreview import VERDICT_RATINGS, claim_review_document
from claims.models import Verdict
from tests.claims.jsonld_support import S, expand


def keys(node) -> set[str]:
    """Every property name in a compact JSON-LD tree (not @-keywords)."""
    if isinstance(node, list):
        return set().union(*(keys(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    return {k for k in node if not k.startswith("@")}.union(*(keys(v) for v in node.values()))


def expanded_keys(node) -> set[str]:
    if isinstance(node, list):
        return set().union(*(expanded_keys(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    own = {k for k in node if not k.startswith("@")}
    return own.union(*(expanded_keys(v) for v in node.values()))


ORIGIN = {
    "url": "http://kremlin.ru/events/president/news/71047",
    "published_at": datetime(2023, 5, 3, 13, 27, tzinfo=UTC),
    "source": {"name": "Kremlin press service", "kind": "government_body"},
}
NBC = {
    "url": "https://www.nbcnews.com/news/world/kremlin-drone",
    "published_at": datetime(2023, 5, 3, 14, 0, tzinfo=UTC),
    "source": {"name": "Max Seddon", "kind": "person"},
}


def review(verdict: str = Verdict.REFUTED, **overrides) -> dict:
    arguments = {
        "claim": {"text": "Ukraine attacked the Kremlin with drones.", "verdict": verdict},
        "origin": ORIGIN,
        "appearances": [ORIGIN, {"url": "", "published_at": None, "source": None}, NBC],
        "date_published": datetime(2023, 5, 10, 9, 0, tzinfo=UTC),
        "url": "https://claims.example.org/api/claims/1c9f/",
        "organization": {"name": "Example Fact Check", "url": "https://factcheck.example.org/"},
        **overrides,
    }
    return claim_review_document(**arguments)


def test_every_term_resolves_to_schema_org():
    document = review()
    expanded = expand(document)

    assert len(expanded) == 1
    assert expanded[0]["@type"] == [f"{S}ClaimReview"]
    assert expanded_keys(expanded) == {f"{S}{key}" for key in keys(document)}


def test_review_fields_expand_to_their_values():
    node = expand(review())[0]

    assert node[f"{S}claimReviewed"] == [{"@value": "Ukraine attacked the Kremlin with drones."}]
    assert node[f"{S}url"] == [{"@id": "https://claims.example.org/api/claims/1c9f/"}]
    assert node[f"{S}datePublished"] == [{"@type": f"{S}Date", "@value": "2023-05-10"}]
    author = node[f"{S}author"][0]
    assert author["@type"] == [f"{S}Organization"]
    assert author[f"{S}name"] == [{"@value": "Example Fact Check"}]
    assert author[f"{S}url"] == [{"@id": "https://factcheck.example.org/"}]
    rating = node[f"{S}reviewRating"][0]
    assert rating["@type"] == [f"{S}Rating"]
    assert rating[f"{S}ratingValue"] == [{"@value": 1}]
    assert rating[f"{S}bestRating"] == [{"@value": 5}]
    assert rating[f"{S}worstRating"] == [{"@value": 1}]
    assert rating[f"{S}alternateName"] == [{"@value": "Refuted"}]


def test_item_reviewed_is_the_claim_by_its_origin_source():
    item = expand(review())[0][f"{S}itemReviewed"][0]

    assert item["@type"] == [f"{S}Claim"]
    assert item[f"{S}author"][0]["@type"] == [f"{S}Organization"]
    assert item[f"{S}author"][0][f"{S}name"] == [{"@value": "Kremlin press service"}]
    assert item[f"{S}datePublished"] == [{"@type": f"{S}Date", "@value": "2023-05-03"}]
    assert item[f"{S}firstAppearance"][0][f"{S}url"] == [{"@id": ORIGIN["url"]}]
    urls = [work[f"{S}url"][0]["@id"] for work in item[f"{S}appearance"]]
    assert urls == [ORIGIN["url"], NBC["url"]]  # the appearance without a URL is left out
    nbc = item[f"{S}appearance"][1]
    assert nbc[f"{S}author"][0]["@type"] == [f"{S}Person"]


@pytest.mark.parametrize(
    ("verdict", "value", "label"),
    [
        (Verdict.REFUTED, 1, "Refuted"),
        (Verdict.MISLEADING, 2, "Misleading"),
        (Verdict.DISPUTED, 3, "Disputed"),
        (Verdict.SUPPORTED, 5, "Supported"),
        (Verdict.UNVERIFIED, None, "Unverified"),
        (Verdict.UNVERIFIABLE, None, "Unverifiable"),
    ],
)
def test_verdict_maps_to_rating(verdict, value, label):
    rating = review(verdict)["reviewRating"]

    assert rating.get("ratingValue") == value
    assert (rating["alternateName"], rating["bestRating"], rating["worstRating"]) == (label, 5, 1)
    expand(review(verdict))


def test_every_verdict_has_a_rating():
    assert set(VERDICT_RATINGS) == set(Verdict.values)


def test_without_appearances_the_claim_has_no_author_or_dates():
    document = review(origin=None, appearances=[], organization={"name": "Desk", "url": ""})

    assert document["itemReviewed"] == {"@type": "Claim"}
    assert document["author"] == {"@type": "Organization", "name": "Desk"}
    expand(document)


def test_date_published_accepts_a_date():
    assert review(date_published=date(2023, 5, 11))["datePublished"] == "2023-05-11"
