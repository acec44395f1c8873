"""Preserve a fetched URL: the stored body, its WARC (request + response) and metadata."""

from pathlib import Path
from time import monotonic

from django.utils import timezone

from provenance.capture.errors import CaptureFailure
from provenance.capture.extract import detect_content_type, extract
from provenance.capture.fetch.fetcher import fetch
from provenance.capture.shared import custody
from provenance.capture.shared.outcome import (
    Outcome,
    elapsed_ms,
    store_thumbnail,
    stored_fields,
    warc_context,
)
from provenance.capture.shared.storage import store_file
from provenance.capture.shared.warc import write_fetch_warc

# A body up to this size is kept in memory while it is fetched, and its WARC record is
# written from there instead of reading the file back twice (digest, then copy): at most
# this much per capture running at once (16 × 4 MiB with the default captureworkers).
WARC_FROM_MEMORY = 4 * 1024 * 1024


def preserve_fetch(capture, *, workdir: Path, final_attempt: bool) -> Outcome:
    """Fetch `capture.requested_url`; raises FetchError, or CaptureFailure for a transient
    HTTP status while attempts remain (nothing is stored for an attempt that will retry)."""
    started_at = timezone.now()
    began = monotonic()
    result = fetch(capture.requested_url, workdir=workdir, keep_in_memory=WARC_FROM_MEMORY)
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
    timings["store_ms"] = elapsed_ms(step)
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
    timings["warc_ms"] = elapsed_ms(step)
    embedded, thumbnail = [], ""
    if failure is None:
        step = monotonic()
        extracted = extract(
            result.body_path, content_type=effective, base_url=result.final_url, workdir=workdir
        )
        thumbnail = store_thumbnail(extracted)
        embedded = list(extracted.get("embedded_media", []))
        metadata.update(extracted)
        timings["extract_ms"] = elapsed_ms(step)
    timings["total_ms"] = elapsed_ms(began)
    fields = {
        "final_url": result.final_url[:2000],
        "redirect_chain": chain,
        "remote_ip": result.remote_ip or None,
        "http_status": result.http_status,
        "http_headers": {
            "request": custody.header_pairs(result.request_headers),
            "response": custody.header_pairs(result.response_headers),
        },
        **stored_fields(
            content_type=effective,
            blob=blob,
            warc=warc,
            metadata=metadata,
            timings=timings,
            thumbnail=thumbnail,
        ),
    }
    return Outcome(fields=fields, embedded_media=embedded, failure=failure[:2] if failure else None)
