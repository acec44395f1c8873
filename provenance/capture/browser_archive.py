"""The WARC of a browser capture: every request the page made, and what the page became.

warcinfo; then a request + response pair for each exchange the fetcher answered (payload
as the server sent it, headers in their received order, dated when it was asked for); then
the full-page screenshot and the rendered DOM as `resource` records (`urn:view:` and
`urn:dom:` plus the page URL, after Browsertrix's `urn:view:` screenshots); then a metadata
record with what was refused or failed and why. Requests that got no response have no
records: the metadata lists them.
"""

import json
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from provenance.capture.browser_router import Exchange
from provenance.capture.storage import StoredFile, store_file
from provenance.capture.warc import RENAMED_HEADERS, WarcContext, sha256_digest_label


class _Sha256WARCWriter(WARCWriter):
    """SHA-256 digests, as in every other Claimtrail WARC; one gzip member per record."""

    @staticmethod
    def _create_digester():
        return Digester("sha256")


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
            writer = _Sha256WARCWriter(fh, gzip=True, warc_version="1.1")
            warcinfo_id = _warcinfo(writer, ctx)
            first_response = ""
            for exchange in exchanges:
                response_id = _write_exchange(writer, exchange, warcinfo_id)
                first_response = first_response or response_id
            for uri, stored, source, content_type in (
                (f"urn:view:{page_url}", screenshot, screenshot_path, "image/png"),
                (f"urn:dom:{page_url}", dom, dom_path, "text/html; charset=utf-8"),
            ):
                _write_resource(writer, uri, stored, source, content_type, ctx, warcinfo_id)
            _write_metadata(writer, page_url, ctx, warcinfo_id, first_response)
        return store_file(path)
    finally:
        path.unlink(missing_ok=True)


def _date(moment: datetime) -> str:
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def _warcinfo(writer: WARCWriter, ctx: WarcContext) -> str:
    info = {
        "software": ctx.software,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": f"Claimtrail browser capture {ctx.capture_id}",
    }
    record = writer.create_warcinfo_record(f"claimtrail-{ctx.capture_id}.warc.gz", info)
    writer.write_record(record)
    return record.rec_headers.get_header("WARC-Record-ID")


def _write_exchange(writer: WARCWriter, exchange: Exchange, warcinfo_id: str) -> str:
    result = exchange.result
    split = urlsplit(result.final_url)
    target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    protocol = result.http_version or "HTTP/1.1"
    common = {"WARC-Date": _date(exchange.started_at), "WARC-Warcinfo-ID": warcinfo_id}
    if result.remote_ip:
        common["WARC-IP-Address"] = result.remote_ip
    headers = [(RENAMED_HEADERS.get(k.lower(), k), v) for k, v in result.response_headers]
    with open(result.raw_path, "rb") as payload:
        response = writer.create_warc_record(
            result.final_url,
            "response",
            payload=payload,
            length=result.raw_size,
            warc_headers_dict={
                **common,
                "WARC-Payload-Digest": sha256_digest_label(result.raw_sha256),
            },
            http_headers=StatusAndHeaders(
                f"{result.http_status} {result.reason}".strip(), headers, protocol=protocol
            ),
        )
        request = writer.create_warc_record(
            result.final_url,
            "request",
            warc_headers_dict=dict(common),
            http_headers=StatusAndHeaders(
                f"GET {target} {protocol}", list(result.request_headers), is_http_request=True
            ),
        )
        writer.write_request_response_pair(request, response)
    return response.rec_headers.get_header("WARC-Record-ID")


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


def _write_metadata(writer, page_url: str, ctx: WarcContext, info_id: str, refers_to: str):
    body = json.dumps(ctx.metadata, sort_keys=True, default=str).encode("utf-8")
    headers = {"WARC-Date": _date(ctx.started_at), "WARC-Warcinfo-ID": info_id}
    if refers_to:
        headers["WARC-Concurrent-To"] = refers_to
    record = writer.create_warc_record(
        page_url,
        "metadata",
        payload=BytesIO(body),
        length=len(body),
        warc_content_type="application/json",
        warc_headers_dict=headers,
    )
    writer.write_record(record)
