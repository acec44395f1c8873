"""provenance.exports.wacz: WARCs of any size go into the WACZ in bounded memory."""

import hashlib
import json
import os
import tracemalloc
import zipfile
from datetime import UTC, datetime
from functools import partial
from io import BytesIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance.capture.shared import storage
from provenance.capture.shared.warc import WarcContext, write_upload_warc
from provenance.exports.wacz import WarcEntry, write_wacz
from tests.provenance.capture.pipeline_support import capture_settings_fixture  # noqa: F401

SIZE = 48 * 1024 * 1024
PEAK_LIMIT = 8 * 1024 * 1024


def test_a_large_warc_is_copied_hashed_and_indexed_in_bounded_memory(capture_settings, tmp_path):
    payload = tmp_path / "video.mp4"
    with open(payload, "wb") as fh:
        for _ in range(SIZE // (1024 * 1024)):
            fh.write(os.urandom(1024 * 1024))
    digest = hashlib.sha256(payload.read_bytes()).hexdigest()
    ctx = WarcContext(
        capture_id="0b6c1b52-7a51-4d43-9df6-000000000002",
        started_at=datetime(2023, 5, 3, 9, 30, tzinfo=UTC),
        software="Claimtrail/test",
        metadata={},
    )
    stored = write_upload_warc(
        payload,
        workdir=tmp_path,
        ctx=ctx,
        target_uri="https://example.org/video.mp4",
        content_type="video/mp4",
        sha256=digest,
    )
    entry = WarcEntry(
        name="big.warc.gz",
        open=partial(storage.open_stored, stored.name),
        page_url="",
        page_title="",
        captured_at=ctx.started_at,
    )

    tracemalloc.start()
    try:
        with open(tmp_path / "out.wacz", "wb") as out:
            write_wacz(
                out,
                warcs=[entry],
                extra_files=lambda urls: {"records/urls.json": json.dumps(urls).encode()},
                title="t",
                description="d",
                software="Claimtrail/test",
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB while packaging {SIZE / 1e6:.0f} MB"
    with zipfile.ZipFile(tmp_path / "out.wacz") as zf:
        resources = {r["path"]: r for r in json.loads(zf.read("datapackage.json"))["resources"]}
        assert zf.getinfo("archive/big.warc.gz").compress_type == zipfile.ZIP_STORED
        with zf.open("archive/big.warc.gz") as fh:
            warc_sha = hashlib.file_digest(fh, "sha256").hexdigest()
        urls = json.loads(zf.read("records/urls.json"))
        index = zf.read("indexes/index.cdx").decode()
    assert warc_sha == stored.sha256
    assert resources["archive/big.warc.gz"] == {
        "name": "big.warc.gz",
        "path": "archive/big.warc.gz",
        "hash": f"sha256:{stored.sha256}",
        "bytes": stored.size,
    }
    # The page is the resource's URL from the index, not the custody metadata's.
    assert urls == {"big.warc.gz": "https://example.org/video.mp4"}
    assert '"filename": "big.warc.gz"' in index


def test_an_old_warcs_metadata_under_the_page_url_is_left_out_of_the_index(
    capture_settings, tmp_path
):
    # As WARCs were written before metadata records had a URI of their own.
    path = tmp_path / "old.warc.gz"
    url = "http://example.org/statement.txt"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        body = b"The minister said so."
        response = writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(
                "200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1"
            ),
        )
        writer.write_record(response)
        custody = b'{"redirect_chain": []}'
        writer.write_record(
            writer.create_warc_record(
                url,
                "metadata",
                payload=BytesIO(custody),
                length=len(custody),
                warc_content_type="application/json",
                warc_headers_dict={
                    "WARC-Date": response.rec_headers.get_header("WARC-Date"),
                    "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
                },
            )
        )
    entry = WarcEntry(
        name="old.warc.gz",
        open=partial(open, path, "rb"),
        page_url=url,
        page_title="",
        captured_at=datetime(2023, 5, 3, tzinfo=UTC),
    )

    with open(tmp_path / "out.wacz", "wb") as out:
        write_wacz(
            out,
            warcs=[entry],
            extra_files=lambda urls: {},
            title="t",
            description="d",
            software="Claimtrail/test",
        )

    with zipfile.ZipFile(tmp_path / "out.wacz") as zf:
        lines = zf.read("indexes/index.cdx").decode().splitlines()
    blocks = [json.loads(line.split(" ", 2)[2]) for line in lines]
    assert [(b["url"], b["mime"], b.get("status")) for b in blocks] == [(url, "text/plain", "200")]
