"""Claim lists as CSV for spreadsheets, written a chunk of rows at a time."""

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet

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
)
# Spreadsheets run a cell starting with one of these as a formula (CSV injection): such a
# cell gets a leading apostrophe, which they show as text and do not display.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV file as UTF-8 only after this mark.
BOM = "\ufeff"


def _cell(value) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def claim_csv_lines(*, claims: QuerySet[dict], claim_url: str) -> Iterator[str]:
    """The CSV text of `claims` (rows of claims.selectors.claim_list_values, filtered and
    ordered): a byte-order mark and the header, then one string per chunk of CHUNK_SIZE
    rows. Two queries per chunk at most: its rows (a server-side cursor on PostgreSQL)
    and their tags. `claim_url` has a `{public_id}` slot."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield BOM + buffer.getvalue()
    for chunk in _chunks(claims.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        tags = claim_tag_names(claim_ids=[row["id"] for row in chunk])
        buffer.seek(0)
        buffer.truncate()
        for row in chunk:
            values = {
                **row,
                "id": row["public_id"],
                "url": claim_url.format(public_id=row["public_id"]),
                "tags": ";".join(tags.get(row["id"], [])),
                "created_by": row["created_by_username"],
            }
            writer.writerow([_cell(values[column]) for column in COLUMNS])
        yield buffer.getvalue()
