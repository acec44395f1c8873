"""The statements every capture attempt runs on its own row, in SQL written once.

Built by the ORM, each of these cost 0.6 to 1.2 ms of CPU per call on the benchmark machine
(building the query, not running it): with the transaction around them, about a fifth of
a 1 MB capture's CPU in the worker. Here the SQL is assembled once from the model's
metadata (a renamed column follows the model) and values go through each field's own
`get_db_prep_save`, as they would through the ORM. Both PostgreSQL and SQLite (3.35 and
later) support `UPDATE ... RETURNING`.
"""

# S608: the names come from the model's metadata, quoted; every value is a parameter.
# ruff: noqa: S608

from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models.expressions import Col

from provenance.models import Capture

Status = Capture.Status


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(name: str) -> str:
    return _quote(Capture._meta.get_field(name).column)


def _table() -> str:
    return _quote(Capture._meta.db_table)


def _datetime(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


@cache
def _claim_sql(vendor: str) -> str:
    col = _column
    return (
        f"UPDATE {_table()} SET {col('status')} = %s, {col('started_at')} = %s, "
        f"{col('finished_at')} = NULL, {col('attempts')} = {col('attempts')} + 1, "
        f"{col('updated_at')} = %s "
        f"WHERE {col('id')} = %s AND ({col('status')} = %s "
        f"OR ({col('status')} = %s AND {col('started_at')} < %s)) RETURNING *"
    )


def claim(capture_id: int, *, now: datetime, lease_expired: datetime) -> Capture | None:
    """One conditional UPDATE: queued → fetching, or fetching whose lease expired (its
    worker died), counting the attempt. Returns the row as it was written (so the attempt
    number read is ours: the fence for the final write), or None when not claimable."""
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(connection.vendor),
            [
                Status.FETCHING,
                _datetime(now),
                _datetime(now),
                capture_id,
                Status.QUEUED,
                Status.FETCHING,
                _datetime(lease_expired),
            ],
        )
        row = cursor.fetchone()
        columns = tuple(column[0] for column in cursor.description)
    return _capture_from_row(columns, row) if row else None


@cache
def _readers(vendor: str, columns: tuple[str, ...]) -> list[tuple[int, Col, list]]:
    """Per concrete field, in the model's order: where its column is in the row and the
    converters the ORM would apply to it (JSON, SQLite's datetimes...)."""
    readers = []
    for field in Capture._meta.concrete_fields:
        column = Col(Capture._meta.db_table, field)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        readers.append((columns.index(field.column), column, converters))
    return readers


def _capture_from_row(columns: tuple[str, ...], row) -> Capture:
    """The model instance for a whole row, as a queryset would build it (RawQuerySet did,
    at 0.4 ms of CPU a row, most of it working out again what `_readers` keeps)."""
    values = []
    for index, column, converters in _readers(connection.vendor, columns):
        value = row[index]
        for converter in converters:
            value = converter(value, column, connection)
        values.append(value)
    return Capture.from_db(connection.alias, None, values)


@cache
def _finish_sql(vendor: str, names: tuple[str, ...]) -> str:
    assignments = ", ".join(f"{_column(name)} = %s" for name in names)
    return (
        f"UPDATE {_table()} SET {assignments} "
        f"WHERE {_column('id')} = %s AND {_column('status')} = %s AND {_column('attempts')} = %s"
    )


def finish(capture_id: int, attempt: int, fields: dict) -> bool:
    """Write `fields` (model field names to values) while the capture is still fetching
    under `attempt`; False when another attempt, a sweep or an operator got there first."""
    names = tuple(sorted(fields))
    values = [
        Capture._meta.get_field(name).get_db_prep_save(fields[name], connection) for name in names
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _finish_sql(connection.vendor, names),
            [*values, capture_id, Status.FETCHING, attempt],
        )
        return cursor.rowcount == 1


@cache
def _previous_sql(vendor: str, embedded: bool) -> str:
    col = _column
    lineage = (
        f"{col('parent')} IS NOT NULL AND {col('requested_url')} = %s"
        if embedded
        else f"{col('parent')} IS NULL"
    )
    return (
        f"SELECT {col('sha256')} FROM {_table()} "
        f"WHERE {col('evidence')} = %s AND {col('method')} = %s AND {col('status')} = %s "
        f"AND {lineage} AND {col('id')} <> %s "
        f"ORDER BY {col('finished_at')} DESC, {col('id')} DESC LIMIT 1"
    )


def previous_success_sha256(capture: Capture) -> str | None:
    """The SHA-256 of the latest earlier success of the capture's lineage (see
    `changes.change_since_previous`), or None when there is none."""
    embedded = capture.parent_id is not None
    params = [capture.evidence_id, capture.method, Status.SUCCEEDED]
    if embedded:
        params.append(capture.requested_url)
    params.append(capture.pk)
    with connection.cursor() as cursor:
        cursor.execute(_previous_sql(connection.vendor, embedded), params)
        row = cursor.fetchone()
    return row[0] if row else None
