"""Shared fixtures for the mappings tests: vendor schemas and a sample customer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.schema import ObjectSchema, from_hubspot_properties, from_salesforce_describe

VENDOR = Path(__file__).resolve().parents[1] / "fixtures" / "vendor"


def vendor_json(name: str) -> Any:
    """A vendor fixture file, parsed."""
    return json.loads((VENDOR / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sf_contact() -> ObjectSchema:
    return from_salesforce_describe(vendor_json("salesforce_contact_describe.json"))


@pytest.fixture(scope="session")
def sf_lead() -> ObjectSchema:
    return from_salesforce_describe(vendor_json("salesforce_lead_describe.json"))


@pytest.fixture(scope="session")
def hs_contact() -> ObjectSchema:
    return from_hubspot_properties(vendor_json("hubspot_contact_properties.json"))


@pytest.fixture
def customer() -> dict[str, Any]:
    return {
        "id": "cus_01",
        "first_name": "Ana",
        "last_name": "Silva",
        "full_name": "Ana Silva",
        "email": "ana@example.com",
        "emails": ["ana@example.com", "ana.silva@work.example"],
        "phone": "+33612345678",
        "phones": ["+33612345678"],
        "city": "Lyon",
        "country": "FR",
        "company": "Acme",
        "title": "CTO",
        "handles": {"x": ["@ana"], "instagram": ["ana.s", "ana.silva"]},
        "first_network": "instagram",
        "networks": ["instagram", "x"],
        "followers_total": 1200,
        "interactions_count": 7,
        "last_interaction_at": "2026-11-22T13:00:00+01:00",
        "sentiment_recent": 0.4,
        "created_at": "2026-01-02T10:00:00Z",
        "updated_at": "2026-11-22T13:55:00Z",
    }
