"""`rapport resolve` through the CLI: dedupe one CSV, link several, clear refusals."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app

CONFIG = (
    "id_column: rec_id\nfields:\n  given_name: {kind: given_name}\n  surname: {kind: family_name}\n"
    "  email: {kind: email}\n"
)
ROWS = [
    ("r1", "Ana", "Kovačič", "ana.kovacic@example.si"),
    ("r2", "ANA", "Kovacic", "Ana.Kovacic@Example.si"),
    ("r3", "Matej", "Novak", "matej@example.si"),
]


def _write(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rec_id", "given_name", "surname", "email"])
        writer.writerows(rows)
    return path


def test_dedupes_one_file_with_never_empty_cluster_ids(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CONFIG, encoding="utf-8")
    data = _write(tmp_path / "in.csv", ROWS)
    result = CliRunner().invoke(
        app, ["resolve", str(data), "--config", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 0, result.output
    out = list(csv.DictReader((tmp_path / "o.csv").open(encoding="utf-8")))
    cluster = {row["rec_id"]: row["cluster_id"] for row in out}
    assert all(cluster.values())
    assert cluster["r1"] == cluster["r2"] != cluster["r3"]


def test_links_several_files_with_a_source_column(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CONFIG, encoding="utf-8")
    a = _write(tmp_path / "a.csv", ROWS[:1])
    b = _write(tmp_path / "b.csv", [("x1", *ROWS[1][1:]), ("x2", *ROWS[2][1:])])
    out = tmp_path / "o.csv"
    result = CliRunner().invoke(
        app, ["resolve", str(a), str(b), "--config", str(tmp_path / "c.yaml"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["source_file"] for r in rows} == {"a.csv", "b.csv"}
    by_id = {r["rec_id"]: r["cluster_id"] for r in rows}
    assert by_id["r1"] == by_id["x1"] != by_id["x2"]


def test_a_bad_configuration_is_refused_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("fields:\n  given_name: {kind: nonsense}\n", encoding="utf-8")
    data = _write(tmp_path / "in.csv", ROWS)
    result = CliRunner().invoke(
        app, ["resolve", str(data), "--config", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2
    assert "unknown kind" in result.output
    assert "Traceback" not in result.output
