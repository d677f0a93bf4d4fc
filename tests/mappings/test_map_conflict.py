"""Each conflict policy, in both directions, with the audit entry it writes."""

from __future__ import annotations

from typing import Any

import pytest

from mappings import CrmRecord, Decision, Mapper, load_mapping

HUB_AT = "2026-11-22T13:55:00Z"
CRM_AT = "2026-11-22T14:02:00.000+0000"
LATER_HUB_AT = "2026-11-22T14:10:00Z"


def mapping(policy: str, direction: str = "both") -> Any:
    text = (
        f"object: contact\nfields:\n  - {{target: Title, source: title, direction: {direction}, conflict: {policy}}}\n"
    )
    return load_mapping(text, "m.yaml")


def sync(
    policy: str,
    hub: str | None,
    crm: str | None,
    *,
    last: str | None = "CTO",
    hub_at: str = HUB_AT,
    crm_at: str = CRM_AT,
    direction: str = "both",
) -> tuple[dict[str, Any], dict[str, Any], list[Decision]]:
    """Push and pull one field; returns (payload fields, patch values, all decisions)."""
    m = mapping(policy, direction)
    customer = {"id": "cus_1", "title": hub}
    provenance = {"title": {"source": "x", "at": hub_at}}
    record = CrmRecord({"Title": crm}, modified_at=crm_at, last_written={"Title": last}, id="003A")
    mapper = Mapper("Salesforce")
    payload = mapper.to_external(m, customer, link_id="l1", provenance=provenance, crm=record)
    patch = mapper.to_patch(m, record, customer=customer, provenance=provenance)
    decisions = {id(d): d for d in payload.decisions + patch.decisions}
    return payload.fields, patch.values, list(decisions.values())


def only(decisions: list[Decision]) -> Decision:
    texts = {d.text for d in decisions}
    assert len(texts) == 1, texts
    return decisions[0]


class TestHubWins:
    def test_crm_edit_is_overwritten_not_taken(self) -> None:
        fields, values, decisions = sync("hub_wins", hub="CTO", crm="Chief Tech")
        assert fields == {"Title": "CTO"}
        assert values == {}
        d = only(decisions)
        assert (d.action, d.winner, d.record) == ("push", "hub", "003A")
        assert d.text == "hub won: hub_wins; Salesforce edits of Title are not taken"

    def test_blank_hub_does_not_clear_the_crm(self) -> None:
        fields, values, decisions = sync("hub_wins", hub=None, crm="Chief Tech")
        assert fields == {}
        assert values == {}
        assert "blank never overwrites" in only(decisions).text


class TestCrmWins:
    def test_crm_edit_is_taken(self) -> None:
        fields, values, decisions = sync("crm_wins", hub="CTO", crm="Chief Tech")
        assert fields == {}
        assert values == {"title": "Chief Tech"}
        d = only(decisions)
        assert (d.action, d.winner) == ("pull", "crm")
        assert d.text == "Salesforce won: crm_wins; Salesforce changed 14:02, hub 13:55 (UTC)"
        assert (d.crm_at, d.hub_at) == ("2026-11-22T14:02:00Z", "2026-11-22T13:55:00Z")

    def test_hub_never_overwrites_a_non_blank_crm_value(self) -> None:
        fields, values, decisions = sync("crm_wins", hub="VP Eng", crm="CTO", hub_at=LATER_HUB_AT)
        assert fields == {}
        assert values == {}
        assert only(decisions).text == "no change: crm_wins; Salesforce holds a value and the hub never overwrites it"

    def test_hub_fills_a_blank_crm(self) -> None:
        fields, _, decisions = sync("crm_wins", hub="CTO", crm=None, last=None)
        assert fields == {"Title": "CTO"}
        assert only(decisions).text == "hub won: crm_wins; Salesforce is blank"


class TestMostRecent:
    def test_later_crm_change_wins(self) -> None:
        fields, values, decisions = sync("most_recent", hub="VP Eng", crm="Chief Tech", last="CTO")
        assert fields == {}
        assert values == {"title": "Chief Tech"}
        assert only(decisions).text == "Salesforce won: most_recent; Salesforce changed 14:02, hub 13:55 (UTC)"

    def test_later_hub_change_wins(self) -> None:
        fields, values, decisions = sync("most_recent", hub="VP Eng", crm="Chief Tech", hub_at=LATER_HUB_AT)
        assert fields == {"Title": "VP Eng"}
        assert values == {}
        assert only(decisions).text == "hub won: most_recent; hub changed 14:10, Salesforce 14:02 (UTC)"

    def test_crm_value_equal_to_what_we_wrote_is_not_a_crm_change(self) -> None:
        # The record was modified later (another field), but Title still holds what Rapport wrote.
        fields, values, decisions = sync("most_recent", hub="VP Eng", crm="CTO", last="CTO")
        assert fields == {"Title": "VP Eng"}
        assert values == {}
        assert only(decisions).winner == "hub"

    def test_unchanged_hub_loses_to_a_crm_edit_even_if_stamped_later(self) -> None:
        fields, values, _ = sync("most_recent", hub="CTO", crm="Chief Tech", last="CTO", hub_at=LATER_HUB_AT)
        assert fields == {}
        assert values == {"title": "Chief Tech"}

    def test_tie_goes_to_the_hub(self) -> None:
        fields, _, _ = sync("most_recent", hub="VP Eng", crm="Chief Tech", hub_at=CRM_AT)
        assert fields == {"Title": "VP Eng"}

    def test_crm_cleared_last_does_not_blank_the_hub_nor_get_refilled(self) -> None:
        fields, values, decisions = sync("most_recent", hub="CTO", crm=None, last="CTO")
        assert fields == {}
        assert values == {}
        text = only(decisions).text
        assert text.startswith("no change: most_recent; Salesforce cleared it last")
        assert "blank never" in text

    def test_hub_cleared_last_does_not_blank_the_crm(self) -> None:
        fields, values, decisions = sync("most_recent", hub=None, crm="CTO", last="CTO", hub_at=LATER_HUB_AT)
        assert fields == {}
        assert values == {}
        assert only(decisions).text.startswith("no change: most_recent; the hub cleared it last")


class TestFillEmpty:
    def test_fills_the_crm(self) -> None:
        fields, values, _ = sync("fill_empty", hub="CTO", crm=None, last=None)
        assert fields == {"Title": "CTO"}
        assert values == {}

    def test_fills_the_hub(self) -> None:
        fields, values, decisions = sync("fill_empty", hub=None, crm="CTO", last=None)
        assert fields == {}
        assert values == {"title": "CTO"}
        assert only(decisions).text == "Salesforce won: fill_empty; the hub is blank"

    def test_two_values_stay_as_they_are(self) -> None:
        fields, values, decisions = sync("fill_empty", hub="VP Eng", crm="Chief Tech")
        assert fields == {}
        assert values == {}
        assert (
            only(decisions).text
            == "no change: fill_empty; both sides have a value; fill_empty writes only into a blank"
        )


@pytest.mark.parametrize("policy", ["hub_wins", "crm_wins", "most_recent", "fill_empty"])
def test_directions_restrict_every_policy(policy: str) -> None:
    fields, values, _ = sync(policy, hub="VP Eng", crm="Chief Tech", direction="push")
    assert values == {}
    if policy != "hub_wins":  # pull + hub_wins is refused at load time: it could never move a value
        fields, values, _ = sync(policy, hub="VP Eng", crm="Chief Tech", direction="pull")
        assert fields == {}
        fields, values, _ = sync(policy, hub=None, crm="Chief Tech", direction="pull")
        assert fields == {}
        assert values == {"title": "Chief Tech"}


@pytest.mark.parametrize("policy", ["hub_wins", "crm_wins", "most_recent", "fill_empty"])
def test_a_blank_never_overwrites_a_value(policy: str) -> None:
    for hub, crm in (("CTO", None), (None, "CTO")):
        for last in (None, "CTO"):
            fields, values, _ = sync(policy, hub=hub, crm=crm, last=last)
            assert all(v is not None for v in fields.values())
            assert all(v is not None for v in values.values())


@pytest.mark.parametrize("policy", ["hub_wins", "crm_wins", "most_recent", "fill_empty"])
def test_agreeing_sides_write_nothing_and_log_nothing(policy: str) -> None:
    assert sync(policy, hub="CTO", crm=" CTO ") == ({}, {}, [])


def test_decision_serialises_for_the_audit_log() -> None:
    _, _, decisions = sync("crm_wins", hub="CTO", crm="Chief Tech")
    entry = decisions[0].to_dict()
    assert entry["field"] == "Title"
    assert entry["source"] == "title"
    assert entry["policy"] == "crm_wins"
    assert entry["record"] == "003A"
    assert entry["text"].startswith("Salesforce won")
