"""Preserve an uploaded file: same storage, WARC (a resource record) and extractors as a
fetch, minus the network."""

import hashlib
import mimetypes
from pathlib import Path
from time import monotonic
from urllib.parse import quote

from django.utils import timezone

from provenance.capture.errors import CaptureFailure
from provenance.capture.extract import detect_content_type, extract
from provenance.capture.shared import custody
from provenance.capture.shared.outcome import (
    Outcome,
    elapsed_ms,
    store_thumbnail,
    stored_fields,
    warc_context,
)
from provenance.capture.shared.storage import CHUNK, store_file
from provenance.capture.shared.warc import write_upload_warc


def preserve_upload(capture, *, workdir: Path) -> Outcome:
    """Preserve the evidence's uploaded file: same storage, WARC (a resource record) and
    extractors as a fetch, minus the network."""
    evidence = capture.evidence
    started_at = timezone.now()
    began = monotonic()
    local = workdir / "upload"
    try:
        if not evidence.file:
            raise FileNotFoundError("no file attached")
        sha256 = _copy_hashing(evidence, local)
    except FileNotFoundError as exc:
        raise CaptureFailure(
            "upload_missing",
            "The uploaded file is no longer in storage; upload it again as new evidence.",
        ) from exc
    filename = evidence.original_filename or Path(evidence.file.name).name
    guessed = mimetypes.guess_type(filename)[0] or ""
    detected, effective = detect_content_type(local, guessed)
    timings = {"copy_ms": elapsed_ms(began)}
    blob = store_file(local, sha256=sha256)
    metadata = {
        "original_filename": filename,
        "content_type_detected": detected,
        "content_type_from_name": guessed,
        "software": custody.software_versions(),
    }
    target_uri = f"urn:claimtrail:upload:{evidence.public_id}/{quote(filename)}"
    step = monotonic()
    warc = write_upload_warc(
        local,
        workdir=workdir,
        ctx=warc_context(capture, started_at=started_at, metadata=metadata),
        target_uri=target_uri,
        content_type=effective,
        sha256=sha256,
    )
    timings["warc_ms"] = elapsed_ms(step)
    step = monotonic()
    extracted = extract(local, content_type=effective, base_url="", workdir=workdir)
    thumbnail = store_thumbnail(extracted)
    metadata.update(extracted)
    timings["extract_ms"] = elapsed_ms(step)
    timings["total_ms"] = elapsed_ms(began)
    fields = stored_fields(
        content_type=effective,
        blob=blob,
        warc=warc,
        metadata=metadata,
        timings=timings,
        thumbnail=thumbnail,
    )
    # Absolute links inside an uploaded page are not fetched: nobody asked for them.
    return Outcome(fields=fields)


def _copy_hashing(evidence, target: Path) -> str:
    """Copy the uploaded file into the work folder; its SHA-256, hashed on the way."""
    digest = hashlib.sha256()
    with evidence.file.open("rb") as source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()
