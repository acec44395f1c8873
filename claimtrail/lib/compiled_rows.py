"""Run a queryset-shaped read as raw rows, compiling its SQL once per process.

Each read is a module-level function of its arguments (ids) returning a queryset. On
PostgreSQL `rows` compiles the SQL once with stand-in values and reruns it with the real
ones: building and compiling the querysets took Django longer than PostgreSQL takes to run
them (bench/api.py, claim_detail_50). psycopg2 returns the values the ORM returns for plain
columns (no converters); other databases go through the ORM each time.
"""

import uuid
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

_SENTINEL_INT = -(2**62) - 7919
_SENTINEL_UUID = uuid.UUID("00000000-7e57-7e57-7e57-000000000000")
_compiled: dict[tuple, tuple[str, tuple, list[tuple[int, int]]]] = {}


def _sentinel(value, index: int):
    """A stand-in for `value` when compiling, which no real argument can equal."""
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=_SENTINEL_UUID.int + index)
    return _SENTINEL_INT - index


def _compile(build: Callable[..., QuerySet], fields: tuple, args: tuple, alias: str):
    sentinels = [_sentinel(arg, index) for index, arg in enumerate(args)]
    sql, params = build(*sentinels).values_list(*fields).query.get_compiler(alias).as_sql()
    slots = [
        (position, sentinels.index(param))
        for position, param in enumerate(params)
        if type(param) in (int, uuid.UUID) and param in sentinels
    ]
    if {index for _, index in slots} != set(range(len(args))):
        raise ValueError(f"{build.__name__}: an argument does not reach the SQL as a parameter.")
    return sql, params, slots


def rows(build: Callable[..., QuerySet], fields: tuple, *args) -> list[dict]:
    """`build(*args).values_list(*fields)` as dicts keyed by `fields` (see above)."""
    connection = connections[build(*args).db]
    if connection.vendor != "postgresql":
        rows = build(*args).values_list(*fields)
        return [dict(zip(fields, row, strict=True)) for row in rows]
    key = (build, fields, connection.alias)
    if key not in _compiled:
        _compiled[key] = _compile(build, fields, args, connection.alias)
    sql, params, slots = _compiled[key]
    params = list(params)
    for position, index in slots:
        params[position] = args[index]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]


def grouped(rows: list[dict], *, key: str, child_columns: tuple, into: str) -> list[dict]:
    """Rows of parents LEFT JOINed to their children (a parent's rows consecutive), one dict
    per parent with its children under `into`: each the value of the one child column, or
    a dict of them; none when the first child column is null."""
    parents: list[dict] = []
    for row in rows:
        child = {column: row.pop(column) for column in child_columns}
        if not parents or parents[-1][key] != row[key]:
            row[into] = []
            parents.append(row)
        if child[child_columns[0]] is not None:
            parents[-1][into].append(child if len(child) > 1 else child[child_columns[0]])
    return parents
