"""GET /api/appearances/{id}/"""

import uuid
from datetime import UTC, datetime

import pytest

from tests.factories import AppearanceFactory, ClaimFactory, PublishedClaimFactory, publish_again

pytestmark = pytest.mark.django_db


def url(appearance) -> str:
    return f"/api/appearances/{appearance.public_id}/"


def test_detail_payload(viewer_client):
    appearance = AppearanceFactory(
        stance="quotes",
        quote="Два беспилотника",
        quote_language="ru",
        quote_translation="Two drones",
        url="https://tass.ru/politika/17674375",
        published_at=datetime(2023, 5, 3, 13, 36, tzinfo=UTC),
    )

    response = viewer_client.get(url(appearance))

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in body if k not in ("source", "created_at", "updated_at")} == {
        "id": str(appearance.public_id),
        "claim": str(appearance.claim.public_id),
        "stance": "quotes",
        "quote": "Два беспилотника",
        "quote_language": "ru",
        "quote_translation": "Two drones",
        "url": "https://tass.ru/politika/17674375",
        "published_at": "2023-05-03T13:36:00Z",
        "published_precision": "exact",
        "derived_from": [],
        "derivatives": [],
    }
    assert body["source"]["id"] == str(appearance.source.public_id)


def test_anonymous_reads_published_and_gets_404_for_unpublished(anon_client):
    visible = AppearanceFactory(claim=PublishedClaimFactory())
    publish_again(visible.claim)
    hidden = AppearanceFactory(claim=ClaimFactory())

    assert anon_client.get(url(visible)).status_code == 200
    response = anon_client.get(url(hidden))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such appearance.", "code": "not_found", "fields": {}}


@pytest.mark.parametrize("public_id", [uuid.uuid4(), "12345"])
def test_unknown_id_is_404(viewer_client, public_id):
    response = viewer_client.get(f"/api/appearances/{public_id}/")
    assert response.status_code == 404
