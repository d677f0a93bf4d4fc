"""The HubSpot adapter against the shared adapter contract, over real HTTP to the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adapters.contract import AdapterContract
from tests.adapters.hubspot_harness import HubSpotHarness


class TestHubSpotAdapter(AdapterContract):
    @pytest.fixture
    def harness(self) -> Iterator[HubSpotHarness]:
        harness = HubSpotHarness()
        yield harness
        harness.close()
