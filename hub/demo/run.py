"""Rapport's main job, end to end, on embedded defaults: what `rapport demo` runs.

Both CRM sandboxes start seeded with the sample's contacts (some of them the same people as the social
profiles, some in both CRMs); the hub ingests the social profiles and interactions, resolves, syncs both ways
with each CRM, delivers webhooks to its own local receiver (which verifies every signature), then a rep's edit
in Salesforce is followed until it shows in HubSpot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hub.db.database import utcnow
from hub.db.tables import customers, source_records
from hub.demo import DATA_DIR
from hub.demo.crms import DemoCrms, edit_in_salesforce, hubspot_contact, sample_contacts, seed, write_apply_file
from hub.demo.receiver import Receiver
from hub.ingest.reader import read_records
from hub.ingest.service import IngestReport, validated
from hub.runtime import Runtime
from hub.sync.apply import apply_file
from hub.webhooks_admin import upsert_endpoint
from hub.webhooks_apply import section_savers

CONNECTIONS = ("salesforce", "hubspot")
SYNC_FIELDS = ("pulled", "created", "updated", "skipped", "rejected", "api_calls")
EDITED = {"sample_id": "0035g00000KMS04", "email": "minjun.choi@example.com", "field": "MailingCity", "value": "Busan"}


@dataclass
class DemoOutcome:
    """The summary (CONTRACT.md's `demo --json` shape) and a few lines to tell a newcomer what happened."""

    summary: dict[str, Any]
    story: list[str] = field(default_factory=list)


def _sync_totals(runs: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {name: sum(int(run[name]) for run in runs) for name in SYNC_FIELDS}
    totals.update(connection=runs[0]["connection"], direction="both", dry_run=False)
    totals["errors"] = [error for run in runs for error in run["errors"]]
    totals["interactions_written"] = sum(int(run.get("interactions_written", 0)) for run in runs)
    return totals


def _ingest_social(runtime: Runtime) -> IngestReport:
    report = IngestReport()
    for name in ("social_profiles.ndjson", "interactions.ndjson"):
        path = DATA_DIR / name
        with path.open("rb") as stream:
            runtime.ingest.ingest(
                validated(read_records(name, stream, runtime.settings.max_line_bytes), report), report, inline=True
            )
    return report


def _subscribe(runtime: Runtime, receiver: Receiver) -> None:
    with runtime.database.transaction() as conn:
        _id, secret = upsert_endpoint(
            conn, runtime.secret_box(), name="demo-receiver", url=receiver.url, events=None, secret=None,
            description="rapport demo's own receiver", enabled=True, now=utcnow(),
        )  # fmt: skip
    receiver.secret = secret


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.database.transaction() as conn:
        live = conn.execute(
            select(func.count())
            .select_from(customers)
            .where(customers.c.merged_into.is_(None), customers.c.deleted_at.is_(None))
        ).scalar_one()
        people = conn.execute(
            select(func.count()).select_from(source_records).where(source_records.c.record_type != "interaction")
        ).scalar_one()
    return int(live), int(people)


def run_demo(runtime: Runtime, crms: DemoCrms, receiver: Receiver, workdir: Path) -> DemoOutcome:
    """Run the whole main job once; returns the summary."""
    story: list[str] = []
    seed(crms, sample_contacts())
    story.append(
        f"Seeded {len(crms.seeded['salesforce'])} Salesforce and {len(crms.seeded['hubspot'])} HubSpot contacts."
    )
    _subscribe(runtime, receiver)
    apply_file(
        write_apply_file(crms, workdir),
        runtime.database,
        runtime.secret_box(),
        runtime.adapter_factory,
        section_savers(),
    )
    report = _ingest_social(runtime)
    story.append(f"Ingested {report.records} social profiles and {report.interactions} interactions.")
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in CONNECTIONS}
    for _round in range(2):  # the second round carries each CRM's news to the other
        for name in CONNECTIONS:
            runs[name].append(runtime.sync.run(name))
    edit_in_salesforce(crms, crms.seeded["salesforce"][EDITED["sample_id"]], {EDITED["field"]: EDITED["value"]})
    for name in CONNECTIONS:
        runs[name].append(runtime.sync.run(name))
    arrived = (hubspot_contact(crms, EDITED["email"]) or {}).get("city")
    story.append(
        f"A rep changed Min-jun Choi's city to {EDITED['value']} in Salesforce; "
        f"HubSpot now shows: {arrived or 'nothing'}."
    )
    runtime.worker().run_until_idle()
    live, people = _counts(runtime)
    totals = {name: _sync_totals(runs[name]) for name in CONNECTIONS}
    errors = [f"line {line}: {reason}" for line, reason in report.errors]
    errors += [f"{name}: {e}" for name in CONNECTIONS for e in totals[name]["errors"]]
    if receiver.refused:
        errors.append(f"webhook receiver refused {receiver.refused} deliveries with bad signatures")
    summary = {
        "customers": live,
        "merged": people - live,
        "salesforce": totals["salesforce"],
        "hubspot": totals["hubspot"],
        "interactions_written": sum(t["interactions_written"] for t in totals.values()),
        "webhooks_delivered": receiver.delivered,
        "edit_arrived": arrived == EDITED["value"],
        "errors": errors,
    }
    return DemoOutcome(summary, story)
