"""provenance.services.evidence_delete: what a review relied on stays; other evidence goes
with its files once no other capture uses them, and its captures' history stays."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import ReviewEventCapture
from claims.services import claim_review
from claimtrail.exceptions import DomainError, NotFound, NotPermitted
from provenance.models import Capture, Evidence, EvidenceClaim
from provenance.services import evidence_delete
from tests.factories import ClaimFactory, EvidenceFactory
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    png_bytes,
)
from tests.provenance.retention_support import captured_upload, files_of, stored

pytestmark = pytest.mark.django_db


def test_editor_deletes_evidence_and_capture_records(editor):
    evidence = EvidenceFactory()
    evidence_delete(actor=editor, evidence=evidence)
    assert not Evidence.objects.exists()
    assert not Capture.objects.exists()


def test_analyst_cannot_delete(analyst):
    evidence = EvidenceFactory()
    with pytest.raises(NotPermitted) as exc:
        evidence_delete(actor=analyst, evidence=evidence)
    assert exc.value.message == "Only editors can delete evidence."
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_files_go_after_commit_and_the_captures_history_stays(
    editor, capture_settings, django_capture_on_commit_callbacks
):
    evidence, capture = captured_upload()
    upload = stored(evidence.file.name)
    files = files_of(capture)
    assert upload.exists() and all(stored(name).exists() for name in files)

    with django_capture_on_commit_callbacks() as callbacks:
        evidence_delete(actor=editor, evidence=evidence)
        assert all(stored(name).exists() for name in files)  # not before the commit
    for callback in callbacks:
        callback()

    assert not Evidence.objects.exists()
    assert not Capture.objects.exists()
    assert [name for name in files if stored(name).exists()] == []
    assert not upload.exists()
    assert not upload.parent.exists()
    record = Capture.history.get(history_type="-")
    assert record.history_user == editor
    assert (record.public_id, record.sha256, record.blob, record.warc, record.status) == (
        capture.public_id,
        capture.sha256,
        capture.blob,
        capture.warc,
        "succeeded",
    )
    assert Evidence.history.get(history_type="-").history_user == editor


def test_a_blob_shared_with_another_evidence_item_survives(
    editor, capture_settings, django_capture_on_commit_callbacks
):
    content = png_bytes(color=(1, 2, 3))
    first, first_capture = captured_upload(content)
    second, second_capture = captured_upload(content, name="same.png")
    assert first_capture.blob == second_capture.blob
    assert first_capture.thumbnail == second_capture.thumbnail
    assert first_capture.warc != second_capture.warc

    with django_capture_on_commit_callbacks(execute=True):
        evidence_delete(actor=editor, evidence=first)

    assert stored(first_capture.blob).exists()
    assert stored(first_capture.thumbnail).exists()
    assert not stored(first_capture.warc).exists()
    assert stored(second_capture.warc).exists()
    assert stored(second.file.name).exists()

    with django_capture_on_commit_callbacks(execute=True):
        evidence_delete(actor=editor, evidence=second)

    assert [name for name in files_of(second_capture) if stored(name).exists()] == []


def test_evidence_a_review_relied_on_is_kept_with_its_files(
    editor, capture_settings, django_capture_on_commit_callbacks
):
    claim = ClaimFactory()
    evidence, capture = captured_upload(claims=[claim])
    event = claim_review(claim=claim, actor=editor, to_state="published", verdict="supported")
    assert list(event.capture_links.values_list("capture_id", flat=True)) == [capture.pk]

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(DomainError) as exc,
    ):
        evidence_delete(actor=editor, evidence=evidence)

    assert exc.value.message == (
        "A review decision relied on captures of this evidence, so it is kept with its "
        "files; unlink it from the claim instead."
    )
    assert exc.value.status_code == 400
    assert callbacks == []
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert Capture.objects.filter(pk=capture.pk).exists()
    assert EvidenceClaim.objects.filter(evidence=evidence, claim=claim).exists()
    assert ReviewEventCapture.objects.get().capture_id == capture.pk
    assert all(stored(name).exists() for name in files_of(capture))
    assert stored(evidence.file.name).exists()


def test_a_file_reused_after_the_capture_finished_is_left_for_the_prune(
    editor, capture_settings, django_capture_on_commit_callbacks
):
    """Another capture storing the same bytes touches the blob before its row commits;
    the deletion must not remove the file under it."""
    evidence, capture = captured_upload()
    later = time.time() + 5
    os.utime(stored(capture.blob), (later, later))

    with django_capture_on_commit_callbacks(execute=True):
        evidence_delete(actor=editor, evidence=evidence)

    assert stored(capture.blob).exists()
    assert not stored(capture.warc).exists()


def test_an_upload_is_removed_even_when_its_capture_never_ran(
    editor, capture_settings, django_capture_on_commit_callbacks
):
    evidence = EvidenceFactory(url="", file=SimpleUploadedFile("queued.png", png_bytes()))
    upload = stored(evidence.file.name)
    assert upload.exists()

    with django_capture_on_commit_callbacks(execute=True):
        evidence_delete(actor=editor, evidence=evidence)

    assert not upload.exists()
    assert Capture.history.get(history_type="-").status == "queued"


def test_delete_of_evidence_deleted_meanwhile_is_not_found(editor):
    evidence = EvidenceFactory()
    stale = Evidence.objects.get(pk=evidence.pk)
    evidence_delete(actor=editor, evidence=evidence)

    with pytest.raises(NotFound) as exc:
        evidence_delete(actor=editor, evidence=stale)

    assert exc.value.message == "No such evidence."
