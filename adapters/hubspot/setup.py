"""What Rapport needs in a HubSpot portal, checking for it, and creating it (`rapport setup`), idempotently.

Contacts get ``rapport_id`` (unique: the upsert key), ``rapport_customer_id``, ``rapport_social_handles``,
``rapport_last_social_at`` and ``rapport_social_followers``; notes get ``rapport_interaction_id`` (unique: notes
are upserted by it, so social history is never duplicated). All live in a ``rapport`` property group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubspot.crm.properties import BatchInputPropertyCreate, PropertyCreate, PropertyGroupCreate

from adapters.base import ConfigError
from adapters.hubspot.errors import Refused
from adapters.hubspot.transport import Transport

GROUP = "rapport"


@dataclass(frozen=True)
class Needed:
    """One property Rapport needs."""

    object_type: str
    name: str
    label: str
    type: str
    field_type: str
    unique: bool = False

    def create_input(self) -> PropertyCreate:
        """The properties API input that creates it."""
        return PropertyCreate(
            name=self.name, label=self.label, type=self.type, field_type=self.field_type, group_name=GROUP,
            has_unique_value=self.unique, description="Managed by Rapport.", form_field=False,
        )  # fmt: skip


NEEDED = (
    Needed("contacts", "rapport_id", "Rapport link id", "string", "text", unique=True),
    Needed("contacts", "rapport_customer_id", "Rapport customer id", "string", "text"),
    Needed("contacts", "rapport_social_handles", "Social handles", "string", "textarea"),
    Needed("contacts", "rapport_last_social_at", "Last social interaction", "datetime", "date"),
    Needed("contacts", "rapport_social_followers", "Social followers", "number", "number"),
    Needed("notes", "rapport_interaction_id", "Rapport interaction id", "string", "text", unique=True),
)


class Setup:
    """Checks and creates Rapport's properties through one transport."""

    def __init__(self, transport: Transport) -> None:
        self.t = transport
        props = transport.client.crm.properties
        self.core, self.batch, self.groups = props.core_api, props.batch_api, props.groups_api

    def properties(self, object_type: str) -> dict[str, Any]:
        """The portal's properties of one object type, by name (raw HubSpot JSON)."""
        data, _ = self.t.call(self.core.get_all_with_http_info, object_type, archived=False)
        raw = self.t.client.crm.properties.core_api.api_client.sanitize_for_serialization(data)
        return {p["name"]: p for p in raw.get("results") or []}

    def problems(self) -> list[str]:
        """Every missing or wrongly defined Rapport property, as ``object.name (what is wrong)``."""
        out: list[str] = []
        for object_type in sorted({n.object_type for n in NEEDED}):
            present = self.properties(object_type)
            for need in (n for n in NEEDED if n.object_type == object_type):
                found = present.get(need.name)
                if found is None:
                    out.append(f"{object_type}.{need.name} (missing)")
                elif need.unique and not found.get("hasUniqueValue"):
                    out.append(f"{object_type}.{need.name} (exists but is not unique; delete it and run setup)")
        return out

    def daily_usage(self) -> None:
        """Seed the limiter with today's private-app usage (``/account-info/v3/api-usage/daily/private-apps``)."""
        api_client = self.core.api_client

        def fetch(**kwargs: Any) -> Any:
            return api_client.call_api(
                "/account-info/v3/api-usage/daily/private-apps", "GET", header_params={"Accept": "application/json"},
                response_types_map={200: "object"}, auth_settings=["oauth2"], **kwargs,
            )  # fmt: skip

        data, _ = self.t.call(fetch)
        for row in (data or {}).get("results") or []:
            if row.get("name") == "private-apps-api-calls-daily":
                self.t.limiter.seed_daily(int(row.get("usageLimit") or 0), int(row.get("currentUsage") or 0))

    def check(self, connection: str) -> None:
        """Raise ConfigError naming every missing property."""
        problems = self.problems()
        if problems:
            raise ConfigError(
                f"the HubSpot portal of connection {connection} lacks what Rapport needs: {', '.join(problems)}; "
                f"run `rapport setup {connection}`"
            )

    def create(self) -> list[str]:
        """Create the group and properties that are missing; lines describing what was created."""
        lines: list[str] = []
        for object_type in sorted({n.object_type for n in NEEDED}):
            present = self.properties(object_type)
            missing = [n for n in NEEDED if n.object_type == object_type and n.name not in present]
            if not missing:
                continue
            lines.extend(self._group(object_type))
            body = BatchInputPropertyCreate(inputs=[n.create_input() for n in missing])
            try:
                self.t.call(self.batch.create_with_http_info, object_type, body)
            except Refused as refused:
                if refused.status != 409:
                    raise ConfigError(f"HubSpot refused to create Rapport's properties: {refused.message}") from None
                for need in missing:  # some exist already (a concurrent setup): create the rest one by one
                    self._one(object_type, need)
            singular = object_type.rstrip("s")
            lines.extend(f"created {singular} property {n.name}" + (" (unique)" if n.unique else "") for n in missing)
        return lines

    def _group(self, object_type: str) -> list[str]:
        data, _ = self.t.call(self.groups.get_all_with_http_info, object_type)
        if any(g.name == GROUP for g in data.results or []):
            return []
        try:
            self.t.call(
                self.groups.create_with_http_info, object_type, PropertyGroupCreate(name=GROUP, label="Rapport")
            )
        except Refused as refused:
            if refused.status != 409:
                raise ConfigError(f"HubSpot refused to create the property group {GROUP}: {refused.message}") from None
            return []
        return [f"created {object_type.rstrip('s')} property group {GROUP}"]

    def _one(self, object_type: str, need: Needed) -> None:
        try:
            self.t.call(self.core.create_with_http_info, object_type, need.create_input())
        except Refused as refused:
            if refused.status != 409:
                raise ConfigError(f"HubSpot refused to create {need.name}: {refused.message}") from None
