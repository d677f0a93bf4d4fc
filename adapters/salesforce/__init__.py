"""The Salesforce adapter (issue 6): `from_config(config) -> SalesforceAdapter`.

Config keys (the connection's resolved `rapport apply` entry): `name`, `instance_url`, `auth` (session_id |
username/password/security_token[/consumer_key/consumer_secret][/domain] | jwt {consumer_key, username,
private_key or private_key_file, audience?, domain?}), `ca_file`, `objects` (contact, lead), `api_budget_share`,
`api_version`, `social_history`; tuning: `timeout_seconds`, `max_attempts`, `retry_wait_seconds`,
`bulk_threshold`, `query_batch_size`, `overlap_seconds`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.salesforce.adapter import SalesforceAdapter
from adapters.salesforce.config import SalesforceConfig, parse_config

__all__ = ["SalesforceAdapter", "SalesforceConfig", "from_config"]


def from_config(config: Mapping[str, Any]) -> SalesforceAdapter:
    """The adapter for one connection; ConfigError when the settings are wrong (no network call is made)."""
    return SalesforceAdapter(parse_config(config))
