"""The Salesforce adapter against the adapter contract, through simple-salesforce and real HTTPS to the sandbox,
for both Contact and Lead."""

from __future__ import annotations

import pytest

from adapters.salesforce.sandbox import SandboxHandle
from tests.adapters.contract import AdapterContract
from tests.adapters.salesforce_harness import Backdoor, SalesforceHarness, door, sandbox

__all__ = ["door", "sandbox"]


class TestSalesforceAdapter(AdapterContract):
    @pytest.fixture(params=["contact", "lead"])
    def harness(self, request: pytest.FixtureRequest, sandbox: SandboxHandle, door: Backdoor) -> SalesforceHarness:
        return SalesforceHarness(sandbox, request.param)
