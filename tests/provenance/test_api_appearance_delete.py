"""DELETE /api/appearances/{id}/"""

import pytest

from provenance.models import Appearance
from tests.factories import AppearanceFactory, PublishedClaimFactory

pytestmark = pytest.mark.django_db


def url(appearance) -> str:
    return f"/api/appearances/{appearance.public_id}/"


def test_editor_deletes(editor_client):
    appearance = AppearanceFactory()

    response = editor_client.delete(url(appearance))

    assert response.status_code == 204
    assert not Appearance.objects.filter(pk=appearance.pk).exists()


def test_analyst_gets_403(analyst_client):
    appearance = AppearanceFactory()

    response = analyst_client.delete(url(appearance))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only editors can delete appearances.",
        "code": "permission_denied",
        "fields": {},
    }
    assert Appearance.objects.filter(pk=appearance.pk).exists()


def test_anonymous_gets_401(anon_client):
    appearance = AppearanceFactory(claim=PublishedClaimFactory())

    response = anon_client.delete(url(appearance))

    assert response.status_code == 401
    assert response.json()["detail"] == "Log in or send a token to do this."
    assert Appearance.objects.filter(pk=appearance.pk).exists()
