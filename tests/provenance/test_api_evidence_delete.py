"""DELETE /api/evidence/{id}/"""

import pytest

from provenance.models import Capture, Evidence
from tests.factories import EvidenceFactory

pytestmark = pytest.mark.django_db


def url(evidence) -> str:
    return f"/api/evidence/{evidence.public_id}/"


def test_editor_deletes(editor_client):
    evidence = EvidenceFactory()

    response = editor_client.delete(url(evidence))

    assert response.status_code == 204
    assert not Evidence.objects.exists()
    assert not Capture.objects.exists()


def test_analyst_gets_403(analyst_client):
    evidence = EvidenceFactory()

    response = analyst_client.delete(url(evidence))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only editors can delete evidence.",
        "code": "permission_denied",
        "fields": {},
    }
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_viewer_gets_403(viewer_client):
    evidence = EvidenceFactory()
    response = viewer_client.delete(url(evidence))
    assert response.status_code == 403
    assert response.json()["detail"] == "Only editors can delete evidence."
    assert Evidence.objects.filter(pk=evidence.pk).exists()
