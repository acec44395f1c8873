"""GET /api/appearances/"""

from datetime import UTC, datetime

import pytest

from provenance.services import appearance_set_derived_from
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    PublishedClaimFactory,
    SourceFactory,
    publish_again,
)

pytestmark = pytest.mark.django_db
URL = "/api/appearances/"


def ids(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_lists_appearances_with_source_claim_and_dag(viewer_client, analyst):
    source = SourceFactory(name="Kremlin press service", kind="government_body", reliability="F")
    upstream = AppearanceFactory(source=source, published_at=datetime(2023, 5, 3, 13, tzinfo=UTC))
    downstream = AppearanceFactory(
        claim=upstream.claim, published_at=datetime(2023, 5, 3, 14, tzinfo=UTC)
    )
    appearance_set_derived_from(appearance=downstream, actor=analyst, upstreams=[upstream])

    response = viewer_client.get(URL)

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    up = rows[str(upstream.public_id)]
    assert up["claim"] == str(upstream.claim.public_id)
    assert up["source"] == {
        "id": str(source.public_id),
        "name": "Kremlin press service",
        "kind": "government_body",
        "reliability": "F",
    }
    assert up["derived_from"] == []
    assert up["derivatives"] == [str(downstream.public_id)]
    assert rows[str(downstream.public_id)]["derived_from"] == [str(upstream.public_id)]


def test_anonymous_sees_only_appearances_of_published_claims(anon_client, analyst):
    published = AppearanceFactory(claim=PublishedClaimFactory(), published_at=None)
    hidden = AppearanceFactory(claim=ClaimFactory(), published_at=None)
    appearance_set_derived_from(appearance=published, actor=analyst, upstreams=[hidden])
    publish_again(published.claim)

    response = anon_client.get(URL)

    assert ids(response) == {str(published.public_id)}
    # The edge to an unpublished appearance is not shown either.
    assert response.json()["results"][0]["derived_from"] == []


def test_filters(viewer_client):
    claim = ClaimFactory()
    tass = SourceFactory(name="TASS")
    ru = AppearanceFactory(
        claim=claim,
        source=tass,
        stance="repeats",
        quote="Два беспилотника",
        quote_language="ru-RU",
        quote_translation="Two drones",
        published_at=datetime(2023, 5, 3, 14, tzinfo=UTC),
    )
    en = AppearanceFactory(
        claim=claim, stance="reports", published_at=datetime(2023, 5, 4, 9, tzinfo=UTC)
    )
    other = AppearanceFactory(stance="denies", published_at=datetime(2023, 6, 1, tzinfo=UTC))

    assert ids(viewer_client.get(URL, {"claim": claim.public_id})) == {
        str(ru.public_id),
        str(en.public_id),
    }
    assert ids(viewer_client.get(URL, {"source": tass.public_id})) == {str(ru.public_id)}
    assert ids(viewer_client.get(URL, {"stance": ["denies", "reports"]})) == {
        str(en.public_id),
        str(other.public_id),
    }
    assert ids(viewer_client.get(URL, {"language": "ru"})) == {str(ru.public_id)}
    assert ids(viewer_client.get(URL, {"published_after": "2023-05-04"})) == {
        str(en.public_id),
        str(other.public_id),
    }
    assert ids(viewer_client.get(URL, {"published_before": "2023-05-03"})) == {str(ru.public_id)}
    assert ids(viewer_client.get(URL, {"published_before": "2023-05"})) == {
        str(ru.public_id),
        str(en.public_id),
    }
    assert ids(
        viewer_client.get(
            URL,
            {"published_after": "2023-05-03T13:00:00Z", "published_before": "2023-05-03T15:00Z"},
        )
    ) == {str(ru.public_id)}


def test_bad_filter_values_are_400(viewer_client):
    response = viewer_client.get(URL, {"published_after": "yesterday"})

    assert response.status_code == 400
    message = "“yesterday” is not a date: use 2023, 2023-05, 2023-05-03 or 2023-05-03T06:40:00Z."
    assert response.json() == {
        "detail": f"published_after: {message}",
        "code": "invalid",
        "fields": {"published_after": [message]},
    }
    response = viewer_client.get(URL, {"claim": "nope", "stance": "shouts"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"claim", "stance"}


def test_ordering_by_published_at(viewer_client):
    late = AppearanceFactory(published_at=datetime(2023, 5, 4, tzinfo=UTC))
    early = AppearanceFactory(published_at=datetime(2023, 5, 3, tzinfo=UTC))

    response = viewer_client.get(URL, {"ordering": "published_at"})

    assert [row["id"] for row in response.json()["results"]] == [
        str(early.public_id),
        str(late.public_id),
    ]


@pytest.mark.parametrize("count", [5, 200])
def test_query_count_is_flat(viewer_client, editor, django_assert_max_num_queries, count):
    claims = [ClaimFactory(actor=editor) for _ in range(10)]
    source = SourceFactory(actor=editor)
    origin = AppearanceFactory(actor=editor, claim=claims[0], source=source, published_at=None)
    for n in range(count - 1):
        appearance = AppearanceFactory(
            actor=editor, claim=claims[n % 10], source=source, published_at=None
        )
        appearance_set_derived_from(appearance=appearance, actor=editor, upstreams=[origin])

    # The viewer's roles; the page with claims and sources joined; upstream links;
    # downstream links.
    with django_assert_max_num_queries(4):
        response = viewer_client.get(URL, {"page_size": 200})

    assert response.status_code == 200
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [5, 200])
def test_anonymous_query_count_is_flat(anon_client, editor, django_assert_max_num_queries, count):
    claims = [PublishedClaimFactory(actor=editor) for _ in range(5)]
    source = SourceFactory(actor=editor)
    for n in range(count):
        AppearanceFactory(actor=editor, claim=claims[n % 5], source=source)
    for claim in claims:
        publish_again(claim, actor=editor)

    # The page with claims and sources joined; upstream links; downstream links.
    with django_assert_max_num_queries(3):
        response = anon_client.get(URL, {"page_size": 200})

    assert len(response.json()["results"]) == count
