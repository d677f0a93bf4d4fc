"""`rapport apply` declares webhook endpoints and inbound sources (idempotent; a refusal saves nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.db.webhook_tables import inbound_sources, webhook_endpoints
from hub.runtime import Runtime
from hub.sync.apply import ApplyRefusedError, apply_file
from hub.webhooks_apply import section_savers
from tests.sync.conftest import MemoryCrms

GOOD = """
inbound_sources:
  - {name: listening-tool, kind: standard, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
webhook_endpoints:
  - name: crm-events
    url: https://hooks.example.com/rapport
    events: [customer.created, customer.merged]
"""
BAD = """
connections:
  - {name: crm, kind: hubspot, base_url: http://memory.invalid, auth: {access_token: t}}
webhook_endpoints:
  - {name: broken, url: "ftp://example.com/x"}
"""


def _count(runtime: Runtime, table: object) -> int:
    with runtime.database.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_endpoints_and_sources_are_declared_once(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(GOOD, encoding="utf-8")
    first = apply_file(path, runtime.database, runtime.secret_box(), crms.factory, section_savers())
    again = apply_file(path, runtime.database, runtime.secret_box(), crms.factory, section_savers())
    assert [name for name, _ in first.secrets] == ["crm-events"]
    assert first.secrets[0][1].startswith("whsec_")
    assert again.secrets == []
    assert (_count(runtime, webhook_endpoints), _count(runtime, inbound_sources)) == (1, 1)


def test_a_bad_endpoint_refuses_the_whole_file(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ApplyRefusedError) as refused:
        apply_file(path, runtime.database, runtime.secret_box(), crms.factory, section_savers())
    assert "broken" in str(refused.value)
    with runtime.database.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(webhook_endpoints)).scalar_one() == 0
    assert runtime.sync.load  # the connection was not saved either:
    with pytest.raises(Exception, match="no connection named"):
        runtime.sync.load("crm")
