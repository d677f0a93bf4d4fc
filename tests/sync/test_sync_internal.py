"""The sync engine end to end against an internal system over HTTP (the internal adapter and test service)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.export import iter_customers
from hub.ingest.records import parse_record
from hub.ingest.service import IngestReport
from hub.runtime import Runtime
from hub.settings import Settings
from hub.sync.apply import apply_file
from tests.adapters.internal_service import TOKEN, InternalService

MAPPING = """object: contact
fields:
  - {target: rapport_id, source: link_id, direction: push, transforms: [{max_length: 64}], conflict: hub_wins}
  - {target: rapport_customer_id, source: id, direction: push, transforms: [{max_length: 64}], conflict: hub_wins}
  - {target: first_name, source: first_name, transforms: [{truncate: 100}], conflict: fill_empty}
  - {target: last_name, source: last_name, transforms: [{truncate: 100}], conflict: fill_empty}
  - {target: email, source: email, transforms: [{max_length: 254}], conflict: fill_empty}
  - {target: phone, source: phone, transforms: [e164], conflict: most_recent}
  - {target: city, source: city, conflict: most_recent}
"""


@pytest.fixture
def service() -> Iterator[InternalService]:
    running = InternalService().start()
    yield running
    running.stop()


@pytest.fixture
def runtime(
    database_url: str, service: InternalService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    monkeypatch.setenv("ERP_TOKEN", TOKEN.removeprefix("Bearer "))
    entry = {
        "name": "erp", "kind": "internal", "base_url": f"{service.url}/api", "mapping": "erp.yaml",
        "auth": {"header": "Authorization", "value": "Bearer ${ERP_TOKEN}"}, "id_field": "id",
        "updated_field": "updated_at", "deleted_field": "deleted",
        "list_changes": {"path": "/customers", "since_param": "updated_since", "items": "$.data", "cursor": "$.next"},
        "upsert": {"method": "PUT", "path": "/customers/{id}"},
        "interactions": {"method": "PUT", "path": "/interactions/{key}"},
        "schema": {"first_name": {"type": "string", "length": 100}, "last_name": {"type": "string", "length": 100},
                   "email": {"type": "email", "length": 254, "unique": True}, "phone": "phone", "city": "string",
                   "rapport_id": {"type": "string", "length": 64},
                   "rapport_customer_id": {"type": "string", "length": 64}},
    }  # fmt: skip
    (tmp_path / "erp.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "rapport.json").write_text(json.dumps({"connections": [entry]}), encoding="utf-8")
    settings = Settings(database_url=database_url, secret_key="test-secret-key")  # type: ignore[arg-type]
    runtime = Runtime(settings)
    apply_file(tmp_path / "rapport.json", runtime.database, runtime.secret_box(), runtime.adapter_factory)
    yield runtime
    runtime.database.dispose()


def _customer(runtime: Runtime, email: str) -> dict[str, object]:
    with runtime.database.transaction() as conn:
        return next(c for c in iter_customers(conn) if c.get("email") == email)


def test_internal_system_round_trip(runtime: Runtime, service: InternalService) -> None:
    erp_id = service.seed({"first_name": "Ana", "last_name": "Novak", "email": "ana@example.si", "city": "Ljubljana"})
    profile = {"type": "social_profile", "network": "instagram", "id": "ig7", "handle": "ana.novak",
               "email": "ANA@example.si", "phone": "+386 40 123 456"}  # fmt: skip
    runtime.ingest.ingest([parse_record(profile)], IngestReport(), inline=True)

    first = runtime.sync.run("erp")

    assert (first["pulled"], first["rejected"], first["status"]) == (1, 0, "succeeded")
    ana = _customer(runtime, "ana@example.si")
    assert service.value(erp_id, "rapport_customer_id") == ana["id"]
    assert str(service.value(erp_id, "rapport_id")).startswith("lnk_")
    assert service.value(erp_id, "phone") == "+38640123456"  # the hub's phone filled the blank

    puts_before = service.calls("PUT") + service.calls("PATCH")
    idle = runtime.sync.run("erp")
    idle = runtime.sync.run("erp")  # the first repeat reads our own writes back; the next is idle
    assert (idle["created"], idle["updated"]) == (0, 0)
    assert service.calls("PUT") + service.calls("PATCH") == puts_before

    service.edit(erp_id, {"city": "Maribor"})
    runtime.sync.run("erp")
    assert _customer(runtime, "ana@example.si")["city"] == "Maribor"
