"""Text fields take JSON strings only: `{"text": 123}` is a 400, not the text "123"."""

import pytest
from rest_framework import serializers

from claims.models import Claim
from claimtrail.api_input import WriteSerializer
from provenance.models import Appearance, Evidence
from sources.models import Source
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

NOT_A_STRING = "Not a valid string."


def all_write_serializers() -> list[type[WriteSerializer]]:
    # Importing the URLconf imports every API module.
    import claimtrail.urls  # noqa: F401

    found, todo = [], [WriteSerializer]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def text_fields(serializer_class) -> list[tuple[str, object]]:
    """(field name, a non-string value that belongs nowhere a string does)."""
    cases = []
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.CharField):
            cases.append((name, 123))
        elif isinstance(field, serializers.ListField) and isinstance(
            field.child, serializers.CharField
        ):
            cases.append((name, [1.5]))
    return cases


CASES = [
    pytest.param(cls, name, value, id=f"{cls.__name__}.{name}")
    for cls in all_write_serializers()
    for name, value in text_fields(cls)
]


def test_every_api_module_has_write_serializers():
    names = {cls.__name__ for cls in all_write_serializers()}
    assert {
        "ClaimWriteSerializer",
        "ClaimReviewSerializer",
        "ClaimMergeSerializer",
        "AppearanceWriteSerializer",
        "EvidenceCreateSerializer",
        "SourceWriteSerializer",
        "IdentifierInputSerializer",
    } <= names
    assert len(CASES) >= 15


@pytest.mark.parametrize(("serializer_class", "name", "value"), CASES)
def test_every_text_field_refuses_numbers(serializer_class, name, value):
    serializer = serializer_class(data={name: value}, partial=True)

    assert not serializer.is_valid()
    expected = {0: [NOT_A_STRING]} if isinstance(value, list) else [NOT_A_STRING]
    assert serializer.errors[name] == expected


@pytest.mark.parametrize(
    ("url", "body", "field", "model"),
    [
        ("/api/claims/", {"text": 123}, "text", Claim),
        ("/api/claims/", {"text": "A claim", "summary": 1.5}, "summary", Claim),
        ("/api/claims/", {"text": "A claim", "tags": ["ok", 7]}, "tags", Claim),
        ("/api/sources/", {"name": 42}, "name", Source),
        (
            "/api/sources/",
            {"name": "X", "identifiers": [{"kind": "domain", "value": 5}]},
            "identifiers",
            Source,
        ),
        ("/api/evidence/", {"url": "https://example.org/a", "title": 5}, "title", Evidence),
    ],
)
def test_number_for_text_is_a_400_and_nothing_is_stored(analyst_client, url, body, field, model):
    before = model.objects.count()

    response = analyst_client.post(url, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    fields = response.json()["fields"]
    if field == "tags":
        assert fields == {"tags": [f"1: {NOT_A_STRING}"]}
    elif field == "identifiers":
        assert fields == {"identifiers": [f"0: value: {NOT_A_STRING}"]}
    else:
        assert response.json() == {
            "detail": f"{field}: {NOT_A_STRING}",
            "code": "invalid",
            "fields": {field: [NOT_A_STRING]},
        }
    assert model.objects.count() == before


def test_number_for_text_on_patch_leaves_the_claim_unchanged(analyst_client):
    claim = ClaimFactory(text="The wording")

    response = analyst_client.patch(f"/api/claims/{claim.public_id}/", {"text": 7}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"text": [NOT_A_STRING]}
    claim.refresh_from_db()
    assert claim.text == "The wording"


def test_number_for_quote_on_appearance_is_a_400(analyst_client):
    claim, source = ClaimFactory(), SourceFactory()

    response = analyst_client.post(
        "/api/appearances/",
        {"claim": str(claim.public_id), "source": str(source.public_id), "stance": "asserts",
         "quote": 12},
        format="json",
    )  # fmt: skip

    assert response.status_code == 400
    assert response.json()["fields"] == {"quote": [NOT_A_STRING]}
    assert not Appearance.objects.exists()


def test_type_errors_come_with_the_other_field_errors(analyst_client):
    response = analyst_client.post("/api/sources/", {"name": 1, "kind": "bogus"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "name": [NOT_A_STRING],
        "kind": ['"bogus" is not a valid choice.'],
    }


def test_strings_still_pass(analyst_client):
    AppearanceFactory()
    response = analyst_client.post(
        "/api/claims/", {"text": "A claim", "tags": ["kremlin"]}, format="json"
    )

    assert response.status_code == 201
