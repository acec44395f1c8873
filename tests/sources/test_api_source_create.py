"""POST /api/sources/"""

import uuid

import pytest

from sources.models import Source, SourceIdentifier
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/sources/"


def test_analyst_creates_source(analyst_client, analyst):
    ft = SourceFactory(name="Financial Times")

    response = analyst_client.post(
        URL,
        {
            "name": "Max Seddon",
            "kind": "person",
            "description": "Moscow bureau chief",
            "country": "gb",
            "parent": str(ft.public_id),
            "reliability": "B",
            "aliases": ["Seddon"],
            "identifiers": [{"kind": "x_handle", "value": "https://x.com/MaxSeddon"}],
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Max Seddon"
    assert body["country"] == "GB"
    assert body["parent"] == {"id": str(ft.public_id), "name": "Financial Times"}
    assert body["identifiers"] == [
        {"kind": "x_handle", "value": "https://x.com/MaxSeddon", "normalized_value": "maxseddon"}
    ]
    assert body["claims_made"] == []
    source = Source.objects.get(public_id=body["id"])
    assert (source.parent, source.created_by, source.reliability) == (ft, analyst, "B")


def test_defaults_for_omitted_fields(analyst_client):
    response = analyst_client.post(URL, {"name": "Someone"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["reliability"], body["state_affiliated"]) == ("unknown", "F", False)


def test_identifier_taken_in_another_spelling_is_400(analyst_client):
    SourceFactory(name="Max Seddon", identifiers=[("x_handle", "maxseddon")])

    response = analyst_client.post(
        URL,
        {"name": "Impostor", "identifiers": [{"kind": "x_handle", "value": "@MaxSeddon"}]},
        format="json",
    )

    assert response.status_code == 400
    message = "x_handle “maxseddon” already belongs to Max Seddon."
    assert response.json() == {
        "detail": message,
        "code": "duplicate",
        "fields": {"identifiers": [message]},
    }
    assert not Source.objects.filter(name="Impostor").exists()
    assert SourceIdentifier.objects.count() == 1


def test_unknown_parent_is_400_naming_it(analyst_client):
    missing = uuid.uuid4()

    response = analyst_client.post(URL, {"name": "Orphan", "parent": str(missing)}, format="json")

    assert response.status_code == 400
    message = f"No source with id {missing}."
    assert response.json() == {
        "detail": message,
        "code": "unknown_reference",
        "fields": {"parent": [message]},
    }
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": "x" * 301}, {"name": ["Ensure this field has no more than 300 characters."]}),
        ({"name": "A", "kind": "alien"}, {"kind": ['"alien" is not a valid choice.']}),
        ({"name": "A", "reliability": "G"}, {"reliability": ['"G" is not a valid choice.']}),
        (
            {"name": "A", "country": "Russia"},
            {"country": ["Give a two-letter country code such as RU."]},
        ),
        ({"name": "A", "parent": "nope"}, {"parent": ["Must be a valid UUID."]}),
        (
            {"name": "A", "aliases": "Seddon"},
            {"aliases": ['Expected a list of items but got type "str".']},
        ),
        (
            {"name": "A", "identifiers": [{"kind": "myspace", "value": "tom"}]},
            {"identifiers": ['0: kind: "myspace" is not a valid choice.']},
        ),
        (
            {"name": "A", "identifiers": [{"kind": "x_handle"}]},
            {"identifiers": ["0: value: This field is required."]},
        ),
    ],
)
def test_invalid_input_is_400(analyst_client, payload, fields):
    response = analyst_client.post(URL, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == fields
    assert not Source.objects.exists()


def test_malformed_identifier_is_400(analyst_client):
    response = analyst_client.post(
        URL, {"name": "A", "identifiers": [{"kind": "wikidata", "value": "P31"}]}, format="json"
    )

    assert response.status_code == 400
    message = "“P31” is not a Wikidata item id such as Q7747."
    assert response.json()["fields"] == {"identifiers": [message]}
    assert not Source.objects.exists()


def test_identifier_with_an_impossible_port_is_400(analyst_client):
    value = "https://example.com:99999/"
    response = analyst_client.post(
        URL, {"name": "A", "identifiers": [{"kind": "url", "value": value}]}, format="json"
    )

    assert response.status_code == 400
    message = f"“{value}” is not a valid url (Port out of range 0-65535)."
    assert response.json()["fields"] == {"identifiers": [message]}
    assert not Source.objects.exists()


def test_malformed_json_is_400(analyst_client):
    response = analyst_client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_viewer_gets_403(viewer_client):
    response = viewer_client.post(URL, {"name": "A"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Requires the analyst role.",
        "code": "permission_denied",
        "fields": {},
    }
    assert not Source.objects.exists()


def test_anonymous_gets_401(anon_client):
    response = anon_client.post(URL, {"name": "A"}, format="json")

    assert response.status_code == 401
    assert response.json()["detail"] == "Log in or send a token to do this."
    assert not Source.objects.exists()
