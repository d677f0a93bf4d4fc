"""Read a mapping file (YAML or JSON) or its stored canonical form into a Mapping.

Every problem is collected before refusing, each with the file, the line and the field, so an admin
fixes a file in one pass. Schema checks (does the CRM have this field...) are in ``validate``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping as MappingABC
from typing import Any, cast

from mappings.attributes import PULLABLE, SOURCES
from mappings.errors import ArgumentError, MappingError, Problem
from mappings.filters import Filter, parse_filter
from mappings.flow import analyse
from mappings.model import DIRECTIONS, POLICIES, Direction, FieldMapping, Mapping, Policy
from mappings.source import line_of, read
from mappings.transforms import Step, build_step

TOP_KEYS = ("object", "create", "filter", "fields")
FIELD_KEYS = ("target", "source", "direction", "transforms", "conflict")


def load_mapping(text: str, filename: str) -> Mapping:
    """Parse mapping text (YAML, or JSON when ``filename`` ends in .json); raises MappingError."""
    return load_dict(read(text, filename), filename)


def load_dict(data: Any, filename: str = "<stored>") -> Mapping:
    """Build a Mapping from parsed data (a file's content, or ``Mapping.to_dict()`` from storage)."""
    return _Builder(filename).mapping(data)


def suggest(word: str, choices: Any) -> str:
    """ "; did you mean 'x'?" when a close choice exists, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Builder:
    def __init__(self, filename: str) -> None:
        self.file = filename
        self.problems: list[Problem] = []

    def problem(self, line: int, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))

    def mapping(self, data: Any) -> Mapping:
        if not isinstance(data, MappingABC):
            raise MappingError([Problem(self.file, line_of(data), None, "a mapping file is an object with fields")])
        lines: dict[str, int] = getattr(data, "key_lines", {})
        for key in data:
            if key not in TOP_KEYS:
                self.problem(lines.get(key, 1), None, f"unknown key '{key}'{suggest(key, TOP_KEYS)}")
        obj = data.get("object")
        if not isinstance(obj, str) or not obj:
            self.problem(lines.get("object", line_of(data)), None, "object is required, e.g. object: contact")
        create = data.get("create", False)
        if not isinstance(create, bool):
            self.problem(lines.get("create", 1), None, f"create must be true or false, got {create!r}")
        flt = self.filter(data.get("filter"), lines.get("filter", 1))
        fields = self.fields(data.get("fields"), lines.get("fields", line_of(data)))
        if self.problems:
            raise MappingError(self.problems)
        return Mapping(str(obj), fields, create is True, flt, self.file, line_of(data))

    def filter(self, text: Any, line: int) -> Filter | None:
        if text is None:
            return None
        try:
            if not isinstance(text, str):
                raise ValueError(f'filter must be text such as "email is not null", got {text!r}')
            return parse_filter(text)
        except ValueError as exc:
            self.problem(line, None, str(exc))
            return None

    def fields(self, items: Any, line: int) -> tuple[FieldMapping, ...]:
        if not isinstance(items, list) or not items:
            self.problem(line, None, "fields must be a non-empty list of {target, source, ...} entries")
            return ()
        item_lines: list[int] = getattr(items, "item_lines", [line] * len(items))
        built: list[FieldMapping] = []
        first_line: dict[str, int] = {}
        for item, item_line in zip(items, item_lines, strict=True):
            field = self.field(item, item_line)
            if field is None:
                continue
            if field.target in first_line:
                msg = f"duplicate target field (first mapped on line {first_line[field.target]}); map it once"
                self.problem(item_line, field.target, msg)
                continue
            first_line[field.target] = item_line
            built.append(field)
        self.check_pull_sources(built)
        return tuple(built)

    def field(self, item: Any, line: int) -> FieldMapping | None:
        if not isinstance(item, MappingABC):
            self.problem(line, None, f"a field entry is an object with target and source, got {item!r}")
            return None
        lines: dict[str, int] = getattr(item, "key_lines", {})
        target = item.get("target")
        if not isinstance(target, str) or not target:
            self.problem(line, None, "target is required: the CRM field's API name")
            return None
        for key in item:
            if key not in FIELD_KEYS:
                self.problem(lines.get(key, line), target, f"unknown key '{key}'{suggest(key, FIELD_KEYS)}")
        direction = self.choice(item, "direction", "both", DIRECTIONS, target, lines.get("direction", line))
        conflict = self.choice(item, "conflict", "most_recent", POLICIES, target, lines.get("conflict", line))
        steps = self.steps(item.get("transforms", []), target, lines.get("transforms", line))
        ok, source = self.source(item.get("source"), steps, target, lines.get("source", line))
        if steps is None or not ok or direction is None or conflict is None:
            return None
        flow, kind_problems = analyse(source, steps)
        for kp in kind_problems:
            self.problem(self.step_line(item, kp.index, line), target, kp.message)
        field = FieldMapping(target, source, cast(Direction, direction), steps, cast(Policy, conflict), flow, line)
        if field.pulls:
            self.check_pullable(field, lines.get("direction", line))
        if field.direction == "pull" and field.conflict == "hub_wins":
            msg = (
                "direction pull with conflict hub_wins never takes a CRM value; use crm_wins, most_recent or fill_empty"
            )
            self.problem(lines.get("conflict", line), target, msg)
        return field

    def choice(self, item: Any, key: str, default: str, allowed: tuple[str, ...], target: str, line: int) -> str | None:
        value = item.get(key, default)
        if value in allowed:
            return str(value)
        self.problem(line, target, f"{key} must be one of {', '.join(allowed)}, got {value!r}")
        return None

    def steps(self, specs: Any, target: str, line: int) -> tuple[Step, ...] | None:
        if not isinstance(specs, list):
            self.problem(line, target, "transforms must be a list, e.g. transforms: [trim, e164]")
            return None
        spec_lines: list[int] = getattr(specs, "item_lines", [line] * len(specs))
        steps: list[Step] = []
        ok = True
        for spec, spec_line in zip(specs, spec_lines, strict=True):
            try:
                step = build_step(spec)
            except ArgumentError as exc:
                self.problem(spec_line, target, str(exc))
                ok = False
                continue
            for name in step.reads:
                if name not in SOURCES:
                    self.problem(spec_line, target, _reference_message(step.name, name))
                    ok = False
            steps.append(step)
        return tuple(steps) if ok else None

    def source(self, source: Any, steps: tuple[Step, ...] | None, target: str, line: int) -> tuple[bool, str | None]:
        if source is None:
            if steps is None or (steps and steps[0].generator):
                return steps is not None, None  # broken transforms were already reported
            self.problem(
                line,
                target,
                "source is required (a customer attribute) unless the first transform "
                "builds the value (constant, template, concat, join_name)",
            )
            return False, None
        if not isinstance(source, str) or source not in SOURCES:
            self.problem(
                line,
                target,
                f"unknown source '{source}'{suggest(str(source), SOURCES)}; sources are "
                "customer attributes: " + ", ".join(SOURCES),
            )
            return False, None
        return True, source

    def check_pullable(self, field: FieldMapping, line: int) -> None:
        if field.source not in PULLABLE:
            self.problem(
                line,
                field.target,
                f"'{field.source or 'a built value'}' is computed by the hub and "
                "cannot be changed from the CRM; use direction: push",
            )
        for step in field.steps:
            if step.pull is None:
                self.problem(
                    line,
                    field.target,
                    f"transform {step.name} builds a value that cannot be read back from the CRM; use direction: push",
                )

    def check_pull_sources(self, fields: list[FieldMapping]) -> None:
        seen: dict[str, FieldMapping] = {}
        for field in fields:
            if not field.pulls or field.source is None:
                continue
            if field.source in seen:
                other = seen[field.source]
                self.problem(
                    field.line,
                    field.target,
                    f"both {other.target} (line {other.line}) and {field.target} "
                    f"pull into '{field.source}'; let one of them be direction: push",
                )
            seen[field.source] = field

    @staticmethod
    def step_line(item: Any, index: int, default: int) -> int:
        specs = item.get("transforms")
        lines: list[int] = getattr(specs, "item_lines", [])
        return lines[index] if index < len(lines) else default


def _reference_message(step: str, name: str) -> str:
    return (
        f"{step} refers to '{name}', which is not a customer attribute (transforms read customer "
        f"attributes, never CRM fields, so fields cannot depend on each other: no cycles){suggest(name, SOURCES)}"
    )
