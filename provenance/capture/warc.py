"""One WARC file per capture, written with warcio and stored content-addressed.

A fetch becomes warcinfo + request + response (+ a metadata record with the redirect
chain and timings); an upload becomes warcinfo + resource. The response payload is the
body exactly as the server sent it (still gzip'd if it was), with the original headers,
so standard tools (warcio, pywb, ReplayWeb.page) replay what the server said.
"""

import base64
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from provenance.capture.storage import StoredFile, store_file

# The payload is stored de-chunked (the HTTP client removes chunking before we see the
# bytes), so a replay tool must not try to de-chunk it again; the original header is kept
# under this name. Content-Encoding is left alone: the payload is still encoded.
RENAMED_HEADERS = {"transfer-encoding": "X-Claimtrail-Orig-Transfer-Encoding"}
GZIP_LEVEL = 6  # warcio uses 9: several times slower on large media for a few % gained


@dataclass(frozen=True)
class WarcContext:
    """What every record of one capture shares."""

    capture_id: str
    started_at: datetime
    software: str
    metadata: dict


class _Sha256WARCWriter(WARCWriter):
    """WARC/1.1 allows any digest; SHA-256 matches the hashes we store everywhere else."""

    @staticmethod
    def _create_digester():
        return Digester("sha256")


class _MemberGzip:
    """Each record its own gzip member (what `.warc.gz` readers and indexers expect)."""

    def __init__(self, out):
        self.out = out
        self.compressor = self._new()

    @staticmethod
    def _new():
        return zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        # warcio flushes once at the end of every record.
        self.out.write(self.compressor.flush())
        self.out.flush()
        self.compressor = self._new()


def sha256_digest_label(hex_digest: str) -> str:
    return "sha256:" + base64.b32encode(bytes.fromhex(hex_digest)).decode("ascii")


def _warc_date(moment: datetime) -> str:
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def _writer(fh) -> _Sha256WARCWriter:
    return _Sha256WARCWriter(_MemberGzip(fh), gzip=False, warc_version="1.1")


def _warcinfo(writer: _Sha256WARCWriter, ctx: WarcContext):
    info = {
        "software": ctx.software,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": f"Claimtrail capture {ctx.capture_id}",
    }
    record = writer.create_warcinfo_record(f"claimtrail-{ctx.capture_id}.warc.gz", info)
    writer.write_record(record)
    return record.rec_headers.get_header("WARC-Record-ID")


def _metadata_record(writer, *, uri: str, ctx: WarcContext, warcinfo_id: str, refers_to: str):
    body = json.dumps(ctx.metadata, sort_keys=True, default=str).encode("utf-8")
    record = writer.create_warc_record(
        uri,
        "metadata",
        payload=BytesIO(body),
        length=len(body),
        warc_content_type="application/json",
        warc_headers_dict={
            "WARC-Date": _warc_date(ctx.started_at),
            "WARC-Concurrent-To": refers_to,
            "WARC-Warcinfo-ID": warcinfo_id,
        },
    )
    writer.write_record(record)


def _response_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(RENAMED_HEADERS.get(name.lower(), name), value) for name, value in headers]


def write_fetch_warc(result, *, workdir: Path, ctx: WarcContext) -> StoredFile:
    """WARC of one HTTP exchange (`result` is a fetch.FetchResult); returns the stored file."""
    path = workdir / f"{ctx.capture_id}.warc.gz"
    split = urlsplit(result.final_url)
    target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    common = {"WARC-Date": _warc_date(ctx.started_at)}
    if result.remote_ip:
        common["WARC-IP-Address"] = result.remote_ip
    with open(path, "wb") as fh, open(result.raw_path, "rb") as payload:
        writer = _writer(fh)
        warcinfo_id = _warcinfo(writer, ctx)
        common["WARC-Warcinfo-ID"] = warcinfo_id
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
                f"{result.http_status} {result.reason}".strip(),
                _response_headers(result.response_headers),
                protocol=result.http_version or "HTTP/1.1",
            ),
        )
        request = writer.create_warc_record(
            result.final_url,
            "request",
            warc_headers_dict=dict(common),
            http_headers=StatusAndHeaders(
                f"GET {target} {result.http_version or 'HTTP/1.1'}",
                list(result.request_headers),
                is_http_request=True,
            ),
        )
        writer.write_request_response_pair(request, response)
        _metadata_record(
            writer,
            uri=result.final_url,
            ctx=ctx,
            warcinfo_id=warcinfo_id,
            refers_to=response.rec_headers.get_header("WARC-Record-ID"),
        )
    return _store(path)


def write_upload_warc(
    path: Path, *, workdir: Path, ctx: WarcContext, target_uri: str, content_type: str, sha256: str
) -> StoredFile:
    """WARC of an uploaded file: the bytes as a `resource` record (no HTTP exchange)."""
    warc_path = workdir / f"{ctx.capture_id}.warc.gz"
    with open(warc_path, "wb") as fh, open(path, "rb") as payload:
        writer = _writer(fh)
        warcinfo_id = _warcinfo(writer, ctx)
        resource = writer.create_warc_record(
            target_uri,
            "resource",
            payload=payload,
            length=path.stat().st_size,
            warc_content_type=content_type or "application/octet-stream",
            warc_headers_dict={
                "WARC-Date": _warc_date(ctx.started_at),
                "WARC-Warcinfo-ID": warcinfo_id,
                "WARC-Payload-Digest": sha256_digest_label(sha256),
            },
        )
        writer.write_record(resource)
        _metadata_record(
            writer,
            uri=target_uri,
            ctx=ctx,
            warcinfo_id=warcinfo_id,
            refers_to=resource.rec_headers.get_header("WARC-Record-ID"),
        )
    return _store(warc_path)


def _store(path: Path) -> StoredFile:
    try:
        return store_file(path)
    finally:
        path.unlink(missing_ok=True)
