"""`rapport resolve`: entity resolution of CSV files with no database, through the same engine as the hub.

One file is deduplicated; several are linked (a `source_file` column is added). The output is every input
row with a never-empty `cluster_id`; a cluster's id is the id of its first row, so reruns give the same ids.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from identity.api import IdentityRecord
from identity.csv_config import ResolveConfig, ResolveConfigError, check_columns, load_config
from identity.engine import IdentityEngine
from identity.memory_store import MemoryStore, resolve_all
from identity.weights import TABULAR_WEIGHTS

__all__ = ["ResolveConfigError", "ResolveSummary", "resolve_csv"]

# Files up to this many rows are resolved as one batch: the clusters then do not depend on the rows' order.
# (About 1 GB for 84,000 social profiles; larger files are resolved in batches of this size, in order.)
BATCH_SIZE = 100_000
TABULAR_BLOCK_CAP = 25  # tables carry fewer namesakes per key than social data, and typos need more candidates


@dataclass(frozen=True, slots=True)
class ResolveSummary:
    """What `resolve_csv` did."""

    rows: int
    clusters: int
    multi_row_clusters: int
    output: Path


@dataclass(frozen=True, slots=True)
class _Row:
    source: Path
    values: dict[str, str]
    record: IdentityRecord


def _read(path: Path, index: int, config: ResolveConfig, several: bool) -> tuple[list[str], list[_Row]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, skipinitialspace=True)
            header = [name.strip() for name in reader.fieldnames or []]
            check_columns(config, header, path)
            rows = []
            for number, raw in enumerate(reader, start=1):
                values = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
                ident = values.get(config.id_column, "") if config.id_column else str(number)
                if not ident:
                    raise ResolveConfigError(f"{path}:{number + 1}: the id column {config.id_column!r} is empty")
                key = f"{index}:{ident}" if several else ident
                record = IdentityRecord(key, "csv", path.name, ident, values)
                rows.append(_Row(path, values, record))
    except OSError as error:
        raise ResolveConfigError(f"{path}: cannot read the input ({error.strerror})") from error
    return header, rows


def resolve_csv(inputs: list[Path], config_path: Path, out: Path, threshold: float | None = None) -> ResolveSummary:
    """Deduplicate one CSV or link several; write the rows with `cluster_id` to `out`.

    Raises `ResolveConfigError` (a `ValueError`) naming the problem when the configuration or an input is unusable.
    """
    if not inputs:
        raise ResolveConfigError("no input file given")
    config = load_config(config_path)
    several = len(inputs) > 1
    header: list[str] = []
    rows: list[_Row] = []
    for index, path in enumerate(inputs):
        file_header, file_rows = _read(path, index, config, several)
        header += [name for name in file_header if name not in header]
        rows += file_rows
    keys = [row.record.key for row in rows]
    if len(set(keys)) != len(keys):
        raise ResolveConfigError(f"{config.id_column or 'row number'}: ids are not unique within a file")
    weights = TABULAR_WEIGHTS if threshold is None else replace(TABULAR_WEIGHTS, threshold=threshold)
    engine, store = IdentityEngine(weights, columns=config.columns, block_cap=TABULAR_BLOCK_CAP), MemoryStore()
    resolve_all(engine, store, [row.record for row in rows], batch_size=BATCH_SIZE)
    cluster_of = _cluster_ids(store, keys, {row.record.key: row.record.external_id for row in rows}, several)
    _write(out, header, rows, cluster_of, several)
    sizes = list(store.customers().values())
    return ResolveSummary(len(rows), len(set(cluster_of.values())), sum(1 for s in sizes if len(s) > 1), out)


def _cluster_ids(store: MemoryStore, keys: list[str], ids: dict[str, str], several: bool) -> dict[str, str]:
    order = {key: position for position, key in enumerate(keys)}
    name = (lambda key: key) if several else ids.__getitem__
    cluster_of: dict[str, str] = {}
    for members in store.customers().values():
        first = min(members, key=order.__getitem__)
        for key in members:
            cluster_of[key] = name(first)
    for key in keys:  # never empty: a row on its own is its own cluster
        cluster_of.setdefault(key, name(key))
    return cluster_of


def _write(out: Path, header: list[str], rows: list[_Row], cluster_of: dict[str, str], several: bool) -> None:
    columns = header + (["source_file"] if several else []) + ["cluster_id"]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            values = dict(row.values)
            if several:
                values["source_file"] = row.source.name
            values["cluster_id"] = cluster_of[row.record.key]
            writer.writerow(values)
