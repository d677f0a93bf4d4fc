"""`resolve_csv`: deduplicate one CSV or link several, with clear configuration errors."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from identity.batch import resolve_csv
from identity.csv_config import ResolveConfigError

CONFIG = """\
id_column: rec_id
fields:
  given: {kind: given_name}
  surname: {kind: family_name}
  dob: {kind: date, format: "%Y%m%d"}
  email: {kind: email}
  city: {kind: city}
"""
HEADER = "rec_id,given,surname,dob,email,city\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_deduplicates_one_file(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "people.csv",
        HEADER
        + "a1,Ana,Kovačič,19900102,ana@kovacic.si,Ljubljana\n"
        + "a2,Ana,Kovacic,19900102,ANA@kovacic.si,LJ\n"
        + "b1,Luka,Horvat,19851111,,Maribor\n"
        + "c1,Maja,Zupan,,,\n",
    )
    config = _write(tmp_path / "config.yaml", CONFIG)
    summary = resolve_csv([source], config, tmp_path / "out.csv")
    rows = {row["rec_id"]: row for row in _rows(tmp_path / "out.csv")}
    assert rows["a1"]["cluster_id"] == rows["a2"]["cluster_id"] == "a1"
    assert rows["b1"]["cluster_id"] == "b1"
    assert all(row["cluster_id"] for row in rows.values())
    assert (summary.rows, summary.clusters) == (4, 3)


def test_links_several_files_with_source_column(tmp_path: Path) -> None:
    first = _write(tmp_path / "crm.csv", HEADER + "1,Pooja,Sharma,19920304,pooja@gmail.com,Mumbai\n")
    second = _write(tmp_path / "shop.csv", HEADER + "1,Puja,Sharma,19920304,POOJA@gmail.com,Bombay\n")
    config = _write(tmp_path / "config.yaml", CONFIG)
    resolve_csv([first, second], config, tmp_path / "out.csv")
    rows = _rows(tmp_path / "out.csv")
    assert [row["source_file"] for row in rows] == ["crm.csv", "shop.csv"]
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"]


def _people_rows(count: int) -> list[str]:
    """Rows of `count` people, about half of them twice with a typo, an upper-cased email or a missing city."""
    rng = random.Random(5)
    given, family = ["Ana", "Luka", "Maja", "Pooja", "Minsu", "José"], ["Novak", "Horvat", "Sharma", "Kim", "García"]
    cities = ["Ljubljana", "Maribor", "Mumbai", "Seoul", "Celje"]
    rows = []
    for n in range(count):
        first, last, city = rng.choice(given), rng.choice(family), rng.choice(cities)
        born, email = f"19{rng.randint(50, 99)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}", f"p{n}@mail.example"
        rows.append(f"r{n},{first},{last},{born},{email},{city}")
        if rng.random() < 0.5:
            typo = last[:-1] + last[-1] * 2 if rng.random() < 0.5 else last
            rows.append(f"r{n}b,{first},{typo},{born},{email.upper() if rng.random() < 0.5 else ''},{city}")
    return rows


def _partition(path: Path) -> set[frozenset[str]]:
    clusters: dict[str, set[str]] = {}
    for row in _rows(path):
        clusters.setdefault(row["cluster_id"], set()).add(row["rec_id"])
    return {frozenset(members) for members in clusters.values()}


def test_row_order_does_not_change_the_clusters(tmp_path: Path) -> None:
    rows = _people_rows(400)
    config = _write(tmp_path / "config.yaml", CONFIG)
    resolve_csv([_write(tmp_path / "a.csv", HEADER + "\n".join(rows) + "\n")], config, tmp_path / "a_out.csv")
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    resolve_csv([_write(tmp_path / "b.csv", HEADER + "\n".join(shuffled) + "\n")], config, tmp_path / "b_out.csv")
    first = _partition(tmp_path / "a_out.csv")
    assert first == _partition(tmp_path / "b_out.csv")
    assert sum(1 for members in first if len(members) > 1) > 100


def test_threshold_changes_what_links(tmp_path: Path) -> None:
    source = _write(tmp_path / "p.csv", HEADER + "1,Ana,Novak,,,Celje\n2,Ana,Novak,,,Celje\n")
    config = _write(tmp_path / "config.yaml", CONFIG)
    resolve_csv([source], config, tmp_path / "strict.csv", threshold=40.0)
    assert len({row["cluster_id"] for row in _rows(tmp_path / "strict.csv")}) == 2


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("fields: {given: {kind: nickname}}", "unknown kind 'nickname'"),
        ("fields: {}", "`fields` must map"),
        ("id_column: missing\nfields: {given: {kind: given_name}}", "not in the file's header"),
        ("fields: {given: {kind: given_name, format: x}}", "only date fields take a format"),
        ("colour: blue\nfields: {given: {kind: given_name}}", "unknown settings"),
        ("fields: [", "not valid YAML"),
    ],
)
def test_configuration_errors_name_the_problem(tmp_path: Path, config: str, message: str) -> None:
    source = _write(tmp_path / "p.csv", HEADER + "1,Ana,Novak,,,\n")
    with pytest.raises(ResolveConfigError, match=message):
        resolve_csv([source], _write(tmp_path / "c.yaml", config), tmp_path / "out.csv")


def test_a_configuration_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_bytes(b"fields: {given: {kind: given_name}}\n# \xff\xfe\n")
    with pytest.raises(ResolveConfigError, match="not UTF-8"):
        resolve_csv([_write(tmp_path / "p.csv", HEADER + "1,Ana,Novak,,,\n")], config, tmp_path / "out.csv")


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ResolveConfigError, match="cannot read the input"):
        resolve_csv([tmp_path / "nope.csv"], _write(tmp_path / "c.yaml", CONFIG), tmp_path / "out.csv")
