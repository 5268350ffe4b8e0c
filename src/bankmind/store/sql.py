"""Transactions shared by several steps, and the one statement the two backends spell differently.

with transaction(store) as conn: ...        # a new transaction, committed when the block ends
with transaction(conn) as conn: ...         # the caller's: steps of one request commit together
insert_or_ignore(conn, Usage, {...}, key=["department", "day"])
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, literal_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

if TYPE_CHECKING:
    from bankmind.store import Store

__all__ = ["insert_or_ignore", "transaction"]


@contextmanager
def transaction(target: Store | Connection) -> Iterator[Connection]:
    """A connection inside a transaction: a new one for a store, or the caller's own connection."""
    if isinstance(target, Connection):
        yield target
        return
    with target.engine.begin() as conn:
        yield conn


def insert_or_ignore(
    conn: Connection, table: Any, values: Mapping[str, Any], *, key: tuple[str, ...]
) -> bool:
    """INSERT the row unless one with the same `key` columns exists; True when it was inserted.

    Atomic on both backends (`ON CONFLICT DO NOTHING`), so concurrent first uses do not collide.
    """
    return conn.execute(_insert_or_ignore(conn.dialect.name, table, key), dict(values)).first() is not None


@functools.cache
def _insert_or_ignore(dialect: str, table: Any, key: tuple[str, ...]) -> Any:
    # Built once per table: building a statement costs several times more than running it.
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING, not rowcount: drivers report -1 for an INSERT that returns the new primary key
    return insert(table).on_conflict_do_nothing(index_elements=list(key)).returning(literal_column("1"))
