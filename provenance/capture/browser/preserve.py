"""Browser captures of web pages and social posts: what a reader saw, not only the bytes.

A browser capture is its own Capture row (method "browser") next to the HTTP capture of
the same address. Its `blob`/`sha256` are the full-page screenshot (PNG): the visual record,
and what change detection compares. `dom` is the page as scripts left it (its SHA-256 in
metadata); the WARC holds every request the page made; the thumbnail is the screenshot's.

Like fetch/preserve.py, no database writes here: capture_run claims the capture, calls
`preserve_browser` outside any transaction and records the returned fields.
"""

from pathlib import Path
from time import monotonic

from django.conf import settings
from django.utils import timezone

from provenance.capture.browser.archive import write_browser_warc
from provenance.capture.browser.router import Deadline, Exchange, fetch_for_page
from provenance.capture.browser.session import VIEWPORT, PageLoad, load_page
from provenance.capture.errors import CaptureFailure
from provenance.capture.extract import extract
from provenance.capture.shared import custody
from provenance.capture.shared.outcome import (
    Outcome,
    elapsed_ms,
    store_thumbnail,
    stored_fields,
    warc_context,
)
from provenance.capture.shared.storage import store_file
from provenance.models import Capture, Evidence

BROWSER_KINDS = frozenset({Evidence.Kind.WEB_PAGE, Evidence.Kind.SOCIAL_POST})
LISTED = 100  # refused and failed requests listed in metadata (all are counted)


def browser_capture_applies(*, evidence: Evidence, parent: Capture | None) -> bool:
    """Pages and posts (not embedded media) are what a browser capture is for."""
    return parent is None and evidence.kind in BROWSER_KINDS


def browser_capture_wanted(*, evidence: Evidence, parent: Capture | None) -> bool:
    """Pages and posts (not embedded media) get a browser capture when it is enabled."""
    return settings.CAPTURE_BROWSER_ENABLED and browser_capture_applies(
        evidence=evidence, parent=parent
    )


def preserve_browser(capture: Capture, *, workdir: Path, final_attempt: bool) -> Outcome:
    """Render `capture.requested_url` and preserve it. The page's document is fetched first,
    so a refused or unreachable address fails before Chromium starts. Raises FetchError or
    CaptureFailure (retryable for a transient HTTP status while attempts remain)."""
    started_at = timezone.now()
    began = monotonic()
    deadline = Deadline(settings.CAPTURE_BROWSER_DEADLINE)
    main = fetch_for_page(capture.requested_url, workdir=workdir / "requests", deadline=deadline)
    failure = custody.status_failure(main.http_status, main.reason, main.final_url)
    if failure and failure[2]:
        if not final_attempt:
            main.cleanup()
            raise CaptureFailure(failure[0], failure[1], retryable=True)
        failure = (failure[0], f"{failure[1]} (gave up after {capture.attempts} attempts)")
    primed = Exchange(main.final_url, "document", started_at, main)
    load = load_page(primed, workdir=workdir, deadline=deadline)
    try:
        return _record(capture, primed, load, workdir, started_at, began, failure)
    finally:
        load.cleanup()


def _record(capture, primed, load: PageLoad, workdir, started_at, began, failure) -> Outcome:
    main = primed.result
    timings = {**load.timings, "page_fetch_ms": main.timings.get("total_ms")}
    step = monotonic()
    screenshot = store_file(load.screenshot_path)
    dom = store_file(load.dom_path)
    timings["store_ms"] = elapsed_ms(step)
    image = extract(load.screenshot_path, content_type="image/png", base_url="", workdir=workdir)
    thumbnail = store_thumbnail(image)
    traffic = load.traffic
    metadata = {
        "title": load.title,
        "final_url": load.final_url,
        "request_count": traffic.requests,
        "response_count": len(traffic.exchanges),
        "bytes_fetched": traffic.bytes,
        "refused_count": len(traffic.refused),
        "refused_requests": [b.as_dict() for b in traffic.refused[:LISTED]],
        "failed_count": len(traffic.failed),
        "failed_requests": [b.as_dict() for b in traffic.failed[:LISTED]],
        "console_errors": load.console_errors,
        "console_messages": load.console_messages,
        "dom_sha256": dom.sha256,
        "dom_size": dom.size,
        "width": image.get("width"),
        "height": image.get("height"),
        "phash": image.get("phash"),
        "page_height": load.page_height,
        "screenshot_truncated": load.screenshot_truncated,
        "scrolled_to": load.scrolled_to,
        # The page never finished loading: what it showed by then (see browser.session).
        "partial": bool(load.partial),
        "partial_reason": load.partial,
        "viewport": VIEWPORT,
        "browser_version": load.browser_version,
        "network_isolation": load.network_isolation,
        "document": {
            "url": main.final_url,
            "content_type": main.content_type,
            "sha256": main.body_sha256,
            "size": main.body_size,
        },
        "software": custody.software_versions(),
    }
    step = monotonic()
    warc = write_browser_warc(
        traffic.exchanges,
        page_url=load.final_url or main.final_url,
        screenshot=screenshot,
        screenshot_path=load.screenshot_path,
        dom=dom,
        dom_path=load.dom_path,
        workdir=workdir,
        ctx=warc_context(
            capture,
            started_at=started_at,
            metadata={"requested_url": capture.requested_url, **metadata},
        ),
    )
    timings["warc_ms"] = elapsed_ms(step)
    timings["total_ms"] = elapsed_ms(began)
    fields = {
        "final_url": (load.final_url or main.final_url)[:2000],
        "redirect_chain": custody.redirect_chain(main.redirect_chain),
        "remote_ip": main.remote_ip or None,
        "http_status": main.http_status,
        "http_headers": {
            "request": custody.header_pairs(main.request_headers),
            "response": custody.header_pairs(main.response_headers),
        },
        "screenshot": screenshot.name,
        "dom": dom.name,
        **stored_fields(
            content_type="image/png",
            blob=screenshot,
            warc=warc,
            metadata=metadata,
            timings={k: v for k, v in timings.items() if v is not None},
            thumbnail=thumbnail,
        ),
    }
    return Outcome(fields=fields, failure=failure[:2] if failure else None)
