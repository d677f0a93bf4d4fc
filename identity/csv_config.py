"""The `rapport resolve` configuration (CONTRACT.md): which column holds the id, and the kind of each field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from identity.schema import KINDS, ColumnSpec


class ResolveConfigError(ValueError):
    """The configuration or an input file cannot be used; the message names the problem and where it is."""


@dataclass(frozen=True, slots=True)
class ResolveConfig:
    """A validated configuration."""

    id_column: str | None
    columns: dict[str, ColumnSpec]


def _field(column: str, spec: Any, path: Path) -> ColumnSpec:
    if isinstance(spec, str):
        spec = {"kind": spec}
    if not isinstance(spec, dict) or "kind" not in spec:
        raise ResolveConfigError(f"{path}: field {column!r} needs a kind, e.g. {{kind: given_name}}")
    kind = spec["kind"]
    if kind not in KINDS:
        raise ResolveConfigError(
            f"{path}: field {column!r} has unknown kind {kind!r}; kinds: {', '.join(sorted(KINDS))}"
        )
    fmt = spec.get("format")
    if fmt is not None and (kind != "date" or not isinstance(fmt, str)):
        raise ResolveConfigError(f"{path}: field {column!r}: only date fields take a format, as text")
    unknown = set(spec) - {"kind", "format"}
    if unknown:
        raise ResolveConfigError(f"{path}: field {column!r} has unknown options {sorted(unknown)}")
    return ColumnSpec(column, kind, fmt)


def load_config(path: Path) -> ResolveConfig:
    """Read and validate a configuration file (YAML or JSON)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ResolveConfigError(f"{path}: cannot read the configuration ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise ResolveConfigError(f"{path}: the configuration is not UTF-8 text (byte {error.start})") from error
    except yaml.YAMLError as error:
        raise ResolveConfigError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise ResolveConfigError(f"{path}: expected a mapping with `fields` (and optionally `id_column`)")
    unknown = set(data) - {"id_column", "fields"}
    if unknown:
        raise ResolveConfigError(f"{path}: unknown settings {sorted(unknown)}; allowed: id_column, fields")
    fields = data.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise ResolveConfigError(f"{path}: `fields` must map at least one column to its kind")
    id_column = data.get("id_column")
    if id_column is not None and not isinstance(id_column, str):
        raise ResolveConfigError(f"{path}: `id_column` must be a column name")
    columns = {str(column): _field(str(column), spec, path) for column, spec in fields.items()}
    return ResolveConfig(id_column, columns)


def check_columns(config: ResolveConfig, header: list[str], source: Path) -> None:
    """Every configured column (and the id column) must exist in the file."""
    missing = [c for c in [*config.columns, *([config.id_column] if config.id_column else [])] if c not in header]
    if missing:
        raise ResolveConfigError(f"{source}: columns {missing} are configured but not in the file's header {header}")
