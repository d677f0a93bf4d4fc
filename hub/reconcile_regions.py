"""Reconciling a large store in parts: the settled records split into regions that recluster independently.

Reclustering all records at once holds every profile in memory. A region is a union of components of the graph
whose edges are the links reclustering would make (found a slice of records at a time, with the whole store's
counts) and each customer's records: no link crosses two regions, so reclustering each region alone gives
what reclustering everything at once would. Components are packed into regions of at most `limit` records (a
larger component is a region of its own).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection

from hub.db.database import member_of
from hub.db.tables import source_records
from hub.identity_store import SqlCandidateStore
from identity.api import CandidateStore, IdentityRecord
from identity.clustering import Groups

SLICE_RECORDS = 20_000  # records whose links are found at once (with their candidates: bounded memory)


class LinkFinder(Protocol):
    """A resolver that can list the links a reclustering would make (the identity engine)."""

    def settled_links(
        self, records: Sequence[IdentityRecord], store: CandidateStore, among: Callable[[str], bool]
    ) -> list[tuple[str, str]]:
        """Pairs linked over the reclustering threshold, of `records` with each other and with stored records."""
        ...


def components(groups: Groups) -> list[list[str]]:
    """Each group's record keys, sorted, the groups in order of their first key."""
    return sorted((sorted(group.members) for group in groups.roots()), key=lambda members: members[0])


def regions(
    conn: Connection, finder: LinkFinder, store: SqlCandidateStore, owners: Mapping[str, Any], limit: int
) -> list[list[str]]:
    """The settled records (`owners`: record key -> customer) in regions of about `limit` records or fewer."""
    linked = Groups()
    first_of: dict[str, str] = {}
    for key in sorted(owners):
        linked.add(key, None)
        linked.union(first_of.setdefault(owners[key], key), key)
    keys = sorted(owners)
    for start in range(0, len(keys), SLICE_RECORDS):
        condition = member_of(conn, source_records.c.record_key, keys[start : start + SLICE_RECORDS])
        for a, b in finder.settled_links(store.records_where(condition), store, owners.__contains__):
            linked.union(a, b)
    return _packed(components(linked), limit)


def _packed(groups: list[list[str]], limit: int) -> list[list[str]]:
    packed: list[list[str]] = [[]]
    for group in groups:
        if packed[-1] and len(packed[-1]) + len(group) > limit:
            packed.append([])
        packed[-1].extend(group)
    return [region for region in packed if region]
