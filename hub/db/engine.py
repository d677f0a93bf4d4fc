"""Engines for the two supported stores: an SQLite file (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """Map `postgres://` and `postgresql://` to the psycopg 3 driver, which is the one Rapport ships."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def build_engine(url: str) -> Engine:
    """An engine configured for concurrent use: WAL and a busy timeout on SQLite, a pool on PostgreSQL."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # prepare_threshold None: psycopg never prepares statements server-side. A prepared statement gets a generic
    # plan, blind to the size of the one array a set of keys is bound as (`member_of`), and on a table that grew
    # since its statistics such a plan can scan every row for every key; planning each time costs far less.
    connect_args: dict[str, Any] = {"prepare_threshold": None}
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, future=True, connect_args=connect_args)


READ_ONLY = "rapport_read_only"  # execution option of a connection that only reads


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take control of transactions: pysqlite's implicit BEGIN is deferred, and a deferred transaction that
        # later writes can fail at once with "database is locked" instead of waiting for the other writer.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA page_size=16384")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # a read-only unit (Database.snapshot) takes no write lock: in WAL mode it never blocks a writer
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

    return engine


def is_postgres(engine: Engine) -> bool:
    """True on PostgreSQL, where row locks and advisory locks are available."""
    return engine.dialect.name == "postgresql"


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One unit of work: everything written inside commits together or not at all."""
    with engine.begin() as conn:
        yield conn
