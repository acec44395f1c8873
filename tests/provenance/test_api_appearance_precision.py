"""A date precision without a date is a 400 on create, PUT and PATCH, not stored."""

from datetime import UTC, datetime

import pytest

from claimtrail.exceptions import DomainError
from provenance.models import Appearance
from provenance.services import appearance_update
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/appearances/"
NEEDS_DATE = "A precision needs a published_at date."
ERROR = {
    "detail": f"published_precision: {NEEDS_DATE}",
    "code": "invalid",
    "fields": {"published_precision": [NEEDS_DATE]},
}


def payload(**extra) -> dict:
    claim, source = ClaimFactory(), SourceFactory()
    return {"claim": str(claim.public_id), "source": str(source.public_id), "stance": "reports"}


@pytest.mark.parametrize("published_at", [{}, {"published_at": None}])
def test_create_with_precision_and_no_date_is_a_400(analyst_client, published_at):
    body = payload() | {"published_precision": "month"} | published_at

    response = analyst_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == ERROR
    assert not Appearance.objects.exists()


def test_create_with_precision_and_date_is_stored(analyst_client):
    body = payload() | {"published_precision": "month", "published_at": "2023-05-03"}

    response = analyst_client.post(URL, body, format="json")

    assert response.status_code == 201
    assert response.json()["published_at"] == "2023-05-01T00:00:00Z"


def test_create_with_a_year_only_is_stored_as_that_year(analyst_client):
    body = payload() | {"published_at": "2022"}

    response = analyst_client.post(URL, body, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["published_at"], body["published_precision"]) == ("2022-01-01T00:00:00Z", "year")


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_precision_of_an_undated_appearance_is_a_400(analyst_client, method):
    appearance = AppearanceFactory(published_at=None)
    body = {"published_precision": "day"}
    if method == "put":
        body |= {
            "claim": str(appearance.claim.public_id),
            "source": str(appearance.source.public_id),
            "stance": "asserts",
        }

    response = getattr(analyst_client, method)(f"{URL}{appearance.public_id}/", body, format="json")

    assert response.status_code == 400
    assert response.json() == ERROR
    appearance.refresh_from_db()
    assert (appearance.published_at, appearance.published_precision) == (None, "exact")


def test_patch_precision_with_null_date_is_a_400(analyst_client):
    may_3 = datetime(2023, 5, 3, 6, 40, tzinfo=UTC)
    appearance = AppearanceFactory(published_at=may_3)

    response = analyst_client.patch(
        f"{URL}{appearance.public_id}/",
        {"published_at": None, "published_precision": "day"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == ERROR
    appearance.refresh_from_db()
    assert appearance.published_at == may_3


def test_patch_precision_of_a_dated_appearance_truncates(analyst_client):
    appearance = AppearanceFactory(published_at=datetime(2023, 5, 3, 6, 40, tzinfo=UTC))

    response = analyst_client.patch(
        f"{URL}{appearance.public_id}/", {"published_precision": "day"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["published_at"] == "2023-05-03T00:00:00Z"


def test_service_refuses_precision_without_date(analyst):
    appearance = AppearanceFactory(published_at=None)

    with pytest.raises(DomainError) as excinfo:
        appearance_update(appearance=appearance, actor=analyst, published_precision="month")

    assert excinfo.value.fields == {"published_precision": [NEEDS_DATE]}
    assert Appearance.objects.get().published_precision == "exact"
