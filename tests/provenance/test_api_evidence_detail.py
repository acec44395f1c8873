"""GET /api/evidence/{id}/"""

import hashlib
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from provenance.capture.services import capture_enqueue, capture_fail, capture_run
from provenance.models import Capture
from tests.factories import (
    AppearanceFactory,
    ClaimFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    publish_again,
)

pytestmark = pytest.mark.django_db
URL = "/api/evidence/"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CAPTURE_WORK_DIR = str(tmp_path)


def test_detail_shows_claims_and_the_latest_capture(viewer_client, editor):
    claim = ClaimFactory()
    appearance = AppearanceFactory(claim=claim)
    evidence = EvidenceFactory(
        kind="image",
        file=SimpleUploadedFile("frame.jpg", b"frame bytes"),
        url="",
        title="Frame",
        appearance=appearance,
        claims=[claim],
        relation="supports",
    )
    capture_run(capture_id=Capture.objects.get(evidence=evidence).pk)
    capture = Capture.objects.get(evidence=evidence)

    response = viewer_client.get(f"{URL}{evidence.public_id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["original_filename"] == "frame.jpg"
    assert body["appearance"] == str(appearance.public_id)
    assert body["claims"] == [{"claim": str(claim.public_id), "relation": "supports"}]
    assert body["latest_capture"] == {
        "id": str(capture.public_id),
        "status": "succeeded",
        "sha256": hashlib.sha256(b"frame bytes").hexdigest(),
        "finished_at": body["latest_capture"]["finished_at"],
        "error_code": "",
    }
    assert body["latest_capture"]["finished_at"] is not None


def test_latest_capture_is_the_newest(viewer_client, editor):
    evidence = EvidenceFactory()
    first = Capture.objects.get(evidence=evidence)
    capture_fail(capture=first, code="dns", message="No such host.")
    second = capture_enqueue(actor=editor, evidence=evidence)

    body = viewer_client.get(f"{URL}{evidence.public_id}/").json()

    assert body["latest_capture"]["id"] == str(second.public_id)
    assert body["latest_capture"]["status"] == "queued"


def test_anonymous_does_not_see_an_unpublished_appearance_id(anon_client):
    evidence = EvidenceFactory(
        claims=[PublishedClaimFactory()], appearance=AppearanceFactory(claim=ClaimFactory())
    )
    publish_again(evidence.claims.get())
    body = anon_client.get(f"{URL}{evidence.public_id}/").json()
    assert body["appearance"] is None


@pytest.mark.parametrize("public_id", [uuid.uuid4(), "zzz"])
def test_unknown_id_is_404(viewer_client, public_id):
    response = viewer_client.get(f"{URL}{public_id}/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such evidence."
