"""Streaming gzip/deflate decoding of a captured body, with a cap on the decoded size.

The raw bytes are the evidence; the decoded copy is what extractors read. Output is produced
in bounded pieces (`max_length`) and counted, so a few kilobytes that inflate to gigabytes
fail with `too_large` instead of filling memory or disk.
"""

import zlib
from collections.abc import Iterator

from provenance.capture.shared.fetch_errors import FetchError

PIECE = 64 * 1024
SUPPORTED = ("gzip", "x-gzip", "deflate")
_GZIP_MAGIC = b"\x1f\x8b"


class ContentDecoder:
    """Decodes a body chunk by chunk through each of its content codings, last one first."""

    def __init__(self, codings: list[str], limit: int):
        self._stages = [_Inflater(c, limit) for c in reversed(codings)]

    @classmethod
    def for_header(cls, content_encoding: str, limit: int) -> "ContentDecoder | None":
        """A decoder for a Content-Encoding value, or None if nothing (we can) decode."""
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if not codings or any(c not in SUPPORTED for c in codings):
            return None
        return cls(codings, limit)

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._push(0, data)

    def finish(self) -> Iterator[bytes]:
        for index, stage in enumerate(self._stages):
            for piece in stage.finish():
                yield from self._push(index + 1, piece)

    def _push(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            yield data
            return
        for piece in self._stages[index].feed(data):
            yield from self._push(index + 1, piece)


class _Inflater:
    """One coding; gzip may hold several members, deflate may come with or without zlib."""

    def __init__(self, coding: str, limit: int):
        self.coding = coding
        self.limit = limit
        self.size = 0
        self._gzip = coding != "deflate"
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS) if self._gzip else None
        self._head = b""  # deflate: bytes held until the zlib header can be recognised
        self._members = 0
        self._fed = False
        self._swallow = False  # trailing garbage after a complete gzip member is ignored

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data or self._swallow:
            return
        self._fed = True
        if self._obj is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            zlib_wrapped = data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        try:
            yield from self._inflate(data)
        except zlib.error as exc:
            if self._members:
                self._swallow = True
                return
            raise FetchError(
                "bad_response", f"The {self.coding} body could not be decoded ({exc})."
            ) from exc

    def finish(self) -> Iterator[bytes]:
        if not self._fed or self._swallow:
            return
        if self._obj is not None:
            yield from self._emit(self._obj.flush())
            if self._obj.eof or self._members:  # a partial member after a whole one: ignored
                return
        raise FetchError("bad_response", f"The {self.coding} body is cut short.")

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        obj = self._obj
        out = obj.decompress(data, PIECE)
        while True:
            yield from self._emit(out)
            if obj.eof:
                break
            if obj.unconsumed_tail:
                out = obj.decompress(obj.unconsumed_tail, PIECE)
            elif len(out) == PIECE:  # output may still be pending inside zlib
                out = obj.decompress(b"", PIECE)
            else:
                return
        self._members += 1
        rest = obj.unused_data
        if self._gzip and rest and _GZIP_MAGIC.startswith(rest[:2]):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
            yield from self._inflate(rest)
        elif rest:
            self._swallow = True

    def _emit(self, out: bytes) -> Iterator[bytes]:
        if not out:
            return
        self.size += len(out)
        if self.size > self.limit:
            raise FetchError(
                "too_large",
                f"The decoded body passed the {self.limit}-byte limit (CAPTURE_MAX_BYTES): "
                "a compression bomb or a very large file.",
            )
        yield out
