"""Customer-level profiles: a new record is also compared with everything a customer's records say together.

A person's evidence is spread over their records (the employer in one CRM contact, the city on one profile,
the handle on another); comparing a new record with the union catches what no single pair shows. Vetoes and
the no-chaining check still look at every record pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import fields, replace
from typing import Any

from identity.candidates import Indexed, KeySets, Neighbourhood
from identity.normalize.names import names_id
from identity.profile import Profile

MAX_FORMS = 4
_SET_FIELDS = [f.name for f in fields(Profile) if f.type in ("frozenset[str]", "frozenset[tuple[str, str]]")]


def _union(members: list[Indexed]) -> Indexed:
    first = members[0].profile
    merged: dict[str, Any] = {
        name: frozenset().union(*(getattr(m.profile, name) for m in members)) for name in _SET_FIELDS
    }
    forms = tuple(dict.fromkeys(form for m in members for form in m.profile.names[:2]))[:MAX_FORMS]
    addresses = tuple(dict.fromkeys(a for m in members for a in m.profile.addresses))
    profile = replace(first, account=None, names=forms, names_id=names_id(forms), addresses=addresses, **merged)
    keys = frozenset().union(*(m.keys for m in members))
    return Indexed(profile, KeySets.scan(keys), members[0].customer_id)


def customer_profiles(hood: Neighbourhood, wanted: Collection[str]) -> dict[str, tuple[str, Indexed]]:
    """Customer id -> (a representative stored record, the union of its stored records), for the `wanted`
    customers of 2+ records (a union costs as much as its records: build only those compared)."""
    members: defaultdict[str, list[tuple[str, Indexed]]] = defaultdict(list)
    for key, item in sorted(hood.stored.items()):
        if item.customer_id and item.customer_id in wanted:
            members[item.customer_id].append((key, item))
    return {
        customer: (records[0][0], _union([item for _, item in records]))
        for customer, records in members.items()
        if len(records) > 1
    }
