"""Evidence with stored files, for the tests of deleting evidence and pruning orphans:
an uploaded image taken through the real capture pipeline (blob, WARC, thumbnail) into a
temporary media directory (the `capture_settings` fixture, imported by the modules)."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from provenance.capture.services import capture_run
from provenance.models import Capture, Evidence
from tests.factories import EvidenceFactory
from tests.provenance.capture.pipeline_support import png_bytes


def captured_upload(
    content: bytes | None = None, *, claims=(), name: str = "drone.png"
) -> tuple[Evidence, Capture]:
    """Uploaded evidence whose capture succeeded, with its files in storage."""
    evidence = EvidenceFactory(
        url="", file=SimpleUploadedFile(name, content or png_bytes()), claims=claims
    )
    capture = evidence.captures.get()
    capture_run(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == Capture.Status.SUCCEEDED, capture.error_message
    assert capture.blob and capture.warc and capture.thumbnail
    return evidence, capture


def stored(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def files_of(capture: Capture) -> list[str]:
    return [name for name in (capture.blob, capture.warc, capture.thumbnail) if name]
