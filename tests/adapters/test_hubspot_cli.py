"""`rapport sandbox hubspot` as a user runs it: a real subprocess, reached with hubspot-api-client."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from hubspot import HubSpot
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInputUpsert

RAPPORT = Path(sys.executable).with_name("rapport")


def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [str(RAPPORT), "sandbox", "hubspot", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    first = process.stdout.readline()
    return process, json.loads(first)


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=15)


def test_rapport_sandbox_hubspot_serves_the_official_client(tmp_path: Path) -> None:
    state = tmp_path / "portal.json"
    process, details = start("--blank", "--state-file", str(state))
    try:
        assert details["base_url"].startswith("http://127.0.0.1:") and details["access_token"]
        client = HubSpot(access_token=details["access_token"], host=details["base_url"])
        names = {p.name for p in client.crm.properties.core_api.get_all("contacts").results}
        assert "email" in names and "rapport_id" not in names
        upsert = BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[{"id": "a@example.com", "idProperty": "email", "properties": {"firstname": "Ada"}}]
        )
        assert client.crm.contacts.batch_api.upsert(upsert).results[0].new is True
    finally:
        stop(process)
    process, details = start("--state-file", str(state))
    try:
        client = HubSpot(access_token=details["access_token"], host=details["base_url"])
        kept = client.crm.contacts.basic_api.get_page(properties=["firstname"]).results
        assert [c.properties["firstname"] for c in kept] == ["Ada"]
    finally:
        stop(process)
