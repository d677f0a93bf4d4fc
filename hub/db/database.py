"""The hub's handle on its store: an engine plus units of work. Created from `Settings`, never global."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Connection, Engine, Table, Text, any_, bindparam, false, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY

from hub.db.engine import READ_ONLY, build_engine, is_postgres
from hub.db.migrate import upgrade
from hub.settings import Settings


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


class Database:
    """An engine with units of work; `for_settings` also creates or upgrades an SQLite schema."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def for_settings(cls, settings: Settings, *, migrate: bool | None = None) -> Database:
        """Open the configured store; on SQLite (or when `migrate`) bring the schema up to date first."""
        database = cls(build_engine(settings.database_url))
        if migrate if migrate is not None else settings.is_sqlite:
            upgrade(database.engine)
        return database

    @property
    def is_postgres(self) -> bool:
        """True on PostgreSQL (row locks, SKIP LOCKED, advisory locks)."""
        return is_postgres(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A unit of work: what is written inside commits together, or not at all."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A unit that only reads, from one consistent view, without holding the SQLite write lock."""
        options: dict[str, Any] = {READ_ONLY: True}
        if self.is_postgres:
            options["isolation_level"] = "REPEATABLE READ"
        with self.engine.connect() as conn:
            conn.execution_options(**options)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        """Close pooled connections (end of a command, or after a fork)."""
        self.engine.dispose()


def insert_ignoring_conflicts(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping any that collide with a unique key (a concurrent writer got there first)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(), rows)


def member_of(conn: Connection, column: ColumnElement[Any], values: Collection[str] | Collection[int]) -> Any:
    """`column IN values` passed as one parameter, however many values there are.

    A plain `IN (...)` binds one parameter per value: SQLAlchemy renders tens of thousands of them on every
    execution (resolution reads the keys and candidates of whole batches this way), and SQL engines cap the
    count. One JSON array (`json_each`, SQLite) or one array (`= ANY`, PostgreSQL) is compiled once.
    """
    items = list(values)
    if not items:  # nothing is a member (and an empty array says nothing of its element type)
        return false()
    if conn.dialect.name == "postgresql":
        array_type = ARRAY(BigInteger if items and isinstance(items[0], int) else Text)
        return column == any_(bindparam(None, items, type_=array_type))
    members = select(func.json_each(bindparam(None, json.dumps(items), type_=Text)).table_valued("value"))
    return column.in_(members)
