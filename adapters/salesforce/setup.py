"""What Rapport needs in an org (CONTRACT.md, "What lands in the CRM"), how to check it, and how to create it
through the Tooling API. Creating is idempotent: only what is missing is created.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.base import ConfigError
from adapters.salesforce.client import Client
from adapters.salesforce.writes import INTERACTION_OBJECT

Check = Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class Need:
    """One field Rapport needs: how to create it (Tooling API metadata) and how to tell it is usable."""

    name: str
    metadata: dict[str, Any]
    check: Check
    summary: str


def _text(length: int, *, external: bool = False, unique: bool = False) -> Check:
    def check(f: Mapping[str, Any]) -> str | None:
        if f.get("type") not in {"string", "textarea"} or int(f.get("length") or 0) < length:
            return f"must be text of at least {length} characters"
        if external and not f.get("externalId"):
            return "must be an External ID"
        if unique and not f.get("unique"):
            return "must be unique"
        return None

    return check


def _typed(*types: str, refers: str | None = None) -> Check:
    def check(f: Mapping[str, Any]) -> str | None:
        if f.get("type") not in types:
            return f"must be of type {' or '.join(types)}"
        if refers and refers not in (f.get("referenceTo") or []):
            return f"must be a lookup to {refers}"
        return None

    return check


def _field(label: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"label": label, "type": kind, "description": "Maintained by Rapport.", **extra}


def _lookup(target: str) -> dict[str, Any]:
    relation = "Rapport_Social_Interactions"
    return _field(target, "Lookup", referenceTo=target, relationshipName=relation,
                  relationshipLabel="Rapport Social Interactions", deleteConstraint="SetNull")  # fmt: skip


RECORD_FIELDS = [
    Need("Rapport_Id__c", _field("Rapport Id", "Text", length=64, externalId=True, unique=True, caseSensitive=False),
         _text(64, external=True, unique=True), "Text(64), External ID, unique"),
    Need("Rapport_Customer_Id__c", _field("Rapport Customer Id", "Text", length=64, externalId=True),
         _text(64), "Text(64), External ID"),
    Need("Rapport_Social_Handles__c", _field("Social Handles", "LongTextArea", length=32768, visibleLines=3),
         _text(1000), "Long Text Area(32768)"),
    Need("Rapport_Last_Social_At__c", _field("Last Social Interaction", "DateTime"), _typed("datetime"), "Date/Time"),
    Need("Rapport_Social_Followers__c", _field("Social Followers", "Number", precision=18, scale=0),
         _typed("double", "int"), "Number(18, 0)"),
]  # fmt: skip
INTERACTION_FIELDS = [
    Need("External_Id__c", _field("External Id", "Text", length=255, externalId=True, unique=True, caseSensitive=False),
         _text(255, external=True, unique=True), "Text(255), External ID, unique"),
    Need("Contact__c", _lookup("Contact"), _typed("reference", refers="Contact"), "Lookup(Contact)"),
    Need("Lead__c", _lookup("Lead"), _typed("reference", refers="Lead"), "Lookup(Lead)"),
    Need("Network__c", _field("Network", "Text", length=40), _text(40), "Text(40)"),
    Need("Kind__c", _field("Kind", "Text", length=40), _typed("string", "picklist"), "Text(40)"),
    Need("Direction__c", _field("Direction", "Text", length=40), _typed("string", "picklist"), "Text(40)"),
    Need("Text__c", _field("Text", "LongTextArea", length=32768, visibleLines=5), _text(32768),
         "Long Text Area(32768)"),
    Need("Url__c", _field("URL", "Url"), _typed("url", "string"), "URL"),
    Need("Occurred_At__c", _field("Occurred At", "DateTime"), _typed("datetime"), "Date/Time"),
]  # fmt: skip
INTERACTION_METADATA = {
    "label": "Rapport Social Interaction",
    "pluralLabel": "Rapport Social Interactions",
    "nameField": {"label": "Interaction Number", "type": "AutoNumber", "displayFormat": "RSI-{000000}"},
    "deploymentStatus": "Deployed",
    "sharingModel": "ReadWrite",
    "description": "Social posts, comments and messages, written by Rapport.",
}


def requirements(objects: list[str], social_history: bool) -> dict[str, list[Need]]:
    """The fields needed per Salesforce object."""
    needs: dict[str, list[Need]] = dict.fromkeys(objects, RECORD_FIELDS)
    if social_history:
        needs[INTERACTION_OBJECT] = INTERACTION_FIELDS
    return needs


def _describe(client: Client, sobject: str) -> dict[str, Mapping[str, Any]] | None:
    """Fields by name, or None when the object does not exist (or the user cannot see it)."""
    names = {o["name"] for o in client.rest("GET", "sobjects", idempotent=True)["sobjects"]}
    if sobject not in names:
        return None
    described = client.rest("GET", f"sobjects/{sobject}/describe", idempotent=True)
    return {f["name"]: f for f in described["fields"]}


def problems(client: Client, needs: dict[str, list[Need]]) -> tuple[list[str], list[tuple[str, Need]], list[str]]:
    """What is wrong: (messages, fields to create, objects to create)."""
    messages: list[str] = []
    missing: list[tuple[str, Need]] = []
    objects: list[str] = []
    for sobject, fields in needs.items():
        described = _describe(client, sobject)
        if described is None:
            messages.append(f"object {sobject} is missing")
            objects.append(sobject)
            missing += [(sobject, need) for need in fields]
            continue
        for need in fields:
            spec = described.get(need.name)
            if spec is None:
                messages.append(f"field {sobject}.{need.name} is missing")
                missing.append((sobject, need))
            elif (wrong := need.check(spec)) is not None:
                messages.append(f"field {sobject}.{need.name} {wrong}")
            elif not spec.get("updateable"):
                messages.append(f"field {sobject}.{need.name} is read-only for the integration user (field security)")
    return messages, missing, objects


def _post(client: Client, kind: str, body: dict[str, Any]) -> bool:
    """Create one Tooling API component; False when it already exists but the user cannot see it (access is
    granted afterwards, which makes it visible)."""
    try:
        client.rest("POST", f"tooling/sobjects/{kind}", json=body, idempotent=False)
    except ConfigError as exc:
        if "DUPLICATE_DEVELOPER_NAME" not in str(exc):
            raise
        return False
    return True


def create(client: Client, missing: list[tuple[str, Need]], objects: list[str]) -> list[str]:
    """Create the missing objects and fields; one line per thing created or found hidden."""
    lines: list[str] = []
    for sobject in objects:
        made = _post(client, "CustomObject", {"FullName": sobject, "Metadata": INTERACTION_METADATA})
        verb = "created" if made else "found hidden"
        lines.append(f"{verb} custom object {sobject} ({INTERACTION_METADATA['label']})")
    for sobject, need in missing:
        made = _post(client, "CustomField", {"FullName": f"{sobject}.{need.name}", "Metadata": need.metadata})
        lines.append(f"{'created' if made else 'found hidden'} field {sobject}.{need.name} ({need.summary})")
    return lines
