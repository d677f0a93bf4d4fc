"""The unified customer as mappings see it: attribute names, the kind of each value, and which ones
the hub lets a CRM write (CONTRACT.md, "The unified customer")."""

from __future__ import annotations

from typing import Literal

Kind = Literal["text", "number", "date", "datetime", "boolean", "list", "map"]

ATTRIBUTES: dict[str, Kind] = {
    "id": "text",
    "first_name": "text",
    "last_name": "text",
    "full_name": "text",
    "email": "text",
    "emails": "list",
    "phone": "text",
    "phones": "list",
    "city": "text",
    "country": "text",
    "company": "text",
    "title": "text",
    "handles": "map",
    "first_network": "text",
    "networks": "list",
    "followers_total": "number",
    "interactions_count": "number",
    "last_interaction_at": "datetime",
    "sentiment_recent": "number",
    "created_at": "datetime",
    "updated_at": "datetime",
}

# Not a customer attribute: the link id of the one CRM record being written, given to Mapper.to_external.
LINK_ID = "link_id"

SOURCES: dict[str, Kind] = {**ATTRIBUTES, LINK_ID: "text"}

# What a CRM may change in the hub (direction pull or both). The rest is computed by the hub
# (ids, social summaries, timestamps) and can only be pushed.
PULLABLE: frozenset[str] = frozenset(
    {"first_name", "last_name", "full_name", "email", "phone", "city", "country", "company", "title"}
)


def is_blank(value: object) -> bool:
    """None, an empty or whitespace-only string, or an empty collection: a value that overwrites nothing."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict | set | frozenset):
        return len(value) == 0
    return False
