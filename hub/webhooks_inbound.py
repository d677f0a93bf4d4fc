"""The hub's side of inbound webhooks: declared sources (secrets encrypted), and received events stored
once per provider event id, with a job to process them, in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hub.db.webhook_tables import inbound_events, inbound_sources
from hub.jobs.queue import enqueue
from hub.secrets import SecretBox
from webhooks.inbound.base import InboundEvent
from webhooks.inbound.registry import KINDS, provider

INBOUND_JOB = "inbound.process"
CRM_CHANGE_JOB = "crm_change"


class SourceError(ValueError):
    """An inbound source definition that cannot be saved (never echoes a secret)."""


@dataclass(frozen=True, slots=True)
class Source:
    """A declared inbound source with its decrypted secrets."""

    name: str
    kind: str
    secrets: dict[str, str]


def upsert_inbound_source(
    conn: Connection, box: SecretBox, *, name: str, kind: str, secrets: dict[str, str], now: datetime
) -> None:
    """Create or replace inbound source `name` (idempotent); secrets are stored encrypted.

    `secrets` holds the provider's names: hubspot `client_secret`; meta `app_secret`, `verify_token`; x
    `consumer_secret`; linkedin `client_secret`; tiktok `client_secret`; salesforce `organization_id`
    (and `secret` for signed change events, `token` optionally); standard `secret` (whsec_).
    """
    if kind not in KINDS:
        raise SourceError(f"unknown inbound source kind '{kind}'; known: {', '.join(KINDS)}")
    allowed = provider(kind).SECRET_NAMES + (("previous_secret",) if kind == "standard" else ())
    unknown = sorted(set(secrets) - set(allowed))
    if unknown:
        raise SourceError(f"inbound source '{name}' ({kind}) does not use {', '.join(unknown)}; it uses {allowed}")
    if not any(secrets.get(key) for key in allowed):
        raise SourceError(f"inbound source '{name}' ({kind}) needs one of {', '.join(allowed)}")
    sealed = box.encrypt(json.dumps(secrets))
    existing = conn.execute(select(inbound_sources.c.name).where(inbound_sources.c.name == name)).first()
    if existing:
        conn.execute(
            update(inbound_sources)
            .where(inbound_sources.c.name == name)
            .values(kind=kind, secrets=sealed, updated_at=now)
        )
    else:
        conn.execute(
            insert(inbound_sources).values(name=name, kind=kind, secrets=sealed, created_at=now, updated_at=now)
        )


def find_source(conn: Connection, box: SecretBox, name: str) -> Source | None:
    """The source called `name`, else the only source of kind `name` (so /v1/inbound/hubspot just works)."""
    s = inbound_sources
    row = conn.execute(select(s).where(s.c.name == name)).first()
    if row is None:
        rows = conn.execute(select(s).where(s.c.kind == name).limit(2)).all()
        row = rows[0] if len(rows) == 1 else None
    if row is None:
        return None
    return Source(row.name, row.kind, json.loads(box.decrypt(row.secrets)))


def store_events(
    conn: Connection, source: Source, events: Sequence[InboundEvent], *, content_type: str | None, now: datetime
) -> list[int]:
    """Store each event not seen before (by source and event id); queue their processing. Returns new ids."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    new_ids = []
    for event in events:
        inserted = conn.execute(
            dialect.insert(inbound_events)
            .values(
                source=source.name,
                kind=source.kind,
                event_id=event.event_id[:300],
                raw_body=event.payload,
                content_type=(content_type or "")[:200] or None,
                status="received",
                received_at=now,
            )
            .on_conflict_do_nothing()
            .returning(inbound_events.c.id)
        ).scalar()
        if inserted is not None:
            new_ids.append(int(inserted))
    if new_ids:
        enqueue(conn, INBOUND_JOB, {"ids": new_ids}, now=now)
    return new_ids
