"""WARC files read back by warcio: records, headers, payloads and digests."""

import gzip
import hashlib
from datetime import UTC, datetime

from warcio.archiveiterator import ArchiveIterator

from provenance.capture import storage
from provenance.capture.fetch import fetch
from provenance.capture.warc import (
    WarcContext,
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
    resource = records[1]
    assert resource["raw"] == data
    assert resource["headers"].get_header("Content-Type") == "application/pdf"
    assert resource["headers"].get_header("WARC-Target-URI") == "urn:claimtrail:upload:abc/doc.pdf"
    assert resource["headers"].get_header("WARC-Payload-Digest") == sha256_digest_label(digest)
