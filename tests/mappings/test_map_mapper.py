"""Both directions on the shipped defaults: payloads, patches, record-level errors, echo, preview."""

from __future__ import annotations

from typing import Any

from adapters.schema import ObjectSchema
from mappings import CrmRecord, Mapper, default_mapping, load_mapping, preview

SF_CONTACT = default_mapping("salesforce", "contact")


def test_new_record_gets_every_pushed_value(customer: dict[str, Any]) -> None:
    payload = Mapper("Salesforce").to_external(SF_CONTACT, customer, link_id="lnk_1")
    assert payload.errors == []
    assert payload.decisions == []
    assert payload.fields == {
        "Rapport_Id__c": "lnk_1",
        "Rapport_Customer_Id__c": "cus_01",
        "FirstName": "Ana",
        "LastName": "Silva",
        "Email": "ana@example.com",
        "Phone": "+33612345678",
        "MailingCity": "Lyon",
        "MailingCountry": "FR",
        "Title": "CTO",
        "Rapport_Social_Handles__c": "instagram: ana.s, ana.silva; x: @ana",
        "Rapport_Last_Social_At__c": "2026-11-22T12:00:00Z",
        "Rapport_Social_Followers__c": 1200,
    }


def test_hubspot_default_payload(customer: dict[str, Any]) -> None:
    payload = Mapper("HubSpot").to_external(default_mapping("hubspot", "contact"), customer, link_id="lnk_2")
    assert payload.fields["rapport_id"] == "lnk_2"
    assert payload.fields["jobtitle"] == "CTO"
    assert payload.fields["company"] == "Acme"


def test_blank_values_are_not_sent(customer: dict[str, Any]) -> None:
    customer.update(title="  ", city=None)
    payload = Mapper().to_external(SF_CONTACT, customer, link_id="lnk_1")
    assert "Title" not in payload.fields
    assert "MailingCity" not in payload.fields


def test_a_failing_value_rejects_that_field_only(customer: dict[str, Any]) -> None:
    customer["phone"] = "not a phone"
    customer["email"] = "a" * 90 + "@example.com"
    payload = Mapper().to_external(SF_CONTACT, customer, link_id="lnk_1")
    assert {e.field for e in payload.errors} == {"Phone", "Email"}
    phone = next(e for e in payload.errors if e.field == "Phone")
    assert phone.reason.startswith("e164: 'not a phone' is not a phone number")
    assert phone.value == "not a phone"
    assert "Phone" not in payload.fields
    assert payload.fields["LastName"] == "Silva"


def test_a_batch_keeps_going_past_a_bad_record(customer: dict[str, Any]) -> None:
    good, bad = dict(customer), dict(customer, phone="12")
    results = [Mapper().to_external(SF_CONTACT, c, link_id=str(i)) for i, c in enumerate((bad, good))]
    assert [len(r.errors) for r in results] == [1, 0]


def test_schema_guards_catch_what_the_crm_would_refuse(sf_contact: ObjectSchema, customer: dict[str, Any]) -> None:
    text = """\
object: contact
fields:
  - target: LeadSource
    source: first_network
    direction: push
    transforms: [{map: {instagram: "Social - Vine", x: "Social - X"}}]
  - target: FirstName
    source: first_name
    direction: push
    transforms: [truncate]
"""
    m = load_mapping(text, "m.yaml")
    customer["first_name"] = "A" * 50
    payload = Mapper("Salesforce", sf_contact).to_external(m, customer, link_id="l")
    (error,) = payload.errors
    assert error.field == "LeadSource"
    assert "not an allowed value of the restricted picklist" in error.reason
    assert payload.fields == {"FirstName": "A" * 40}  # bare truncate used the field's length


def test_pull_only_and_push_only_fields(customer: dict[str, Any]) -> None:
    text = """\
object: contact
fields:
  - {target: Title, source: title, direction: pull}
  - {target: Rapport_Social_Followers__c, source: followers_total, direction: push}
"""
    m = load_mapping(text, "m.yaml")
    mapper = Mapper()
    assert mapper.to_external(m, customer, link_id="l").fields == {"Rapport_Social_Followers__c": 1200}
    record = CrmRecord({"Title": "Chief", "Rapport_Social_Followers__c": 5}, modified_at="2026-11-23T00:00:00Z")
    patch = mapper.to_patch(m, record, customer=customer)
    assert patch.values == {"title": "Chief"}


def test_patch_reads_crm_values_back_in_hub_form(customer: dict[str, Any]) -> None:
    record = CrmRecord(
        {"FirstName": "Ana", "LastName": "Silva", "Phone": "+33 6 99 88 77 66", "MailingCity": " Paris "},
        modified_at="2026-11-23T09:00:00Z",
        id="003B",
    )
    patch = Mapper("Salesforce").to_patch(SF_CONTACT, record, customer=customer)
    assert patch.values == {"phone": "+33699887766", "city": "Paris"}
    assert patch.changed_at == {"phone": "2026-11-23T09:00:00Z", "city": "2026-11-23T09:00:00Z"}
    assert {d.field for d in patch.decisions if d.action == "pull"} == {"Phone", "MailingCity"}


def test_unreadable_crm_value_is_a_field_error_in_the_patch(customer: dict[str, Any]) -> None:
    record = CrmRecord({"Phone": "call reception", "MailingCity": "Paris"}, modified_at="2026-11-23T09:00:00Z")
    patch = Mapper().to_patch(SF_CONTACT, record, customer=customer)
    (error,) = patch.errors
    assert error.field == "Phone"
    assert error.reason.startswith("reading the CRM value: e164")
    assert patch.values == {"city": "Paris"}


def test_unreadable_crm_value_is_never_taken_but_may_be_overwritten(customer: dict[str, Any]) -> None:
    text = "object: contact\nfields:\n  - {target: Phone, source: phone, transforms: [e164], conflict: PLACE}\n"
    record = CrmRecord({"Phone": "call reception"}, modified_at="2026-11-23T09:00:00Z")
    mapper = Mapper("Salesforce")
    hub_wins = load_mapping(text.replace("PLACE", "hub_wins"), "m.yaml")
    assert mapper.to_external(hub_wins, customer, link_id="l", crm=record).fields == {"Phone": "+33612345678"}
    recent = load_mapping(text.replace("PLACE", "most_recent"), "m.yaml")
    payload = mapper.to_external(recent, customer, link_id="l", crm=record)
    patch = mapper.to_patch(recent, record, customer=customer)
    assert payload.fields == {}
    assert patch.values == {}
    assert [e.field for e in patch.errors] == ["Phone"]
    assert patch.decisions[0].text.endswith("Salesforce would win, but its value cannot be read (see the field error)")


def test_unlinked_crm_record_patches_a_new_customer() -> None:
    record = CrmRecord({"FirstName": "Bo", "LastName": "Chen", "Email": "bo@example.com", "Rapport_Id__c": "x"})
    patch = Mapper().to_patch(SF_CONTACT, record)
    assert patch.values == {"first_name": "Bo", "last_name": "Chen", "email": "bo@example.com"}


def test_echo_of_our_own_write_is_dropped(customer: dict[str, Any]) -> None:
    mapper = Mapper("Salesforce")
    written = mapper.to_external(SF_CONTACT, customer, link_id="lnk_1").fields
    # Salesforce echoes our write back, with its own datetime format and a later record time.
    echoed = dict(written, Rapport_Last_Social_At__c="2026-11-22T12:00:00.000+0000")
    record = CrmRecord(echoed, modified_at="2026-11-22T15:00:00Z", last_written=written)
    patch = mapper.to_patch(SF_CONTACT, record, customer=customer)
    assert (patch.values, patch.decisions, patch.errors) == ({}, [], [])
    assert mapper.to_external(SF_CONTACT, customer, link_id="lnk_1", crm=record).fields == {}


def test_filter_and_create(customer: dict[str, Any]) -> None:
    m = load_mapping(
        "object: lead\ncreate: true\nfilter: email is not null\nfields: [{target: LastName, source: last_name}]\n",
        "m.yaml",
    )
    mapper = Mapper()
    assert mapper.may_create(m, customer)
    assert not mapper.may_create(m, dict(customer, email=""))
    assert not mapper.may_create(SF_CONTACT, customer)  # shipped defaults never create


def test_preview_shows_payload_and_field_by_field_difference(customer: dict[str, Any]) -> None:
    record = CrmRecord(
        {"FirstName": "Ana", "LastName": "Silva", "Email": "ana@example.com", "Phone": "+33611111111", "Title": "CEO"},
        modified_at="2026-11-22T14:02:00Z",
        last_written={"Phone": "+33612345678", "Title": "CEO"},
        id="003C",
    )
    result = preview(SF_CONTACT, customer, record, link_id="lnk_1", crm_name="Salesforce")
    diffs = {d.field: d for d in result.diffs}
    assert diffs["FirstName"].change == "unchanged"
    assert diffs["Phone"].change == "pull"
    assert diffs["Phone"].current == "+33611111111"
    assert diffs["Phone"].reason == "Salesforce won: most_recent; Salesforce changed 14:02, hub 13:55 (UTC)"
    assert diffs["MailingCity"].change == "update"
    assert diffs["MailingCity"].proposed == "Lyon"
    assert diffs["Title"].change == "keep"
    assert "fill_empty" in diffs["Title"].reason
    assert result.payload["MailingCity"] == "Lyon"
    assert "Phone" not in result.payload
    assert result.patch == {"phone": "+33611111111"}
    assert result.counts()["unchanged"] == 3
    assert result.to_dict()["counts"] == result.counts()


def test_preview_of_a_record_that_does_not_exist_yet(customer: dict[str, Any]) -> None:
    customer["phone"] = "bad"
    result = preview(SF_CONTACT, customer, None, link_id="lnk_1", crm_name="HubSpot")
    diffs = {d.field: d for d in result.diffs}
    assert diffs["FirstName"].change == "set"
    assert diffs["FirstName"].proposed == "Ana"
    assert diffs["Phone"].change == "error"
    assert [e.field for e in result.errors] == ["Phone"]
