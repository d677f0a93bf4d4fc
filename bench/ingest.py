"""Ingest benchmark: `rapport ingest` of 100,000 synthetic records on SQLite and PostgreSQL.

Prints records per second (wall clock, including resolution) and the peak memory of the ingest process.
`--reconcile` runs `rapport ingest --reconcile`: every record reclustered at the end, in the same process.
Run: `.venv/bin/python -m bench.ingest [--records N] [--backends sqlite,postgres] [--social PEOPLE] [--reconcile]`.
Goal (issue 2): >= 5,000 records/s on SQLite on a 2-core machine, peak memory under 300 MB.
`--social 30000` ingests the multilingual benchmark's people instead (bench/data_gen: about 84,000 profiles
and contacts of 30,000 people); issue 3's goal: ingested and resolved in <= 60 s, peak memory <= 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

RAPPORT = str(Path(sys.executable).with_name("rapport"))
PG_ADMIN = os.environ.get("RAPPORT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NETWORKS = ["instagram", "x", "tiktok", "linkedin", "youtube", "threads"]
FIRST = ["Minsu", "Seoyeon", "Wei", "Priya", "Matej", "Ana", "José", "María", "Robert", "Jennifer", "Pooja", "Li"]
LAST = ["Kim", "Lee", "Zhang", "Sharma", "Novak", "Kovačič", "García", "Fernández", "Smith", "Wilson", "Patel"]


def synthetic_records(count: int, seed: int = 7) -> list[dict[str, object]]:
    """A mix of profiles (40%), contacts (30%) and interactions (30%); about a third of people share an email."""
    rng = random.Random(seed)
    people = max(1, count // 3)
    records: list[dict[str, object]] = []
    for i in range(count):
        person = rng.randrange(people)
        email = f"person{person}@example.com" if rng.random() < 0.5 else None
        roll = rng.random()
        if roll < 0.4:
            net = rng.choice(NETWORKS)
            rec = {"type": "social_profile", "network": net, "id": f"u{i}", "handle": f"h{person}_{i}",
                   "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "followers": rng.randrange(10_000),
                   "bio": "Coffee, travel and code. " * rng.randrange(1, 4)}  # fmt: skip
        elif roll < 0.7:
            rec = {"type": "contact", "system": rng.choice(["salesforce", "hubspot"]), "id": f"c{i}",
                   "first_name": rng.choice(FIRST), "last_name": rng.choice(LAST), "country": "US",
                   "phone": f"+1 415 555 {person % 10000:04d}" if rng.random() < 0.2 else None}  # fmt: skip
        else:
            rec = {"type": "interaction", "network": rng.choice(NETWORKS), "id": f"p{i}",
                   "profile_id": f"u{rng.randrange(count)}", "kind": "comment", "text": "love it",
                   "created_at": "2026-10-01T10:00:00Z", "sentiment": round(rng.uniform(-1, 1), 2)}  # fmt: skip
        if email and rec["type"] != "interaction":
            rec["email"] = email.upper() if rng.random() < 0.3 else email
        records.append({k: v for k, v in rec.items() if v is not None})
    return records


def social_records(people: int) -> list[dict[str, object]]:
    """The multilingual benchmark's records (bench/data_gen) as ingest lines."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.data_gen.generate import generate

    records, _ = generate(people, 7)
    return [{k: v for k, v in record.items() if v not in ("", None)} for record in records]


# Runs a command and prints its own children's peak RSS last, so each measured run gets a clean figure.
PEAK_WRAPPER = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
)


def run_ingest(database_url: str, data: Path, reconcile: bool) -> dict[str, object]:
    """Run `rapport ingest` in a child process; its seconds, peak RSS (MB) and output."""
    env = {**os.environ, "RAPPORT_DATABASE_URL": database_url, "RAPPORT_LOG_LEVEL": "WARNING"}
    subprocess.run([RAPPORT, "migrate"], env=env, check=True, capture_output=True)
    flag = "--reconcile" if reconcile else "--no-reconcile"
    seconds, peak, out = _timed(env, "ingest", flag, str(data))
    return {"reconcile": reconcile, "seconds": round(seconds, 2), "peak_memory_mb": round(peak, 1), "output": out}


def _timed(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, RAPPORT, *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    *output, peak_kb = done.stdout.strip().splitlines()
    return seconds, int(peak_kb) / 1024, " ".join(output)


def bench_backend(backend: str, data: Path, count: int, workdir: Path, reconcile: bool) -> dict[str, object]:
    """One measured ingest on a fresh database of `backend`."""
    if backend == "sqlite":
        result = run_ingest(f"sqlite:///{workdir / 'bench.db'}", data, reconcile)
    else:
        name = f"rapport_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            result = run_ingest(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", data, reconcile)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    seconds = float(str(result["seconds"]))
    return {"backend": backend, "records": count, "records_per_second": round(count / seconds), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--social", type=int, default=0, help="ingest this many generated multilingual people")
    parser.add_argument("--reconcile", action="store_true", help="recluster every record at the end")
    args = parser.parse_args()
    records = social_records(args.social) if args.social else synthetic_records(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        data = workdir / "records.ndjson"
        with data.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        for backend in args.backends.split(","):
            result = bench_backend(backend.strip(), data, len(records), workdir, args.reconcile)
            print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
