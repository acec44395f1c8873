"""Content type from the bytes first, the server's header second.

A server's Content-Type is a claim like any other: a "text/plain" that is really a page,
or an "image/jpeg" that is really HTML, must be handled (and shown) as what it is.
`filetype` knows binary formats by their magic numbers; markup is sniffed here.
"""

from pathlib import Path

import filetype

SNIFF_BYTES = 2048
OCTET_STREAM = "application/octet-stream"


def _sniff_markup(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<head" in text or b"<body" in text:
        return "text/html"
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "image/svg+xml"
    if text.startswith(b"<?xml"):
        return "application/xml"
    return ""


def detect_content_type(path: Path, header_type: str = "") -> tuple[str, str]:
    """(detected, effective): what the bytes say ("" if unknown) and the type to use."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    kind = filetype.guess(head) if head else None
    detected = kind.mime if kind else _sniff_markup(head)
    header_type = (header_type or "").split(";")[0].strip().lower()
    return detected, detected or header_type or OCTET_STREAM
