"""The ``filter`` of a mapping: which customers may be created in the CRM.

A deliberately tiny language, parsed (never evaluated as code): clauses joined by ``and``, each
``ATTR is null``, ``ATTR is not null``, ``ATTR = 'text'`` or ``ATTR != 'text'``.
Example: ``email is not null and country = 'FR'``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mappings.attributes import ATTRIBUTES, is_blank

_CLAUSE = re.compile(
    r"""^\s*(?P<attr>[a-z_]+)\s+(?:(?P<null>is\s+(?P<not>not\s+)?null)|(?P<op>!=|=)\s*(?P<lit>'[^']*'|"[^"]*"|[\w.+-]+))\s*$""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Clause:
    """One comparison: ``op`` is "null", "not null", "=" or "!="."""

    attribute: str
    op: str
    literal: str | None = None

    def matches(self, customer: Mapping[str, Any]) -> bool:
        """True when the customer satisfies this clause."""
        value = customer.get(self.attribute)
        if self.op == "null":
            return is_blank(value)
        if self.op == "not null":
            return not is_blank(value)
        equal = not is_blank(value) and str(value).strip() == self.literal
        return equal if self.op == "=" else not equal


@dataclass(frozen=True)
class Filter:
    """Clauses that must all hold; ``text`` is the written form, kept for storage."""

    text: str
    clauses: tuple[Clause, ...]

    def matches(self, customer: Mapping[str, Any]) -> bool:
        """True when every clause holds."""
        return all(c.matches(customer) for c in self.clauses)


def parse_filter(text: str) -> Filter:
    """Parse a filter; raises ValueError with a message an admin can act on."""
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.match(part)
        if not match:
            raise ValueError(
                f"cannot read filter clause {part.strip()!r}; write e.g. email is not null and country = 'FR'"
            )
        attr = match["attr"]
        if attr not in ATTRIBUTES:
            raise ValueError(f"filter names '{attr}', which is not a customer attribute")
        if match["null"]:
            clauses.append(Clause(attr, "not null" if match["not"] else "null"))
        else:
            clauses.append(Clause(attr, match["op"], match["lit"].strip("'\"")))
    return Filter(text.strip(), tuple(clauses))
