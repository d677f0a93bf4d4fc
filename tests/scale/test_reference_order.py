"""The kill test compares a concurrent run with a sequential one; that comparison only means something if the
sequential result of its data does not depend on order or batching. This checks it, in-process on SQLite."""

from __future__ import annotations

import io
import random
from pathlib import Path

from hub.export import write_links
from hub.ingest.service import IngestReport, validated
from hub.runtime import Runtime
from hub.settings import Settings
from tests.scale.people import Record, sparse_person_records, spread
from tests.scale.processes import Partition, partition_of

PEOPLE = 120


def resolved_partition(records: list[Record], path: Path, batch: int) -> Partition:
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", ingest_batch_size=batch))
    try:
        report = IngestReport()
        runtime.ingest.ingest(validated(enumerate(records), report), report, inline=True)
        assert report.rejected == 0, report.errors[:3]
        out = io.StringIO()
        with runtime.database.transaction() as conn:
            write_links(conn, out)  # what `rapport export links` writes
        return partition_of(out.getvalue())
    finally:
        runtime.database.dispose()


def test_the_reference_partition_does_not_depend_on_order(tmp_path: Path) -> None:
    streams = spread(PEOPLE, 4)
    by_stream = [record for stream in streams for record in stream]
    by_person = [record for batch in zip(*streams, strict=False) for record in batch]
    first = resolved_partition(by_stream, tmp_path / "a.db", batch=2000)
    assert len(first) == PEOPLE and all(len(customer) == 5 for customer in first)
    assert resolved_partition(list(reversed(by_stream)), tmp_path / "b.db", batch=50) == first
    assert resolved_partition(by_person, tmp_path / "c.db", batch=7) == first


def test_sparse_records_resolve_the_same_in_any_order(tmp_path: Path) -> None:
    # Sparse records (an instagram profile with only a handle and a phone) once joined their person only in some
    # orders: whether two records may share a customer depended on how many records had been seen.
    rng = random.Random(11)
    by_person = [record for k in range(PEOPLE) for record in sparse_person_records(k, rng)]
    first = resolved_partition(by_person, tmp_path / "a.db", batch=2000)
    assert resolved_partition(list(reversed(by_person)), tmp_path / "b.db", batch=50) == first
