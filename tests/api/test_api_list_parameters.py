"""`cursor`, `page_size` and `ordering` on every list: a bad value is a 400 naming the
allowed values, never a 404, an HTML page or silently the default."""

import pytest

from claimtrail.pagination import CursorPage
from tests.factories import PublishedClaimFactory

pytestmark = pytest.mark.django_db

LISTS = ["claims", "sources", "appearances", "evidence", "captures"]
ORDERINGS = {
    "claims": "created_at, -created_at, updated_at, -updated_at, first_seen, -first_seen, "
    "reviewed_at, -reviewed_at",
    "sources": "name, -name, created_at, -created_at, reliability, -reliability",
    "appearances": "published_at, -published_at, created_at, -created_at",
    "evidence": "created_at, -created_at",
    "captures": "created_at, -created_at, finished_at, -finished_at",
}
PAGE_SIZE = f"Give a whole number from 1 to {CursorPage.max_page_size}."


def error(field: str, message: str) -> dict:
    return {"detail": f"{field}: {message}", "code": "invalid", "fields": {field: [message]}}


@pytest.fixture(autouse=True)
def a_claim():
    return PublishedClaimFactory()


@pytest.mark.parametrize("name", LISTS)
def test_undecodable_cursor_is_a_400(viewer_client, name):
    response = viewer_client.get(f"/api/{name}/", {"cursor": "abc"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == error("cursor", "Invalid cursor.")


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("page_size", ["-1", "0", "abc", "1.5", "", "²", "201", "100000"])
def test_page_size_outside_the_range_is_a_400(viewer_client, name, page_size):
    response = viewer_client.get(f"/api/{name}/", {"page_size": page_size})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == error("page_size", PAGE_SIZE)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("page_size", ["1", "200", " 7 "])
def test_page_size_in_the_range_is_served(viewer_client, name, page_size):
    response = viewer_client.get(f"/api/{name}/", {"page_size": page_size})

    assert response.status_code == 200


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("ordering", ["bogus", "-bogus", "created_at,bogus", ",", "id"])
def test_unknown_ordering_is_a_400_listing_the_allowed(viewer_client, name, ordering):
    response = viewer_client.get(f"/api/{name}/", {"ordering": ordering})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == error("ordering", f"Use one of {ORDERINGS[name]}.")


@pytest.mark.parametrize("name", LISTS)
def test_known_ordering_is_served(viewer_client, name):
    field = ORDERINGS[name].split(", ")[1]

    response = viewer_client.get(f"/api/{name}/", {"ordering": field})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "parameter", "value"),
    [
        ("claims", "verdict", "bogus"),
        ("claims", "review_state", "bogus"),
        ("claims", "source", "not-a-uuid"),
        ("claims", "first_seen_after", "2023-13-01"),
        ("appearances", "stance", "bogus"),
        ("captures", "status", "bogus"),
        ("captures", "evidence", "not-a-uuid"),
    ],
)
def test_unknown_filter_value_is_a_400(viewer_client, name, parameter, value):
    response = viewer_client.get(f"/api/{name}/", {parameter: value})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["fields"]) == [parameter]
