"""The identity package's interface: the records it resolves, the store port it reads, what it decides.

The hub (and `rapport resolve`, which needs no database) hands a batch of `IdentityRecord`s to a `Resolver`
together with a `CandidateStore`. The resolver reads the candidates it needs through the store, decides, and
returns a `Resolution`: which customer each record of the batch belongs to, which existing customers merge,
why each record was linked (so every link is explainable), and which decisions need a person (review).
The resolver never writes: the caller applies a resolution in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """One source record as identity sees it: a social profile or a contact (never an interaction)."""

    key: str  # stable record key, "<type>:<source>:<external_id>"
    kind: str  # "social_profile" or "contact" (or another ingest type that carries a person)
    source: str  # the network or the system
    external_id: str
    attributes: Mapping[str, Any]  # the ingest fields as received (name, email, phone, bio, properties, ...)
    customer_id: str | None = None  # the customer a stored record belongs to now; None for a new record
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """Why one record belongs to its customer: the rule or score that joined it, with its evidence."""

    record_key: str
    rule: str  # e.g. "email", "phone", "same_record", "new", or "score"
    score: float  # 1.0 for deterministic rules; match weight or probability otherwise
    matched: str | None = None  # the record key it was joined to (None when it starts a customer)
    evidence: Mapping[str, Any] = field(default_factory=dict)  # per-comparison details, readable by an admin


@dataclass(slots=True)
class Cluster:
    """One customer after resolution: an existing customer (`customer_id`) or a new one (None).

    `members` are the batch's record keys that belong to it; `absorbed` are existing customer ids merged
    into it (their records follow them).
    """

    customer_id: str | None
    members: list[str] = field(default_factory=list)
    absorbed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A decision left to a person: `record_key` fits `candidates` (customer ids) about equally well.

    A reclustering cannot name customers that do not exist yet: it leaves `candidates` empty and names a record
    of each candidate in `candidate_records` (its `evidence` is keyed by them); the caller stores their customers.
    """

    record_key: str
    candidates: tuple[str, ...]
    reason: str
    score: float = 0.0
    evidence: Mapping[str, Any] = field(default_factory=dict)
    candidate_records: tuple[str, ...] = ()


@dataclass(slots=True)
class Resolution:
    """What a resolver decided for one batch. Every record of the batch is in exactly one cluster."""

    clusters: list[Cluster] = field(default_factory=list)
    links: dict[str, LinkDecision] = field(default_factory=dict)
    review: list[ReviewItem] = field(default_factory=list)


class CandidateStore(Protocol):
    """Read port over the records already resolved (a database in the hub, memory in `rapport resolve`)."""

    def find_by_keys(self, keys: Collection[str]) -> Sequence[IdentityRecord]:
        """The stored records indexed under any of these blocking keys, with their current customer."""
        ...

    def key_counts(self, keys: Collection[str]) -> Mapping[str, int]:
        """How many stored records carry each key (for cardinality caps and term frequencies)."""
        ...

    def do_not_link(self, record_keys: Collection[str]) -> Collection[tuple[str, str]]:
        """Pairs of record keys (either side in `record_keys`) that a person said are different people."""
        ...


class Resolver(Protocol):
    """Resolves batches of records into customers."""

    def index_keys(self, record: IdentityRecord) -> list[str]:
        """The blocking keys under which the store must index `record` once it is stored."""
        ...

    def resolve(self, records: Sequence[IdentityRecord], store: CandidateStore) -> Resolution:
        """Decide which customer each record belongs to; reads through `store`, writes nothing."""
        ...
