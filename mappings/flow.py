"""Static analysis of a field's pipeline: the kind of value it ends with, the values it can produce,
and how long they can be. Used to refuse type mismatches at load time and to check picklists and
lengths against the CRM schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mappings.attributes import SOURCES, Kind
from mappings.transforms.base import Bound, Step

KIND_WORDS: dict[str, str] = {
    "text": "text",
    "number": "a number",
    "date": "a date",
    "datetime": "a date-time",
    "boolean": "a boolean",
    "list": "a list",
    "map": "values per network",
}


@dataclass(frozen=True)
class Flow:
    """What a pipeline produces: ``kind`` (None when unknown), ``outputs`` (a finite set, or None),
    ``bound`` (a length limit, ``"field"`` for the target's own length, or None)."""

    kind: Kind | None
    outputs: frozenset[str] | None
    bound: Bound


@dataclass(frozen=True)
class KindProblem:
    """Step ``index`` cannot take the kind of value it is given."""

    index: int
    message: str


def analyse(source: str | None, steps: Sequence[Step]) -> tuple[Flow, list[KindProblem]]:
    """Follow the value through ``steps`` from ``source``; report steps given a kind they refuse."""
    kind: Kind | None = SOURCES.get(source) if source else None
    outputs: frozenset[str] | None = None
    bound: Bound = None
    problems: list[KindProblem] = []
    for index, step in enumerate(steps):
        if not step.generator and kind is not None and step.accepts is not None and kind not in step.accepts:
            takes = " or ".join(KIND_WORDS[k] for k in sorted(step.accepts))
            problems.append(KindProblem(index, f"{step.name} takes {takes}, but gets {KIND_WORDS[kind]}"))
        kind = step.produces if step.produces is not None else (None if step.generator else kind)
        if step.outputs is not None:
            outputs = step.outputs
        elif not (step.keeps_bound and step.name in {"trim", "max_length"}):
            outputs = None
        if step.max_length is not None:
            bound = _tighter(bound, step.max_length) if step.keeps_bound else step.max_length
        elif not step.keeps_bound:
            bound = None
    return Flow(kind, outputs, bound), problems


def _tighter(current: Bound, new: Bound) -> Bound:
    if isinstance(current, int) and isinstance(new, int):
        return min(current, new)
    return new if current is None else current if new == "field" else new
