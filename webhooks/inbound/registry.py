"""Provider modules by inbound source kind."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import ModuleType
from typing import Protocol, cast

from webhooks.inbound import hubspot, linkedin, meta, salesforce, standard, tiktok, x
from webhooks.inbound.base import InboundRequest, Interpretation, Reply, Verified


class Provider(Protocol):
    """What every provider module offers."""

    KIND: str
    SECRET_NAMES: tuple[str, ...]

    def handshake(self, request: InboundRequest, secrets: Mapping[str, str]) -> Reply | None:
        """A synchronous answer to a challenge, or None when the request is not one."""
        ...

    def verify(self, request: InboundRequest, secrets: Mapping[str, str], now: datetime) -> Verified:
        """Verified events, or `Rejected`."""
        ...

    def interpret(self, payload: str) -> Interpretation:
        """What a stored event means."""
        ...


_MODULES: tuple[ModuleType, ...] = (standard, hubspot, meta, x, linkedin, tiktok, salesforce)
PROVIDERS: dict[str, Provider] = {module.KIND: cast(Provider, module) for module in _MODULES}
KINDS = tuple(PROVIDERS)


def provider(kind: str) -> Provider:
    """The module for `kind`; KeyError when unknown."""
    return PROVIDERS[kind]
