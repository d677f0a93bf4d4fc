"""The shipped default mappings (CONTRACT.md, "What lands in the CRM"), one YAML file per CRM object.

Link ids: ``Rapport_Id__c`` / ``rapport_id`` come from the ``link_id`` source (the id of the one CRM
record being written, given to ``Mapper.to_external``); ``Rapport_Customer_Id__c`` /
``rapport_customer_id`` come from the customer's ``id``.
"""

from __future__ import annotations

from importlib import resources

from mappings.loader import load_mapping
from mappings.model import Mapping

DEFAULTS: dict[tuple[str, str], str] = {
    ("salesforce", "contact"): "salesforce_contact.yaml",
    ("salesforce", "lead"): "salesforce_lead.yaml",
    ("hubspot", "contact"): "hubspot_contact.yaml",
}


def default_text(kind: str, object: str) -> tuple[str, str]:
    """The shipped default's file name and text for a connection kind and object."""
    key = (kind.lower(), object.lower().removesuffix("s"))
    if key not in DEFAULTS:
        known = ", ".join(f"{k}/{o}" for k, o in DEFAULTS)
        raise KeyError(f"no shipped default mapping for {kind}/{object}; there are: {known}")
    name = DEFAULTS[key]
    return name, resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def default_mapping(kind: str, object: str) -> Mapping:
    """The shipped default mapping for ``kind`` (salesforce, hubspot) and ``object`` (contact, lead)."""
    name, text = default_text(kind, object)
    return load_mapping(text, f"mappings/defaults/{name}")
