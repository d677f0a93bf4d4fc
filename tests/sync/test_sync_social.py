"""Social history: each interaction written once per connection, to the customer's primary record there."""

from __future__ import annotations

from pathlib import Path

from hub.runtime import Runtime
from tests.sync.conftest import MemoryCrms
from tests.sync.sync_helpers import apply, ingest, set_modified

PROFILE = {"type": "social_profile", "network": "instagram", "id": "ig1", "handle": "minsu.kim",
           "email": "minsu@example.com"}  # fmt: skip


def _post(n: int) -> dict[str, object]:
    return {"type": "interaction", "network": "instagram", "id": f"p{n}", "profile_id": "ig1", "kind": "post",
            "text": f"post {n}", "created_at": f"2026-10-0{n}T10:00:00Z"}  # fmt: skip


def test_interactions_go_once_to_the_primary_record_of_each_connection(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    a, b = crms.system("a"), crms.system("b")
    older = a.create({"firstname": "Minsu", "email": "minsu@example.com"})
    newer = a.create({"firstname": "Min-su", "email": "minsu@example.com"})  # a duplicate, changed later
    set_modified(a, older, "2026-01-01T00:00:00+00:00")
    set_modified(a, newer, "2026-02-01T00:00:00+00:00")
    only = b.create({"firstname": "Minsu", "email": "minsu@example.com"})
    apply(runtime, crms, tmp_path, names=("a", "b"))
    ingest(runtime, PROFILE, _post(1), _post(2))

    first = [runtime.sync.run(name)["interactions_written"] for name in ("a", "b")]

    assert first == [2, 2]
    assert {k: v["parent_id"] for k, v in a.interactions.items()} == {"instagram:p1": newer, "instagram:p2": newer}
    assert {v["parent_id"] for v in b.interactions.values()} == {only}
    assert a.records[older]["rapport_customer_id"] == a.records[newer]["rapport_customer_id"]

    again = [runtime.sync.run(name)["interactions_written"] for name in ("a", "b")]
    assert again == [0, 0]

    ingest(runtime, _post(3))
    later = [runtime.sync.run(name)["interactions_written"] for name in ("a", "b")]
    assert later == [1, 1]
    assert len(a.interactions) == len(b.interactions) == 3
    assert a.interactions["instagram:p3"] == {"parent_id": newer, "text": "post 3"}


def test_no_social_history_when_the_connection_says_so(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    crm = crms.system("crm")
    crm.create({"firstname": "Minsu", "email": "minsu@example.com"})
    apply(runtime, crms, tmp_path, social_history="false")
    ingest(runtime, PROFILE, _post(1))

    summary = runtime.sync.run("crm")

    assert summary["interactions_written"] == 0 and crm.interactions == {}
    assert "minsu.kim" in next(iter(crm.records.values()))["rapport_social_handles"]
