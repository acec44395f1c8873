"""WARC files read back by warcio: records, headers, payloads and digests."""

import gzip
import hashlib
import os
import zlib
from datetime import UTC, datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from provenance.capture.fetch.fetcher import fetch
from provenance.capture.shared import storage
from provenance.capture.shared.warc import (
    GZIP_LEVEL,
    STORED,
    MemoryPayload,
    WarcContext,
    _MemberGzip,
    metadata_uri,
    payload_level,
    sha256_digest_label,
    write_fetch_warc,
    write_upload_warc,
)
from tests.provenance.capture.pipeline_support import (  # noqa: F401
    capture_settings_fixture,
    http_server_fixture,
)

CTX = WarcContext(
    capture_id="0b6c1b52-7a51-4d43-9df6-000000000001",
    started_at=datetime(2023, 5, 3, 9, 30, 1, 123456, tzinfo=UTC),
    software="Claimtrail/test",
    metadata={"redirect_chain": [], "note": "chain of custody"},
)


def _records(stored_name: str) -> list:
    with storage.open_stored(stored_name) as fh:
        return [
            {
                "type": record.rec_type,
                "headers": record.rec_headers,
                "http": record.http_headers,
                "raw": record.raw_stream.read(),
            }
            for record in ArchiveIterator(fh)
        ]


def test_fetch_warc_has_warcinfo_request_response_and_metadata(
    capture_settings, http_server, tmp_path
):
    body = b"<html><head><title>t</title></head><body>" + b"x" * 5000 + b"</body></html>"
    url = http_server.route(
        "/page", body, gzip=True, content_type="text/html", headers=[("X-Trace", "a")]
    )
    result = fetch(url, workdir=tmp_path)
    try:
        stored = write_fetch_warc(result, workdir=tmp_path, ctx=CTX)
    finally:
        result.cleanup()

    records = _records(stored.name)
    # warcio writes a pair response first, the request pointing at it.
    assert [r["type"] for r in records] == ["warcinfo", "response", "request", "metadata"]
    warcinfo, response, request, metadata = records
    assert b"software: Claimtrail/test" in warcinfo["raw"]
    assert request["http"].protocol == "GET"
    assert request["http"].statusline == "/page HTTP/1.1"
    assert request["headers"].get_header("WARC-Concurrent-To") == response["headers"].get_header(
        "WARC-Record-ID"
    )
    # The response payload is the body as sent: still gzip'd, with its original headers.
    assert response["headers"].get_header("WARC-Target-URI") == url
    assert response["headers"].get_header("WARC-IP-Address") == "127.0.0.1"
    assert response["headers"].get_header("WARC-Date") == "2023-05-03T09:30:01.123456Z"
    assert response["http"].get_statuscode() == "200"
    assert response["http"].get_header("Content-Encoding") == "gzip"
    assert response["http"].get_header("X-Trace") == "a"
    assert gzip.decompress(response["raw"]) == body
    assert response["headers"].get_header("WARC-Payload-Digest") == sha256_digest_label(
        hashlib.sha256(response["raw"]).hexdigest()
    )
    assert b'"note": "chain of custody"' in metadata["raw"]
    # Its own URI, pointing at the response it describes: replay tools must not take it
    # for the page (tests/provenance/capture/test_replay.py replays it in pywb).
    response_id = response["headers"].get_header("WARC-Record-ID")
    assert metadata["headers"].get_header("WARC-Target-URI") == metadata_uri(CTX.capture_id)
    assert metadata["headers"].get_header("WARC-Refers-To") == response_id
    assert metadata["headers"].get_header("WARC-Concurrent-To") == response_id
    # The WARC itself is stored under its own hash.
    with storage.open_stored(stored.name) as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == stored.sha256


def test_warc_digests_verify_with_warcio_checker(capture_settings, http_server, tmp_path):
    url = http_server.route("/file.bin", bytes(range(256)) * 400)
    result = fetch(url, workdir=tmp_path)
    try:
        stored = write_fetch_warc(result, workdir=tmp_path, ctx=CTX)
    finally:
        result.cleanup()
    with storage.open_stored(stored.name) as fh:
        for record in ArchiveIterator(fh, check_digests="raise"):
            record.content_stream().read()  # raises on a block or payload digest mismatch
            if record.rec_type == "response":
                assert record.digest_checker.passed is True


def test_upload_warc_is_a_resource_record(capture_settings, tmp_path):
    data = b"%PDF-1.4 uploaded document"
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()

    stored = write_upload_warc(
        path,
        workdir=tmp_path,
        ctx=CTX,
        target_uri="urn:claimtrail:upload:abc/doc.pdf",
        content_type="application/pdf",
        sha256=digest,
    )

    records = _records(stored.name)
    assert [r["type"] for r in records] == ["warcinfo", "resource", "metadata"]
    resource, metadata = records[1:]
    assert resource["raw"] == data
    assert metadata["headers"].get_header("WARC-Target-URI") == metadata_uri(CTX.capture_id)
    assert metadata["headers"].get_header("WARC-Refers-To") == resource["headers"].get_header(
        "WARC-Record-ID"
    )
    assert resource["headers"].get_header("Content-Type") == "application/pdf"
    assert resource["headers"].get_header("WARC-Target-URI") == "urn:claimtrail:upload:abc/doc.pdf"
    assert resource["headers"].get_header("WARC-Payload-Digest") == sha256_digest_label(digest)


def _stored_bytes(stored_name: str) -> bytes:
    with storage.open_stored(stored_name) as fh:
        return fh.read()


def _gzip_members(data: bytes) -> list[bytes]:
    """The file split into its gzip members, each inflated (raises if one is not gzip)."""
    members = []
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        members.append(inflater.decompress(data))
        assert inflater.eof, "a gzip member is cut short"
        data = inflater.unused_data
    return members


def _fetch_warc(http_server, tmp_path, body: bytes, **route) -> tuple[bytes, object]:
    url = http_server.route("/payload", body, **route)
    result = fetch(url, workdir=tmp_path)
    try:
        stored = write_fetch_warc(result, workdir=tmp_path, ctx=CTX)
    finally:
        result.cleanup()
    return _stored_bytes(stored.name), stored


def test_incompressible_payload_goes_in_stored_blocks_and_reads_back(
    capture_settings, http_server, tmp_path
):
    """Random bytes (like video) are not deflated again: still one gzip member per record,
    which gzip, zlib and warcio read, with valid digests; the file's hash is the one stored."""
    body = os.urandom(300 * 1024)
    data, stored = _fetch_warc(http_server, tmp_path, body)

    assert len(body) < len(data) < len(body) + 8 * 1024  # stored, not deflated
    members = _gzip_members(data)
    assert len(members) == 4  # warcinfo, response, request, metadata
    assert members[1].startswith(b"WARC/1.1\r\n") and body in members[1]
    assert gzip.decompress(data) == b"".join(members)
    with storage.open_stored(stored.name) as fh:
        records = list(ArchiveIterator(fh, check_digests="raise"))
        assert [r.rec_type for r in records] == ["warcinfo", "response", "request", "metadata"]
    response = _records(stored.name)[1]
    assert response["raw"] == body
    assert hashlib.sha256(data).hexdigest() == stored.sha256
    assert stored.size == len(data)


@pytest.mark.parametrize(
    "pieces",
    [
        [b""],  # an empty record body
        [b"x" * 0xFFFF],  # exactly one full stored block
        [b"x" * 0x10000],  # one byte more: a second block
        [b"WARC/1.1\r\n", memoryview(os.urandom(200_000)), bytearray(b"\r\n\r\n")],
    ],
)
def test_stored_gzip_member_inflates_to_what_was_written(pieces):
    """The stored blocks framed by hand read back byte for byte with gzip and zlib, and
    the CRC-32 and size trailer check out (zlib raises on a wrong one)."""
    out = _Sink()
    member = _MemberGzip(out)
    member.level = STORED
    for piece in pieces:
        member.write(piece)
    member.flush()
    member.level = GZIP_LEVEL  # the next record in the same file, deflated
    member.write(b"metadata " * 100)
    member.flush()

    written = b"".join(bytes(piece) for piece in pieces)
    assert _gzip_members(out.data) == [written, b"metadata " * 100]
    assert gzip.decompress(out.data) == written + b"metadata " * 100
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    inflater.decompress(out.data)
    stored_size = len(out.data) - len(inflater.unused_data)
    blocks = sum(-(-len(piece) // 0xFFFF) for piece in pieces)  # 5 bytes of framing each
    assert stored_size == 10 + len(written) + 5 * blocks + 5 + 8  # header, last block, trailer


class _Sink:
    def __init__(self):
        self.data = b""

    def write(self, data) -> None:
        self.data += bytes(data)

    def flush(self) -> None:
        pass


def test_compressible_payload_is_deflated(capture_settings, http_server, tmp_path):
    body = b"".join(b"<p>paragraph %d of a long page</p>\n" % n for n in range(20000))
    data, stored = _fetch_warc(http_server, tmp_path, body, content_type="text/html")

    assert len(data) < len(body) / 4
    assert body in _gzip_members(data)[1]
    assert _records(stored.name)[1]["raw"] == body


def test_upload_warc_of_a_video_is_stored_and_hashed_as_written(capture_settings, tmp_path):
    data = os.urandom(200 * 1024)
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)

    stored = write_upload_warc(
        path,
        workdir=tmp_path,
        ctx=CTX,
        target_uri="urn:claimtrail:upload:abc/clip.mp4",
        content_type="video/mp4",
        sha256=hashlib.sha256(data).hexdigest(),
    )

    warc = _stored_bytes(stored.name)
    assert len(data) < len(warc) < len(data) + 8 * 1024
    assert len(_gzip_members(warc)) == 3
    assert hashlib.sha256(warc).hexdigest() == stored.sha256
    assert _records(stored.name)[1]["raw"] == data


_TEXT = b"".join(b"line %d of some text that deflate shrinks\n" % n for n in range(10000))


@pytest.mark.parametrize(
    ("content", "content_type", "encoding", "level"),
    [
        (_TEXT, "text/plain", "", GZIP_LEVEL),
        (_TEXT, "application/octet-stream", "", GZIP_LEVEL),  # sampled: it shrinks
        (_TEXT, "", "identity", GZIP_LEVEL),
        (_TEXT, "video/mp4", "", STORED),  # compressed formats are trusted by type
        (_TEXT, "image/jpeg; charset=binary", "", STORED),
        (_TEXT, "application/zip", "", STORED),
        (_TEXT, "text/html", "gzip", STORED),  # the server compressed it
        (_TEXT, "text/html", "br", STORED),
        (b"x" * 1000, "application/octet-stream", "", GZIP_LEVEL),  # small: just deflate
        (os.urandom(400_000), "application/octet-stream", "", STORED),  # sampled: it doesn't
        (_TEXT[:70_000] + os.urandom(400_000), "", "", STORED),  # a compressible header only
    ],
    ids=[
        "text",
        "text-as-octet-stream",
        "identity",
        "video-type",
        "jpeg-type",
        "zip-type",
        "gzip-encoding",
        "br-encoding",
        "small",
        "random",
        "text-header-random-body",
    ],
)
def test_payload_level(tmp_path, content, content_type, encoding, level):
    path = tmp_path / "payload"
    path.write_bytes(content)
    assert payload_level(path, content_type=content_type, content_encoding=encoding) == level
    # The same bytes held in memory, in uneven chunks, as a fetch keeps them.
    chunks = [content[start : start + 100_003] for start in range(0, len(content), 100_003)]
    path.unlink()  # not read when the chunks are given
    assert (
        payload_level(path, content_type=content_type, content_encoding=encoding, chunks=chunks)
        == level
    )


def test_memory_payload_reads_like_a_file():
    chunks = [b"abcde", b"", b"fgh", b"ijklmnop"]
    payload = MemoryPayload(chunks)
    assert [payload.read(3), payload.read(3), payload.read(), payload.read(100)] == [
        b"abc",
        b"de",
        b"fgh",
        b"ijklmnop",
    ]
    assert (payload.read(), payload.tell()) == (b"", 16)
    payload.seek(0)
    assert b"".join(iter(lambda: payload.read(4), b"")) == b"abcdefghijklmnop"
    with pytest.raises(ValueError, match="from the start"):
        payload.seek(5)
    assert [payload.slice(3, 4), payload.slice(0, 16), payload.slice(14, 10)] == [
        b"defg",
        b"abcdefghijklmnop",
        b"op",
    ]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(os.urandom(700 * 1024), ""), (b"<p>a paragraph</p>\n" * 40_000, "text/html")],
    ids=["stored-blocks", "deflated"],
)
def test_warc_from_memory_is_the_warc_from_the_file(
    capture_settings, http_server, tmp_path, monkeypatch, body, content_type
):
    """A body kept in memory while it was fetched gives, byte for byte, the WARC that
    reading its file gives (record ids and dates fixed so that the files compare)."""
    monkeypatch.setattr(
        "provenance.capture.shared.warc._Sha256WARCWriter._make_warc_date",
        classmethod(lambda cls, use_micros=False: "2023-05-03T09:30:01.000000Z"),
    )
    url = http_server.route("/payload", body, content_type=content_type or "text/plain")
    result = fetch(url, workdir=tmp_path, keep_in_memory=len(body))
    assert result.raw_chunks is not None
    warcs = []
    try:
        for chunks in (result.raw_chunks, None):  # from memory, then from the file
            ids = iter(range(1, 100))
            monkeypatch.setattr(
                "provenance.capture.shared.warc._Sha256WARCWriter._make_warc_id",
                classmethod(lambda cls, ids=ids: f"<urn:uuid:{next(ids):032x}>"),
            )
            result.raw_chunks = chunks
            stored = write_fetch_warc(result, workdir=tmp_path, ctx=CTX, content_type=content_type)
            warcs.append(_stored_bytes(stored.name))
            storage.delete_stored(storage.capture_storage(), stored.name)
    finally:
        result.cleanup()
    assert warcs[0] == warcs[1]
    assert _gzip_members(warcs[1])[1].endswith(body + b"\r\n\r\n")
