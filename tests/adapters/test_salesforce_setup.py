"""`setup()` against a blank org (as a real one is before `rapport setup`): check() names what is missing, setup()
creates it through the Tooling API and says so, a second setup() does nothing, and the shipped default mappings
validate against the org's describe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.base import ConfigError
from adapters.salesforce import from_config
from adapters.salesforce.sandbox import SandboxHandle, start_in_thread
from mappings import default_mapping, validate
from tests.adapters.salesforce_harness import Backdoor, config, sandbox

__all__ = ["sandbox"]


@pytest.fixture(scope="module")
def blank_sandbox() -> Iterator[SandboxHandle]:
    handle = start_in_thread(blank=True)
    yield handle
    handle.stop()


@pytest.fixture
def blank(blank_sandbox: SandboxHandle) -> SandboxHandle:
    assert Backdoor(blank_sandbox)("POST", "reset").status_code == 204
    return blank_sandbox


def test_check_names_everything_missing(blank: SandboxHandle) -> None:
    with pytest.raises(ConfigError) as caught:
        from_config(config(blank)).check()
    message = str(caught.value)
    for name in ("Contact.Rapport_Id__c", "Lead.Rapport_Social_Followers__c", "object Rapport_Social_Interaction__c"):
        assert name in message
    assert "rapport setup sf" in message


def test_setup_creates_what_is_missing_then_check_passes_and_setup_is_idempotent(blank: SandboxHandle) -> None:
    adapter = from_config(config(blank))
    lines = adapter.setup()
    assert "created custom object Rapport_Social_Interaction__c (Rapport Social Interaction)" in lines
    assert any(line.startswith("created field Contact.Rapport_Id__c") for line in lines)
    assert len([line for line in lines if line.startswith("created field")]) == 5 * 2 + 9
    assert lines[-4:] == [
        "created permission set Rapport_Integration",
        "granted read, create, edit and delete on Rapport_Social_Interaction__c to Rapport_Integration",
        "granted read and edit on 19 fields to Rapport_Integration",
        "assigned Rapport_Integration to the integration user",
    ]
    adapter.check()
    assert from_config(config(blank)).setup() == []


def test_setup_without_social_history_leaves_the_custom_object_out(blank: SandboxHandle) -> None:
    adapter = from_config(config(blank, objects=["contact"], social_history=False))
    lines = adapter.setup()
    assert len([line for line in lines if line.startswith("created field")]) == 5
    assert not any("Rapport_Social_Interaction__c" in line for line in lines)
    adapter.check()


def test_a_field_of_the_wrong_kind_is_named(sandbox: SandboxHandle, blank: SandboxHandle) -> None:
    door = Backdoor(blank)
    adapter = from_config(config(blank))
    adapter.setup()
    door("POST", "objects/Lead/fields/Rapport_Id__c/drop")
    tooling = {"FullName": "Lead.Rapport_Id__c", "Metadata": {"label": "Rapport Id", "type": "Text", "length": 20}}
    assert door.api("POST", "tooling/sobjects/CustomField", json=tooling).status_code == 201
    with pytest.raises(ConfigError, match=r"Lead\.Rapport_Id__c must be text of at least 64 characters"):
        adapter.check()


@pytest.mark.parametrize("object", ["contact", "lead"])
def test_shipped_default_mappings_validate_against_the_describe(
    sandbox: SandboxHandle, blank: SandboxHandle, object: str
) -> None:
    assert validate(default_mapping("salesforce", object), from_config(config(sandbox)).describe(object)) == []
    after_setup = from_config(config(blank))
    after_setup.setup()
    assert validate(default_mapping("salesforce", object), after_setup.describe(object)) == []
