"""Running SOQL against the org: field checks, recycle bin for queryAll, ordering and nextRecordsUrl paging."""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from adapters.salesforce.sandbox.errors import ApiFault, not_found
from adapters.salesforce.sandbox.ids import make_id
from adapters.salesforce.sandbox.org import Org
from adapters.salesforce.sandbox.soql import Query, parse

DEFAULT_BATCH = 2000
MIN_BATCH = 200
MAX_LOCATORS = 200


def batch_size(header: str | None) -> int:
    """The page size from `Sforce-Query-Options: batchSize=N` (200 to 2,000; default 2,000)."""
    match = re.search(r"batchSize\s*=\s*(\d+)", header or "")
    if match is None:
        return DEFAULT_BATCH
    return max(MIN_BATCH, min(DEFAULT_BATCH, int(match.group(1))))


def _no_column(name: str, obj: str) -> ApiFault:
    return ApiFault(
        400,
        "INVALID_FIELD",
        f"No such column '{name}' on entity '{obj}'. If you are attempting to use a custom field, be sure to "
        "append the '__c' after the custom field name. Please reference your WSDL or the describe call for "
        "the appropriate names.",
    )


@dataclass
class Locators:
    """Open query cursors: the rest of each result, served by nextRecordsUrl."""

    open: OrderedDict[str, tuple[str, list[dict[str, Any]], int]] = field(default_factory=OrderedDict)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, kind: str, rows: list[dict[str, Any]], size: int) -> str:
        """Keep `rows` for paging; returns the locator id."""
        locator = make_id("01g", next(self._numbers))
        self.open[locator] = (kind, rows, size)
        while len(self.open) > MAX_LOCATORS:
            self.open.popitem(last=False)
        return locator


def run(org: Org, locators: Locators, text: str, *, all_rows: bool, size: int, version: str) -> dict[str, Any]:
    """The first page of a query (`all_rows`: queryAll, deleted records included)."""
    query = parse(text)
    obj = org.object_name(query.object)
    if obj is None:
        raise ApiFault(
            400,
            "INVALID_TYPE",
            f"sObject type '{query.object}' is not supported. If you are attempting to use a custom object, be "
            "sure to append the '__c' after the entity name. Please reference your WSDL or the describe call "
            "for the appropriate names.",
        )
    names = _canonical(org, obj, query)
    rows = [r for r in org.records.get(obj, {}).values() if all_rows or not r["IsDeleted"]]
    if query.where is not None:
        rows = [r for r in rows if query.where(_view(r, names))]
    for name, descending, nulls_last in reversed(query.order):
        rows = _sorted(rows, names[name.lower()], descending, nulls_last)
    rows = rows[query.offset :]
    if query.limit is not None:
        rows = rows[: query.limit]
    selected = [names[f.lower()] for f in query.fields]
    out = [_row(obj, r, selected, version) for r in rows]
    return _page(locators, "query", out, 0, size, version)


def more(locators: Locators, locator_ref: str, version: str) -> dict[str, Any]:
    """The page of an open query that starts at the offset in `locator_ref` (`<locator>-<offset>`)."""
    locator, _, offset = locator_ref.partition("-")
    if locator not in locators.open or not offset.isdigit():
        raise ApiFault(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    kind, rows, size = locators.open[locator]
    return _page(locators, kind, rows, int(offset), size, version, locator)


def _page(
    locators: Locators,
    kind: str,
    rows: list[dict[str, Any]],
    offset: int,
    size: int,
    version: str,
    locator: str | None = None,
) -> dict[str, Any]:
    end = offset + size
    body: dict[str, Any] = {"totalSize": len(rows), "done": end >= len(rows), "records": rows[offset:end]}
    if end < len(rows):
        locator = locator or locators.add(kind, rows, size)
        body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
    elif locator is not None:
        locators.open.pop(locator, None)
    return body


def _canonical(org: Org, obj: str, query: Query) -> dict[str, str]:
    names: dict[str, str] = {}
    for name in [*query.fields, *query.where_fields]:
        if "." in name or name.upper() == "FIELDS":
            raise ApiFault(400, "INVALID_FIELD", f"'{name}': the sandbox supports fields of the queried object only")
        spec = org.field_spec(obj, name)
        if spec is None:
            raise _no_column(name, obj)
        names[name.lower()] = spec["name"]
    return names


def _view(record: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {alias: record.get(real) for alias, real in names.items()}


def _sorted(rows: list[dict[str, Any]], key: str, descending: bool, nulls_last: bool) -> list[dict[str, Any]]:
    """Stable sort on one field (so sorting by the last ORDER BY item first gives the full ordering)."""
    values = [r for r in rows if r.get(key) is not None]
    nulls = [r for r in rows if r.get(key) is None]
    values.sort(key=lambda r: _sortable(r[key]), reverse=descending)
    return values + nulls if nulls_last else nulls + values


def _sortable(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else (0 if value is None else value)


def _row(obj: str, record: dict[str, Any], selected: list[str], version: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "attributes": {"type": obj, "url": f"/services/data/v{version}/sobjects/{obj}/{record['Id']}"}
    }
    for name in selected:
        row[name] = record.get(name)
    return row


def require_open(locators: Locators, locator: str) -> None:
    """404 for a locator that is not open."""
    if locator.partition("-")[0] not in locators.open:
        raise not_found()
