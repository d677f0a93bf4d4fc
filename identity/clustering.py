"""Constrained best-first clustering: strongest links first, and a link joins two groups only when every
record of one is compatible with every record of the other (no chaining of weak links through a middle
record), and no do-not-link pair would end up together. Two existing customers merge under the same rules as
new records (a record that bridges them, compatible with all of both), so that the customers found do not
depend on whether records arrived together or apart.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from identity.pairs import PairScore

Compatible = Callable[[str, str], bool]


@dataclass(slots=True)
class Group:
    """Records resolved together, and the existing customers among them."""

    members: set[str] = field(default_factory=set)
    customers: set[str] = field(default_factory=set)


class Groups:
    """Union-find over record keys with per-group members and customers."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._groups: dict[str, Group] = {}

    def add(self, key: str, customer: str | None) -> None:
        """A record in its own group (records of one customer are joined with `join_customer`)."""
        if key not in self._parent:
            self._parent[key] = key
            self._groups[key] = Group({key}, {customer} if customer else set())

    def find(self, key: str) -> str:
        """The root of `key`'s group."""
        root = key
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[key] != root:
            self._parent[key], key = root, self._parent[key]
        return root

    def group(self, key: str) -> Group:
        """The group holding `key`."""
        return self._groups[self.find(key)]

    def union(self, a: str, b: str) -> None:
        """Join the groups of `a` and `b`."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        self._parent[gone] = keep
        merged = self._groups.pop(gone)
        self._groups[keep].members |= merged.members
        self._groups[keep].customers |= merged.customers

    def roots(self) -> Iterable[Group]:
        """Every group."""
        return self._groups.values()


@dataclass(frozen=True, slots=True)
class Edge:
    """A scored candidate pair."""

    a: str
    b: str
    score: PairScore


@dataclass(slots=True)
class Policy:
    """What the clustering must respect."""

    threshold: float
    do_not_link: Collection[frozenset[str]]
    compatible: Compatible
    frozen: Collection[str] = ()


def _allowed(groups: Groups, edge: Edge, policy: Policy) -> bool:
    left, right = groups.group(edge.a), groups.group(edge.b)
    for x in left.members:
        for y in right.members:
            if frozenset((x, y)) in policy.do_not_link or not policy.compatible(x, y):
                return False
    return True


def cluster(groups: Groups, edges: Iterable[Edge], policy: Policy) -> dict[str, Edge]:
    """Join groups along edges, strongest first; returns, per record joined, the edge that joined it."""
    joined: dict[str, Edge] = {}
    ordered = sorted(edges, key=lambda e: (-e.score.total, e.a, e.b))
    for edge in ordered:
        if edge.score.total < policy.threshold or edge.score.veto:
            continue
        if edge.a in policy.frozen or edge.b in policy.frozen:
            continue
        if groups.find(edge.a) == groups.find(edge.b) or not _allowed(groups, edge, policy):
            continue
        groups.union(edge.a, edge.b)
        joined.setdefault(edge.a, edge)
        joined.setdefault(edge.b, edge)
    return joined
