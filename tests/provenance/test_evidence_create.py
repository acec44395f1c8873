"""provenance.services.evidence_create"""

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from claimtrail.exceptions import DomainError, NotPermitted
from provenance.models import Capture, Evidence, EvidenceClaim
from provenance.services import evidence_create
from tests.factories import AppearanceFactory, ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_link_evidence_queues_a_capture_on_commit(analyst, django_capture_on_commit_callbacks):
    claim = ClaimFactory()
    appearance = AppearanceFactory(claim=claim)

    with django_capture_on_commit_callbacks() as callbacks:
        evidence = evidence_create(
            actor=analyst,
            kind="video",
            url="https://t.me/rian_ru/199997",
            title=" Drone video ",
            appearance=appearance,
            claim_links=[(claim, "supports")],
        )

    assert evidence.title == "Drone video"
    assert evidence.appearance == appearance
    assert list(EvidenceClaim.objects.values_list("claim_id", "relation")) == [
        (claim.pk, "supports")
    ]
    capture = Capture.objects.get(evidence=evidence)
    assert (capture.status, capture.method, capture.requested_url) == (
        "queued",
        "fetch",
        "https://t.me/rian_ru/199997",
    )
    assert len(callbacks) == 1
    assert evidence.history.first().history_user == analyst


def test_uploaded_file_is_stored_and_queued_for_preservation(analyst):
    upload = SimpleUploadedFile("drone.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")

    evidence = evidence_create(actor=analyst, kind="image", file=upload)

    evidence.refresh_from_db()
    assert evidence.original_filename == "drone.jpg"
    assert evidence.file.name == f"uploads/{evidence.public_id}/drone.jpg"
    assert evidence.file.read() == b"\xff\xd8\xff fake jpeg"
    assert Capture.objects.get(evidence=evidence).method == "upload"


@pytest.mark.parametrize("both", [True, False])
def test_needs_url_xor_file(analyst, both):
    kwargs = {"url": "https://example.org/a.jpg", "file": SimpleUploadedFile("a.jpg", b"x")}
    with pytest.raises(DomainError) as exc:
        evidence_create(actor=analyst, **(kwargs if both else {}))
    assert exc.value.message == (
        "Give either a URL to capture or a file to upload, not both and not neither."
    )
    assert exc.value.fields == {"url": ["Give a URL or a file."]}
    assert not Evidence.objects.exists()


def test_refuses_file_over_the_limit(analyst, settings):
    settings.UPLOAD_MAX_BYTES = 10

    with pytest.raises(DomainError) as exc:
        evidence_create(actor=analyst, file=SimpleUploadedFile("big.bin", b"x" * 11))

    assert exc.value.message == "The file is larger than the 10 bytes allowed."
    assert exc.value.code == "too_large"
    assert not Evidence.objects.exists()


def test_refuses_unknown_relation(analyst):
    claim = ClaimFactory()

    with pytest.raises(DomainError) as exc:
        evidence_create(actor=analyst, url="https://example.org/a", claim_links=[(claim, "proves")])

    assert exc.value.message == "Relation must be supports, refutes or context, not “proves”."
    assert exc.value.fields == {"claims": [exc.value.message]}


def test_upload_of_refused_evidence_is_removed_from_storage(analyst, tmp_path):
    upload = SimpleUploadedFile("drone.jpg", b"\xff\xd8\xff fake jpeg")

    with pytest.raises(DomainError):
        evidence_create(actor=analyst, file=upload, claim_links=[(ClaimFactory(), "proves")])

    assert not Evidence.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_upload_is_written_outside_the_transaction(analyst, monkeypatch):
    depths = []
    save = FileSystemStorage._save

    def recording_save(self, name, content):
        depths.append(len(connection.atomic_blocks))
        return save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", recording_save)
    outer = len(connection.atomic_blocks)  # the test's own transaction

    evidence_create(actor=analyst, file=SimpleUploadedFile("a.txt", b"a"))

    assert depths == [outer]


def test_database_refuses_unknown_relation(analyst):
    evidence = evidence_create(actor=analyst, url="https://example.org/a")
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        EvidenceClaim.objects.create(evidence=evidence, claim=ClaimFactory(), relation="proves")
    assert "evidence_claim_relation_valid" in str(exc.value)


def test_database_refuses_evidence_without_url_or_file():
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        Evidence.objects.create(kind="image")
    assert "evidence_has_url_or_file" in str(exc.value)


def test_viewer_cannot_create(viewer):
    with pytest.raises(NotPermitted):
        evidence_create(actor=viewer, url="https://example.org/a")
    assert not Evidence.objects.exists()
