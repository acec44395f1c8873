"""The WARC of a browser capture: every request the page made, and what the page became.

warcinfo; then a request + response pair for each exchange the fetcher answered (payload
as the server sent it, headers in their received order, dated when it was asked for); then
the full-page screenshot and the rendered DOM as `resource` records (`urn:view:` and
`urn:dom:` plus the page URL, after Browsertrix's `urn:view:` screenshots); then a metadata
record with what was refused or failed and why, under its own URI and referring to the
page's first response (`warc.write_metadata`). Requests that got no response have no
records: the metadata lists them.
"""

from datetime import UTC, datetime
from pathlib import Path

from warcio.timeutils import datetime_to_iso_date

from provenance.capture.browser.router import Exchange
from provenance.capture.shared.storage import StoredFile, store_file
from provenance.capture.shared.warc import (
    WarcContext,
    new_writer,
    sha256_digest_label,
    write_exchange,
    write_metadata,
    write_warcinfo,
)


def write_browser_warc(
    exchanges: list[Exchange],
    *,
    page_url: str,
    screenshot: StoredFile,
    screenshot_path: Path,
    dom: StoredFile,
    dom_path: Path,
    workdir: Path,
    ctx: WarcContext,
) -> StoredFile:
    """Write and store the WARC; returns the stored file."""
    path = workdir / f"{ctx.capture_id}.warc.gz"
    try:
        with open(path, "wb") as fh:
            writer = new_writer(fh)
            warcinfo_id = write_warcinfo(writer, ctx, kind="browser capture")
            first_response = ""
            for exchange in exchanges:
                response_id = write_exchange(
                    writer,
                    exchange.result,
                    started_at=exchange.started_at,
                    warcinfo_id=warcinfo_id,
                )
                first_response = first_response or response_id
            for uri, stored, source, content_type in (
                (f"urn:view:{page_url}", screenshot, screenshot_path, "image/png"),
                (f"urn:dom:{page_url}", dom, dom_path, "text/html; charset=utf-8"),
            ):
                _write_resource(writer, uri, stored, source, content_type, ctx, warcinfo_id)
            write_metadata(writer, ctx=ctx, warcinfo_id=warcinfo_id, refers_to=first_response)
        return store_file(path, sha256=writer.sha256())
    finally:
        path.unlink(missing_ok=True)


def _date(moment: datetime) -> str:
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def _write_resource(writer, uri, stored: StoredFile, source: Path, content_type, ctx, info_id):
    with open(source, "rb") as payload:
        record = writer.create_warc_record(
            uri,
            "resource",
            payload=payload,
            length=stored.size,
            warc_content_type=content_type,
            warc_headers_dict={
                "WARC-Date": _date(ctx.started_at),
                "WARC-Warcinfo-ID": info_id,
                "WARC-Payload-Digest": sha256_digest_label(stored.sha256),
            },
        )
        writer.write_record(record)
