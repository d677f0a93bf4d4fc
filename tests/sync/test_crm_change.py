"""A CRM's change notification (inbound webhook) queues one sync of each connection to that CRM."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hub.db.tables import jobs
from hub.runtime import Runtime
from hub.sync.apply import apply_file
from tests.sync.conftest import MemoryCrms

APPLY = """connections:
  - {name: hs-eu, kind: hubspot, base_url: http://memory.invalid, auth: {access_token: t}}
  - {name: hs-us, kind: hubspot, base_url: http://memory.invalid, auth: {access_token: t}, enabled: false}
"""


def test_a_crm_change_queues_a_sync_per_live_connection_once(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    (tmp_path / "a.yaml").write_text(APPLY, encoding="utf-8")
    apply_file(tmp_path / "a.yaml", runtime.database, runtime.secret_box(), crms.factory)
    handler = runtime.handlers()["crm_change"]

    handler({"source": "hubspot", "object": "contact", "ids": ["1"]})
    handler({"source": "hubspot", "object": "contact", "ids": ["2"]})

    with runtime.database.transaction() as conn:
        queued = conn.execute(select(jobs.c.payload).where(jobs.c.kind == "sync")).scalars().all()
    assert queued == [{"connection": "hs-eu", "direction": "both"}]
