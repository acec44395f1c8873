"""One WARC file per capture, written with warcio and stored content-addressed.

A fetch becomes warcinfo + request + response (+ a metadata record with the redirect
chain and timings); an upload becomes warcinfo + resource (+ the same metadata record).

The metadata record has a URI of its own (`metadata_uri`: `metadata://claimtrail/capture/
<capture id>`, after Heritrix's `metadata://` records) and points at the record it
describes with `WARC-Refers-To` and `WARC-Concurrent-To`. Given the page's own URI and
date instead, pywb's indexer listed it beside the response under the same key and replay
served the ~700-byte JSON instead of the page. The response payload is the
body exactly as the server sent it (still gzip'd if it was), with the original headers,
so standard tools (warcio, pywb, ReplayWeb.page) replay what the server said.

The file is a `.warc.gz`: every record is its own gzip member. A payload that is compressed
already (video, JPEG, zip, a gzip'd body...) goes into its member as deflate "stored"
blocks (RFC 1951 §3.2.4: the bytes as they are, framed and covered by the gzip CRC-32),
which every gzip reader inflates like any other member: deflating it again would cost
20 ms or more of CPU per MB (zlib manages 20-50 MB/s on such bytes at any level) to save
nothing. Those blocks are framed here (`_StoredMember`) rather than by zlib at level 0,
which copies every byte through its window: 1.1 ms of CPU per MB against 0.25 for the
CRC alone. Everything else is deflated. The file is hashed while it is written, so storing
it does not read it back.
"""

import base64
import hashlib
import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from provenance.capture.shared.storage import StoredFile, store_file

# The payload is stored de-chunked (the HTTP client removes chunking before we see the
# bytes), so a replay tool must not try to de-chunk it again; the original header is kept
# under this name. Content-Encoding is left alone: the payload is still encoded.
RENAMED_HEADERS = {"transfer-encoding": "X-Claimtrail-Orig-Transfer-Encoding"}
GZIP_LEVEL = 6  # warcio uses 9: several times slower on large media for a few % gained
STORED = 0  # zlib level 0: a gzip member of "stored" deflate blocks, nothing compressed
READ_SIZE = 256 * 1024  # payload reads (warcio's own are 16 KiB: more Python per MB)
# Payloads of these types are compressed already and go in STORED. Any other payload of
# PROBE_FROM bytes or more is sampled (PROBE_SAMPLES pieces of PROBE_BYTES spread over the
# file, so a compressible header does not speak for a video's body) and deflated only if
# most samples shrink by PROBE_MIN_SAVING at deflate's fastest level.
COMPRESSED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/apng",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/heic",
        "image/heif",
        "image/jxl",
        "image/jpx",
        "audio/aac",
        "audio/amr",
        "audio/mp4",
        "audio/mpeg",
        "audio/ogg",
        "audio/opus",
        "audio/webm",
        "audio/flac",
        "audio/x-flac",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-7z-compressed",
        "application/x-brotli",
        "application/x-bzip2",
        "application/x-compress",
        "application/x-lz4",
        "application/x-lzip",
        "application/x-lzop",
        "application/x-rar-compressed",
        "application/vnd.rar",
        "application/x-xz",
        "application/zstd",
        "application/epub+zip",
        "application/vnd.ms-cab-compressed",
    }
)
COMPRESSED_PREFIXES = ("video/", "application/vnd.openxmlformats-officedocument.")
PROBE_FROM = 64 * 1024
PROBE_BYTES = 4 * 1024
PROBE_SAMPLES = 4
PROBE_MIN_SAVING = 0.1


@dataclass(frozen=True)
class WarcContext:
    """What every record of one capture shares."""

    capture_id: str
    started_at: datetime
    software: str
    metadata: dict


def payload_level(
    path: Path,
    *,
    content_type: str = "",
    content_encoding: str = "",
    chunks: list[bytes] | None = None,
) -> int:
    """The gzip level for a payload: GZIP_LEVEL, or STORED when deflate would not shrink it.
    `chunks`: the payload's bytes already in memory (then the file is not read)."""
    encoding = content_encoding.strip().lower()
    if encoding and encoding != "identity":
        return STORED  # gzip, br, zstd...: the server compressed it
    content_type = content_type.split(";")[0].strip().lower()
    if content_type in COMPRESSED_TYPES or content_type.startswith(COMPRESSED_PREFIXES):
        return STORED
    size = sum(map(len, chunks)) if chunks is not None else path.stat().st_size
    if size < PROBE_FROM:
        return GZIP_LEVEL
    step = (size - PROBE_BYTES) // (PROBE_SAMPLES - 1)
    offsets = [index * step for index in range(PROBE_SAMPLES)]
    probe = zlib.compressobj(1)  # one compressor for all samples: its set-up costs most
    shrinking = 0
    for sample in _samples(path, chunks, offsets):
        out = len(probe.compress(sample)) + len(probe.flush(zlib.Z_SYNC_FLUSH))
        if out <= len(sample) * (1 - PROBE_MIN_SAVING):
            shrinking += 1
    return GZIP_LEVEL if shrinking * 2 > PROBE_SAMPLES else STORED


def _samples(path: Path, chunks: list[bytes] | None, offsets: list[int]) -> Iterator[bytes]:
    """PROBE_BYTES at each offset, from memory when the chunks are there, else the file."""
    if chunks is not None:
        payload = MemoryPayload(chunks)
        for offset in offsets:
            yield payload.slice(offset, PROBE_BYTES)
        return
    with open(path, "rb") as fh:
        for offset in offsets:
            fh.seek(offset)
            yield fh.read(PROBE_BYTES)


class MemoryPayload:
    """A payload held in memory as the chunks it was received in, read the way warcio
    reads a payload file (read, tell, seek back to the start) without copying them."""

    def __init__(self, chunks: list[bytes]):
        self._chunks = [chunk for chunk in chunks if chunk]
        self._index = 0  # the chunk being read
        self._offset = 0  # within it
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        """The rest of the current chunk, at most `size` bytes; b"" at the end."""
        if self._index < len(self._chunks) and self._offset == len(self._chunks[self._index]):
            self._index, self._offset = self._index + 1, 0
        if self._index >= len(self._chunks):
            return b""
        chunk = self._chunks[self._index]
        end = len(chunk) if size is None or size < 0 else min(len(chunk), self._offset + size)
        piece = chunk if self._offset == 0 and end == len(chunk) else chunk[self._offset : end]
        self._offset = end
        self._position += len(piece)
        return piece

    def tell(self) -> int:
        return self._position

    def seek(self, position: int, whence: int = 0) -> int:
        if position != 0 or whence != 0:
            raise ValueError("A payload in memory can only be read again from the start.")
        self._index = self._offset = self._position = 0
        return 0

    def slice(self, start: int, length: int) -> bytes:
        """`length` bytes from `start` (fewer at the end), across chunks if need be."""
        pieces, position = [], 0
        for chunk in self._chunks:
            end = position + len(chunk)
            if end > start and position < start + length:
                pieces.append(chunk[max(start - position, 0) : start + length - position])
            position = end
        return b"".join(pieces)

    def close(self) -> None:
        pass

    def __enter__(self) -> "MemoryPayload":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class _HashingFile:
    """The WARC file being written, hashed on the way."""

    def __init__(self, fh):
        self.fh = fh
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        if data:
            self.fh.write(data)
            self.digest.update(data)

    def flush(self) -> None:
        self.fh.flush()


# RFC 1952 member header: deflate, no flags, no modification time, no extra flags, OS
# unknown. A stored block holds at most 65,535 bytes (RFC 1951 §3.2.4).
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
MAX_STORED_BLOCK = 0xFFFF
LAST_EMPTY_STORED_BLOCK = b"\x01\x00\x00\xff\xff"  # BFINAL, stored, LEN 0, NLEN


class _DeflatedMember:
    def __init__(self, out, level: int):
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def close(self) -> None:
        self.out.write(self.compressor.flush())


class _StoredMember:
    """A gzip member of stored deflate blocks, framed as the bytes come: each block is a
    one-byte header (not final, stored), LEN and its complement, then the bytes as they
    are; an empty final block and the CRC-32 and size end it."""

    def __init__(self, out):
        self.out = out
        self.crc = 0
        self.size = 0
        out.write(GZIP_HEADER)

    def write(self, data: bytes) -> None:
        view = memoryview(data).cast("B")
        self.crc = zlib.crc32(view, self.crc)
        self.size += len(view)
        framed = []
        for start in range(0, len(view), MAX_STORED_BLOCK):
            block = view[start : start + MAX_STORED_BLOCK]
            framed += [struct.pack("<BHH", 0, len(block), len(block) ^ 0xFFFF), block]
        if framed:  # one write (and hash update) per piece, not two per block
            self.out.write(b"".join(framed))

    def close(self) -> None:
        trailer = struct.pack("<II", self.crc, self.size & 0xFFFFFFFF)
        self.out.write(LAST_EMPTY_STORED_BLOCK + trailer)


class _MemberGzip:
    """Each record its own gzip member (what `.warc.gz` readers and indexers expect),
    at the level set for that record."""

    def __init__(self, out):
        self.out = out
        self.level = GZIP_LEVEL
        self.member = None

    def write(self, data: bytes) -> None:
        if self.member is None:  # the first write of a record
            if self.level == STORED:
                self.member = _StoredMember(self.out)
            else:
                self.member = _DeflatedMember(self.out, self.level)
        self.member.write(data)

    def flush(self) -> None:
        # warcio flushes once at the end of every record.
        if self.member is not None:
            self.member.close()
            self.member = None
        self.out.flush()


class _Sha256WARCWriter(WARCWriter):
    """WARC/1.1 allows any digest; SHA-256 matches the hashes we store everywhere else.
    Writes to `fh` one gzip member per record, at `record.gzip_level` when set (see
    `payload_level`); `sha256()` is the hash of what was written."""

    def __init__(self, fh):
        self.file = _HashingFile(fh)
        super().__init__(_MemberGzip(self.file), gzip=False, warc_version="1.1")

    def sha256(self) -> str:
        return self.file.digest.hexdigest()

    @staticmethod
    def _create_digester():
        return Digester("sha256")

    @staticmethod
    def _iter_stream(stream):
        while buf := stream.read(READ_SIZE):
            yield buf

    def _write_warc_record(self, out, record):
        out.level = getattr(record, "gzip_level", GZIP_LEVEL)
        super()._write_warc_record(out, record)


def sha256_digest_label(hex_digest: str) -> str:
    return "sha256:" + base64.b32encode(bytes.fromhex(hex_digest)).decode("ascii")


def _warc_date(moment: datetime) -> str:
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def new_writer(fh) -> _Sha256WARCWriter:
    """A writer of SHA-256-digested records, one gzip member each, hashing what it writes."""
    return _Sha256WARCWriter(fh)


def write_warcinfo(writer: _Sha256WARCWriter, ctx: WarcContext, *, kind: str = "capture") -> str:
    """The warcinfo record opening every Claimtrail WARC; returns its record id."""
    info = {
        "software": ctx.software,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": f"Claimtrail {kind} {ctx.capture_id}",
    }
    record = writer.create_warcinfo_record(f"claimtrail-{ctx.capture_id}.warc.gz", info)
    writer.write_record(record)
    return record.rec_headers.get_header("WARC-Record-ID")


def metadata_uri(capture_id: str) -> str:
    """The target URI of a capture's metadata record: never the captured URL, so replay
    tools do not take the record for the page (see the module docstring)."""
    return f"metadata://claimtrail/capture/{capture_id}"


def write_metadata(writer, *, ctx: WarcContext, warcinfo_id: str, refers_to: str = "") -> None:
    """The capture's custody metadata (ctx.metadata as JSON) describing record `refers_to`
    (the response or resource; none when nothing was answered)."""
    body = json.dumps(ctx.metadata, sort_keys=True, default=str).encode("utf-8")
    headers = {"WARC-Date": _warc_date(ctx.started_at), "WARC-Warcinfo-ID": warcinfo_id}
    if refers_to:
        headers["WARC-Refers-To"] = refers_to
        headers["WARC-Concurrent-To"] = refers_to
    record = writer.create_warc_record(
        metadata_uri(ctx.capture_id),
        "metadata",
        payload=BytesIO(body),
        length=len(body),
        warc_content_type="application/json",
        warc_headers_dict=headers,
    )
    writer.write_record(record)


def _response_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(RENAMED_HEADERS.get(name.lower(), name), value) for name, value in headers]


def write_exchange(
    writer: _Sha256WARCWriter,
    result,
    *,
    started_at: datetime,
    warcinfo_id: str,
    content_type: str = "",
) -> str:
    """A request + response pair for one HTTP exchange (`result`: a fetch.FetchResult), the
    payload as the server sent it; returns the response record's id.

    `content_type`: the payload's type as detected from its bytes (default: the header's),
    which decides whether its gzip member is deflated (`payload_level`)."""
    encoding = next((v for k, v in result.response_headers if k.lower() == "content-encoding"), "")
    split = urlsplit(result.final_url)
    target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    protocol = result.http_version or "HTTP/1.1"
    common = {"WARC-Date": _warc_date(started_at), "WARC-Warcinfo-ID": warcinfo_id}
    if result.remote_ip:
        common["WARC-IP-Address"] = result.remote_ip
    chunks = result.raw_chunks
    with MemoryPayload(chunks) if chunks is not None else open(result.raw_path, "rb") as payload:
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
                protocol=protocol,
            ),
        )
        response.gzip_level = payload_level(
            result.raw_path,
            content_type=content_type or result.content_type,
            content_encoding=encoding,
            chunks=chunks,
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


def write_fetch_warc(
    result, *, workdir: Path, ctx: WarcContext, content_type: str = ""
) -> StoredFile:
    """WARC of one HTTP exchange (`result` is a fetch.FetchResult); returns the stored file."""
    path = workdir / f"{ctx.capture_id}.warc.gz"
    with open(path, "wb") as fh:
        writer = new_writer(fh)
        warcinfo_id = write_warcinfo(writer, ctx)
        response_id = write_exchange(
            writer,
            result,
            started_at=ctx.started_at,
            warcinfo_id=warcinfo_id,
            content_type=content_type,
        )
        write_metadata(writer, ctx=ctx, warcinfo_id=warcinfo_id, refers_to=response_id)
    return _store(path, writer.sha256())


def write_upload_warc(
    path: Path, *, workdir: Path, ctx: WarcContext, target_uri: str, content_type: str, sha256: str
) -> StoredFile:
    """WARC of an uploaded file: the bytes as a `resource` record (no HTTP exchange)."""
    warc_path = workdir / f"{ctx.capture_id}.warc.gz"
    with open(warc_path, "wb") as fh, open(path, "rb") as payload:
        writer = new_writer(fh)
        warcinfo_id = write_warcinfo(writer, ctx)
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
        resource.gzip_level = payload_level(path, content_type=content_type)
        writer.write_record(resource)
        write_metadata(
            writer,
            ctx=ctx,
            warcinfo_id=warcinfo_id,
            refers_to=resource.rec_headers.get_header("WARC-Record-ID"),
        )
    return _store(warc_path, writer.sha256())


def _store(path: Path, sha256: str | None = None) -> StoredFile:
    try:
        return store_file(path, sha256=sha256)
    finally:
        path.unlink(missing_ok=True)
