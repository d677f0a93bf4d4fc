"""Waking idle workers as soon as work is queued, instead of waiting out a poll interval.

PostgreSQL: `enqueue` sends `NOTIFY rapport_jobs` in the enqueuing transaction (delivered at commit, dropped on
rollback); each idle worker LISTENs on its own connection and claims at once. SQLite has no NOTIFY: an idle
worker watches `PRAGMA data_version`, which changes when any other connection (of any process) commits, and
checks it every few milliseconds (a read of a header field, no lock). Either way the worker still claims at
least every poll interval, which covers jobs whose `run_after` is in the future and a lost notification.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any, Protocol

from sqlalchemy import Connection, text

from hub.db.database import Database

log = logging.getLogger("rapport.worker")
CHANNEL = "rapport_jobs"
SQLITE_CHECK_SECONDS = 0.02


def notify_new_work(conn: Connection) -> None:
    """Announce queued work to listening workers when the caller's transaction commits (PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"NOTIFY {CHANNEL}"))


class Waker(Protocol):
    """Sleeps until new work may be there, `timeout` at most, or until `stop` is set."""

    def wait(self, timeout: float, stop: threading.Event) -> None:
        """Return early when work may have been queued."""

    def close(self) -> None:
        """Release the waker's connection."""


class PollWaker:
    """Plain polling: sleep the whole interval (tests, and a fallback when listening fails)."""

    def wait(self, timeout: float, stop: threading.Event) -> None:
        """Sleep `timeout` or until stopped."""
        stop.wait(timeout)

    def close(self) -> None:
        """Nothing to release."""


class PostgresWaker:
    """LISTEN on a dedicated autocommit connection; each notification ends the wait."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._conn: Any = None

    def _listening(self) -> Any:
        if self._conn is None:
            raw = self.database.engine.raw_connection()
            driver: Any = raw.driver_connection
            driver.autocommit = True
            driver.execute(f"LISTEN {CHANNEL}")
            self._raw, self._conn = raw, driver
        return self._conn

    def wait(self, timeout: float, stop: threading.Event) -> None:
        """Wait for a notification (at most `timeout`, in short slices so a stop is seen quickly)."""
        deadline = time.monotonic() + timeout
        try:
            conn = self._listening()
            while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
                if list(conn.notifies(timeout=min(left, 0.5), stop_after=1)):
                    self._drain(conn)  # outside the first generator, which holds the connection's lock
                    return
        except Exception as exc:
            log.warning("listening for new jobs failed (%s); polling instead", type(exc).__name__)
            self.close()
            stop.wait(max(0.0, deadline - time.monotonic()))

    @staticmethod
    def _drain(conn: Any) -> None:
        """Swallow notifications already received, so a burst of enqueues wakes the worker once."""
        for _ in conn.notifies(timeout=0.001, stop_after=1000):  # timeout=0 would block in psycopg 3.3
            pass

    def close(self) -> None:
        """Stop listening and give the connection back."""
        if self._conn is not None:
            with contextlib.suppress(Exception):  # the connection may already be broken; nothing to release
                self._raw.invalidate()
            self._conn = None


class SqliteWaker:
    """Watch `PRAGMA data_version` on a dedicated connection: it changes when another connection commits."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._conn: Any = None
        self._version: int | None = None

    def _current(self) -> int:
        if self._conn is None:
            self._conn = self.database.engine.raw_connection()
        cursor = self._conn.cursor()
        try:
            cursor.execute("PRAGMA data_version")
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    def wait(self, timeout: float, stop: threading.Event) -> None:
        """Return when another connection committed, or after `timeout`."""
        deadline = time.monotonic() + timeout
        try:
            start = self._current() if self._version is None else self._version
            while not stop.is_set() and time.monotonic() < deadline:
                self._version = self._current()
                if self._version != start:
                    return
                stop.wait(min(SQLITE_CHECK_SECONDS, max(0.0, deadline - time.monotonic())))
        except Exception as exc:
            log.warning("watching for new jobs failed (%s); polling instead", type(exc).__name__)
            self.close()
            stop.wait(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        """Give the connection back."""
        if self._conn is not None:
            with contextlib.suppress(Exception):  # already closed or broken
                self._conn.close()
            self._conn = None
            self._version = None


def waker_for(database: Database) -> Waker:
    """The waker that suits the database."""
    if database.is_postgres:
        return PostgresWaker(database)
    if database.engine.dialect.name == "sqlite":
        return SqliteWaker(database)
    return PollWaker()
