"""HubSpot adapter benchmark: 10,000 contacts pushed and pulled through hubspot-api-client against the sandbox.

Figures: records per call on writes, calls per record for a full push, calls for an idle incremental pull, notes
per call, and the rate-limit ceiling: the share of the portal's allowed request rate the adapter sustains, with
the number of 429s the sandbox had to send (goal: none).
Run: `.venv/bin/python bench/hubspot.py [--contacts N] [--window S] [--ceiling-window S] [--ceiling-seconds S]`.
Goals (issue 7): >= 95 records per write call; <= 0.011 calls per record for a full push; <= 5 calls for an
idle incremental pull; >= 90% of the allowed request rate without a single 429.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

# This file is named like the `hubspot` package: take its own folder off the path so `import hubspot` finds the client.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from adapters.base import InteractionItem, UpsertItem  # noqa: E402
from adapters.hubspot import HubSpotAdapter, parse_config  # noqa: E402
from adapters.hubspot.sandbox import SandboxHandle, start_in_thread  # noqa: E402


def adapter_for(handle: SandboxHandle, tier: str = "private_app") -> HubSpotAdapter:
    config = {"name": "bench", "base_url": handle.base_url, "auth": {"access_token": handle.access_token}}
    return HubSpotAdapter(parse_config({**config, "portal_tier": tier}))


def contacts(n: int) -> list[UpsertItem]:
    def fields(i: int) -> dict[str, Any]:
        return {"firstname": f"First{i}", "lastname": "Bench", "email": f"c{i}@example.com", "city": "Ljubljana",
                "rapport_social_followers": i % 5000}  # fmt: skip

    return [UpsertItem(f"lnk-{i:06d}", fields(i)) for i in range(n)]


def measure(adapter: HubSpotAdapter, work: Any) -> tuple[Any, int, float]:
    before, start = adapter.api_calls, time.perf_counter()
    result = work()
    return result, adapter.api_calls - before, time.perf_counter() - start


def sync_figures(n: int, window: float) -> dict[str, Any]:
    """Push n contacts, pull them all, pull idle, edit some and pull again, write notes."""
    handle = start_in_thread(window=window)
    back = httpx.Client(base_url=handle.base_url + "/__sandbox__")
    try:
        adapter = adapter_for(handle)
        results, push_calls, push_s = measure(adapter, lambda: adapter.upsert_batch("contact", contacts(n)))
        assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
        _, again_calls, again_s = measure(adapter, lambda: adapter.upsert_batch("contact", contacts(n)))
        pages, pull_calls, pull_s = measure(adapter, lambda: list(adapter.list_changes("contact", None)))
        pulled = sum(len(p.records) for p in pages)
        cursor = pages[-1].next_cursor
        idle, idle_calls, _ = measure(adapter, lambda: list(adapter.list_changes("contact", cursor)))
        edited = [r.crm_id for r in results[:500]]
        for crm_id in edited:
            back.patch(f"/records/contacts/{crm_id}", json={"properties": {"city": "Maribor"}}).raise_for_status()
        changed, inc_calls, _ = measure(adapter, lambda: list(adapter.list_changes("contact", cursor)))
        when = datetime(2026, 1, 1, tzinfo=UTC)
        notes = [InteractionItem(f"x:{i}", str(results[i % n].crm_id), "contact", "x", "reply", "inbound",
                                 "thanks!", None, when) for i in range(1000)]  # fmt: skip
        written, note_calls, _ = measure(adapter, lambda: adapter.write_interactions(notes))
        stats = back.get("/stats").json()
        return {
            "contacts": n,
            "push": {"calls": push_calls, "records_per_call": round(n / push_calls, 1),
                     "calls_per_record": round(push_calls / n, 4), "seconds": round(push_s, 2)},
            "repush_unchanged": {"calls": again_calls, "seconds": round(again_s, 2)},
            "full_pull": {"calls": pull_calls, "records": pulled, "seconds": round(pull_s, 2)},
            "idle_incremental_pull": {"calls": idle_calls, "records": sum(len(p.records) for p in idle)},
            "incremental_after_500_edits": {"calls": inc_calls, "records": sum(len(p.records) for p in changed)},
            "notes": {"written": sum(r.ok for r in written), "calls": note_calls,
                      "notes_per_call": round(1000 / note_calls, 1)},
            "sandbox_429s": stats["throttled"],
        }  # fmt: skip
    finally:
        back.close()
        handle.stop()


def ceiling_figures(window: float, seconds: float, tier: str) -> dict[str, Any]:
    """Light calls as fast as the adapter's pacing allows; the share of the allowed rate it sustains."""
    handle = start_in_thread(window=window, tier=tier)
    back = httpx.Client(base_url=handle.base_url + "/__sandbox__")
    try:
        adapter = adapter_for(handle, tier)
        adapter.get_by_ids("contact", ["1"])  # first answer: the adapter learns the window from the headers
        stamps: list[float] = []
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            adapter.get_by_ids("contact", ["1"])
            stamps.append(time.perf_counter())
        stats = back.get("/stats").json()
        allowed = stats["burst"] / window
        steady = (len(stamps) - 1) / (stamps[-1] - stamps[0])
        peak = max(sum(1 for t in stamps if s <= t < s + window) for s in stamps[:: max(1, len(stamps) // 200)])
        return {
            "tier": tier, "window_s": window, "limit_per_window": stats["burst"], "calls": len(stamps),
            "allowed_per_s": round(allowed, 1), "achieved_per_s": round(steady, 1),
            "share_of_allowed": round(steady / allowed, 3), "peak_in_one_window": peak,
            "sandbox_429s": stats["throttled"],
        }  # fmt: skip
    finally:
        back.close()
        handle.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=10.0, help="sandbox rate window for the sync run (s)")
    parser.add_argument("--ceiling-window", type=float, default=2.0, help="sandbox rate window for the ceiling run")
    parser.add_argument("--ceiling-seconds", type=float, default=10.0)
    parser.add_argument("--tier", default="free", help="portal tier for the ceiling run (private_app or free)")
    args = parser.parse_args()
    figures = {
        "sync": sync_figures(args.contacts, args.window),
        "ceiling": ceiling_figures(args.ceiling_window, args.ceiling_seconds, args.tier),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
