"""Salesforce adapter benchmark: 10,000 contacts pushed and pulled against the sandbox over HTTPS.

Prints records per API call and records per second for: pushes through sObject Collections (200 a call),
pushes through Bulk API 2.0 (one job), a second push of the same records (all updates), and pulls of the change
feed (2,000 a page). Run: `.venv/bin/python bench/salesforce.py [--records N]`.
Goals (issue 6): >= 190 records per call on writes, >= 1,900 per call on reads.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import requests

from adapters.base import UpsertItem
from adapters.salesforce import SalesforceAdapter, from_config
from adapters.salesforce.sandbox import SandboxHandle, start_in_thread


def adapter_for(handle: SandboxHandle, **overrides: Any) -> SalesforceAdapter:
    base = {"name": "bench", "instance_url": handle.instance_url, "auth": {"session_id": handle.session_id},
            "ca_file": handle.ca_file, "objects": ["contact"]}  # fmt: skip
    return from_config({**base, **overrides})


def reset(handle: SandboxHandle) -> None:
    session = requests.Session()
    session.trust_env = False
    session.post(f"{handle.instance_url}/__sandbox__/reset", verify=handle.ca_file, timeout=30).raise_for_status()


def items(count: int) -> list[UpsertItem]:
    return [
        UpsertItem(
            f"lnk_{n:06d}",
            {"FirstName": f"Ana{n}", "LastName": "Novak", "Email": f"ana{n}@example.com", "MailingCity": "Ljubljana",
             "Rapport_Customer_Id__c": f"cus_{n:06d}", "Rapport_Social_Followers__c": n % 5000,
             "Rapport_Social_Handles__c": f"instagram: @ana{n}\nx: @ana_{n}"},
        )
        for n in range(count)
    ]  # fmt: skip


def measure(label: str, adapter: SalesforceAdapter, records: int, run: Callable[[], int]) -> dict[str, Any]:
    calls = adapter.api_calls
    started = time.perf_counter()
    done = run()
    seconds = time.perf_counter() - started
    used = adapter.api_calls - calls
    assert done == records, f"{label}: {done} of {records}"
    return {"case": label, "records": records, "api_calls": used, "records_per_call": round(records / used, 1),
            "records_per_second": round(records / seconds), "seconds": round(seconds, 2)}  # fmt: skip


def push(adapter: SalesforceAdapter, batch: list[UpsertItem]) -> int:
    return sum(1 for r in adapter.upsert_batch("contact", batch) if r.ok)


def pull(adapter: SalesforceAdapter) -> int:
    return sum(len(page.records) for page in adapter.list_changes("contact", None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    count = parser.parse_args().records
    batch = items(count)
    results = []
    with start_in_thread() as handle:
        collections = adapter_for(handle, bulk_threshold=10**9)
        collections.describe("contact")
        results.append(
            measure("push, sObject Collections (creates)", collections, count, lambda: push(collections, batch))
        )
        results.append(
            measure("push again, sObject Collections (updates)", collections, count, lambda: push(collections, batch))
        )
        results.append(measure("pull, queryAll change feed", collections, count, lambda: pull(collections)))
        reset(handle)
        bulk = adapter_for(handle)
        results.append(measure("push, Bulk API 2.0 (creates)", bulk, count, lambda: push(bulk, batch)))
    width = max(len(r["case"]) for r in results)
    for r in results:
        print(f"{r['case']:<{width}}  {r['records_per_call']:>8} records/call  {r['records_per_second']:>6} records/s  "
              f"({r['api_calls']} calls, {r['seconds']} s)")  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()
