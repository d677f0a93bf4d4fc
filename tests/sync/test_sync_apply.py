"""`rapport apply` files (CONTRACT.md, "`rapport apply` file"): idempotent, all-or-nothing, every problem listed
with its file and line, secrets encrypted and never echoed, YAML or JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.schema import FieldSchema, ObjectSchema
from hub.db.sync_tables import connections, mapping_versions
from hub.runtime import Runtime
from hub.sync.apply import ApplyRefusedError, ApplyReport, apply_file
from tests.sync.conftest import MemoryCrms
from tests.sync.sync_helpers import count, mapping_text

TOKEN = "pat-na1-7f3c9e2a-secret-value"
GOOD = """
connections:
  - name: crm
    kind: hubspot
    base_url: http://memory.invalid
    auth: {access_token: "${HS_TOKEN}"}
    mapping: m.yaml
    schedule: {every: 5m}
"""
MAPPING = mapping_text(
    "{target: email, source: email, conflict: fill_empty}",
    "{target: firstname, source: first_name, conflict: crm_wins}",
)


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TOKEN", TOKEN)


def _apply(runtime: Runtime, crms: MemoryCrms, tmp_path: Path, text: str, name: str = "rapport.yaml") -> ApplyReport:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return apply_file(path, runtime.database, runtime.secret_box(), crms.factory)


def _refused(runtime: Runtime, crms: MemoryCrms, tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ApplyRefusedError) as refused:
        _apply(runtime, crms, tmp_path, text, "refused.yaml")
    return refused.value.problems


def _stored(runtime: Runtime) -> tuple[int, int]:
    return count(runtime, connections), count(runtime, mapping_versions)


def test_applying_twice_changes_nothing_the_second_time(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")

    first = _apply(runtime, crms, tmp_path, GOOD)
    second = _apply(runtime, crms, tmp_path, GOOD)

    assert first.changes == ["connection crm saved", "connection crm: contact mapping v1"]
    assert second.changes == []
    assert _stored(runtime) == (1, 1)
    (tmp_path / "m.yaml").write_text(MAPPING.replace("crm_wins", "most_recent"), encoding="utf-8")
    assert _apply(runtime, crms, tmp_path, GOOD).changes == ["connection crm: contact mapping v2"]


def test_secrets_are_stored_encrypted_only(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    report = _apply(runtime, crms, tmp_path, GOOD)

    with runtime.database.transaction() as conn:
        row = conn.execute(select(connections)).one()
    assert TOKEN not in json.dumps(row.config) and "auth" not in row.config
    assert row.secrets and TOKEN not in row.secrets
    assert TOKEN not in " ".join(report.changes + report.warnings)
    assert runtime.sync.load("crm").auth == {"access_token": TOKEN}  # decrypted for the adapter only


def test_a_json_apply_file_is_accepted(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    entry = {"name": "crm", "kind": "hubspot", "base_url": "http://memory.invalid",
             "auth": {"access_token": "${HS_TOKEN}"}, "mapping": "m.yaml"}  # fmt: skip

    report = _apply(runtime, crms, tmp_path, json.dumps({"connections": [entry]}), "rapport.json")

    assert report.changes == ["connection crm saved", "connection crm: contact mapping v1"]
    assert runtime.sync.load("crm").mapping == "m.yaml"


def test_a_refused_file_lists_every_problem_and_changes_nothing(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    _apply(runtime, crms, tmp_path, GOOD)
    before = _stored(runtime)
    monkeypatch.delenv("MISSING_TOKEN", raising=False)
    (tmp_path / "bad.yaml").write_text(
        mapping_text("{target: emial, source: email}", "{target: firstname, source: first_nam}"), encoding="utf-8"
    )
    text = f"""
connections:
  - name: crm
    kind: hubspot
    base_url: http://memory.invalid
    auth: {{access_token: "${{HS_TOKEN}}"}}
    mapping: bad.yaml
  - name: other
    kind: hubspot
    base_url: http://memory.invalid
    auth: {{access_token: "${{MISSING_TOKEN}}"}}
  - name: crm
    kind: hubspot
    base_url: http://memory.invalid
    auth: {{access_token: "{TOKEN}"}}
"""
    problems = _refused(runtime, crms, tmp_path, text)

    joined = "\n".join(problems)
    assert "first_nam" in joined  # an unknown source, with its file and line
    assert any("bad.yaml" in p and "first_nam" in p for p in problems)
    assert "environment variable MISSING_TOKEN is not set" in joined
    assert "the name crm is used twice" in joined
    assert TOKEN not in joined
    assert _stored(runtime) == before
    assert runtime.sync.load("crm").mapping == "m.yaml"


def test_a_mapping_naming_a_field_the_crm_lacks_is_refused_with_its_line(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path
) -> None:
    (tmp_path / "m.yaml").write_text(mapping_text("{target: emial, source: email}"), encoding="utf-8")

    problems = _refused(runtime, crms, tmp_path, GOOD)

    assert len(problems) == 1
    assert "m.yaml:6: [emial]" in problems[0] and "emial" in problems[0] and "did you mean 'email'" in problems[0]
    assert _stored(runtime) == (0, 0)


def test_bad_yaml_is_refused_with_its_line(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    text = "connections:\n  - name: crm\n    kind: hubspot\n    auth: {access_token: [unclosed\n"

    problems = _refused(runtime, crms, tmp_path, text)

    assert len(problems) == 1 and "refused.yaml:" in problems[0] and "not valid YAML or JSON" in problems[0]
    assert _stored(runtime) == (0, 0)


def test_a_file_that_is_not_utf8_is_refused(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"connections: []\n\xff\xfe\x00")
    with pytest.raises(ApplyRefusedError) as refused:
        apply_file(path, runtime.database, runtime.secret_box(), crms.factory)
    assert "not UTF-8" in refused.value.problems[0]
    assert _stored(runtime) == (0, 0)


def test_a_mapping_that_can_overflow_a_field_is_refused(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    system = crms.system("crm")
    fields = dict(system.schema.fields)
    fields["firstname"] = replace(fields["firstname"], length=40)
    system.schema = ObjectSchema("contact", fields)
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")

    problems = _refused(runtime, crms, tmp_path, GOOD)

    assert len(problems) == 1
    assert "firstname" in problems[0] and "can overflow" in problems[0] and "truncate: 40" in problems[0]
    assert _stored(runtime) == (0, 0)
    bounded = MAPPING.replace("conflict: crm_wins", "transforms: [{truncate: 40}], conflict: crm_wins")
    (tmp_path / "m.yaml").write_text(bounded, encoding="utf-8")
    assert _apply(runtime, crms, tmp_path, GOOD).changes[-1] == "connection crm: contact mapping v1"


def test_a_crm_never_set_up_is_a_warning_to_run_setup(runtime: Runtime, crms: MemoryCrms, tmp_path: Path) -> None:
    system = crms.system("crm")
    system.schema = ObjectSchema(
        "contact", {k: v for k, v in system.schema.fields.items() if not k.startswith("rapport_")}
    )
    assert isinstance(system.schema.get("email"), FieldSchema)

    report = _apply(runtime, crms, tmp_path, GOOD.replace("    mapping: m.yaml\n", ""))

    assert report.changes[0] == "connection crm saved"
    assert len(report.warnings) == 1
    assert "run `rapport setup crm` before syncing" in report.warnings[0]
    assert "rapport_id" in report.warnings[0]


def test_a_duplicate_name_is_reported_even_when_its_first_use_has_other_problems(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HS_TOKEN")
    once = GOOD.replace("    mapping: m.yaml\n", "")
    text = once + once.split("connections:\n")[1]

    problems = _refused(runtime, crms, tmp_path, text)

    assert [p.split(": ", 1)[1] for p in problems] == [
        "connections[0] (crm): environment variable HS_TOKEN is not set",
        "connections[1] (crm): the name crm is used twice",
    ]


def test_a_rotated_secret_is_saved_again(
    runtime: Runtime, crms: MemoryCrms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    _apply(runtime, crms, tmp_path, GOOD)
    monkeypatch.setenv("HS_TOKEN", "pat-na1-rotated")

    report = _apply(runtime, crms, tmp_path, GOOD)

    assert report.changes == ["connection crm saved"]
    assert runtime.sync.load("crm").auth == {"access_token": "pat-na1-rotated"}
    with runtime.database.transaction() as conn:
        row = conn.execute(select(connections)).one()
    assert "pat-na1-rotated" not in (row.secrets or "") and "pat-na1-rotated" not in json.dumps(row.config)
