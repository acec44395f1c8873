"""Preserve the video behind a page (yt-dlp through our guarded transport).

A media capture is a child of a page capture (method "media"): its own row, attempts and
reason, so a long video download that fails never fails or re-fetches the page itself.
"""

from pathlib import Path
from time import monotonic

from django.conf import settings
from django.utils import timezone

from provenance.capture.errors import CaptureFailure
from provenance.capture.extract import detect_content_type
from provenance.capture.media.download import download_media
from provenance.capture.shared import custody
from provenance.capture.shared.outcome import Outcome, elapsed_ms, stored_fields, warc_context
from provenance.capture.shared.storage import store_file
from provenance.capture.shared.warc import write_upload_warc
from provenance.models import Capture, Evidence

# Evidence whose page may carry a video worth downloading with yt-dlp.
MEDIA_KINDS = {Evidence.Kind.VIDEO, Evidence.Kind.SOCIAL_POST}
PAGE_TYPES = {"text/html", "application/xhtml+xml"}


def media_capture_wanted(*, capture: Capture, content_type: str) -> bool:
    """A top-level fetch of a video or post that turned out to be an HTML page."""
    return (
        settings.CAPTURE_MEDIA_ENABLED
        and capture.method == Capture.Method.FETCH
        and capture.parent_id is None
        and content_type.split(";")[0].strip().lower() in PAGE_TYPES
        and capture.evidence.kind in MEDIA_KINDS  # last: reading the evidence is a query
    )


def preserve_media(capture: Capture, *, workdir: Path) -> Outcome:
    """Download the page's video; raises FetchError (retried when transient)."""
    started_at = timezone.now()
    began = monotonic()
    result = download_media(capture.requested_url, workdir=workdir)
    if result is None:
        raise CaptureFailure(
            "no_media",
            "yt-dlp found no video on this page; the page capture and its embedded media "
            "keep what it showed.",
        )
    try:
        detected, effective = detect_content_type(result.path, "")
        blob = store_file(result.path, sha256=result.sha256)
        metadata = {
            "content_type_detected": detected,
            "yt_dlp": result.info,
            "yt_dlp_version": result.yt_dlp_version,
            "requests": result.requests,
            "request_count": result.request_count,
            "software": custody.software_versions(),
        }
        warc = write_upload_warc(
            result.path,
            workdir=workdir,
            ctx=warc_context(capture, started_at=started_at, metadata=metadata),
            target_uri=result.media_url,
            content_type=effective,
            sha256=result.sha256,
        )
        served = next((r for r in result.requests if r["url"] == result.media_url), {})
        timings = {**result.timings, "total_ms": elapsed_ms(began)}
        return Outcome(
            fields={
                "final_url": result.media_url[:2000],
                "remote_ip": served.get("remote_ip") or None,
                "http_status": served.get("status"),
                **stored_fields(
                    content_type=effective, blob=blob, warc=warc, metadata=metadata, timings=timings
                ),
            }
        )
    finally:
        result.cleanup()
