"""Reconciling a large store in parts: the settled records split into regions that recluster independently.

Reclustering all records at once holds every profile in memory. A region is a union of components of the graph
whose edges are the links reclustering would make (found a slice of records at a time, with the whole store's
counts) and each customer's records: no link crosses two regions, so reclustering each region alone gives
what reclustering everything at once would. Components are packed into regions of at most `limit` records (a
larger component is a region of its own).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection

from hub.db.database import member_of
from hub.db.tables import source_records
from hub.identity_store import SqlCandidateStore
from identity.api import CandidateStore, IdentityRecord

SLICE_RECORDS = 20_000  # records whose links are found at once (with their candidates: bounded memory)


class LinkFinder(Protocol):
    """A resolver that can list the links a reclustering would make (the identity engine)."""

    def settled_links(
        self, records: Sequence[IdentityRecord], store: CandidateStore, among: Callable[[str], bool]
    ) -> list[tuple[str, str]]:
        """Pairs linked over the reclustering threshold, of `records` with each other and with stored records."""
        ...


class _Components:
    """Union-find over record keys."""

    def __init__(self, keys: Collection[str]) -> None:
        self._parent = {key: key for key in keys}

    def find(self, key: str) -> str:
        root = key
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[key] != root:
            self._parent[key], key = root, self._parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        members: dict[str, list[str]] = {}
        for key in sorted(self._parent):
            members.setdefault(self.find(key), []).append(key)
        return list(members.values())


def regions(
    conn: Connection, finder: LinkFinder, store: SqlCandidateStore, owners: Mapping[str, Any], limit: int
) -> list[list[str]]:
    """The settled records (`owners`: record key -> customer) in regions of about `limit` records or fewer."""
    components = _Components(owners)
    first_of: dict[str, str] = {}
    for key in sorted(owners):
        components.union(first_of.setdefault(owners[key], key), key)
    keys = sorted(owners)
    for start in range(0, len(keys), SLICE_RECORDS):
        condition = member_of(conn, source_records.c.record_key, keys[start : start + SLICE_RECORDS])
        for a, b in finder.settled_links(store.records_where(condition), store, owners.__contains__):
            components.union(a, b)
    return _packed(sorted(components.groups(), key=lambda group: group[0]), limit)


def _packed(groups: list[list[str]], limit: int) -> list[list[str]]:
    packed: list[list[str]] = [[]]
    for group in groups:
        if packed[-1] and len(packed[-1]) + len(group) > limit:
            packed.append([])
        packed[-1].extend(group)
    return [region for region in packed if region]
