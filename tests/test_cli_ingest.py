"""`rapport ingest` and `rapport export` end to end: the real console script, on both backends."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from hub.cli import app

RAPPORT = str(Path(sys.executable).with_name("rapport"))


def rapport(
    *args: str, url: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAPPORT_DATABASE_URL": url, "RAPPORT_SECRET_KEY": "test-secret-key-for-cli-tests"}
    result = subprocess.run(
        [RAPPORT, *args], input=stdin, capture_output=True, env=env, cwd=cwd, timeout=120, check=False
    )
    out, err = result.stdout.decode(), result.stderr.decode()
    assert "Traceback" not in err, err
    return subprocess.CompletedProcess(result.args, result.returncode, out, err)


def ndjson(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def in_process(*args: str, url: str) -> Result:
    """The same commands through typer's runner (no process start-up); for exports, which read no stdin."""
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        result = CliRunner().invoke(app, list(args), env={"RAPPORT_DATABASE_URL": url})
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)  # it writes to the runner's closed stream
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def links(url: str) -> list[dict[str, str]]:
    result = in_process("export", "links", url=url)
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def customers(url: str) -> list[dict[str, Any]]:
    result = in_process("export", "customers", "--format", "ndjson", url=url)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


PROFILE = {"type": "social_profile", "network": "Instagram", "id": "ig-1", "handle": "@ana", "email": "Ana@Example.COM"}
CONTACT = {"type": "contact", "system": "salesforce", "id": "003A", "first_name": "Ana", "email": "ana@example.com"}


def test_bad_lines_are_reported_as_file_line_reason_and_good_lines_kept(database_url: str, tmp_path: Path) -> None:
    good = {"type": "contact", "system": "hubspot", "id": "h1", "email": "h1@example.com"}
    lines = [
        json.dumps(good),  # 1
        "{not json",  # 2
        json.dumps({"type": "contact", "system": "hubspot"}),  # 3: no id
        "",  # 4: blank
        json.dumps({"type": "social_profile", "network": "x", "id": "x1", "followers": "lots"}),  # 5
        json.dumps({"type": "interaction", "network": "x", "id": "p1", "sentiment": 3}),  # 6
        json.dumps({"type": "tweet", "id": "t1"}),  # 7
        json.dumps({"id": "n1"}),  # 8
        json.dumps({"type": "contact", "system": "hubspot", "id": "big", "bio": "z" * 1_100_000}),  # 9: > 1 MB
        json.dumps({"type": "contact", "system": "hubspot", "id": "h2"}),  # 10
    ]
    (tmp_path / "in.ndjson").write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "\xff"}\n')  # 11
    (tmp_path / "in.csv").write_bytes(
        b"\xef\xbb\xbftype,system,id,bio\n"  # 1
        b'contact,sf,c1,"two\nlines"\n'  # 2-3
        b"contact,sf,c2,ok,surplus\n"  # 4
        b"\n"  # 5
        b"contact,sf,c3,fine\n"  # 6
    )
    result = rapport("ingest", "in.ndjson", "in.csv", url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    reported = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in result.stderr.splitlines() if line}
    assert set(reported) == {f"in.ndjson:{n}" for n in (2, 3, 5, 6, 7, 8, 9, 11)} | {"in.csv:4"}
    assert reported["in.ndjson:2"].startswith("invalid JSON")
    assert "id" in reported["in.ndjson:3"]
    assert reported["in.ndjson:5"].startswith("followers")
    assert reported["in.ndjson:6"].startswith("sentiment")
    assert "unknown type" in reported["in.ndjson:7"]
    assert "missing 'type'" in reported["in.ndjson:8"]
    assert reported["in.ndjson:9"] == "line longer than 1048576 bytes"
    assert "UTF-8" in reported["in.ndjson:11"]
    assert "fields but the header has" in reported["in.csv:4"]
    kept = {(row["source"], row["external_id"]) for row in links(database_url)}
    assert kept == {("hubspot", "h1"), ("hubspot", "h2"), ("sf", "c1"), ("sf", "c3")}


def test_all_good_exits_0_twice_gives_identical_links_and_one_customer_per_email(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "in.ndjson").write_text(ndjson(PROFILE, CONTACT, {**CONTACT, "id": "003B", "email": "bo@example.com"}))
    first = rapport("ingest", "in.ndjson", url=database_url, cwd=tmp_path)
    assert (first.returncode, first.stderr) == (0, "")
    before = in_process("export", "links", url=database_url).stdout
    again = rapport("ingest", "in.ndjson", url=database_url, cwd=tmp_path)
    assert again.returncode == 0
    assert in_process("export", "links", url=database_url).stdout == before
    rows = csv.DictReader(io.StringIO(before))
    by_record = {(row["record_type"], row["source"], row["external_id"]): row["customer_id"] for row in rows}
    assert len(by_record) == 3
    ana = by_record[("social_profile", "instagram", "ig-1")]
    assert ana == by_record[("contact", "salesforce", "003A")]
    assert ana != by_record[("contact", "salesforce", "003B")]
    assert all(cid for cid in by_record.values())


def test_interaction_before_its_profile_is_attached_and_changed_record_updates(database_url: str) -> None:
    post = {"type": "interaction", "network": "x", "id": "p1", "profile_id": 77, "kind": "post"}
    early = rapport("ingest", "-", url=database_url, stdin=ndjson(post).encode())
    assert early.returncode == 0, early.stderr
    profile = {"type": "social_profile", "network": "X", "id": "77", "handle": "old"}
    later = rapport("ingest", "-", url=database_url, stdin=ndjson(profile).encode())
    assert later.returncode == 0, later.stderr
    [customer] = customers(database_url)
    assert customer["interactions_count"] == 1
    assert customer["handles"] == {"x": ["old"]}

    changed = rapport("ingest", "-", url=database_url, stdin=b"type,network,id,handle\nsocial_profile,x,77,new\n")
    assert changed.returncode == 0, changed.stderr
    [customer] = customers(database_url)
    assert customer["handles"] == {"x": ["new"]}
    assert customer["interactions_count"] == 1
    assert len(links(database_url)) == 1


def test_missing_file_exits_2_and_empty_file_is_reported(database_url: str, tmp_path: Path) -> None:
    missing = rapport("ingest", "absent.ndjson", url=database_url, cwd=tmp_path)
    assert missing.returncode == 2
    assert "absent.ndjson" in missing.stderr
    (tmp_path / "empty.csv").write_bytes(b"")
    empty = rapport("ingest", "empty.csv", url=database_url, cwd=tmp_path)
    assert empty.returncode == 1
    assert empty.stderr.startswith("empty.csv:1: empty file")


def test_export_customers_csv_and_out_file(database_url: str, tmp_path: Path) -> None:
    rapport("ingest", "-", url=database_url, stdin=ndjson(PROFILE, CONTACT).encode())
    result = in_process("export", "customers", "--out", str(tmp_path / "c.csv"), url=database_url)
    assert result.exit_code == 0
    rows = list(csv.DictReader((tmp_path / "c.csv").open(encoding="utf-8")))
    assert len(rows) == 1
    assert rows[0]["email"] == "ana@example.com"
    assert rows[0]["handles"] == "instagram:ana"
    assert set(rows[0]["records"].split(";")) == {"contact:salesforce:003A", "social_profile:instagram:ig-1"}
    bad = rapport("export", "customers", "--format", "xml", url=database_url)
    assert bad.returncode == 2
    assert "--format" in bad.stderr
    real = rapport("export", "links", url=database_url)  # the console script itself, once
    assert real.returncode == 0
    assert real.stdout.replace("\r\n", "\n") == in_process("export", "links", url=database_url).stdout
