"""`column IN (ids)` for id lists of any length, as ONE bound parameter.

A plain `IN (:id0, :id1, …)` binds one parameter per id: PostgreSQL refuses more than 65,535
("number of parameters must be between 0 and 65535") and SQLite more than 32,766. A thread
whose topic gained 67,500 articles reaches that. Here the whole list travels as one value: a
PostgreSQL array (`= ANY(:ids)`) or a JSON array SQLite unpacks with `json_each`; both are
index lookups on the primary key, whatever the list's length.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Text, any_, bindparam, func, select
from sqlalchemy.orm import Session


def id_in(session: Session, column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """A WHERE clause: `column` is one of `ids` (ints), with a single bound parameter."""
    values = [int(i) for i in ids]
    if session.get_bind().dialect.name == "postgresql":
        # Imported here: the PostgreSQL dialect package costs every CLI start on SQLite a
        # tenth of its imports (its asyncpg module included); on PostgreSQL it is loaded.
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, values, type_=ARRAY(BigInteger)))
    unpacked = func.json_each(bindparam(None, json.dumps(values))).table_valued("value")
    return column.in_(select(unpacked.c.value))


def sql_id_in(dialect: str, column_sql: str, name: str, ids: Iterable[int]) -> tuple[str, Any]:
    """The same for text SQL: (condition, value to bind as `:name`)."""
    values = [int(i) for i in ids]
    if dialect == "postgresql":
        return f"{column_sql} = ANY(:{name})", values
    return f"{column_sql} IN (SELECT value FROM json_each(:{name}))", json.dumps(values)


def text_in(session: Session, column: Any, values: Iterable[str]) -> ColumnElement[bool]:
    """`id_in` for strings (URLs, content hashes). One parameter also keeps the statement's
    text the same whatever the list's length, so PostgreSQL reuses its prepared plan (psycopg
    prepares a statement from its fifth run) instead of planning every batch's afresh."""
    strings = [str(v) for v in values]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, strings, type_=ARRAY(Text)))
    unpacked = func.json_each(bindparam(None, json.dumps(strings))).table_valued("value")
    return column.in_(select(unpacked.c.value))
