"""Reads: incremental SOQL on SystemModstamp through queryAll (deletions arrive as IsDeleted rows), paged by
nextRecordsUrl, with a cursor after every page; and records by id.

The cursor is the newest SystemModstamp seen plus the (Id, SystemModstamp) pairs seen within the overlap
window: each run asks again from a few seconds before it (a transaction can commit a slightly older stamp
after a newer one) and drops what it already delivered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from adapters.base import ChangePage, ConfigError, ExternalRecord
from adapters.salesforce.client import Client

ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
IDS_PER_QUERY = 300  # keeps the query string well under Salesforce's URI limit


def parse_stamp(text: str) -> datetime:
    """A Salesforce datetime (2024-05-01T12:00:00.000+0000)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def soql_time(value: datetime) -> str:
    """A SOQL date-time literal (seconds, UTC)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


class Cursor:
    """Where a change feed stands (see the module docstring); serialised as compact JSON."""

    def __init__(self, newest: datetime | None = None, seen: dict[str, str] | None = None) -> None:
        self.newest = newest
        self.seen = seen or {}  # Id -> SystemModstamp, for rows within the overlap window

    @classmethod
    def load(cls, text: str | None) -> Cursor:
        """The cursor saved by `dump` (None: from the beginning)."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            return cls(parse_stamp(data["t"]), dict(data.get("s", {})))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ConfigError(
                "the saved cursor was not written by the Salesforce adapter; reset it to pull again"
            ) from None

    def dump(self) -> str | None:
        """The opaque cursor text."""
        if self.newest is None:
            return None
        stamp = self.newest.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
        return json.dumps({"t": stamp, "s": self.seen}, separators=(",", ":"))

    def fresh(self, row: dict[str, Any]) -> bool:
        """False for a row this cursor already delivered."""
        return bool(self.seen.get(row["Id"]) != row["SystemModstamp"])

    def advance(self, rows: Sequence[dict[str, Any]], overlap: timedelta) -> None:
        """Take a page's rows into the cursor and forget what left the overlap window."""
        for row in rows:
            stamp = parse_stamp(row["SystemModstamp"])
            if self.newest is None or stamp > self.newest:
                self.newest = stamp
            self.seen[row["Id"]] = row["SystemModstamp"]
        if self.newest is not None:
            floor = self.newest - overlap
            self.seen = {i: s for i, s in self.seen.items() if parse_stamp(s) >= floor}


def _record(obj: str, row: dict[str, Any]) -> ExternalRecord:
    fields = {k: v for k, v in row.items() if k != "attributes"}
    return ExternalRecord(row["Id"], fields, parse_stamp(row["SystemModstamp"]), obj.lower())


def changes(client: Client, sobject: str, fields: list[str], since: str | None) -> Iterator[ChangePage]:
    """Pages of records changed (or deleted) at or after the cursor, oldest first."""
    cfg = client.cfg
    cursor = Cursor.load(since)
    overlap = timedelta(seconds=cfg.overlap_seconds)
    where = f" WHERE SystemModstamp >= {soql_time(cursor.newest - overlap)}" if cursor.newest else ""
    soql = f"SELECT {', '.join(fields)} FROM {sobject}{where} ORDER BY SystemModstamp ASC, Id ASC"
    result = client.query(soql, include_deleted=True, batch_size=cfg.query_batch_size)
    while True:
        rows = [r for r in result["records"] if cursor.fresh(r)]
        cursor.advance(rows, overlap)
        deleted = [r["Id"] for r in rows if r.get("IsDeleted")]
        merged = {r["Id"]: r["MasterRecordId"] for r in rows if r.get("IsDeleted") and r.get("MasterRecordId")}
        records = [_record(sobject, r) for r in rows if not r.get("IsDeleted")]
        more = not result["done"]
        yield ChangePage(records, cursor.dump() or since, more, deleted, merged)
        if not more:
            return
        result = client.query_more(result["nextRecordsUrl"], batch_size=cfg.query_batch_size)


def by_ids(client: Client, sobject: str, fields: list[str], ids: Sequence[str]) -> list[ExternalRecord]:
    """Live records with these ids, in the order asked; ids that cannot be Salesforce ids are skipped."""
    wanted = [i for i in dict.fromkeys(ids) if ID.match(i)]
    found: dict[str, ExternalRecord] = {}
    for start in range(0, len(wanted), IDS_PER_QUERY):
        chunk = wanted[start : start + IDS_PER_QUERY]
        quoted = ", ".join(f"'{i}'" for i in chunk)
        soql = f"SELECT {', '.join(fields)} FROM {sobject} WHERE Id IN ({quoted})"
        result = client.query(soql)
        rows = list(result["records"])
        while not result["done"]:
            result = client.query_more(result["nextRecordsUrl"])
            rows += result["records"]
        for row in rows:
            found[row["Id"]] = _record(sobject, row)
            found[row["Id"][:15]] = found[row["Id"]]
    return [found[i] for i in wanted if i in found]
