"""Comparing values across the two sides, and reading change times."""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from datetime import datetime
from typing import Any

from mappings.attributes import is_blank


def same(a: Any, b: Any) -> bool:
    """True when a hub value and a CRM value mean the same thing.

    Blanks are equal to each other; a number equals its text form; two date-times are equal when
    they are the same instant, whatever their offsets or formats (``...Z`` vs ``...000+0000``).
    """
    if is_blank(a) or is_blank(b):
        return is_blank(a) and is_blank(b)
    if a == b:
        return True
    if _is_number(a) or _is_number(b):
        na, nb = _number(a), _number(b)
        return na is not None and na == nb
    ia, ib = instant(a), instant(b)
    if ia is not None and ib is not None:
        return ia == ib
    return str(a).strip() == str(b).strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any) -> float | None:
    if _is_number(value):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def instant(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 date-time with an offset; None for anything else."""
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def hub_changed_at(
    attributes: tuple[str, ...],
    customer: MappingABC[str, Any],
    provenance: MappingABC[str, MappingABC[str, Any]] | None,
) -> datetime | None:
    """When the hub last changed any of ``attributes`` (provenance ``at``), else the customer's updated_at."""
    times = [instant((provenance or {}).get(a, {}).get("at")) for a in attributes]
    known = [t for t in times if t is not None]
    if known:
        return max(known)
    return instant(customer.get("updated_at"))
