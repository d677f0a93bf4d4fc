"""The HubSpot adapter (CRM v3 through hubspot-api-client) and, in `adapters.hubspot.sandbox`, the HubSpot
sandbox Rapport ships. `build_adapter("hubspot", config)` calls `from_config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.hubspot.adapter import HubSpotAdapter
from adapters.hubspot.config import HubSpotConfig, parse_config

__all__ = ["HubSpotAdapter", "HubSpotConfig", "from_config", "parse_config"]


def from_config(config: Mapping[str, Any]) -> HubSpotAdapter:
    """The adapter for a connection entry: name, base_url, auth, portal_tier, daily_limit (see HubSpotConfig)."""
    return HubSpotAdapter(parse_config(config))
