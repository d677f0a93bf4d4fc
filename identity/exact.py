"""The first identity step: records that share a normalised email or an E.164 phone are one customer.

It is deliberately exact (no names, no scores): it never guesses, so it is safe to run on any data. The full
engine (`identity.engine`) supersedes it behind the same `Resolver` interface.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import phonenumbers

from identity.api import CandidateStore, Cluster, IdentityRecord, LinkDecision, Resolution

JUNK_VALUES = frozenset({"", "n/a", "na", "none", "null", "-", "-1", "0", "unknown", "test@test.com"})


def normalise_email(value: Any) -> str | None:
    """Lower-cased, trimmed email, or None for anything that is not one (junk placeholders included)."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if email in JUNK_VALUES or not local or "." not in domain or " " in email:
        return None
    return email


def normalise_phone(value: Any, region: str | None = None) -> str | None:
    """E.164 form of a phone number, using `region` (ISO alpha-2) for national numbers; None if invalid."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if text.lower() in JUNK_VALUES:
        return None
    return _e164(text, (region or "").upper() or None)


@lru_cache(maxsize=65_536)
def _e164(text: str, region: str | None) -> str | None:
    # Parsing is the costly part of normalisation and the same numbers recur across a person's records.
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def identifier_keys(attributes: Mapping[str, Any]) -> dict[str, str]:
    """The exact identifiers of a record as blocking keys, `{key: rule}` (e.g. `email:a@b.co` -> email)."""
    keys: dict[str, str] = {}
    email = normalise_email(attributes.get("email"))
    if email:
        keys[f"email:{email}"] = "email"
    country = attributes.get("country")
    phone = normalise_phone(attributes.get("phone"), country if isinstance(country, str) else None)
    if phone:
        keys[f"phone:{phone}"] = "phone"
    return keys


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        self.parent.setdefault(node, node)
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self, nodes: Iterable[str]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for node in nodes:
            grouped.setdefault(self.find(node), []).append(node)
        return grouped


class ExactResolver:
    """Links records sharing an exact identifier (email, phone); see the module docstring."""

    def index_keys(self, record: IdentityRecord) -> list[str]:
        """Blocking keys: the record's normalised email and phone."""
        return sorted(identifier_keys(record.attributes))

    def resolve(self, records: Sequence[IdentityRecord], store: CandidateStore) -> Resolution:
        """Group the batch with stored records that share an identifier; merge customers they bridge."""
        keys_of = {r.key: identifier_keys(r.attributes) for r in records}
        all_keys = {k for keys in keys_of.values() for k in keys}
        stored = [r for r in store.find_by_keys(all_keys) if r.customer_id and r.key not in keys_of]
        holders: dict[str, list[str]] = {}
        for record in stored:
            for key in identifier_keys(record.attributes):
                holders.setdefault(key, []).append(record.key)
        customer_of = {r.key: r.customer_id for r in stored if r.customer_id}

        uf = _UnionFind()
        first_holder: dict[str, str] = {}
        links: dict[str, LinkDecision] = {}
        for record in records:
            node = f"r:{record.key}"
            uf.find(node)
            if record.customer_id:
                uf.union(node, f"c:{record.customer_id}")
            for key, rule in keys_of[record.key].items():
                for other in holders.get(key, []):
                    uf.union(node, f"c:{customer_of[other]}")
                    links.setdefault(record.key, _link(record.key, rule, key, other))
                earlier = first_holder.setdefault(key, record.key)
                if earlier != record.key:
                    uf.union(node, f"r:{earlier}")
                    links.setdefault(record.key, _link(record.key, rule, key, earlier))
            if record.key not in links:
                rule = "same_record" if record.customer_id else "new"
                links[record.key] = LinkDecision(record.key, rule, 1.0)
        return Resolution(clusters=_clusters(uf, records, customer_of), links=links)


def _link(record_key: str, rule: str, key: str, matched: str) -> LinkDecision:
    value = key.split(":", 1)[1]
    return LinkDecision(record_key, rule, 1.0, matched, {"rule": rule, rule: value})


def _clusters(uf: _UnionFind, records: Sequence[IdentityRecord], customer_of: dict[str, str]) -> list[Cluster]:
    nodes = [f"r:{r.key}" for r in records]
    nodes += [f"c:{cid}" for cid in set(customer_of.values())]
    nodes += [f"c:{r.customer_id}" for r in records if r.customer_id]
    clusters: list[Cluster] = []
    for group in uf.groups(dict.fromkeys(nodes)).values():
        members = [n[2:] for n in group if n.startswith("r:")]
        if not members:
            continue
        customer_ids = sorted({n[2:] for n in group if n.startswith("c:")})
        survivor = customer_ids[0] if customer_ids else None
        clusters.append(Cluster(survivor, members, customer_ids[1:]))
    return clusters
