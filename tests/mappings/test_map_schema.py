"""Vendor describe formats -> ObjectSchema."""

from __future__ import annotations

from adapters.schema import ObjectSchema, from_hubspot_properties, from_salesforce_describe


def test_salesforce_types_lengths_and_writability(sf_contact: ObjectSchema) -> None:
    first = sf_contact.fields["FirstName"]
    assert (first.type, first.length, first.updateable, first.required) == ("string", 40, True, False)
    assert sf_contact.fields["Email"].type == "email"
    assert sf_contact.fields["Phone"].type == "phone"
    assert sf_contact.fields["Birthdate"].type == "date"
    assert sf_contact.fields["LastModifiedDate"].type == "datetime"
    assert sf_contact.fields["Rapport_Social_Followers__c"].type == "number"
    assert sf_contact.fields["AccountId"].type == "reference"
    assert sf_contact.fields["Id"].type == "id"
    name = sf_contact.fields["Name"]
    assert not name.createable
    assert not name.updateable
    assert not name.writable


def test_salesforce_required_means_not_nillable_and_not_defaulted(sf_lead: ObjectSchema) -> None:
    required = {f.name for f in sf_lead.fields.values() if f.required}
    assert required == {"LastName", "Company"}  # Status is defaulted on create, Id is not createable


def test_salesforce_picklist_keeps_active_values_only(sf_contact: ObjectSchema) -> None:
    source = sf_contact.fields["LeadSource"]
    assert source.restricted_picklist
    assert source.picklist is not None
    assert "Social - X" in source.picklist
    assert "Social - Vine" not in source.picklist


def test_salesforce_rapport_fields_are_external_ids(sf_contact: ObjectSchema) -> None:
    link = sf_contact.fields["Rapport_Id__c"]
    assert link.external_id
    assert link.unique
    assert link.length == 64
    customer = sf_contact.fields["Rapport_Customer_Id__c"]
    assert customer.external_id
    assert not customer.unique


def test_hubspot_types_and_read_only(hs_contact: ObjectSchema) -> None:
    fields = hs_contact.fields
    assert fields["firstname"].type == "string"
    assert fields["firstname"].length is None
    assert fields["email"].type == "email"
    assert fields["phone"].type == "phone"
    assert fields["rapport_social_handles"].type == "textarea"
    assert fields["rapport_social_followers"].type == "number"
    assert fields["rapport_last_social_at"].type == "datetime"
    assert fields["rapport_first_seen"].type == "date"
    assert fields["hs_sequences_is_enrolled"].type == "boolean"
    assert not fields["lastmodifieddate"].updateable
    assert not fields["hs_analytics_num_page_views"].writable


def test_hubspot_enumerations_are_restricted_picklists(hs_contact: ObjectSchema) -> None:
    stage = hs_contact.fields["lifecyclestage"]
    assert stage.type == "picklist"
    assert stage.restricted_picklist
    assert stage.picklist is not None
    assert "customer" in stage.picklist


def test_hubspot_unique_property_is_an_upsert_key(hs_contact: ObjectSchema) -> None:
    assert hs_contact.fields["rapport_id"].unique
    assert hs_contact.fields["rapport_id"].external_id
    assert not hs_contact.fields["rapport_customer_id"].unique


def test_converters_accept_empty_documents() -> None:
    assert from_salesforce_describe({"name": "Contact", "fields": []}).fields == {}
    assert from_hubspot_properties({"results": []}).fields == {}
