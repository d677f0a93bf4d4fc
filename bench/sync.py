"""Sync benchmark on the in-memory CRM: 100,000 customers pushed and pulled, and the cost of an idle round.

Phases, each timed (customers per second) with the process's peak memory at the end:
1. ingest N social profiles (one customer each) — setup, not a sync figure;
2. push: a connection with `create: true` creates one CRM record per customer;
3. pull: a second connection whose CRM already holds N contacts (same emails) is pulled, resolved and linked;
4. idle round: both connections synced again with no change anywhere: API calls and writes.
Run: `.venv/bin/python bench/sync.py [--customers N] [--database-url URL]` (default: a temporary SQLite file).
"""

from __future__ import annotations

import argparse
import json
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on sys.path, where bench/webhooks.py would shadow the `webhooks` package.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from pydantic import SecretStr

from adapters.base import Adapter
from adapters.memory import MemoryAdapter, MemorySystem
from hub.ingest.records import parse_record
from hub.ingest.service import IngestReport
from hub.runtime import Runtime
from hub.settings import Settings
from hub.sync.apply import apply_file

MAPPING = """object: contact
create: true
filter: "email is not null"
fields:
  - {target: rapport_id, source: link_id, direction: push, conflict: hub_wins}
  - {target: rapport_customer_id, source: id, direction: push, conflict: hub_wins}
  - {target: firstname, source: first_name, conflict: fill_empty}
  - {target: lastname, source: last_name, conflict: fill_empty}
  - {target: email, source: email, conflict: fill_empty}
  - {target: rapport_social_handles, source: handles, direction: push, transforms: [social_handles], conflict: hub_wins}
"""
APPLY = """connections:
  - {name: push-crm, kind: hubspot, base_url: http://memory.invalid, auth: {access_token: x}, mapping: m.yaml,
     social_history: false}
  - {name: pull-crm, kind: hubspot, base_url: http://memory.invalid, auth: {access_token: x}, mapping: m.yaml,
     social_history: false}
"""


class Systems:
    """One memory CRM per connection name."""

    def __init__(self) -> None:
        self.systems: dict[str, MemorySystem] = {}

    def factory(self, kind: str, config: Mapping[str, Any]) -> Adapter:
        system = self.systems.setdefault(str(config["name"]), MemorySystem())
        return MemoryAdapter(system, page_size=1000)


def peak_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, count: int, action: Any) -> dict[str, Any]:
    start = time.perf_counter()
    outcome = action()
    seconds = time.perf_counter() - start
    rate = round(count / seconds) if seconds else None
    figures = {"phase": label, "customers": count, "seconds": round(seconds, 2), "customers_per_second": rate,
               "peak_memory_mb": round(peak_mb())}  # fmt: skip
    if isinstance(outcome, dict):
        figures["run"] = {k: outcome[k] for k in ("pulled", "created", "updated", "skipped", "rejected", "api_calls")}
    print(json.dumps(figures))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    count = args.customers
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        systems = Systems()
        key = SecretStr(secrets.token_urlsafe(32))  # a throwaway key: the bench's database is deleted after
        runtime = Runtime(
            Settings(database_url=url, secret_key=key, log_level="WARNING"), adapter_factory=systems.factory
        )
        profiles = [
            {"type": "social_profile", "network": "instagram", "id": f"ig{i}", "handle": f"user{i}",
             "name": f"Person {i}", "email": f"person{i}@example.com"}
            for i in range(count)
        ]  # fmt: skip
        timed(
            "ingest (setup)",
            count,
            lambda: runtime.ingest.ingest((parse_record(p) for p in profiles), IngestReport(), inline=True),
        )
        (workdir / "m.yaml").write_text(MAPPING, encoding="utf-8")
        (workdir / "rapport.yaml").write_text(APPLY, encoding="utf-8")
        apply_file(workdir / "rapport.yaml", runtime.database, runtime.secret_box(), systems.factory)
        timed("push (create one CRM record per customer)", count, lambda: runtime.sync.run("push-crm", "push"))
        seeded = systems.systems.setdefault("pull-crm", MemorySystem())
        for i in range(count):
            seeded.create({"firstname": "Person", "lastname": str(i), "email": f"person{i}@example.com"})
        timed("pull (resolve and link existing CRM contacts)", count, lambda: runtime.sync.run("pull-crm", "pull"))
        timed("first two-way round (writes link ids into pulled records)", count,
              lambda: [runtime.sync.run(name) for name in ("push-crm", "pull-crm")])  # fmt: skip
        for label in ("echo round (our own writes come back and are dropped)", "idle round (nothing changed)"):
            calls = {name: s.calls for name, s in systems.systems.items()}
            start = time.perf_counter()
            runs = [runtime.sync.run(name) for name in ("push-crm", "pull-crm")]
            print(json.dumps({
                "phase": label, "seconds": round(time.perf_counter() - start, 2),
                "api_calls": {name: s.calls - calls[name] for name, s in systems.systems.items()},
                "pulled": sum(r["pulled"] for r in runs), "skipped": sum(r["skipped"] for r in runs),
                "writes": sum(r["created"] + r["updated"] for r in runs), "peak_memory_mb": round(peak_mb()),
            }))  # fmt: skip
        runtime.database.dispose()


if __name__ == "__main__":
    main()
