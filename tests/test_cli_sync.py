"""`rapport apply` and `rapport sync run` through the CLI (typer's CliRunner on `hub.cli.app`), on both backends.

The CLI builds its adapters from the connection's kind, so these tests use an `internal` connection to the
internal adapter's test service (real HTTP on loopback) with a mapping file; exit codes follow CONTRACT.md:
0 ok, 1 some records rejected (or a partial run), 2 bad usage or configuration, 3 failed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from hub.cli import app
from tests.adapters import internal_service
from tests.adapters.internal_service import TOKEN, InternalService

SECRET = TOKEN.split()[1]
MAPPING = """object: contact
create: false
fields:
  - {target: rapport_id, source: link_id, direction: push, conflict: hub_wins}
  - {target: rapport_customer_id, source: id, direction: push, conflict: hub_wins}
  - {target: first_name, source: first_name, transforms: [{truncate: 100}], conflict: fill_empty}
  - {target: last_name, source: last_name, transforms: [{truncate: 100}], conflict: fill_empty}
  - {target: email, source: email, conflict: fill_empty}
  - {target: city, source: city, conflict: most_recent}
"""
SCHEMA = """{id: {type: id, writable: false}, first_name: {type: string, length: 100},
             last_name: {type: string, length: 100}, email: {type: email, unique: true}, phone: phone,
             city: string, rapport_id: {type: string, unique: true}, rapport_customer_id: string,
             updated_at: {type: datetime, writable: false}}"""


def apply_text(url: str, name: str = "erp") -> str:
    return f"""connections:
  - name: {name}
    kind: internal
    base_url: {url}/api
    auth: {{header: Authorization, value: "Bearer ${{ERP_TOKEN}}"}}
    id_field: id
    updated_field: updated_at
    deleted_field: deleted
    list_changes: {{path: /customers, since_param: updated_since, items: "$.data", cursor: "$.next", page_size: 2}}
    upsert: {{method: PUT, path: "/customers/{{id}}"}}
    schema: {SCHEMA}
    retry: {{attempts: 1, initial_wait: 0.01, max_wait: 0.1}}
    timeout: 5
    social_history: false
    mapping: erp.yaml
"""


@pytest.fixture
def service() -> Iterator[InternalService]:
    running = InternalService().start()
    yield running
    running.stop()


class Cli:
    def __init__(self, url: str, tmp_path: Path) -> None:
        self.url = url
        self.tmp_path = tmp_path
        self.env = {"RAPPORT_DATABASE_URL": url, "RAPPORT_SECRET_KEY": "cli-sync-test-key", "ERP_TOKEN": SECRET}

    def __call__(self, *args: str) -> Result:
        result = CliRunner().invoke(app, list(args), env=self.env)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        assert SECRET not in result.output + result.stderr
        return result

    def write(self, name: str, text: str) -> Path:
        path = self.tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    return Cli(database_url, tmp_path)


@pytest.fixture
def applied(cli: Cli, service: InternalService) -> Path:
    cli.write("erp.yaml", MAPPING)
    path = cli.write("rapport.yaml", apply_text(service.url))
    result = cli("apply", str(path))
    assert result.exit_code == 0, result.stderr
    return path


def test_apply_saves_then_reports_no_changes(cli: Cli, service: InternalService, applied: Path) -> None:
    again = cli("apply", str(applied))

    assert again.exit_code == 0
    assert again.stdout.strip() == "no changes"


def test_apply_prints_what_it_saved(cli: Cli, service: InternalService) -> None:
    cli.write("erp.yaml", MAPPING)
    result = cli("apply", str(cli.write("rapport.yaml", apply_text(service.url))))

    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["connection erp saved", "connection erp: contact mapping v1"]


def test_a_refused_apply_exits_2_listing_every_problem_and_saves_nothing(cli: Cli, service: InternalService) -> None:
    cli.write("erp.yaml", MAPPING + "  - {target: shoe_size, source: title}\n  - {target: cty, source: company}\n")
    path = cli.write("rapport.yaml", apply_text(service.url) + apply_text(service.url).split("connections:\n")[1])

    result = cli("apply", str(path))

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"refused {path}; nothing was changed:"
    problems = "\n".join(lines[1:])
    assert "erp.yaml:10: [shoe_size]" in problems and "erp.yaml:11: [cty]" in problems
    assert "the name erp is used twice" in problems
    assert cli("sync", "run", "erp").exit_code == 2  # nothing was saved: no such connection


def test_bad_yaml_exits_2_with_its_line(cli: Cli) -> None:
    path = cli.write("rapport.yaml", "connections:\n  - name: erp\n    kind: internal\n    mapping: [oops\n")

    result = cli("apply", str(path))

    assert result.exit_code == 2
    assert f"{path}:" in result.stderr and "not valid YAML or JSON" in result.stderr


def test_a_missing_variable_exits_2(cli: Cli, service: InternalService) -> None:
    cli.write("erp.yaml", MAPPING)
    cli.env.pop("ERP_TOKEN")

    result = cli("apply", str(cli.write("rapport.yaml", apply_text(service.url))))

    assert result.exit_code == 2
    assert "environment variable ERP_TOKEN is not set" in result.stderr


def test_sync_run_json_prints_the_summary_and_writes_the_link_ids(
    cli: Cli, service: InternalService, applied: Path
) -> None:
    ana = service.seed({"first_name": "Ana", "last_name": "Novak", "email": "ana@example.si"})
    service.seed({"first_name": "Bo", "email": "bo@example.com"})

    result = cli("sync", "run", "erp", "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    contract = {"connection", "direction", "dry_run", "pulled", "created", "updated", "skipped", "rejected",
                "api_calls", "errors"}  # fmt: skip
    assert contract <= set(summary)
    assert (summary["connection"], summary["direction"], summary["dry_run"]) == ("erp", "both", False)
    assert (summary["pulled"], summary["updated"], summary["rejected"], summary["errors"]) == (2, 2, 0, [])
    assert summary["api_calls"] > 0
    assert str(service.value(ana, "rapport_id")).startswith("lnk_")
    assert str(service.value(ana, "rapport_customer_id")).startswith("cus_")

    human = cli("sync", "run", "erp", "--direction", "pull")
    assert human.exit_code == 0
    assert human.stdout.startswith("erp pull: pulled ")


def test_sync_run_dry_run_writes_nothing(cli: Cli, service: InternalService, applied: Path) -> None:
    ana = service.seed({"first_name": "Ana", "email": "ana@example.si"})
    before = dict(service.records[ana])

    result = cli("sync", "run", "erp", "--dry-run", "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["dry_run"] is True and summary["pulled"] == 1
    assert service.records[ana] == before
    assert service.calls("PUT") == service.calls("PATCH") == 0
    plain = cli("sync", "run", "erp", "--dry-run")
    assert "(dry run: nothing was written)" in plain.stdout


def test_refused_credentials_fail_the_run_with_exit_3(
    cli: Cli, service: InternalService, applied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(internal_service, "TOKEN", "Bearer a-rotated-token")  # the service no longer takes ours

    result = cli("sync", "run", "erp", "--json")

    assert result.exit_code == 3
    summary = json.loads(result.stdout)
    assert summary["status"] == "failed"
    assert summary["errors"] and summary["errors"][-1].startswith("internal system refused the connection:")


def test_an_unreachable_service_is_a_partial_run(cli: Cli, service: InternalService, applied: Path) -> None:
    service.stop()

    result = cli("sync", "run", "erp", "--json")

    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["status"] == "partial"
    assert "unavailable" in summary["errors"][-1] and "the next run resumes" in summary["errors"][-1]


def test_sync_run_usage_errors_exit_2(cli: Cli) -> None:
    unknown = cli("sync", "run", "nosuch")
    assert unknown.exit_code == 2
    assert "no connection named 'nosuch'" in unknown.stderr and "rapport apply" in unknown.stderr

    direction = cli("sync", "run", "nosuch", "--direction", "sideways")
    assert direction.exit_code == 2
    assert "--direction must be push, pull or both" in direction.stderr


def test_a_paused_connection_says_so(cli: Cli, service: InternalService) -> None:
    cli.write("erp.yaml", MAPPING)
    paused = apply_text(service.url).replace("    timeout: 5\n", "    timeout: 5\n    enabled: false\n")
    path = cli.write("rapport.yaml", paused)
    assert cli("apply", str(path)).exit_code == 0
    service.seed({"first_name": "Ana", "email": "ana@example.si"})
    requests = len(service.requests)

    result = cli("sync", "run", "erp")

    assert "connection erp is paused (enabled: false); nothing was synced" in result.stdout
    assert result.exit_code == 0
    assert len(service.requests) == requests


def test_setup(cli: Cli, service: InternalService, applied: Path) -> None:
    result = cli("setup", "erp")
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("connections of kind internal need no setup")

    unknown = cli("setup", "nosuch")
    assert unknown.exit_code == 2 and "no connection named 'nosuch'" in unknown.stderr
