"""The rest of the CLI surface: help, commands not available yet, demo, keys and migrate."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from hub.cli import app
from hub.db.engine import build_engine

RAPPORT = str(Path(sys.executable).with_name("rapport"))
UNUSED_URL = "sqlite:///./never-created.db"


def rapport(*args: str, url: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAPPORT_DATABASE_URL": url, "RAPPORT_SECRET_KEY": "test-secret-key-for-cli-tests"}
    result = subprocess.run(
        [RAPPORT, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=180, check=False
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def in_process(*args: str, url: str) -> Result:
    """A command through typer's runner (no process start-up)."""
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        result = CliRunner().invoke(app, list(args), env={"RAPPORT_DATABASE_URL": url})
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)  # it writes to the runner's closed stream
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = rapport("--help", url=UNUSED_URL, cwd=tmp_path)
    assert result.returncode == 0
    for command in ("demo", "serve", "worker", "migrate", "ingest", "export", "resolve", "apply", "sync", "sandbox"):
        assert re.search(rf"\b{command}\b", result.stdout), command
    assert re.search(r"\bkeys\b", result.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ("apply", "connections.yaml"),
        ("setup", "sf"),
        ("sync", "run", "sf"),
    ],
)
def test_commands_without_what_they_need_say_why_and_exit_2(args: tuple[str, ...], tmp_path: Path) -> None:
    # Either "not available yet" (the issue has not landed) or a refusal naming what is missing: never a crash.
    result = rapport(*args, url=f"sqlite:///{tmp_path / 'r.db'}", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip()
    assert "not available yet" in result.stderr or "sf" in result.stderr or "connections.yaml" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 5


def test_sandbox_is_documented_in_help(tmp_path: Path) -> None:
    # `rapport sandbox` is being built by another issue (it serves until stopped), so only its help is run here.
    result = rapport("sandbox", "--help", url=UNUSED_URL, cwd=tmp_path)
    assert result.returncode == 0
    assert "salesforce" in result.stdout.lower() or "hubspot" in result.stdout.lower() or "CRM" in result.stdout


def test_resolve_does_not_crash(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("id,name\n1,Ana\n")
    (tmp_path / "c.yaml").write_text("fields:\n  name: {kind: full_name}\n")
    result = rapport("resolve", "in.csv", "--config", "c.yaml", "--out", "out.csv", url=UNUSED_URL, cwd=tmp_path)
    assert result.returncode in (0, 1, 2, 3)


def test_demo_once_json_prints_one_summary_object(tmp_path: Path) -> None:
    result = rapport("demo", "--once", "--json", url=UNUSED_URL, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert isinstance(summary, dict)
    expected = {"customers", "merged", "salesforce", "hubspot", "interactions_written", "webhooks_delivered", "errors"}
    assert expected <= set(summary)
    assert summary["customers"] > 0
    assert not (tmp_path / "never-created.db").exists()


def test_keys_create_list_revoke(database_url: str) -> None:
    created = rapport("keys", "create", "--scope", "read", "--name", "ci", url=database_url)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"rpk_[A-Za-z0-9_\-]+", key)
    key_id = re.search(r"\bkey_[0-9a-f]+\b", created.stdout)
    assert key_id
    listed = rapport("keys", "list", url=database_url)
    assert listed.returncode == 0, listed.stderr
    assert key not in listed.stdout
    assert key_id.group() in listed.stdout
    assert "read" in listed.stdout
    revoked = rapport("keys", "revoke", key_id.group(), url=database_url)
    assert revoked.returncode == 0, revoked.stderr
    again = in_process("keys", "revoke", key_id.group(), url=database_url)
    assert again.exit_code == 2
    assert key_id.group() in again.stderr
    [row] = [line.split("\t") for line in in_process("keys", "list", url=database_url).stdout.splitlines()[1:]]
    assert row[0] == key_id.group()
    assert row[5]  # revoked at
    bad_scope = in_process("keys", "create", "--scope", "root", url=database_url)
    assert bad_scope.exit_code == 2


def test_migrate_creates_the_schema_on_a_fresh_database(
    database_url: str, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        result = rapport("migrate", url=url)
        assert result.returncode == 0, result.stderr
        tables = set(inspect(build_engine(url)).get_table_names())
        assert {"customers", "source_records", "jobs"} <= tables
        return
    templates = request.getfixturevalue("postgres_templates")
    name = f"rapport_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(templates.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(templates.admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        result = rapport("migrate", url=url)
        assert result.returncode == 0, result.stderr
        again = rapport("migrate", url=url)
        assert again.returncode == 0, again.stderr
        engine = build_engine(url)
        assert {"customers", "source_records", "jobs"} <= set(inspect(engine).get_table_names())
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
