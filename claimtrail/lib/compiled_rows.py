"""Run a queryset-shaped read as raw rows, compiling its SQL once per process.

Each read is a module-level function of its arguments (ids) returning a queryset. On
PostgreSQL `rows` compiles the SQL once with stand-in values and reruns it with the real
ones, as a statement prepared once per session: building and compiling the querysets took
Django longer than PostgreSQL takes to run them, and planning them took PostgreSQL longer
(bench/api.py, claim_detail_50). psycopg2 returns the values the ORM returns for plain
columns (no converters); other databases go through the ORM each time.
"""

import datetime
import decimal
import re
import uuid
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

_SENTINEL_INT = -(2**62) - 7919
_SENTINEL_UUID = uuid.UUID("00000000-7e57-7e57-7e57-000000000000")
_compiled: dict[tuple, tuple[str, tuple, list[tuple[int, int]]]] = {}
_aliases: dict[Callable, str] = {}
_PLACEHOLDER = re.compile(r"%[s%]")
# Looked up by exact type, so that a bool is not taken for an int.
_PG_TYPES = {
    bool: "boolean",
    int: "bigint",
    float: "double precision",
    decimal.Decimal: "numeric",
    str: "text",
    uuid.UUID: "uuid",
    datetime.datetime: "timestamptz",
    datetime.date: "date",
}


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


def _alias(build: Callable[..., QuerySet], args: tuple) -> str:
    """The database `build` reads from, found once: building a queryset to ask cost as much
    as running the compiled SQL."""
    alias = _aliases.get(build)
    if alias is None:
        alias = _aliases[build] = build(*args).db
    return alias


def rows(build: Callable[..., QuerySet], fields: tuple, *args) -> list[dict]:
    """`build(*args).values_list(*fields)` as dicts keyed by `fields` (see above)."""
    connection = connections[_alias(build, args)]
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
        name = _prepared_name(connection, key, sql, params)
        if name is None:
            cursor.execute(sql, params)
        else:
            cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
        return [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]


def _numbered(sql: str) -> str:
    """psycopg2's %s placeholders as PostgreSQL's $1, $2, ... (and %% as %)."""
    numbers = iter(range(1, sql.count("%s") + 1))
    return _PLACEHOLDER.sub(lambda m: "%" if m.group(0) == "%%" else f"${next(numbers)}", sql)


def _prepared_name(connection, key: tuple, sql: str, params: list) -> str | None:
    """The server-side prepared statement of `sql` on this session, prepared on first use.

    Planning these small reads took PostgreSQL longer than running them; a prepared
    statement is planned once per session (after five runs, a generic plan). Prepared
    statements outlive transactions, not sessions: the names are kept per DB-API
    connection. Each parameter is declared with the type of its Python value, as psycopg2
    would have written it inline (a parameter left to PostgreSQL's inference could come
    back as text). None (run the plain SQL) when there are no parameters, one of a type
    not in _PG_TYPES, or when PostgreSQL refuses the statement.

    PREPARE goes through the DB-API cursor, like the connection's own set-up, so it is
    not one of a request's queries (django_assert_max_num_queries counts those); inside a
    transaction a savepoint keeps a refused PREPARE from aborting it.
    """
    state = getattr(connection, "_compiled_rows_prepared", None)
    if state is None or state[0] is not connection.connection:
        state = (connection.connection, {})
        connection._compiled_rows_prepared = state
    names = state[1]
    if key not in names:
        types = [_PG_TYPES.get(type(param)) for param in params]
        preparable = params and None not in types
        names[key] = (
            _prepare(connection, f"compiled_rows_{len(names)}", sql, types) if preparable else None
        )
    return names[key]


def _prepare(connection, name: str, sql: str, types: list[str]) -> str | None:
    in_transaction = not connection.get_autocommit()
    with connection.connection.cursor() as cursor:
        if in_transaction:
            cursor.execute("SAVEPOINT compiled_rows_prepare")
        try:
            cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {_numbered(sql)}")
        except connection.Database.Error:
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT compiled_rows_prepare")
            return None
        finally:
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT compiled_rows_prepare")
    return name


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
