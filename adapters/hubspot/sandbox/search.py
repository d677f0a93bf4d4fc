"""HubSpot's CRM search: filterGroups (OR of ANDed filters), one sort, ``after`` paging, the 10,000-result cap.

Values compare by the property's type: numbers and datetimes numerically (datetimes given as epoch
milliseconds or ISO 8601), everything else as case-insensitive text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from adapters.hubspot.sandbox.errors import bad_request
from adapters.hubspot.sandbox.properties import to_millis
from adapters.hubspot.sandbox.store import Obj

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_LIMIT = 200
RESULT_CAP = 10_000
OPERATORS = {
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
    "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
}  # fmt: skip


def parse_request(body: Any) -> tuple[list[list[Mapping[str, Any]]], list[tuple[str, bool]], int, int]:
    """Validate a search body: filter groups, sorts (name, descending), limit and offset (``after``)."""
    if not isinstance(body, dict):
        raise bad_request("Invalid input JSON: expected an object")
    groups = body.get("filterGroups") or []
    if len(groups) > MAX_GROUPS:
        raise bad_request(f"Too many filter groups ({len(groups)}); the maximum is {MAX_GROUPS}")
    filters = [list(g.get("filters") or []) for g in groups]
    if any(len(f) > MAX_FILTERS_PER_GROUP for f in filters) or sum(map(len, filters)) > MAX_FILTERS:
        raise bad_request(f"Too many filters; at most {MAX_FILTERS_PER_GROUP} per group and {MAX_FILTERS} in all")
    for f in (f for group in filters for f in group):
        if f.get("operator") not in OPERATORS or not f.get("propertyName"):
            raise bad_request(f"Invalid filter {f!r}")
    sorts = [_sort(s) for s in body.get("sorts") or []]
    if len(sorts) > 1:
        raise bad_request("Only one sort is allowed")
    limit = int(body.get("limit") or 10)
    after = int(body.get("after") or 0)
    if not 0 < limit <= MAX_LIMIT:
        raise bad_request(f"limit must be between 1 and {MAX_LIMIT}")
    if after + limit > RESULT_CAP:
        raise bad_request(f"Search results are limited to {RESULT_CAP} (after + limit > {RESULT_CAP})")
    return filters, sorts, limit, after


def _sort(raw: Any) -> tuple[str, bool]:
    if isinstance(raw, str):
        return raw.lstrip("-"), raw.startswith("-")
    if isinstance(raw, dict) and raw.get("propertyName"):
        return str(raw["propertyName"]), str(raw.get("direction", "ASCENDING")).upper() == "DESCENDING"
    raise bad_request(f"Invalid sort {raw!r}")


def run(
    objects: Sequence[Obj],
    filters: list[list[Mapping[str, Any]]],
    sorts: list[tuple[str, bool]],
    kind_of: Callable[[str], str],
) -> list[Obj]:
    """The objects matching any filter group, sorted (ties and no sort: by id)."""
    hits = [o for o in objects if not o.archived and (not filters or any(_all(o, g, kind_of) for g in filters))]
    hits.sort(key=lambda o: int(o.id))
    for name, descending in sorts:
        kind = kind_of(name)
        hits.sort(key=lambda o: _sort_key(o.properties.get(name), kind), reverse=descending)
    return hits


def _all(obj: Obj, group: list[Mapping[str, Any]], kind_of: Callable[[str], str]) -> bool:
    return all(_matches(obj.properties.get(str(f["propertyName"])), f, kind_of(str(f["propertyName"]))) for f in group)


def _matches(current: str | None, f: Mapping[str, Any], kind: str) -> bool:
    op = str(f["operator"])
    if op == "HAS_PROPERTY":
        return bool(current)
    if op == "NOT_HAS_PROPERTY":
        return not current
    if op in ("IN", "NOT_IN"):
        found = current is not None and any(_cmp(current, v, kind) == 0 for v in f.get("values") or [])
        return found if op == "IN" else not found
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(f.get("value", "")).strip("*").casefold()
        found = current is not None and token in current.casefold()
        return found if op == "CONTAINS_TOKEN" else not found
    if current is None:
        return op == "NEQ"
    if op == "BETWEEN":
        return _cmp(current, f.get("value"), kind) >= 0 and _cmp(current, f.get("highValue"), kind) <= 0
    c = _cmp(current, f.get("value"), kind)
    outcome: bool = {"EQ": c == 0, "NEQ": c != 0, "LT": c < 0, "LTE": c <= 0, "GT": c > 0, "GTE": c >= 0}[op]
    return outcome


def _value(text: Any, kind: str) -> float | str:
    if kind in ("datetime", "date"):
        ms = to_millis(str(text))
        if ms is None:
            raise bad_request(f"{text!r} is not a valid date value")
        return float(ms)
    if kind == "number":
        try:
            return float(text)
        except (TypeError, ValueError):
            raise bad_request(f"{text!r} is not a valid number") from None
    return str(text).casefold()


def _cmp(current: str, wanted: Any, kind: str) -> int:
    a, b = _value(current, kind), _value(wanted, kind)
    return (a > b) - (a < b)  # type: ignore[operator]


def _sort_key(value: str | None, kind: str) -> tuple[int, float | str]:
    if value is None or value == "":
        return (1, "")
    return (0, _value(value, kind))
