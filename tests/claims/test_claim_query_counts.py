"""Claim list and detail read with a fixed number of queries, whatever the size."""

from datetime import UTC, datetime, timedelta

import pytest

from claims.services import claim_relation_create, claim_review
from provenance.services import appearance_update
from tests.claims.conftest import make_succeeded_capture
from tests.factories import AppearanceFactory, ClaimFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db

# Detail: the viewer's roles, claim (+ created/reviewed by, tags), appearances (+ source,
# derived_from), evidence links (+ evidence, latest capture), relations both ways (+ the
# other claim), review events (+ actor, their captures), the current published revision.
DETAIL_QUERIES = 7
# List: the viewer's roles, the page of rows (+ created_by, counts as subqueries), tags.
LIST_QUERIES = 3


@pytest.mark.parametrize("size", [5, 500])
def test_detail_query_count_is_flat(viewer_client, editor, django_assert_max_num_queries, size):
    claim = ClaimFactory(actor=editor, tags=["drone", "kremlin"])
    sources = [SourceFactory(actor=editor) for _ in range(5)]
    start = datetime(2023, 5, 3, 6, 0, tzinfo=UTC)
    appearances = [
        AppearanceFactory(
            actor=editor,
            claim=claim,
            source=sources[n % 5],
            published_at=start + timedelta(minutes=n),
        )
        for n in range(size)
    ]
    for appearance in appearances[1:6]:
        appearance_update(appearance=appearance, actor=editor, derived_from=[appearances[0]])
    evidence = [EvidenceFactory(actor=editor, claims=[claim]) for _ in range(size)]
    for item in evidence[::2]:
        make_succeeded_capture(item)
    for _ in range(3):
        claim_relation_create(
            actor=editor, from_claim=claim, to_claim=ClaimFactory(actor=editor), kind="supports"
        )
        claim_relation_create(
            actor=editor, from_claim=ClaimFactory(actor=editor), to_claim=claim, kind="part_of"
        )
    claim_review(claim=claim, actor=editor, to_state="in_review")
    claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")

    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = viewer_client.get(f"/api/claims/{claim.public_id}/")

    assert response.status_code == 200
    body = response.json()
    assert len(body["appearances"]) == len(body["evidence"]) == size
    assert len(body["related_claims"]) == 6
    assert len(body["review_events"][1]["captures"]) == (size + 1) // 2


@pytest.mark.parametrize("size", [5, 500])
def test_list_query_count_is_flat(viewer_client, editor, django_assert_max_num_queries, size):
    source = SourceFactory(actor=editor)
    for n in range(size):
        claim = ClaimFactory(actor=editor, tags=["drone", f"tag-{n % 7}"])
        # Counts are subqueries whatever the data; a few rows with children keep them honest
        # and the fixture affordable (each service call is dozens of queries).
        if n % 25 == 0:
            AppearanceFactory(actor=editor, claim=claim, source=source)
            EvidenceFactory(actor=editor, claims=[claim])

    with django_assert_max_num_queries(LIST_QUERIES):
        response = viewer_client.get("/api/claims/", {"page_size": 200})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == min(size, 200)
    with_children = [row for row in rows if row["appearance_count"]]
    assert len(with_children) == (len(rows) + 24) // 25
    assert all(row["evidence_count"] == 1 for row in with_children)
    assert all(len(row["tags"]) == 2 for row in rows)


def test_list_query_count_with_search_and_filters(
    viewer_client, editor, django_assert_max_num_queries
):
    source = SourceFactory(actor=editor)
    for n in range(20):
        claim = ClaimFactory(actor=editor, text=f"Drone claim {n}", tags=["drone"])
        AppearanceFactory(actor=editor, claim=claim, source=source)
    params = {"q": "drone", "tag": "drone", "source": str(source.public_id), "stance": "asserts"}

    with django_assert_max_num_queries(LIST_QUERIES):
        response = viewer_client.get("/api/claims/", params | {"page_size": 200})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 20


# Anonymous detail: the claim with its revision's payload, its review events, which related
# claims are still published, the evidence's latest captures now (no roles query: an
# anonymous user has none).
ANONYMOUS_DETAIL_QUERIES = 4
# Anonymous list: the page of rows (+ revision columns, counts as subqueries), its tags.
ANONYMOUS_LIST_QUERIES = 2


@pytest.mark.parametrize("size", [5, 500])
def test_anonymous_detail_query_count_is_flat(
    anon_client, editor, django_assert_max_num_queries, size
):
    claim = ClaimFactory(actor=editor, tags=["drone"])
    source = SourceFactory(actor=editor)
    for _ in range(size):
        AppearanceFactory(actor=editor, claim=claim, source=source)
    for _ in range(size):
        EvidenceFactory(actor=editor, claims=[claim])
    for _ in range(3):
        other = ClaimFactory(actor=editor)
        claim_review(claim=other, actor=editor, to_state="published", verdict="supported")
        claim_relation_create(actor=editor, from_claim=claim, to_claim=other, kind="supports")
    claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")

    with django_assert_max_num_queries(ANONYMOUS_DETAIL_QUERIES):
        response = anon_client.get(f"/api/claims/{claim.public_id}/")

    assert response.status_code == 200
    body = response.json()
    assert len(body["appearances"]) == len(body["evidence"]) == size
    assert len(body["related_claims"]) == 3


@pytest.mark.parametrize("size", [5, 500])
def test_anonymous_list_query_count_is_flat(
    anon_client, editor, django_assert_max_num_queries, size
):
    for n in range(size):
        claim = ClaimFactory(actor=editor, tags=["drone", f"tag-{n % 7}"])
        claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")

    with django_assert_max_num_queries(ANONYMOUS_LIST_QUERIES):
        response = anon_client.get("/api/claims/", {"page_size": 200})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == min(size, 200)
    assert all(len(row["tags"]) == 2 for row in rows)
