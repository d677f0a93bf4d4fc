"""Storage of the sync engine: connections, mapping versions, cursors, CRM record links, runs, errors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from hub.db.database import insert_ignoring_conflicts
from hub.db.sync_tables import (
    connections,
    crm_records,
    mapping_versions,
    sync_cursors,
    sync_errors,
    sync_runs,
)
from hub.db.tables import customers
from hub.secrets import SecretBox
from hub.sync.config import ConnectionSpec
from mappings import Mapping, load_dict


def link_id_for(connection: str, obj: str, anchor: str) -> str:
    """Rapport's link id for one CRM record: stable, derived from the connection and an anchor
    (the CRM id of a pulled record, or `customer:<id>` for a record Rapport creates)."""
    return "lnk_" + hashlib.sha256(f"{connection}:{obj}:{anchor}".encode()).hexdigest()[:24]


def config_hash(spec: ConnectionSpec) -> str:
    """A hash of everything declared for a connection (credentials included), to detect changes."""
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def save_connection(conn: Connection, spec: ConnectionSpec, box: SecretBox, now: datetime) -> bool:
    """Create or update a connection; returns True when anything changed."""
    digest = config_hash(spec)
    current = conn.execute(select(connections.c.config_hash).where(connections.c.name == spec.name)).scalar()
    if current == digest:
        return False
    values = {
        "kind": spec.kind,
        "enabled": spec.enabled,
        "config": spec.stored_config(),
        "secrets": box.encrypt(json.dumps(spec.auth)) if spec.auth else None,
        "config_hash": digest,
        "updated_at": now,
    }
    if current is None:
        conn.execute(insert(connections).values(name=spec.name, created_at=now, **values))
    else:
        conn.execute(update(connections).where(connections.c.name == spec.name).values(**values))
    return True


def load_connection(conn: Connection, name: str, box: SecretBox | None) -> ConnectionSpec | None:
    """The stored connection (credentials decrypted when `box` is given), or None."""
    row = conn.execute(select(connections).where(connections.c.name == name)).first()
    if row is None:
        return None
    auth = json.loads(box.decrypt(row.secrets)) if box is not None and row.secrets else {}
    return ConnectionSpec.model_validate({**row.config, "auth": auth, "enabled": row.enabled})


def list_connections(conn: Connection) -> list[ConnectionSpec]:
    """Every connection, credentials left out."""
    rows = conn.execute(select(connections).order_by(connections.c.name))
    return [ConnectionSpec.model_validate({**row.config, "enabled": row.enabled}) for row in rows]


def save_mapping(
    conn: Connection,
    connection: str,
    mapping: Mapping,
    *,
    text: str | None,
    filename: str | None,
    actor: str,
    now: datetime,
) -> int | None:
    """Store a new mapping version when its content differs from the latest; returns the version or None."""
    latest = conn.execute(
        select(mapping_versions.c.version, mapping_versions.c.content_hash)
        .where(mapping_versions.c.connection == connection, mapping_versions.c.object == mapping.object)
        .order_by(mapping_versions.c.version.desc())
        .limit(1)
    ).first()
    digest = mapping.content_hash()
    if latest is not None and latest.content_hash == digest:
        return None
    version = (latest.version if latest else 0) + 1
    conn.execute(
        insert(mapping_versions).values(
            connection=connection,
            object=mapping.object,
            version=version,
            mapping=mapping.to_dict(),
            source_text=text,
            filename=filename,
            content_hash=digest,
            actor=actor,
            created_at=now,
        )
    )
    return version


def current_mapping(conn: Connection, connection: str, obj: str) -> Mapping | None:
    """The latest mapping version for a connection's object."""
    row = conn.execute(
        select(mapping_versions.c.mapping, mapping_versions.c.filename)
        .where(mapping_versions.c.connection == connection, mapping_versions.c.object == obj)
        .order_by(mapping_versions.c.version.desc())
        .limit(1)
    ).first()
    return load_dict(row.mapping, row.filename or f"{connection}:{obj}") if row else None


def mapping_history(conn: Connection, connection: str) -> list[dict[str, Any]]:
    """Every mapping version of a connection: object, version, hash, who and when."""
    rows = conn.execute(
        select(mapping_versions)
        .where(mapping_versions.c.connection == connection)
        .order_by(mapping_versions.c.object, mapping_versions.c.version)
    )
    keys = ("object", "version", "content_hash", "filename", "actor", "created_at")
    return [{k: getattr(row, k) for k in keys} for row in rows]


def get_cursor(conn: Connection, connection: str, name: str) -> str | None:
    """A saved cursor (`pull:<object>` or `push:<object>`)."""
    query = select(sync_cursors.c.value).where(sync_cursors.c.connection == connection, sync_cursors.c.name == name)
    value = conn.execute(query).scalar()
    return str(value) if value is not None else None


def set_cursor(conn: Connection, connection: str, name: str, value: str | None, now: datetime) -> None:
    """Save a cursor in the caller's transaction (with the page it follows)."""
    insert_ignoring_conflicts(
        conn, sync_cursors, [{"connection": connection, "name": name, "value": value, "updated_at": now}]
    )
    conn.execute(
        update(sync_cursors)
        .where(sync_cursors.c.connection == connection, sync_cursors.c.name == name)
        .values(value=value, updated_at=now)
    )


@dataclass
class CrmLink:
    """One CRM record Rapport knows: its link id, its customer, and what the CRM holds as far as we know."""

    id: int | None
    connection: str
    object: str
    crm_id: str | None
    link_id: str
    customer_id: str | None
    record_key: str | None
    last_written: dict[str, Any]
    crm_modified_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> CrmLink:
        """From a `crm_records` row."""
        return cls(
            row.id, row.connection, row.object, row.crm_id, row.link_id, row.customer_id, row.record_key,
            dict(row.last_written or {}), row.crm_modified_at,
        )  # fmt: skip


def crm_links_by_crm_ids(conn: Connection, connection: str, obj: str, crm_ids: list[str]) -> dict[str, CrmLink]:
    """Known CRM records among `crm_ids`."""
    query = select(crm_records).where(
        crm_records.c.connection == connection, crm_records.c.object == obj, crm_records.c.crm_id.in_(crm_ids)
    )
    links = [CrmLink.from_row(row) for row in conn.execute(query)]
    return {link.crm_id or "": link for link in follow_merges(conn, links)}


def crm_links_by_link_ids(conn: Connection, link_ids: list[str]) -> dict[str, CrmLink]:
    """Known CRM records by link id."""
    query = select(crm_records).where(crm_records.c.link_id.in_(link_ids))
    return {row.link_id: CrmLink.from_row(row) for row in conn.execute(query)}


def crm_links_of_customers(conn: Connection, connection: str, obj: str, customer_ids: list[str]) -> list[CrmLink]:
    """Live CRM records of these customers in one connection's object, including those still linked to a
    customer merged into one of them."""
    absorbed = select(customers.c.id).where(customers.c.merged_into.in_(customer_ids))
    query = select(crm_records).where(
        crm_records.c.connection == connection,
        crm_records.c.object == obj,
        crm_records.c.customer_id.in_(customer_ids) | crm_records.c.customer_id.in_(absorbed),
        crm_records.c.deleted_at.is_(None),
    )
    return follow_merges(conn, [CrmLink.from_row(row) for row in conn.execute(query)])


def follow_merges(conn: Connection, links: list[CrmLink]) -> list[CrmLink]:
    """`links` with each customer merged away replaced by its survivor (saved with the link's next write), so
    the CRM records of merged customers carry, and are synced as, the one customer they now belong to."""
    ids = sorted({link.customer_id for link in links if link.customer_id})
    if ids:
        query = select(customers.c.id, customers.c.merged_into).where(
            customers.c.id.in_(ids), customers.c.merged_into.is_not(None)
        )
        survivor = {str(cid): str(into) for cid, into in conn.execute(query)}
        for link in links:
            link.customer_id = survivor.get(link.customer_id or "", link.customer_id)
    return links


def save_crm_link(conn: Connection, link: CrmLink, now: datetime) -> None:
    """Insert or update one CRM record link (by link id)."""
    save_crm_links(conn, [link], now)


def _link_values(link: CrmLink) -> dict[str, Any]:
    """A link is saved when its record was just read or written: it exists (again, if it was restored in the
    CRM after a deletion); `mark_deleted` follows when it does not."""
    return {
        "connection": link.connection, "object": link.object, "crm_id": link.crm_id, "customer_id": link.customer_id,
        "record_key": link.record_key, "last_written": link.last_written, "crm_modified_at": link.crm_modified_at,
        "deleted_at": None,
    }  # fmt: skip


def save_crm_links(conn: Connection, links: list[CrmLink], now: datetime) -> None:
    """Insert new and update known CRM record links, a statement for each kind (pages hold thousands)."""
    fresh = [link for link in links if link.id is None]
    known = [link for link in links if link.id is not None]
    if fresh:
        rows = [{**_link_values(link), "link_id": link.link_id, "pushed_at": None} for link in fresh]
        insert_ignoring_conflicts(conn, crm_records, rows)
        query = select(crm_records.c.link_id, crm_records.c.id).where(
            crm_records.c.link_id.in_([link.link_id for link in fresh])
        )
        ids = {str(link_id): int(rid) for link_id, rid in conn.execute(query)}
        for link in fresh:
            link.id = ids.get(link.link_id)
    if known:
        params: dict[str, Any] = {name: bindparam(f"v_{name}") for name in _link_values(known[0])}
        conn.execute(
            update(crm_records).where(crm_records.c.id == bindparam("v_id")).values(params),
            [{"v_id": link.id, **{f"v_{k}": v for k, v in _link_values(link).items()}} for link in known],
        )


def mark_deleted(link_id: str, now: datetime) -> Any:
    """UPDATE marking a CRM record link as deleted in the CRM."""
    return update(crm_records).where(crm_records.c.link_id == link_id).values(deleted_at=now)


def start_run(conn: Connection, connection: str, direction: str, now: datetime) -> int:
    """Record a run as started; returns its id."""
    result = conn.execute(
        insert(sync_runs)
        .values(connection=connection, direction=direction, status="running", summary={}, started_at=now)
        .returning(sync_runs.c.id)
    )
    return int(result.scalar_one())


def finish_run(
    conn: Connection, run_id: int, status: str, summary: dict[str, Any], error: str | None, now: datetime
) -> None:
    """Record a run's outcome."""
    conn.execute(
        update(sync_runs)
        .where(sync_runs.c.id == run_id)
        .values(status=status, summary=summary, error=error, finished_at=now)
    )


def record_error(conn: Connection, run_id: int, **values: Any) -> None:
    """A record-level error of a run (connection, object, direction, ref, customer_id, code, message, fields)."""
    conn.execute(insert(sync_errors).values(run_id=run_id, resolved_at=None, **values))


def open_push_errors(conn: Connection, connection: str, obj: str) -> list[str]:
    """Customers whose last push to this connection's object failed (retried on the next run)."""
    query = select(func.distinct(sync_errors.c.customer_id)).where(
        sync_errors.c.connection == connection,
        sync_errors.c.object == obj,
        sync_errors.c.direction == "push",
        sync_errors.c.resolved_at.is_(None),
        sync_errors.c.customer_id.is_not(None),
    )
    return [str(cid) for cid in conn.execute(query).scalars()]


def resolve_errors(conn: Connection, connection: str, obj: str, direction: str, refs: list[str], now: datetime) -> None:
    """Mark earlier errors for these refs as resolved (the record went through)."""
    if refs:
        conn.execute(
            update(sync_errors)
            .where(
                sync_errors.c.connection == connection,
                sync_errors.c.object == obj,
                sync_errors.c.direction == direction,
                sync_errors.c.ref.in_(refs),
                sync_errors.c.resolved_at.is_(None),
            )
            .values(resolved_at=now)
        )
