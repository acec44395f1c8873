"""Turn a claimed capture into stored bytes, a WARC and metadata.

No database writes here: the service claims the capture, calls one of these outside any
transaction (network and file I/O are slow), then records the returned fields at once.
"""

import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic
from urllib.parse import quote

from django.utils import timezone

from provenance.capture import custody
from provenance.capture.errors import CaptureFailure
from provenance.capture.extract import detect_content_type, extract
from provenance.capture.fetch import fetch
from provenance.capture.storage import CHUNK, store_file
from provenance.capture.warc import WarcContext, write_fetch_warc, write_upload_warc


@dataclass
class Outcome:
    fields: dict
    embedded_media: list[str] = field(default_factory=list)
    failure: tuple[str, str] | None = None  # (code, message): preserved, yet not a success


def _ms(since: float) -> int:
    return round((monotonic() - since) * 1000)


def warc_context(capture, *, started_at, metadata: dict) -> WarcContext:
    """What every WARC record of `capture` shares (its id, start, software, metadata)."""
    return WarcContext(
        capture_id=str(capture.public_id),
        started_at=started_at,
        software=custody.warc_software(),
        metadata=metadata,
    )


def preserve_fetch(capture, *, workdir: Path, final_attempt: bool) -> Outcome:
    """Fetch `capture.requested_url`; raises FetchError, or CaptureFailure for a transient
    HTTP status while attempts remain (nothing is stored for an attempt that will retry)."""
    started_at = timezone.now()
    began = monotonic()
    result = fetch(capture.requested_url, workdir=workdir)
    try:
        failure = custody.status_failure(result.http_status, result.reason, result.final_url)
        if failure and failure[2]:
            if not final_attempt:
                raise CaptureFailure(failure[0], failure[1], retryable=True)
            failure = (failure[0], f"{failure[1]} (gave up after {capture.attempts} attempts)")
        return _record_fetch(capture, result, workdir, started_at, began, failure)
    finally:
        result.cleanup()


def _record_fetch(capture, result, workdir, started_at, began, failure) -> Outcome:
    detected, effective = detect_content_type(result.body_path, result.content_type)
    # The fetch's own timings (dns, connect, ttfb) and its total as download_ms: total_ms
    # below is the whole pipeline, as for an upload.
    timings = {k: v for k, v in result.timings.items() if k != "total_ms"}
    if "total_ms" in result.timings:
        timings["download_ms"] = result.timings["total_ms"]
    step = monotonic()
    blob = store_file(result.body_path, sha256=result.body_sha256)
    timings["store_ms"] = _ms(step)
    chain = custody.redirect_chain(result.redirect_chain)
    metadata = {
        "content_type_detected": detected,
        "content_type_header": result.content_type,
        "content_encoding": custody.header_value(result.response_headers, "content-encoding"),
        "http_version": result.http_version,
        "reason": result.reason,
        "raw_sha256": result.raw_sha256,
        "raw_size": result.raw_size,
        "software": custody.software_versions(),
    }
    step = monotonic()
    warc = write_fetch_warc(
        result,
        workdir=workdir,
        ctx=warc_context(
            capture,
            started_at=started_at,
            metadata={
                "requested_url": result.requested_url,
                "redirect_chain": chain,
                "timings": result.timings,
                **metadata,
            },
        ),
        content_type=effective,
    )
    timings["warc_ms"] = _ms(step)
    embedded, thumbnail = [], ""
    if failure is None:
        step = monotonic()
        extracted = extract(
            result.body_path, content_type=effective, base_url=result.final_url, workdir=workdir
        )
        thumbnail = _store_thumbnail(extracted)
        embedded = list(extracted.get("embedded_media", []))
        metadata.update(extracted)
        timings["extract_ms"] = _ms(step)
    timings["total_ms"] = _ms(began)
    fields = {
        "final_url": result.final_url[:2000],
        "redirect_chain": chain,
        "remote_ip": result.remote_ip or None,
        "http_status": result.http_status,
        "http_headers": {
            "request": custody.header_pairs(result.request_headers),
            "response": custody.header_pairs(result.response_headers),
        },
        "content_type": effective[:255],
        "size": result.body_size,
        "sha256": result.body_sha256,
        "blob": blob.name,
        "warc": warc.name,
        "warc_sha256": warc.sha256,
        "thumbnail": thumbnail,
        "metadata": metadata,
        "timings": timings,
        "software_version": custody.software_version(),
    }
    return Outcome(fields=fields, embedded_media=embedded, failure=failure[:2] if failure else None)


def _store_thumbnail(extracted: dict) -> str:
    path = extracted.pop("thumbnail_path", None)
    if not path:
        return ""
    try:
        return store_file(Path(path)).name
    finally:
        Path(path).unlink(missing_ok=True)


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
        sha256, size = _copy_hashing(evidence, local)
    except FileNotFoundError as exc:
        raise CaptureFailure(
            "upload_missing",
            "The uploaded file is no longer in storage; upload it again as new evidence.",
        ) from exc
    filename = evidence.original_filename or Path(evidence.file.name).name
    guessed = mimetypes.guess_type(filename)[0] or ""
    detected, effective = detect_content_type(local, guessed)
    timings = {"copy_ms": _ms(began)}
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
    timings["warc_ms"] = _ms(step)
    step = monotonic()
    extracted = extract(local, content_type=effective, base_url="", workdir=workdir)
    thumbnail = _store_thumbnail(extracted)
    metadata.update(extracted)
    timings["extract_ms"] = _ms(step)
    timings["total_ms"] = _ms(began)
    fields = {
        "content_type": effective[:255],
        "size": size,
        "sha256": sha256,
        "blob": blob.name,
        "warc": warc.name,
        "warc_sha256": warc.sha256,
        "thumbnail": thumbnail,
        "metadata": metadata,
        "timings": timings,
        "software_version": custody.software_version(),
    }
    # Absolute links inside an uploaded page are not fetched: nobody asked for them.
    return Outcome(fields=fields)


def _copy_hashing(evidence, target: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with evidence.file.open("rb") as source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size
