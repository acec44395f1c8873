"""GET /api/sources/{id}/"""

import uuid
from datetime import UTC, datetime

import pytest

from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    PublishedClaimFactory,
    SourceFactory,
    publish_again,
)

pytestmark = pytest.mark.django_db


def url(source) -> str:
    return f"/api/sources/{source.public_id}/"


def test_detail_lists_identifiers_parent_and_claims_made(viewer_client):
    ft = SourceFactory(name="Financial Times")
    seddon = SourceFactory(
        name="Max Seddon",
        kind="person",
        parent=ft,
        aliases=["Seddon"],
        identifiers=[("x_handle", "@MaxSeddon")],
    )
    claim = ClaimFactory(text="Two drones hit the Kremlin")
    appearance = AppearanceFactory(
        claim=claim,
        source=seddon,
        stance="reports",
        published_at=datetime(2023, 5, 3, 13, 0, tzinfo=UTC),
        published_precision="day",
    )

    response = viewer_client.get(url(seddon))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(seddon.public_id)
    assert body["name"] == "Max Seddon"
    assert body["kind"] == "person"
    assert body["aliases"] == ["Seddon"]
    assert body["parent"] == {"id": str(ft.public_id), "name": "Financial Times"}
    assert body["identifiers"] == [
        {"kind": "x_handle", "value": "@MaxSeddon", "normalized_value": "maxseddon"}
    ]
    assert body["claims_made"] == [
        {
            "appearance": str(appearance.public_id),
            "claim": {
                "id": str(claim.public_id),
                "text": "Two drones hit the Kremlin",
                "review_state": "draft",
            },
            "stance": "reports",
            "published_at": "2023-05-03T00:00:00Z",
            "published_precision": "day",
        }
    ]


def test_claims_made_are_oldest_first(viewer_client, editor):
    source = SourceFactory()
    later = AppearanceFactory(source=source, published_at=datetime(2023, 5, 4, tzinfo=UTC))
    earlier = AppearanceFactory(source=source, published_at=datetime(2023, 5, 3, tzinfo=UTC))

    body = viewer_client.get(url(source)).json()

    assert [row["appearance"] for row in body["claims_made"]] == [
        str(earlier.public_id),
        str(later.public_id),
    ]


def test_anonymous_sees_only_appearances_on_published_claims(anon_client):
    source = SourceFactory()
    published = AppearanceFactory(source=source, claim=PublishedClaimFactory())
    AppearanceFactory(source=source, claim=ClaimFactory())
    publish_again(published.claim)

    response = anon_client.get(url(source))

    assert response.status_code == 200
    assert [row["appearance"] for row in response.json()["claims_made"]] == [
        str(published.public_id)
    ]


def test_anonymous_gets_404_for_source_without_published_claims(anon_client, viewer_client):
    source = SourceFactory()
    AppearanceFactory(source=source, claim=ClaimFactory())

    response = anon_client.get(url(source))

    assert response.status_code == 404
    assert response.json() == {"detail": "No such source.", "code": "not_found", "fields": {}}
    assert viewer_client.get(url(source)).status_code == 200


@pytest.mark.parametrize("public_id", [uuid.uuid4(), "not-a-uuid"])
def test_unknown_id_is_404(viewer_client, public_id):
    response = viewer_client.get(f"/api/sources/{public_id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("count", [5, 500])
def test_query_count_is_flat(viewer_client, editor, django_assert_max_num_queries, count):
    source = SourceFactory(actor=editor, identifiers=[("x_handle", "flat")])
    claims = [ClaimFactory(actor=editor) for _ in range(10)]
    for n in range(count):
        AppearanceFactory(actor=editor, claim=claims[n % 10], source=source)

    # The viewer's roles; the source with its parent; identifiers; appearances with claims.
    with django_assert_max_num_queries(4):
        response = viewer_client.get(url(source))

    assert response.status_code == 200
    assert len(response.json()["claims_made"]) == count


@pytest.mark.parametrize("count", [5, 500])
def test_anonymous_query_count_is_flat(anon_client, editor, django_assert_max_num_queries, count):
    source = SourceFactory(actor=editor)
    claims = [
        (PublishedClaimFactory if n % 2 == 0 else ClaimFactory)(actor=editor) for n in range(10)
    ]
    for n in range(count):
        AppearanceFactory(actor=editor, claim=claims[n % 10], source=source)
    for claim in claims[: min(count, 10) : 2]:  # the published ones given appearances
        publish_again(claim, actor=editor)

    # The visible source with its parent; identifiers; published appearances with claims.
    with django_assert_max_num_queries(3):
        response = anon_client.get(url(source))

    assert response.status_code == 200
    assert len(response.json()["claims_made"]) == (count + 1) // 2
