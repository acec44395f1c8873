"""GET /api/claims/: visibility, filters, ordering and cursor pagination."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from claims.services import claim_review
from claimtrail.pagination import CursorPage
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/claims/"


def _texts(response) -> list[str]:
    return [row["text"] for row in response.json()["results"]]


def test_list_shows_anonymous_published_claims_only(anon_client):
    PublishedClaimFactory(text="Published claim")
    ClaimFactory(text="Draft claim")

    response = anon_client.get(URL)

    assert response.status_code == 200
    assert _texts(response) == ["Published claim"]


def test_list_shows_viewer_every_claim(viewer_client, editor):
    PublishedClaimFactory(text="Published claim")
    ClaimFactory(text="Draft claim")
    archived = ClaimFactory(text="Archived claim")
    claim_review(claim=archived, actor=editor, to_state="archived")

    response = viewer_client.get(URL)

    assert response.status_code == 200
    assert sorted(_texts(response)) == ["Archived claim", "Draft claim", "Published claim"]


def test_list_shows_logged_in_user_without_role_published_only():
    PublishedClaimFactory(text="Published claim")
    ClaimFactory(text="Draft claim")
    client = APIClient()
    client.force_authenticate(UserFactory(username="no_role"))

    response = client.get(URL)

    assert _texts(response) == ["Published claim"]


def test_list_row_shape(viewer_client, analyst):
    claim = ClaimFactory(
        actor=analyst, text="Drone over the Kremlin", tags=["Drone", "kremlin"], summary="S"
    )
    AppearanceFactory(claim=claim)
    AppearanceFactory(claim=claim)
    EvidenceFactory(claims=[claim])

    response = viewer_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    [row] = body["results"]
    assert row["id"] == str(claim.public_id)
    assert row["text"] == "Drone over the Kremlin"
    assert row["summary"] == "S"
    assert row["tags"] == ["drone", "kremlin"]
    assert row["created_by"] == "ana_analyst"
    assert row["review_state"] == "draft"
    assert row["verdict"] == ""
    assert row["credibility"] is None
    assert (row["appearance_count"], row["evidence_count"]) == (2, 1)


def test_list_filters_by_verdict_and_review_state(viewer_client):
    PublishedClaimFactory(text="Refuted", verdict="refuted")
    PublishedClaimFactory(text="Supported", verdict="supported")
    ClaimFactory(text="Draft")

    assert _texts(viewer_client.get(URL, {"verdict": "refuted"})) == ["Refuted"]
    both = viewer_client.get(URL, {"verdict": ["refuted", "supported"]})
    assert sorted(_texts(both)) == ["Refuted", "Supported"]
    assert _texts(viewer_client.get(URL, {"review_state": "draft"})) == ["Draft"]


def test_list_filters_by_tags_all_required(viewer_client):
    ClaimFactory(text="Both", tags=["drone", "kremlin"])
    ClaimFactory(text="Drone only", tags=["drone"])
    ClaimFactory(text="None")

    assert sorted(_texts(viewer_client.get(URL, {"tag": "drone"}))) == ["Both", "Drone only"]
    assert _texts(viewer_client.get(URL, {"tag": ["drone", "Kremlin"]})) == ["Both"]
    assert _texts(viewer_client.get(URL, {"tag": "unknown-tag"})) == []


def test_list_filters_by_source_and_stance_of_one_appearance(viewer_client):
    kremlin, nbc = SourceFactory(name="Kremlin"), SourceFactory(name="NBC News")
    asserted = ClaimFactory(text="Asserted by the Kremlin")
    AppearanceFactory(claim=asserted, source=kremlin, stance="asserts")
    AppearanceFactory(claim=asserted, source=nbc, stance="reports")
    denied = ClaimFactory(text="Denied by NBC")
    AppearanceFactory(claim=denied, source=nbc, stance="denies")

    by_nbc = viewer_client.get(URL, {"source": str(nbc.public_id)})
    assert sorted(_texts(by_nbc)) == ["Asserted by the Kremlin", "Denied by NBC"]
    assert _texts(viewer_client.get(URL, {"stance": "asserts"})) == ["Asserted by the Kremlin"]
    nbc_denies = viewer_client.get(URL, {"source": str(nbc.public_id), "stance": "denies"})
    assert _texts(nbc_denies) == ["Denied by NBC"]
    kremlin_reports = viewer_client.get(
        URL, {"source": str(kremlin.public_id), "stance": "reports"}
    )
    assert _texts(kremlin_reports) == []


def test_list_filters_by_appearance_publication_window(viewer_client):
    may_3 = ClaimFactory(text="May 3")
    AppearanceFactory(claim=may_3, published_at=datetime(2023, 5, 3, 6, 0, tzinfo=UTC))
    may_5 = ClaimFactory(text="May 5")
    AppearanceFactory(claim=may_5, published_at=datetime(2023, 5, 5, 12, 0, tzinfo=UTC))

    after = viewer_client.get(URL, {"published_after": "2023-05-04T00:00:00Z"})
    assert _texts(after) == ["May 5"]
    before = viewer_client.get(URL, {"published_before": "2023-05-04"})
    assert _texts(before) == ["May 3"]
    window = viewer_client.get(
        URL, {"published_after": "2023-05-03T06:00:00Z", "published_before": "2023-05-03T07:00Z"}
    )
    assert _texts(window) == ["May 3"]


def test_list_filters_by_first_seen_and_created(viewer_client):
    ClaimFactory(text="Early", first_seen=date(2023, 5, 2))
    ClaimFactory(text="Late", first_seen=date(2023, 5, 4))
    ClaimFactory(text="Unknown")

    assert _texts(viewer_client.get(URL, {"first_seen_after": "2023-05-03"})) == ["Late"]
    assert _texts(viewer_client.get(URL, {"first_seen_before": "2023-05-03"})) == ["Early"]
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    assert _texts(viewer_client.get(URL, {"created_after": tomorrow})) == []
    assert len(_texts(viewer_client.get(URL, {"created_before": tomorrow}))) == 3


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"source": "not-a-uuid"}, "source", "Enter a valid UUID."),
        ({"first_seen_after": "2023-13-01"}, "first_seen_after", "Enter a valid date."),
        ({"created_before": "yesterday"}, "created_before", "Enter a valid date/time."),
        (
            {"created_after": "0001-01-01T00:00:00+14:00"},
            "created_after",
            "Enter a date/time between the years 1 and 9999 (UTC).",
        ),
        ({"q": "drone\x00"}, "q", "Null characters are not allowed."),
        (
            {"verdict": "false"},
            "verdict",
            "Select a valid choice. false is not one of the available choices.",
        ),
        (
            {"stance": "shouts"},
            "stance",
            "Select a valid choice. shouts is not one of the available choices.",
        ),
        ({"tag": "!!!"}, "tag", "Tags are 1–64 letters, digits or hyphens."),
        (
            {"q": "x" * 501},
            "q",
            "Ensure this value has at most 500 characters (it has 501).",
        ),
        (
            {"ordering": "text"},
            "ordering",
            "Use one of created_at, -created_at, updated_at, -updated_at, first_seen, "
            "-first_seen, reviewed_at, -reviewed_at.",
        ),
    ],
)
def test_list_rejects_invalid_parameters(viewer_client, params, field, message):
    response = viewer_client.get(URL, params)

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"{field}: {message}",
        "code": "invalid",
        "fields": {field: [message]},
    }


def test_list_orders_by_requested_field_with_unknown_dates_last(viewer_client):
    ClaimFactory(text="May 4", first_seen=date(2023, 5, 4))
    ClaimFactory(text="Unknown")
    ClaimFactory(text="May 2", first_seen=date(2023, 5, 2))

    ascending = viewer_client.get(URL, {"ordering": "first_seen"})
    assert _texts(ascending) == ["May 2", "May 4", "Unknown"]
    descending = viewer_client.get(URL, {"ordering": "-first_seen"})
    assert _texts(descending) == ["May 4", "May 2", "Unknown"]
    assert _texts(viewer_client.get(URL, {"ordering": "created_at"})) == [
        "May 4",
        "Unknown",
        "May 2",
    ]
    assert _texts(viewer_client.get(URL)) == ["May 2", "Unknown", "May 4"]


def test_list_orders_by_reviewed_at(viewer_client, editor):
    first, second = ClaimFactory(text="Reviewed first"), ClaimFactory(text="Reviewed second")
    ClaimFactory(text="Never reviewed")
    claim_review(claim=first, actor=editor, to_state="in_review")
    claim_review(claim=second, actor=editor, to_state="in_review")

    response = viewer_client.get(URL, {"ordering": "-reviewed_at"})

    assert _texts(response) == ["Reviewed second", "Reviewed first", "Never reviewed"]


@pytest.mark.parametrize("ordering", [None, "first_seen", "-first_seen", "reviewed_at"])
def test_list_cursor_pages_cover_every_claim_once(viewer_client, editor, ordering):
    for n in range(7):
        claim = ClaimFactory(
            text=f"Claim {n}", first_seen=date(2023, 5, 1 + n % 3) if n % 2 else None
        )
        if n % 3 == 0:
            claim_review(claim=claim, actor=editor, to_state="in_review")
    params = {"page_size": 2} | ({"ordering": ordering} if ordering else {})

    seen, response = [], viewer_client.get(URL, params)
    while True:
        assert response.status_code == 200
        seen += _texts(response)
        if not response.json()["next"]:
            break
        response = viewer_client.get(response.json()["next"])

    assert sorted(seen) == sorted(f"Claim {n}" for n in range(7))
    assert len(seen) == 7


def test_list_refuses_page_size_over_the_cap(viewer_client, monkeypatch):
    monkeypatch.setattr(CursorPage, "max_page_size", 2)
    for n in range(3):
        ClaimFactory(text=f"Claim {n}")

    response = viewer_client.get(URL, {"page_size": 3})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "page_size: Give a whole number from 1 to 2.",
        "code": "invalid",
        "fields": {"page_size": ["Give a whole number from 1 to 2."]},
    }


def test_list_serves_page_size_at_the_cap(viewer_client, monkeypatch):
    monkeypatch.setattr(CursorPage, "max_page_size", 2)
    for n in range(3):
        ClaimFactory(text=f"Claim {n}")

    response = viewer_client.get(URL, {"page_size": 2})

    assert response.status_code == 200
    assert len(_texts(response)) == 2
    assert response.json()["next"]
