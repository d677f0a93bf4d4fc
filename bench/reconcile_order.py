"""Order through the hub: the same people ingested in two orders, customers compared before and after reconciling.

Run: `.venv/bin/python -m bench.reconcile_order [PEOPLE]` (default 3000). Two SQLite stores get the multilingual
benchmark's records with `rapport ingest`: one sorted in batches of 5,000, one shuffled in batches of 100. Prints
how many records sit in a different customer, and whether the open review queues agree, after `rapport ingest`
and after `rapport reconcile`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.ingest import RAPPORT, social_records


def _rapport(url: str, *args: str, batch: int = 5000) -> str:
    env = {**os.environ, "RAPPORT_DATABASE_URL": url, "RAPPORT_LOG_LEVEL": "WARNING",
           "RAPPORT_INGEST_BATCH_SIZE": str(batch)}  # fmt: skip
    return subprocess.run([RAPPORT, *args], env=env, check=True, capture_output=True, text=True).stdout


def _partition(url: str) -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(_rapport(url, "export", "links"))):
        key = f"{row['record_type']}:{row['source']}:{row['external_id']}"
        members.setdefault(row["customer_id"], set()).add(key)
    return {key: frozenset(group) for group in members.values() for key in group}


def _review(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {key for (key,) in conn.execute("SELECT record_key FROM review_items WHERE status = 'open'")}


def _compare(label: str, paths: list[Path]) -> None:
    a, b = (_partition(f"sqlite:///{path}") for path in paths)
    moved = sum(1 for key in a if a[key] != b.get(key))
    same_review = _review(paths[0]) == _review(paths[1])
    print(f"{label}: {moved} of {len(a)} records in a different customer; review queues agree: {same_review}")


def main(argv: list[str]) -> None:
    """Ingest, compare, reconcile, compare."""
    people = int(argv[0]) if argv else 3000
    records = social_records(people)
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / "sorted.db", Path(tmp) / "shuffled.db"]
        shuffled = records[:]
        random.Random(5).shuffle(shuffled)
        for path, lines, batch in ((paths[0], records, 5000), (paths[1], shuffled, 100)):
            data = path.with_suffix(".ndjson")
            data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
            _rapport(f"sqlite:///{path}", "ingest", str(data), batch=batch)
        _compare(f"{people} people after rapport ingest", paths)
        for path in paths:
            print("  reconcile:", _rapport(f"sqlite:///{path}", "reconcile", "--json").strip())
        _compare(f"{people} people after rapport reconcile", paths)


if __name__ == "__main__":
    main(sys.argv[1:])
