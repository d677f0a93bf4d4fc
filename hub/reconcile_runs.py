"""Each reconciliation leaves an `identity.reconciled` audit event (its summary and start time), so that the
scheduled job can skip a run when nothing changed since the last one: on a store that did not change,
reclustering changes nothing (it is idempotent), and it costs a pass over every record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from hub.db.tables import audit_events, do_not_link, review_items, source_records
from hub.reconcile_review import WITHDRAWN

RECONCILED = "identity.reconciled"
RESOLVER = "resolver"  # the actor of what resolution and reconciling write themselves
# audit kinds by which a person (a manual merge or split, an accepted review) or a CRM (a converted lead) put
# records together or apart: reconciling leaves those customers as they are
IDENTITY_DECISIONS = ("customer.merged", "customer.split")
# and the kinds that change what reclustering reads (a sync's field decisions do not)
_RECORD_CHANGES = (*IDENTITY_DECISIONS, "customer.deleted", "record.unlinked", "record.converted")


def record_run(conn: Connection, summary: dict[str, Any], started: datetime, now: datetime) -> None:
    """Leave the audit event of a finished reconciliation."""
    detail = {**summary, "started_at": started.isoformat()}
    conn.execute(
        insert(audit_events).values(customer_id=None, kind=RECONCILED, detail=detail, actor=RESOLVER, created_at=now)
    )


def changed_since_last_run(conn: Connection) -> bool:
    """Whether anything that reclustering depends on changed since the last reconciliation started (True when
    there was none, or when it left groups for the next run)."""
    last = conn.execute(
        select(audit_events.c.detail).where(audit_events.c.kind == RECONCILED).order_by(audit_events.c.id.desc())
    ).first()
    if last is None or last.detail.get("deferred") or "started_at" not in last.detail:
        return True
    since = datetime.fromisoformat(last.detail["started_at"])
    # what reclustering reads: the records (new, changed or merely seen again), a person's decisions (merges,
    # splits, erasures, review verdicts, do-not-link pairs); not its own writes, which are the resolver's
    probes = (
        select(source_records.c.id).where(
            source_records.c.last_seen_at > since, source_records.c.record_type != "interaction"
        ),
        select(audit_events.c.id).where(
            audit_events.c.created_at > since,
            audit_events.c.actor != RESOLVER,
            audit_events.c.kind.in_(_RECORD_CHANGES),
        ),
        select(do_not_link.c.record_a).where(do_not_link.c.created_at > since),
        select(review_items.c.id).where(review_items.c.decided_at > since, review_items.c.status != WITHDRAWN),
    )
    return any(conn.execute(probe.limit(1)).first() is not None for probe in probes)
