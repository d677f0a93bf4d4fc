"""`rapport demo --once --json`: the whole main job from a fresh start, checked by what it achieved."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RAPPORT = str(Path(sys.executable).with_name("rapport"))


def test_demo_runs_the_main_job_end_to_end(tmp_path: Path) -> None:
    done = subprocess.run(
        [RAPPORT, "demo", "--once", "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["errors"] == []
    assert summary["edit_arrived"] is True  # a Salesforce edit reached HubSpot through the hub
    assert summary["merged"] > 0  # social profiles and CRM contacts of the same people became one customer
    for crm in ("salesforce", "hubspot"):
        assert summary[crm]["pulled"] > 0
        assert summary[crm]["updated"] > 0  # link ids, customer ids and social signals written back
        assert summary[crm]["rejected"] == 0
        assert summary[crm]["api_calls"] > 0
    assert summary["interactions_written"] > 0
    assert summary["webhooks_delivered"] > 0  # verified by the demo's own receiver
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())  # the demo keeps its files out of the working directory
