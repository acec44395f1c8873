"""Streaming Content-Encoding decoding: codings, odd framings, and the decoded-size cap."""

import gzip
import zlib

import pytest

from provenance.capture.fetch.decoding import PIECE, ContentDecoder
from provenance.capture.shared.fetch_errors import FetchError

TEXT = b"The Kremlin said two drones were disabled over the Senate building.\n" * 500


def decode(header: str, body: bytes, *, step: int = 4096, limit: int = 10_000_000) -> bytes:
    decoder = ContentDecoder.for_header(header, limit)
    pieces = []
    for start in range(0, len(body), step):
        pieces.extend(decoder.feed(body[start : start + step]))
    pieces.extend(decoder.finish())
    assert all(len(p) <= PIECE for p in pieces)
    return b"".join(pieces)


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize("step", [1, 7, 65536])
@pytest.mark.parametrize(
    ("header", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", raw_deflate),
        ("gzip, deflate", lambda d: zlib.compress(gzip.compress(d))),
        ("identity, GZIP", gzip.compress),
    ],
)
def test_decodes_in_any_chunking(header, encode, step):
    assert decode(header, encode(TEXT), step=step) == TEXT


def test_concatenated_gzip_members_are_all_decoded():
    assert decode("gzip", gzip.compress(b"first ") + gzip.compress(b"second")) == b"first second"


def test_trailing_garbage_after_a_complete_member_is_ignored():
    assert decode("gzip", gzip.compress(TEXT) + b"\r\n<garbage>") == TEXT


def test_empty_body_decodes_to_nothing():
    assert decode("gzip", b"") == b""


@pytest.mark.parametrize(
    "body", [gzip.compress(TEXT)[:-40], b"this is not gzip at all", gzip.compress(TEXT)[:1]]
)
def test_broken_gzip_is_a_bad_response(body):
    with pytest.raises(FetchError) as failed:
        decode("gzip", body)

    assert (failed.value.code, failed.value.retryable) == ("bad_response", False)


@pytest.mark.parametrize("header", ["", "identity", "br", "gzip, br", "zstd"])
def test_no_decoder_for_identity_or_unsupported_codings(header):
    assert ContentDecoder.for_header(header, 1000) is None


@pytest.mark.parametrize(
    ("header", "bomb"),
    [
        ("gzip", gzip.compress(b"\0" * 5_000_000)),
        ("deflate", raw_deflate(b"\0" * 5_000_000)),
        ("gzip, gzip", gzip.compress(gzip.compress(b"\0" * 5_000_000))),
    ],
)
def test_decoded_size_is_capped(header, bomb):
    decoder = ContentDecoder.for_header(header, 1_000_000)
    produced = 0
    with pytest.raises(FetchError) as failed:
        for piece in decoder.feed(bomb):
            produced += len(piece)
        for piece in decoder.finish():
            produced += len(piece)

    assert failed.value.code == "too_large"
    assert produced <= 1_000_000
