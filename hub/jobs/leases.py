"""Named leases in the database: one holder at a time, taken over when the holder stops renewing.

Used for the single active scheduler; a lease row works the same on SQLite and PostgreSQL, and a dead
holder's lease simply expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, or_, select, update

from hub.db.database import insert_ignoring_conflicts
from hub.db.tables import leases


def acquire(conn: Connection, name: str, holder: str, *, ttl_seconds: float, now: datetime) -> bool:
    """Take or renew `name` for `holder` until now + ttl; False when someone else holds it."""
    expires = now + timedelta(seconds=ttl_seconds)
    renewed = conn.execute(
        update(leases)
        .where(leases.c.name == name, or_(leases.c.holder == holder, leases.c.expires_at < now))
        .values(holder=holder, expires_at=expires)
    )
    if renewed.rowcount == 1:
        return True
    insert_ignoring_conflicts(conn, leases, [{"name": name, "holder": holder, "expires_at": expires}])
    current = conn.execute(select(leases.c.holder).where(leases.c.name == name)).scalar()
    return bool(current == holder)


def release(conn: Connection, name: str, holder: str) -> None:
    """Give up `name` if `holder` has it."""
    conn.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))


def holder_of(conn: Connection, name: str, *, now: datetime) -> str | None:
    """Who holds `name` now (None when free or expired)."""
    row = conn.execute(select(leases.c.holder, leases.c.expires_at).where(leases.c.name == name)).first()
    return row.holder if row and row.expires_at > now else None
