"""DELETE /api/evidence/{id}/"""

import pytest

from claims.models import ReviewEventCapture
from claims.services import claim_review
from provenance.models import Capture, Evidence, EvidenceClaim
from tests.factories import ClaimFactory, EvidenceFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    png_bytes,
)
from tests.provenance.retention_support import captured_upload, files_of, stored

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


def test_evidence_a_review_relied_on_is_kept_with_a_400(editor_client, editor, capture_settings):
    claim = ClaimFactory()
    evidence, capture = captured_upload(claims=[claim])
    claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")

    response = editor_client.delete(url(evidence))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A review decision relied on captures of this evidence, so it is kept with "
        "its files; unlink it from the claim instead.",
        "code": "evidence_relied_on",
        "fields": {},
    }
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert Capture.objects.filter(pk=capture.pk).exists()
    assert EvidenceClaim.objects.filter(evidence=evidence, claim=claim).exists()
    assert ReviewEventCapture.objects.get().capture_id == capture.pk
    assert all(stored(name).exists() for name in files_of(capture))


def test_editor_deletes_with_files_keeping_a_shared_blob(
    editor_client, editor, capture_settings, django_capture_on_commit_callbacks
):
    content = png_bytes(color=(9, 9, 9))
    first, first_capture = captured_upload(content, name="a.png")
    second, second_capture = captured_upload(content, name="b.png")

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.delete(url(first))

    assert response.status_code == 204
    assert list(Evidence.objects.values_list("pk", flat=True)) == [second.pk]
    assert list(Capture.objects.values_list("pk", flat=True)) == [second_capture.pk]
    assert stored(first_capture.blob).exists()  # second_capture still uses it
    assert not stored(first_capture.warc).exists()
    assert not stored(first.file.name).exists()
    deleted = Capture.history.get(history_type="-")
    assert (deleted.history_user, deleted.sha256) == (editor, first_capture.sha256)
