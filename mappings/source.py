"""Read YAML or JSON text into plain values that remember their line numbers.

Lines come from PyYAML's node marks (JSON is read by the same composer, being YAML flow syntax), so
every problem found later can point at the line an admin has to edit.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import yaml

from mappings.errors import MappingError, Problem


class LDict(dict[str, Any]):
    """A dict from the file; ``line`` is where it starts, ``key_lines`` where each key is."""

    line: int = 1
    key_lines: dict[str, int]


class LList(list[Any]):
    """A list from the file; ``line`` is where it starts, ``item_lines`` where each item is."""

    line: int = 1
    item_lines: list[int]


def line_of(value: Any, default: int = 1) -> int:
    """The line a value read by ``read`` starts on (``default`` for plain scalars)."""
    return int(getattr(value, "line", default))


def read(text: str, filename: str) -> Any:
    """Parse YAML or JSON text; a syntax error or duplicate key raises MappingError with its line."""
    if filename.endswith(".json"):
        _check_json(text, filename)
        # Valid JSON has no raw tab inside strings, so every tab is whitespace, which YAML's scanner refuses.
        text = text.replace("\t", " ")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise MappingError([Problem(filename, line, None, f"syntax error: {exc.problem or exc}")]) from exc
    except yaml.YAMLError as exc:
        raise MappingError([Problem(filename, 1, None, f"syntax error: {exc}")]) from exc
    if node is None:
        return None
    return _Converter(filename).convert(node)


def _check_json(text: str, filename: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingError([Problem(filename, exc.lineno, None, f"syntax error: {exc.msg}")]) from exc


class _Converter:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        # Only used to construct scalars with YAML's own rules (numbers, booleans, null).
        self.scalars = yaml.SafeLoader("")

    def convert(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node)
        if isinstance(node, yaml.SequenceNode):
            out = LList(self.convert(item) for item in node.value)
            out.line = node.start_mark.line + 1
            out.item_lines = [item.start_mark.line + 1 for item in node.value]
            return out
        try:
            value = self.scalars.construct_object(node, deep=True)
        except yaml.YAMLError as exc:  # an unknown tag (`!0`), a malformed timestamp...
            problem = getattr(exc, "problem", None) or str(exc)
            raise MappingError(
                [Problem(self.filename, node.start_mark.line + 1, None, f"cannot read: {problem}")]
            ) from exc
        # Dates stay text: a mapping is data for JSON storage, and dates are never shifted by parsing.
        return value.isoformat() if isinstance(value, date) else value

    def mapping(self, node: yaml.MappingNode) -> LDict:
        out = LDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = str(self.convert(key_node))
            line = key_node.start_mark.line + 1
            if key in out:
                message = f"key '{key}' appears twice (first on line {out.key_lines[key]})"
                raise MappingError([Problem(self.filename, line, None, message)])
            out[key] = self.convert(value_node)
            out.key_lines[key] = line
        return out
