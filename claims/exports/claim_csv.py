"""Claim lists as CSV for spreadsheets, written a chunk of rows at a time."""

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet

from claims.api.payloads import claim_list_items
from claims.selectors import claim_tag_names

# Rows fetched (and tags read, one query) per chunk of the stream.
CHUNK_SIZE = 500
COLUMNS = (
    "id",
    "url",
    "text",
    "summary",
    "tags",
    "first_seen",
    "verdict",
    "credibility",
    "review_state",
    "created_by",
    "created_at",
    "updated_at",
    "reviewed_at",
    "appearance_count",
    "evidence_count",
    "published_revision",
    "published_sha256",
    "changed_since_publication",
)
# Spreadsheets run a cell starting with one of these as a formula (CSV injection): such a
# cell gets a leading apostrophe, which they show as text and do not display.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV file as UTF-8 only after this mark.
BOM = "\ufeff"


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _csv_row(item: dict, *, claim_url: str) -> list[str]:
    revision = item["published_revision"] or {}
    values = {
        **item,
        "url": claim_url.format(public_id=item["id"]),
        "tags": ";".join(item["tags"]),
        "published_revision": revision.get("number"),
        "published_sha256": revision.get("sha256"),
    }
    return [_cell(values[column]) for column in COLUMNS]


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def claim_csv_lines(*, claims: QuerySet[dict], claim_url: str, published: bool) -> Iterator[str]:
    """The CSV text of `claims` (rows of claims.selectors.claim_list_values, filtered and
    ordered), each row what the API list shows of the claim (claim_list_items; with
    `published`, as last published): a byte-order mark and the header, then one string
    per chunk of CHUNK_SIZE rows. Two queries per chunk at most: its rows (a server-side
    cursor on PostgreSQL) and their tags. `claim_url` has a `{public_id}` slot."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield BOM + buffer.getvalue()
    for chunk in _chunks(claims.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        tags = claim_tag_names(claim_ids=[row["id"] for row in chunk], published=published)
        buffer.seek(0)
        buffer.truncate()
        for item in claim_list_items(chunk, tags=tags, published=published):
            writer.writerow(_csv_row(item, claim_url=claim_url))
        yield buffer.getvalue()
