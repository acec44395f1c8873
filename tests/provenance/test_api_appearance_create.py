"""POST /api/appearances/"""

import uuid
from datetime import UTC, datetime

import pytest

from provenance.models import Appearance, AppearanceDerivation
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/appearances/"


@pytest.fixture
def claim():
    return ClaimFactory()


@pytest.fixture
def source():
    return SourceFactory(name="TASS")


def payload(claim_row, source_row, **extra) -> dict:
    return {
        "claim": str(claim_row.public_id),
        "source": str(source_row.public_id),
        "stance": "repeats",
    } | extra


def test_analyst_records_appearance(analyst_client, analyst, claim, source):
    upstream = AppearanceFactory(claim=claim, published_at=datetime(2023, 5, 3, 13, tzinfo=UTC))

    response = analyst_client.post(
        URL,
        payload(
            claim,
            source,
            quote="Два беспилотника",
            quote_language="ru",
            quote_translation="Two drones",
            url="https://tass.ru/politika/17674375",
            published_at="2023-05-03T14:02:00+00:00",
            derived_from=[str(upstream.public_id)],
        ),
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["claim"] == str(claim.public_id)
    assert body["source"]["name"] == "TASS"
    assert body["published_at"] == "2023-05-03T14:02:00Z"
    assert body["published_precision"] == "exact"
    assert body["derived_from"] == [str(upstream.public_id)]
    appearance = Appearance.objects.get(public_id=body["id"])
    assert (appearance.created_by, appearance.quote_language) == (analyst, "ru")
    assert list(appearance.derived_from.all()) == [upstream]


@pytest.mark.parametrize(
    ("given", "precision", "stored"),
    [
        ({"published_at": "2023-05-03"}, "day", "2023-05-03T00:00:00Z"),
        ({"published_at": "2023-05"}, "month", "2023-05-01T00:00:00Z"),
        ({"published_at": "2023-05-03T16:36:00+03:00"}, "exact", "2023-05-03T13:36:00Z"),
        (
            {"published_at": "2023-05-03T13:36", "published_precision": "day"},
            "day",
            "2023-05-03T00:00:00Z",
        ),
        ({"published_at": None}, "exact", None),
        ({}, "exact", None),
    ],
)
def test_publication_time_and_precision(analyst_client, claim, source, given, precision, stored):
    response = analyst_client.post(URL, payload(claim, source, **given), format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["published_at"], body["published_precision"]) == (stored, precision)


def test_precision_finer_than_written_is_400(analyst_client, claim, source):
    response = analyst_client.post(
        URL,
        payload(claim, source, published_at="2023-05", published_precision="day"),
        format="json",
    )

    assert response.status_code == 400
    message = "published_at gives only the month; the precision cannot be day."
    assert response.json() == {
        "detail": f"published_precision: {message}",
        "code": "invalid",
        "fields": {"published_precision": [message]},
    }
    assert not Appearance.objects.exists()


def test_quote_needs_translation(analyst_client, claim, source):
    response = analyst_client.post(
        URL, payload(claim, source, quote="Два беспилотника", quote_language="ru"), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A quote in “ru” needs a translation into “en”.",
        "code": "translation_required",
        "fields": {"quote_translation": ["Translate the quote into en."]},
    }
    assert not Appearance.objects.exists()


def test_upstream_published_later_is_400(analyst_client, claim, source):
    later = AppearanceFactory(claim=claim, published_at=datetime(2023, 5, 4, tzinfo=UTC))

    response = analyst_client.post(
        URL,
        payload(claim, source, published_at="2023-05-03", derived_from=[str(later.public_id)]),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": (
            "An appearance can only derive from one published at or before it; "
            f"{later.public_id} was published after this one."
        ),
        "code": "derived_from_later",
        "fields": {"derived_from": ["Points to a later appearance."]},
    }
    assert Appearance.objects.count() == 1
    assert not AppearanceDerivation.objects.exists()


def test_day_precision_upstream_same_day_is_accepted(analyst_client, claim, source):
    upstream = AppearanceFactory(
        claim=claim,
        published_at=datetime(2023, 5, 3, 22, tzinfo=UTC),
        published_precision="day",
    )

    response = analyst_client.post(
        URL,
        payload(
            claim, source, published_at="2023-05-03T06:00Z", derived_from=[str(upstream.public_id)]
        ),
        format="json",
    )

    assert response.status_code == 201


@pytest.mark.parametrize("field", ["claim", "source", "derived_from"])
def test_unknown_reference_is_400_naming_it(analyst_client, claim, source, field):
    missing = uuid.uuid4()
    body = payload(claim, source)
    body[field] = [str(missing)] if field == "derived_from" else str(missing)
    noun = {"claim": "claim", "source": "source", "derived_from": "appearance"}[field]

    response = analyst_client.post(URL, body, format="json")

    assert response.status_code == 400
    message = f"No {noun} with id {missing}."
    assert response.json() == {
        "detail": message,
        "code": "unknown_reference",
        "fields": {field: [message]},
    }
    assert not Appearance.objects.exists()


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        ({"stance": "shouts"}, {"stance": ['"shouts" is not a valid choice.']}),
        ({"stance": None}, {"stance": ["This field may not be null."]}),
        ({"claim": "nope"}, {"claim": ["Must be a valid UUID."]}),
        ({"url": "not a url"}, {"url": ["Enter a valid URL."]}),
        (
            {"quote_language": "Russian!"},
            {"quote_language": ["Give a language tag such as ru or pt-BR."]},
        ),
        (
            {"published_precision": "decade"},
            {"published_precision": ['"decade" is not a valid choice.']},
        ),
        (
            {"published_at": "3 May 2023"},
            {
                "published_at": [
                    "“3 May 2023” is not a date: "
                    "use 2023, 2023-05, 2023-05-03 or 2023-05-03T06:40:00Z."
                ]
            },
        ),
        (
            {"published_at": 20230503},
            {"published_at": ["Give the date as a string such as 2023-05-03."]},
        ),
        (
            {"derived_from": "abc"},
            {"derived_from": ['Expected a list of items but got type "str".']},
        ),
        ({"derived_from": ["abc"]}, {"derived_from": ["0: Must be a valid UUID."]}),
    ],
)
def test_invalid_input_is_400(analyst_client, claim, source, extra, fields):
    response = analyst_client.post(URL, payload(claim, source, **extra), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == fields
    assert not Appearance.objects.exists()


def test_missing_fields_are_400(analyst_client):
    response = analyst_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "claim": ["This field is required."],
        "source": ["This field is required."],
        "stance": ["This field is required."],
    }


def test_viewer_gets_403(viewer_client, claim, source):
    response = viewer_client.post(URL, payload(claim, source), format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Requires the analyst role.",
        "code": "permission_denied",
        "fields": {},
    }
    assert not Appearance.objects.exists()
