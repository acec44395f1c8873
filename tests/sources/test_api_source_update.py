"""PATCH and PUT /api/sources/{id}/"""

import uuid

import pytest

from sources.models import Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def url(source) -> str:
    return f"/api/sources/{source.public_id}/"


def test_patch_changes_only_given_fields(analyst_client, analyst):
    source = SourceFactory(name="RIA", kind="outlet", reliability="C", aliases=["РИА"])

    response = analyst_client.patch(url(source), {"reliability": "E"}, format="json")

    assert response.status_code == 200
    assert response.json()["reliability"] == "E"
    source.refresh_from_db()
    assert (source.name, source.kind, source.reliability, source.aliases) == (
        "RIA",
        "outlet",
        "E",
        ["РИА"],
    )
    assert source.history.first().history_user == analyst


def test_put_replaces_fields_and_identifiers(analyst_client):
    source = SourceFactory(name="RIA", identifiers=[("domain", "ria.ru"), ("telegram", "rian_ru")])

    response = analyst_client.put(
        url(source),
        {
            "name": "RIA Novosti",
            "kind": "outlet",
            "state_affiliated": True,
            "identifiers": [
                {"kind": "domain", "value": "https://ria.ru/"},
                {"kind": "x_handle", "value": "@rianru"},
            ],
        },
        format="json",
    )

    assert response.status_code == 200
    assert sorted((i["kind"], i["normalized_value"]) for i in response.json()["identifiers"]) == [
        ("domain", "ria.ru"),
        ("x_handle", "rianru"),
    ]
    source.refresh_from_db()
    assert (source.name, source.state_affiliated) == ("RIA Novosti", True)


def test_parent_loop_is_400(analyst_client):
    top = SourceFactory(name="Top")
    bottom = SourceFactory(name="Bottom", parent=top)

    response = analyst_client.patch(url(top), {"parent": str(bottom.public_id)}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A source cannot be part of itself, directly or through its parents.",
        "code": "invalid",
        "fields": {"parent": ["This parent would make a loop."]},
    }
    assert Source.objects.get(pk=top.pk).parent is None


def test_clearing_parent(analyst_client):
    source = SourceFactory(parent=SourceFactory())
    response = analyst_client.patch(url(source), {"parent": None}, format="json")
    assert response.status_code == 200
    assert response.json()["parent"] is None
    assert Source.objects.get(pk=source.pk).parent is None


def test_identifier_clash_rolls_back_the_field_changes(analyst_client):
    SourceFactory(name="Max Seddon", identifiers=[("x_handle", "maxseddon")])
    source = SourceFactory(name="Other")

    response = analyst_client.patch(
        url(source),
        {"name": "Renamed", "identifiers": [{"kind": "x_handle", "value": "x.com/maxseddon"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "x_handle “maxseddon” already belongs to Max Seddon."
    assert Source.objects.get(pk=source.pk).name == "Other"


def test_unknown_source_is_404(analyst_client):
    response = analyst_client.patch(f"/api/sources/{uuid.uuid4()}/", {"name": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such source."


def test_viewer_gets_403(viewer_client):
    source = SourceFactory(name="RIA")

    response = viewer_client.patch(url(source), {"name": "Changed"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Requires the analyst role."
    assert Source.objects.get(pk=source.pk).name == "RIA"
