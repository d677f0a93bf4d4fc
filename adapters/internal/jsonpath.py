"""A tiny JSON path subset for picking items and cursors out of a service's responses.

Supported: ``$`` (the whole body), ``$.a.b`` (object keys), ``$.a[0]`` / ``$[-1]`` (list indexes) and
``$['a.b']`` / ``$["a b"]`` (keys that are not plain names). Nothing else: no wildcards, filters or slices.

Written here rather than depending on ``jsonpath-ng``: the adapter only ever needs one value at a fixed place,
the whole grammar is these four forms, and parsing it ourselves lets a bad path in a connection's
configuration fail when the configuration is loaded, with a message naming the configuration key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"""\.([A-Za-z_][A-Za-z0-9_\-]*)|\[(-?\d+)\]|\['([^']*)'\]|\["([^"]*)"\]""")

MISSING: Any = object()
"""Returned by `JsonPath.find` when the path leads nowhere (distinct from a JSON null)."""


class JsonPathError(ValueError):
    """The path is not in the supported subset."""


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A parsed path: a sequence of object keys (str) and list indexes (int)."""

    text: str
    steps: tuple[str | int, ...]

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        """Parse ``text``; raise `JsonPathError` saying what is wrong."""
        if not isinstance(text, str) or not text.startswith("$"):
            raise JsonPathError(f"{text!r} must start with '$' (e.g. '$.data')")
        steps: list[str | int] = []
        pos = 1
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                raise JsonPathError(f"{text!r}: unsupported syntax at {text[pos:]!r} (use $.a.b, $.a[0] or $['a'])")
            name, index, single, double = match.groups()
            steps.append(int(index) if index is not None else next(s for s in (name, single, double) if s is not None))
            pos = match.end()
        return cls(text, tuple(steps))

    def find(self, document: Any) -> Any:
        """The value at this path in ``document``, or `MISSING`."""
        current = document
        for step in self.steps:
            if isinstance(step, int):
                if not isinstance(current, Sequence) or isinstance(current, str | bytes):
                    return MISSING
                if not -len(current) <= step < len(current):
                    return MISSING
                current = current[step]
            else:
                if not isinstance(current, Mapping) or step not in current:
                    return MISSING
                current = current[step]
        return current
