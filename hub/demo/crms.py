"""The demo's CRMs: a Salesforce and a HubSpot sandbox on free loopback ports, seeded with the sample's contacts.

Contacts are created through each sandbox's back door, as a rep would type them in the CRM, so the hub meets
them the way it meets a real org: by pulling.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from adapters.hubspot.sandbox import SandboxHandle as HubSpotHandle
from adapters.hubspot.sandbox import start_in_thread as start_hubspot
from adapters.salesforce.sandbox import SandboxHandle as SalesforceHandle
from adapters.salesforce.sandbox import start_in_thread as start_salesforce
from hub.demo import DATA_DIR

SALESFORCE_FIELDS = {
    "first_name": "FirstName", "last_name": "LastName", "email": "Email", "phone": "Phone",
    "city": "MailingCity", "country": "MailingCountry", "title": "Title",
}  # fmt: skip
HUBSPOT_FIELDS = {
    "first_name": "firstname", "last_name": "lastname", "email": "email", "phone": "phone", "city": "city",
    "country": "country", "company": "company", "title": "jobtitle",
}  # fmt: skip


@dataclass
class DemoCrms:
    """The two running sandboxes and the ids of the contacts seeded in each (sample id -> CRM id)."""

    salesforce: SalesforceHandle
    hubspot: HubSpotHandle
    seeded: dict[str, dict[str, str]] = field(default_factory=lambda: {"salesforce": {}, "hubspot": {}})

    def salesforce_door(self) -> httpx.Client:
        """The Salesforce sandbox's back door (as a rep in the org)."""
        return httpx.Client(base_url=f"{self.salesforce.instance_url}/__sandbox__", verify=self.salesforce.ca_file)

    def hubspot_door(self) -> httpx.Client:
        """The HubSpot sandbox's back door (as a user in the portal)."""
        return httpx.Client(base_url=f"{self.hubspot.base_url}/__sandbox__")

    def apply_file(self) -> str:
        """The `rapport apply` file connecting the hub to both sandboxes (JSON, which YAML reads too)."""
        connections = [
            {"name": "salesforce", "kind": "salesforce", "instance_url": self.salesforce.instance_url,
             "auth": {"session_id": self.salesforce.session_id}, "ca_file": self.salesforce.ca_file,
             "objects": ["contact"]},
            {"name": "hubspot", "kind": "hubspot", "base_url": self.hubspot.base_url,
             "auth": {"access_token": self.hubspot.access_token}},
        ]  # fmt: skip
        return json.dumps({"connections": connections}, indent=2)


def sample_contacts() -> list[dict[str, Any]]:
    """The sample's CRM contacts (the ones the demo seeds into the sandboxes)."""
    with (DATA_DIR / "contacts.ndjson").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _fields(contact: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    # the CRMs' own forms trim what a rep types, so the seeded values are trimmed too
    return {crm: str(contact[ours]).strip() for ours, crm in names.items() if contact.get(ours)}


def seed(crms: DemoCrms, contacts: list[dict[str, Any]]) -> None:
    """Create each sample contact in the CRM its `system` names."""
    with crms.salesforce_door() as door:
        for contact in (c for c in contacts if c["system"] == "salesforce"):
            answer = door.post("/records/Contact", json={"records": [_fields(contact, SALESFORCE_FIELDS)]})
            answer.raise_for_status()
            crms.seeded["salesforce"][contact["id"]] = answer.json()["ids"][0]
    with crms.hubspot_door() as door:
        for contact in (c for c in contacts if c["system"] == "hubspot"):
            answer = door.post("/records/contacts", json={"properties": _fields(contact, HUBSPOT_FIELDS)})
            answer.raise_for_status()
            crms.seeded["hubspot"][contact["id"]] = str(answer.json()["id"])


def edit_in_salesforce(crms: DemoCrms, crm_id: str, fields: dict[str, Any]) -> None:
    """Change a Salesforce contact as a rep would."""
    with crms.salesforce_door() as door:
        door.patch(f"/records/Contact/{crm_id}", json=fields).raise_for_status()


def hubspot_contact(crms: DemoCrms, email: str) -> dict[str, Any] | None:
    """The HubSpot contact with this email, as the portal holds it now."""
    answer = httpx.post(
        f"{crms.hubspot.base_url}/crm/v3/objects/contacts/search",
        headers={"Authorization": f"Bearer {crms.hubspot.access_token}"},
        json={"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}],
              "properties": ["email", "phone", "city", "rapport_customer_id", "rapport_social_handles"]},
    )  # fmt: skip
    answer.raise_for_status()
    results = answer.json().get("results", [])
    return dict(results[0]["properties"]) if results else None


@contextmanager
def running_crms() -> Iterator[DemoCrms]:
    """Both sandboxes for the duration of the block."""
    salesforce = start_salesforce()
    try:
        hubspot = start_hubspot(window=10.0)
        try:
            yield DemoCrms(salesforce, hubspot)
        finally:
            hubspot.stop()
    finally:
        salesforce.stop()


def write_apply_file(crms: DemoCrms, workdir: Path) -> Path:
    """Write the demo's apply file into `workdir`."""
    path = workdir / "rapport.json"
    path.write_text(crms.apply_file(), encoding="utf-8")
    return path
