"""Survivorship: the unified customer built from its records, each value with its source and time.

Rules, per field: contacts (a person's own CRM data) outrank social profiles for names, company, title and
places; within a rank the most recently updated record wins; a blank never beats a value. Multi-valued
identities are all kept: every email, every phone, every handle per network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from identity.api import IdentityRecord
from identity.exact import normalise_email, normalise_phone

SOURCE_RANK = {"contact": 0, "social_profile": 1}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RECENT_SENTIMENT_COUNT = 10


@dataclass(frozen=True, slots=True)
class InteractionFact:
    """What survivorship needs of one interaction of the customer."""

    network: str
    occurred_at: datetime | None
    sentiment: float | None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _ordered(records: Sequence[IdentityRecord]) -> list[IdentityRecord]:
    """Best source first: contacts before social profiles, then the most recently updated."""
    return sorted(
        records,
        key=lambda r: (SOURCE_RANK.get(r.kind, 2), -(r.updated_at or EPOCH).timestamp(), r.key),
    )


def _pick(
    records: Sequence[IdentityRecord], field: str, provenance: dict[str, dict[str, str]], attr: str
) -> str | None:
    for record in records:
        value = _text(record.attributes.get(field))
        if value:
            provenance[attr] = _origin(record)
            return value
    return None


def _origin(record: IdentityRecord) -> dict[str, str]:
    at = (record.updated_at or EPOCH).isoformat()
    return {"source": record.source, "record": record.key, "at": at}


def _names(ordered: Sequence[IdentityRecord], prov: dict[str, dict[str, str]]) -> dict[str, str | None]:
    first = _pick(ordered, "first_name", prov, "first_name")
    last = _pick(ordered, "last_name", prov, "last_name")
    full = " ".join(p for p in (first, last) if p) or None
    if full:
        prov["full_name"] = prov.get("first_name") or prov["last_name"]
    else:
        full = _pick(ordered, "name", prov, "full_name")
    return {"first_name": first, "last_name": last, "full_name": full}


def _contacts_points(ordered: Sequence[IdentityRecord]) -> tuple[list[str], list[str]]:
    emails: list[str] = []
    phones: list[str] = []
    for record in ordered:
        email = normalise_email(record.attributes.get("email"))
        if email and email not in emails:
            emails.append(email)
        country = _text(record.attributes.get("country"))
        phone = normalise_phone(record.attributes.get("phone"), country)
        if phone and phone not in phones:
            phones.append(phone)
    return emails, phones


def _social(records: Iterable[IdentityRecord]) -> dict[str, Any]:
    profiles = sorted((r for r in records if r.kind == "social_profile"), key=lambda r: (r.updated_at or EPOCH, r.key))
    handles: dict[str, list[str]] = {}
    followers = 0
    for record in profiles:
        handle = _text(record.attributes.get("handle"))
        if handle:
            bucket = handles.setdefault(record.source, [])
            if handle.lstrip("@") not in bucket:
                bucket.append(handle.lstrip("@"))
        count = record.attributes.get("followers")
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            followers += count
    networks = sorted({r.source for r in profiles})
    return {
        "handles": {network: sorted(values) for network, values in sorted(handles.items())},
        "networks": networks,
        "first_network": profiles[0].source if profiles else None,
        "followers_total": followers,
    }


def summarise_interactions(facts: Iterable[InteractionFact]) -> dict[str, Any]:
    """Count, latest time and mean sentiment of the most recent interactions that carry one."""
    items = sorted(facts, key=lambda f: f.occurred_at or EPOCH, reverse=True)
    latest = next((f.occurred_at for f in items if f.occurred_at), None)
    scored = [f.sentiment for f in items if f.sentiment is not None][:RECENT_SENTIMENT_COUNT]
    return {
        "interactions_count": len(items),
        "last_interaction_at": latest.isoformat() if latest else None,
        "sentiment_recent": round(sum(scored) / len(scored), 3) if scored else None,
    }


def build_profile(
    customer_id: str,
    records: Sequence[IdentityRecord],
    interactions: Iterable[InteractionFact] = (),
    *,
    created_at: datetime | None = None,
    updated_at: datetime | None = None,
) -> dict[str, Any]:
    """The unified customer (CONTRACT.md attributes) with a `provenance` map of where each value came from."""
    provenance: dict[str, dict[str, str]] = {}
    ordered = _ordered(records)
    emails, phones = _contacts_points(ordered)
    profile: dict[str, Any] = {"id": customer_id, **_names(ordered, provenance)}
    profile.update(email=emails[0] if emails else None, emails=emails)
    profile.update(phone=phones[0] if phones else None, phones=phones)
    for attr, field in (("city", "city"), ("country", "country"), ("company", "company"), ("title", "title")):
        profile[attr] = _pick(ordered, field, provenance, attr)
    if not profile["city"]:
        profile["city"] = _pick(ordered, "location", provenance, "city")
    profile.update(_social(records))
    profile.update(summarise_interactions(interactions))
    profile["sources"] = sorted({f"{r.kind}:{r.source}" for r in records})
    profile["created_at"] = created_at.isoformat() if created_at else None
    profile["updated_at"] = updated_at.isoformat() if updated_at else None
    profile["provenance"] = provenance
    return profile


def profile_fields(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The profile without its provenance: what mappings and the API show as the customer's values."""
    return {k: v for k, v in profile.items() if k != "provenance"}
