"""Splink 5 against the identity engine on the same multilingual social data.

Usage: python -m bench.identity_splink [PEOPLE ...] [--threshold P]   (default 3000 people, P 0.9)
Needs Splink in bench/.splink-venv (git-ignored): python -m venv bench/.splink-venv &&
bench/.splink-venv/bin/pip install splink pandas. Splink is never a project dependency.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.data_gen.generate import generate, record_key
from bench.identity_metrics import report

HERE = Path(__file__).parent
SPLINK_PYTHON = HERE / ".splink-venv" / "bin" / "python"
COLUMNS = ["unique_id", "first_name", "surname", "email", "phone", "handle", "city", "company"]
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _flat(record: dict[str, Any]) -> dict[str, str]:
    """What a competent user feeds Splink: lower-cased fields, names split, emails found in bios."""
    if record["type"] == "contact":
        first, last = record.get("first_name", ""), record.get("last_name", "")
        email, city, company = record.get("email", ""), record.get("city", ""), record.get("company", "")
    else:
        words = str(record.get("name", "")).split()
        first, last = (words[0], words[-1]) if len(words) > 1 else ((words or [""])[0], "")
        found = _EMAIL.findall(str(record.get("bio", "")))
        email, city, company = (found[0] if found else ""), record.get("location", ""), ""
    phone = re.sub(r"\D", "", str(record.get("phone", "")))[-9:]
    return {
        "unique_id": record_key(record),
        "first_name": str(first).lower(),
        "surname": str(last).lower(),
        "email": str(email).lower() if "@" in str(email) else "",
        "phone": phone if len(phone) == 9 else "",
        "handle": str(record.get("handle", "")).lower(),
        "city": str(city).lower(),
        "company": str(company).lower(),
    }


def run(people: int, threshold: float = 0.9) -> None:
    """Export the data, run Splink in its own venv, score its clusters (match probability `threshold`)."""
    records, truth = generate(people)
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    source, target = data / f"splink_in_{people}.csv", data / f"splink_out_{people}.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(_flat(r) for r in records)
    script = HERE / "splink" / "run_splink.py"
    subprocess.run([str(SPLINK_PYTHON), str(script), str(source), str(target), str(threshold)], check=True)
    with target.open(encoding="utf-8") as handle:
        predicted = {row["unique_id"]: row["cluster_id"] for row in csv.DictReader(handle)}
    print(report(f"Splink 5, {people} people, threshold {threshold}", predicted, truth))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    probability = float(arguments.pop(arguments.index("--threshold") + 1)) if "--threshold" in arguments else 0.9
    for count in [int(a) for a in arguments if a != "--threshold"] or [3000]:
        run(count, probability)
