"""A WACZ (Web Archive Collection Zipped, https://specs.webrecorder.net/wacz/1.1.1/) of
captures' WARCs, with other files beside it, written to a file-like object.

Layout, as py-wacz writes it and `wacz validate` checks it: `archive/<capture>.warc.gz`
(stored, not deflated: the members are gzip'd already and replay tools seek into them),
`indexes/index.cdx` (CDXJ lines from cdxj-indexer, sorted), `pages/pages.jsonl`, the
extra files, then `datapackage.json` listing every file with its `sha256:` hash and size,
and `datapackage-digest.json` holding the hash of `datapackage.json`. `wacz validate`
wants every other file exactly one folder deep (`folder/name.ext`).

WARCs are copied from storage in chunks and hashed on the way, so memory stays bounded
whatever their size; the zip goes to a file (a temporary file for the API).
"""

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import StringIO

from cdxj_indexer.main import CDXJIndexer

WACZ_VERSION = "1.1.1"
READ_SIZE = 1024 * 1024
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


@dataclass(frozen=True)
class WarcEntry:
    """One WARC to include: its name in `archive/`, how to open it, and the page it holds."""

    name: str
    open: object  # a callable returning a binary file
    page_url: str  # empty: the first URL the WARC's index lists (an upload's urn:)
    page_title: str
    captured_at: datetime


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Resources:
    """The zip being written, and the datapackage resource of every file put in it."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.resources: list[dict] = []

    def add_stream(self, path: str, source, *, compress: int) -> None:
        digest, size = hashlib.sha256(), 0
        info = zipfile.ZipInfo(path, date_time=datetime.now(UTC).timetuple()[:6])
        info.compress_type = compress
        with self.zf.open(info, "w", force_zip64=True) as out:
            while chunk := source.read(READ_SIZE):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self._listed(path, digest.hexdigest(), size)

    def add_bytes(self, path: str, data: bytes) -> None:
        self.zf.writestr(path, data, compress_type=zipfile.ZIP_DEFLATED)
        self._listed(path, hashlib.sha256(data).hexdigest(), len(data))

    def _listed(self, path: str, sha256: str, size: int) -> None:
        name = path.rsplit("/", 1)[-1].lower()
        self.resources.append(
            {"name": name, "path": path, "hash": f"sha256:{sha256}", "bytes": size}
        )


# Index entries that are never a capture's page: custody metadata, screenshots, DOMs.
NOT_PAGES = ("metadata:", "urn:view:", "urn:dom:")


def _index_lines(entry: WarcEntry) -> list[str]:
    """cdxj-indexer's lines for the WARC, less metadata records filed under a page's URL.

    WARCs written before metadata records had a URI of their own
    (provenance/capture/shared/warc.py) file the custody JSON under the captured URL and date:
    indexed, replay tools would serve it instead of the page. Those stored files are
    evidence and stay as they are; the package's index leaves such records out.
    """
    out = StringIO()
    with entry.open() as fh:
        CDXJIndexer(
            out, [fh], post_append=True, filename=entry.name, fields="warc-type"
        ).process_all()
    lines = []
    for line in out.getvalue().splitlines():
        key, timestamp, block = line.split(" ", 2)
        fields = json.loads(block)
        if fields.pop("warc-type") == "metadata" and not fields["url"].startswith("metadata:"):
            continue
        lines.append(f"{key} {timestamp} {json.dumps(fields)}")
    return lines


def _first_url(lines: list[str]) -> str:
    for line in lines:
        url = json.loads(line.split(" ", 2)[2])["url"]
        if not url.startswith(NOT_PAGES):
            return url
    return ""


def write_wacz(
    fh,
    *,
    warcs: Iterable[WarcEntry],
    extra_files: Callable[[dict[str, str]], dict[str, bytes]],
    title: str,
    description: str,
    software: str,
) -> list[dict]:
    """Write the WACZ to `fh` (a seekable binary file); returns datapackage.json's
    resources. `extra_files`: called with {WARC name: its page URL} once the WARCs are
    in, returns {"folder/name.ext": bytes}."""
    with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
        package = _Resources(zf)
        index, pages, urls = [], [json.dumps(PAGES_HEADER)], {}
        for entry in warcs:
            with entry.open() as source:
                package.add_stream(f"archive/{entry.name}", source, compress=zipfile.ZIP_STORED)
            lines = _index_lines(entry)
            index += lines
            urls[entry.name] = entry.page_url or _first_url(lines)
            # `id` and `title` on every page: frictionless (in `wacz validate`) reads the
            # file as a table whose columns are the header line's keys.
            page = {
                "id": entry.name.split(".", 1)[0],
                "url": urls[entry.name],
                "ts": _iso(entry.captured_at),
                "title": entry.page_title or urls[entry.name],
            }
            pages.append(json.dumps(page, ensure_ascii=False))
        index.sort()
        package.add_bytes("indexes/index.cdx", "".join(f"{line}\n" for line in index).encode())
        package.add_bytes("pages/pages.jsonl", "".join(f"{p}\n" for p in pages).encode())
        for path, data in extra_files(urls).items():
            package.add_bytes(path, data)
        datapackage = {
            "profile": "data-package",
            "title": title,
            "description": description,
            "created": _iso(datetime.now(UTC)),
            "software": software,
            "wacz_version": WACZ_VERSION,
            "resources": package.resources,
        }
        datapackage_bytes = json.dumps(datapackage, indent=2, ensure_ascii=False).encode()
        zf.writestr("datapackage.json", datapackage_bytes, compress_type=zipfile.ZIP_DEFLATED)
        digest = {
            "path": "datapackage.json",
            "hash": "sha256:" + hashlib.sha256(datapackage_bytes).hexdigest(),
        }
        zf.writestr("datapackage-digest.json", json.dumps(digest, indent=2))
    return package.resources
