"""Adapters to connected systems, behind one interface (`adapters.base.Adapter`).

`build_adapter(kind, config)` makes the adapter for a connection from its resolved configuration (the
connection's entry in a `rapport apply` file, with `${VAR}` references and stored secrets already resolved).
Each kind's package exposes `from_config(config) -> Adapter`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, cast

from adapters.base import Adapter, ConfigError

KINDS = {
    "salesforce": "adapters.salesforce",
    "hubspot": "adapters.hubspot",
    "internal": "adapters.internal",
}


def build_adapter(kind: str, config: Mapping[str, Any]) -> Adapter:
    """The adapter for a connection of `kind` (salesforce, hubspot, internal)."""
    module_name = KINDS.get(kind)
    if module_name is None:
        raise ConfigError(f"unknown connection kind {kind!r} (expected {', '.join(KINDS)})")
    module = importlib.import_module(module_name)
    return cast(Adapter, module.from_config(config))
