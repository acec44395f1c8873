"""DELETE /api/sources/{id}/"""

import pytest

from sources.models import Source
from tests.factories import AppearanceFactory, SourceFactory

pytestmark = pytest.mark.django_db


def url(source) -> str:
    return f"/api/sources/{source.public_id}/"


def test_editor_deletes_source(editor_client, editor):
    source = SourceFactory(identifiers=[("x_handle", "gone")])

    response = editor_client.delete(url(source))

    assert response.status_code == 204
    assert not Source.objects.filter(pk=source.pk).exists()
    assert source.history.first().history_type == "-"


def test_analyst_gets_403(analyst_client):
    source = SourceFactory()

    response = analyst_client.delete(url(source))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only editors can delete sources.",
        "code": "permission_denied",
        "fields": {},
    }
    assert Source.objects.filter(pk=source.pk).exists()


def test_source_with_appearances_is_400(editor_client):
    appearance = AppearanceFactory()

    response = editor_client.delete(url(appearance.source))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This source still has appearances or child sources; move or delete them first.",
        "code": "protected",
        "fields": {},
    }
    assert Source.objects.filter(pk=appearance.source_id).exists()


def test_source_with_children_is_400(editor_client):
    parent = SourceFactory()
    SourceFactory(parent=parent)

    response = editor_client.delete(url(parent))

    assert response.status_code == 400
    assert response.json()["code"] == "protected"
    assert Source.objects.filter(pk=parent.pk).exists()
