"""The `inbound_sources` and `webhook_endpoints` sections of a `rapport apply` file.

Each entry is checked and saved inside apply's one transaction; a refused entry raises `ApplyRefusedError`,
which rolls the whole file back. Generated endpoint secrets are reported once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from hub.db.database import utcnow
from hub.secrets import SecretBox
from hub.sync.apply import ApplyRefusedError, ApplyReport
from hub.webhooks_admin import EndpointError, upsert_endpoint
from hub.webhooks_inbound import SourceError, upsert_inbound_source

Saver = Callable[[Connection, SecretBox, list[dict[str, Any]], ApplyReport], None]
ENDPOINT_KEYS = {"name", "url", "events", "secret", "description", "enabled"}


def save_endpoints(conn: Connection, box: SecretBox, entries: list[dict[str, Any]], report: ApplyReport) -> None:
    """Create or update each endpoint by name; a new one without a secret gets one, reported once."""
    problems = []
    for index, entry in enumerate(entries):
        label = f"webhook_endpoints[{index}]" + (f" ({entry.get('name')})" if isinstance(entry, dict) else "")
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("url"):
            problems.append(f"{label}: needs a name and a url")
            continue
        unknown = sorted(set(entry) - ENDPOINT_KEYS)
        if unknown:
            problems.append(f"{label}: unknown key(s) {', '.join(unknown)}")
            continue
        try:
            _id, generated = upsert_endpoint(
                conn, box, name=str(entry["name"]), url=str(entry["url"]), events=entry.get("events"),
                secret=entry.get("secret"), description=entry.get("description"),
                enabled=bool(entry.get("enabled", True)), now=utcnow(),
            )  # fmt: skip
        except EndpointError as exc:
            problems.append(f"{label}: {exc}")
            continue
        report.changes.append(f"webhook endpoint {entry['name']} saved")
        if generated:
            report.secrets.append((str(entry["name"]), generated))
    if problems:
        raise ApplyRefusedError(problems)


def save_sources(conn: Connection, box: SecretBox, entries: list[dict[str, Any]], report: ApplyReport) -> None:
    """Create or replace each inbound source by name (its secrets stored encrypted)."""
    problems = []
    for index, entry in enumerate(entries):
        label = f"inbound_sources[{index}]" + (f" ({entry.get('name')})" if isinstance(entry, dict) else "")
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("kind"):
            problems.append(f"{label}: needs a name and a kind")
            continue
        secrets = {k: str(v) for k, v in entry.items() if k not in ("name", "kind")}
        try:
            upsert_inbound_source(
                conn, box, name=str(entry["name"]), kind=str(entry["kind"]), secrets=secrets, now=utcnow()
            )
        except SourceError as exc:
            problems.append(f"{label}: {exc}")
            continue
        report.changes.append(f"inbound source {entry['name']} saved")
    if problems:
        raise ApplyRefusedError(problems)


def section_savers() -> dict[str, Saver]:
    """Savers by apply-file section."""
    return {"inbound_sources": save_sources, "webhook_endpoints": save_endpoints}
