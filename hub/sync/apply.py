"""`rapport apply`: declare connections (with their mappings), inbound sources and webhook endpoints.

Everything in the file is checked first (shapes, `${VAR}` references, each mapping against the CRM's own
field list); a refused file changes nothing. Applying the same file again changes nothing (idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from adapters.base import AdapterError
from adapters.schema import ObjectSchema
from hub.db.database import Database, utcnow
from hub.secrets import SecretBox
from hub.sync import store
from hub.sync.config import ConnectionSpec, MissingVariableError, resolve_env
from hub.sync.engine import AdapterFactory, adapter_for
from mappings import Mapping, MappingError, Problem, default_mapping, default_text, load_mapping, validate

TOP_LEVEL = ("connections", "inbound_sources", "webhook_endpoints")


class ApplyRefusedError(Exception):
    """The file was refused; `problems` lists every reason. Nothing was saved."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ApplyReport:
    """What applying changed, what deserves attention, and secrets generated (shown once)."""

    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    secrets: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Planned:
    spec: ConnectionSpec
    mappings: list[tuple[Mapping, str | None, str]] = field(default_factory=list)  # mapping, text, filename


SectionSaver = Callable[[Any, SecretBox, list[dict[str, Any]], ApplyReport], None]


def load_apply_file(path: Path) -> dict[str, Any]:
    """The parsed file (YAML or JSON); refuses syntax errors with their line."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ApplyRefusedError([f"{path}: cannot read: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise ApplyRefusedError([f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ApplyRefusedError([f"{where}: not valid YAML or JSON: {getattr(exc, 'problem', exc)}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ApplyRefusedError([f"{path}: expected a mapping with {', '.join(TOP_LEVEL)}"])
    unknown = [k for k in data if k not in TOP_LEVEL]
    if unknown:
        raise ApplyRefusedError(
            [f"{path}: unknown section(s) {', '.join(map(str, unknown))}; expected {', '.join(TOP_LEVEL)}"]
        )
    return data


def plan_connections(
    path: Path, entries: list[Any], factory: AdapterFactory
) -> tuple[list[_Planned], list[str], list[str]]:
    """Validated connections with their mappings, or problems; plus warnings (CRM not set up yet)."""
    problems: list[str] = []
    warnings: list[str] = []
    planned: list[_Planned] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries or []):
        name = entry.get("name") if isinstance(entry, dict) else None
        label = f"{path}: connections[{index}]" + (f" ({name})" if isinstance(entry, dict) else "")
        if isinstance(name, str):  # checked first: reported even when the entry has other problems
            if name in seen:
                problems.append(f"{label}: the name {name} is used twice")
                continue
            seen.add(name)
        try:
            spec = ConnectionSpec.model_validate(resolve_env(entry))
        except MissingVariableError as exc:
            problems.append(f"{label}: {exc}")
            continue
        except ValidationError as exc:
            problems += [f"{label}: {'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors()]
            continue
        item = _Planned(spec)
        problems += _plan_mappings(path, spec, item, factory, warnings)
        planned.append(item)
    return planned, problems, warnings


def _plan_mappings(
    path: Path, spec: ConnectionSpec, item: _Planned, factory: AdapterFactory, warnings: list[str]
) -> list[str]:
    try:
        adapter = adapter_for(spec, factory)
    except (AdapterError, ValueError) as exc:
        return [f"{path}: connection {spec.name}: {exc}"]
    problems: list[str] = []
    for obj in spec.objects:
        try:
            mapping, text, filename = _mapping_source(path, spec, obj)
            schema = adapter.describe(obj)
        except MappingError as exc:
            problems += [str(p) for p in exc.problems]
            continue
        except (AdapterError, OSError) as exc:
            problems.append(f"{path}: connection {spec.name}: cannot read the {obj} fields: {exc}")
            continue
        found, needs_setup = _split_setup_problems(mapping, validate(mapping, schema), schema)
        problems += [str(p) for p in found]
        if needs_setup:
            warnings.append(
                f"connection {spec.name}: the CRM lacks Rapport's {obj} fields ({', '.join(needs_setup)}); "
                f"run `rapport setup {spec.name}` before syncing"
            )
        item.mappings.append((mapping, text, filename))
    return problems


def _mapping_source(path: Path, spec: ConnectionSpec, obj: str) -> tuple[Mapping, str | None, str]:
    declared = spec.mapping_file(obj)
    if declared is None:
        filename, text = default_text(spec.kind, obj)
        return default_mapping(spec.kind, obj), text, filename
    file = (path.parent / declared).resolve()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError([Problem(str(path), 0, None, f"mapping file {declared}: {exc.strerror}")]) from None
    mapping = load_mapping(text, str(file))
    if mapping.object != obj:
        raise MappingError([Problem(str(file), 1, "object", f"this file maps {mapping.object}, declared for {obj}")])
    return mapping, text, str(file)


def _split_setup_problems(
    mapping: Mapping, problems: list[Problem], schema: ObjectSchema
) -> tuple[list[Problem], list[str]]:
    """Missing Rapport fields are not the mapping's fault when the CRM was never set up: `rapport setup`."""
    link_field = next((f.target for f in mapping.fields if f.source == "link_id"), None)
    if link_field is None or schema.get(link_field) is not None:
        return problems, []
    missing = [
        f.target for f in mapping.fields if f.target.lower().startswith("rapport_") and schema.get(f.target) is None
    ]
    rest = [p for p in problems if p.field not in missing]
    return rest, missing


def apply_file(
    path: Path,
    database: Database,
    box: SecretBox,
    factory: AdapterFactory,
    section_savers: dict[str, SectionSaver] | None = None,
) -> ApplyReport:
    """Check everything in `path`, then save it all in one transaction; raises `ApplyRefusedError`."""
    data = load_apply_file(path)
    planned, problems, warnings = plan_connections(path, data.get("connections") or [], factory)
    savers = section_savers or {}
    for section in ("inbound_sources", "webhook_endpoints"):
        if data.get(section) and section not in savers:
            problems.append(f"{path}: {section}: not available yet (webhooks land with issue 8)")
    if problems:
        raise ApplyRefusedError(problems)
    report = ApplyReport(warnings=warnings)
    now = utcnow()
    with database.transaction() as conn:
        for item in planned:
            if store.save_connection(conn, item.spec, box, now):
                report.changes.append(f"connection {item.spec.name} saved")
            for mapping, text, filename in item.mappings:
                version = store.save_mapping(
                    conn, item.spec.name, mapping, text=text, filename=filename, actor="rapport apply", now=now
                )
                if version:
                    report.changes.append(f"connection {item.spec.name}: {mapping.object} mapping v{version}")
        for section, saver in savers.items():
            entries = data.get(section) or []
            saver(conn, box, [resolve_env(e) for e in entries], report)
    return report
