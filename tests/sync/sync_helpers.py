"""Shared pieces of the sync tests: apply files with a custom mapping, ingest, database reads, and adapter
wrappers (count writes, die after N calls) built by hand around the in-memory CRM."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from adapters.base import Adapter, AuthError, ChangePage, RecordResult, UpsertItem
from adapters.memory import MemoryAdapter, MemorySystem
from hub.db.sync_tables import crm_records, sync_cursors, sync_errors, sync_runs
from hub.db.tables import audit_events, customers, source_records
from hub.export import iter_customers
from hub.ingest.records import parse_record
from hub.ingest.service import IngestReport
from hub.runtime import Runtime
from hub.sync.apply import ApplyReport, apply_file
from tests.sync.conftest import MemoryCrms

LINK_FIELDS = """
  - {target: rapport_id, source: link_id, direction: push, conflict: hub_wins}
  - {target: rapport_customer_id, source: id, direction: push, conflict: hub_wins}
"""


def mapping_text(*fields: str, create: bool = False, filter: str | None = None) -> str:
    """A contact mapping with the link fields and `fields` (each a YAML flow mapping)."""
    head = f"object: contact\ncreate: {'true' if create else 'false'}\n"
    if filter:
        head += f'filter: "{filter}"\n'
    return head + "fields:" + LINK_FIELDS + "".join(f"  - {f}\n" for f in fields)


def connection_entry(name: str, mapping: str | None = None, **extra: str) -> str:
    lines = [f"  - name: {name}", "    kind: hubspot", "    base_url: http://memory.invalid",
             "    auth: {access_token: not-a-real-token}"]  # fmt: skip
    if mapping:
        lines.append(f"    mapping: {mapping}")
    lines += [f"    {k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def apply(
    runtime: Runtime,
    crms: MemoryCrms,
    tmp_path: Path,
    *,
    mapping: str | None = None,
    names: Sequence[str] = ("crm",),
    **extra: str,
) -> ApplyReport:
    """Apply connections `names` (hubspot kind over memory systems), with `mapping` as m.yaml when given."""
    if mapping is not None:
        (tmp_path / "m.yaml").write_text(mapping, encoding="utf-8")
    text = "connections:\n" + "".join(
        connection_entry(n, "m.yaml" if mapping is not None else None, **extra) for n in names
    )
    path = tmp_path / "rapport.yaml"
    path.write_text(text, encoding="utf-8")
    return apply_file(path, runtime.database, runtime.secret_box(), crms.factory)


def ingest(runtime: Runtime, *records: Mapping[str, object]) -> None:
    runtime.ingest.ingest([parse_record(dict(r)) for r in records], IngestReport(), inline=True)


def people(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.database.transaction() as conn:
        return list(iter_customers(conn))


def person(runtime: Runtime, email: str) -> dict[str, Any]:
    found = [c for c in people(runtime) if email in (c.get("emails") or [c.get("email")])]
    assert len(found) == 1, found
    return found[0]


def decisions(runtime: Runtime, field: str | None = None) -> list[dict[str, Any]]:
    """`field.decision` audit entries (detail dicts), oldest first."""
    with runtime.database.transaction() as conn:
        rows = conn.execute(
            select(audit_events.c.detail, audit_events.c.customer_id)
            .where(audit_events.c.kind == "field.decision")
            .order_by(audit_events.c.id)
        ).all()
    out = [{**dict(r.detail), "customer_id": r.customer_id} for r in rows]
    return [d for d in out if field is None or d.get("field") == field]


def count(runtime: Runtime, table: Any, *where: Any) -> int:
    with runtime.database.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def cursor(runtime: Runtime, connection: str, name: str = "pull:contact") -> str | None:
    with runtime.database.transaction() as conn:
        value = conn.execute(
            select(sync_cursors.c.value).where(sync_cursors.c.connection == connection, sync_cursors.c.name == name)
        ).scalar()
    return None if value is None else str(value)


def row_counts(runtime: Runtime) -> dict[str, int]:
    """Rows of every table a run may write."""
    tables = {"source_records": source_records, "customers": customers, "crm_records": crm_records,
              "sync_cursors": sync_cursors, "sync_errors": sync_errors, "audit_events": audit_events,
              "sync_runs": sync_runs}  # fmt: skip
    return {name: count(runtime, table) for name, table in tables.items()}


def set_modified(system: MemorySystem, record_id: str, at: str) -> None:
    """Pretend the record's last change happened at `at` (ISO 8601)."""
    system.records[record_id]["lastmodifieddate"] = datetime.fromisoformat(at).astimezone(UTC).isoformat()


def snapshot(system: MemorySystem) -> dict[str, dict[str, Any]]:
    return {k: dict(v) for k, v in system.records.items()}


class Killed(BaseException):
    """A process dying mid-run (not an adapter error: nothing in the engine catches it)."""


class WrappedAdapter:
    """A memory adapter that counts writes and can die: after `die_after_pages` change pages have been handed
    out (the next request for one kills the run), or on the `die_on_write`-th write call (before or after the
    CRM applied it: `die_after_write`). `fault_after_pages=(n, "rate_limit")` makes the call after the n-th
    page fail with that fault, `fault_on_write=(n, "outage")` the n-th write call; `auth_error` makes
    `check()` refuse the credentials."""

    def __init__(
        self,
        system: MemorySystem,
        *,
        page_size: int = 50,
        die_after_pages: int | None = None,
        die_on_write: int | None = None,
        die_after_write: bool = False,
        auth_error: bool = False,
        fault_after_pages: tuple[int, str] | None = None,
        fault_on_write: tuple[int, str] | None = None,
    ) -> None:
        self.inner = MemoryAdapter(system, page_size=page_size)
        self.system = system
        self.die_after_pages = die_after_pages
        self.die_on_write = die_on_write
        self.die_after_write = die_after_write
        self.auth_error = auth_error
        self.fault_after_pages = fault_after_pages
        self.fault_on_write = fault_on_write
        self.writes = 0
        self.pages = 0

    @property
    def api_calls(self) -> int:
        return self.inner.api_calls

    def check(self) -> None:
        if self.auth_error:
            raise AuthError("HubSpot refused the access token (401): it is invalid or expired; renew it")
        self.inner.check()

    def describe(self, object: str) -> Any:
        return self.inner.describe(object)

    def list_changes(self, object: str, since: str | None) -> Iterator[ChangePage]:
        for page in self.inner.list_changes(object, since):
            if self.die_after_pages is not None and self.pages >= self.die_after_pages:
                raise Killed()
            self.pages += 1
            if self.fault_after_pages is not None and self.pages == self.fault_after_pages[0]:
                self.system.faults.append(self.fault_after_pages[1])  # the request for the next page fails
            yield page

    def get_by_ids(self, object: str, ids: Sequence[str]) -> Any:
        return self.inner.get_by_ids(object, ids)

    def _write(self, call: Any) -> list[RecordResult]:
        self.writes += 1
        if self.fault_on_write is not None and self.writes == self.fault_on_write[0]:
            self.system.faults.append(self.fault_on_write[1])
        dying = self.die_on_write is not None and self.writes >= self.die_on_write
        if dying and not self.die_after_write:
            raise Killed()
        results: list[RecordResult] = call()
        if dying:
            raise Killed()
        return results

    def upsert_batch(self, object: str, items: Sequence[UpsertItem]) -> list[RecordResult]:
        return self._write(lambda: self.inner.upsert_batch(object, items))

    def update_batch(self, object: str, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
        return self._write(lambda: self.inner.update_batch(object, updates))

    def delete_batch(self, object: str, ids: Sequence[str]) -> list[RecordResult]:
        return self._write(lambda: self.inner.delete_batch(object, ids))

    def write_interactions(self, items: Sequence[Any]) -> list[RecordResult]:
        return self._write(lambda: self.inner.write_interactions(items))


def use_adapters(runtime: Runtime, crms: MemoryCrms, **options: Any) -> list[WrappedAdapter]:
    """From now on, runs of `runtime` get `WrappedAdapter(options)` over the named memory systems; returns the
    adapters handed out (in order)."""
    made: list[WrappedAdapter] = []

    def factory(kind: str, config: Mapping[str, Any]) -> Adapter:
        adapter = WrappedAdapter(crms.system(str(config["name"])), **options)
        made.append(adapter)
        return adapter

    runtime.sync.adapter_factory = factory
    return made
