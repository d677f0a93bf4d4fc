"""Validation against the CRMs' own schemas, and the shipped defaults."""

from __future__ import annotations

import pytest

from adapters.schema import ObjectSchema
from mappings import MappingError, Problem, default_mapping, load_mapping, load_validated, validate


def check(fields_yaml: str, schema: ObjectSchema, *, create: bool = False) -> list[Problem]:
    text = f"object: contact\ncreate: {str(create).lower()}\nfields:\n{fields_yaml}"
    return validate(load_mapping(text, "sf.yaml"), schema)


@pytest.mark.parametrize(
    ("kind", "obj", "schema_name"),
    [("salesforce", "contact", "sf_contact"), ("salesforce", "lead", "sf_lead"), ("hubspot", "contact", "hs_contact")],
)
def test_shipped_defaults_validate_against_vendor_fixtures(
    kind: str, obj: str, schema_name: str, request: pytest.FixtureRequest
) -> None:
    mapping = default_mapping(kind, obj)
    assert not mapping.create
    assert validate(mapping, request.getfixturevalue(schema_name)) == []


def test_defaults_carry_the_contract_table() -> None:
    sf = {f.target: (f.source, f.direction, f.conflict) for f in default_mapping("salesforce", "contact").fields}
    assert sf == {
        "Rapport_Id__c": ("link_id", "push", "hub_wins"),
        "Rapport_Customer_Id__c": ("id", "push", "hub_wins"),
        "FirstName": ("first_name", "both", "fill_empty"),
        "LastName": ("last_name", "both", "fill_empty"),
        "Email": ("email", "both", "fill_empty"),
        "Phone": ("phone", "both", "most_recent"),
        "MailingCity": ("city", "both", "most_recent"),
        "MailingCountry": ("country", "both", "most_recent"),
        "Title": ("title", "both", "fill_empty"),
        "Rapport_Social_Handles__c": ("handles", "push", "hub_wins"),
        "Rapport_Last_Social_At__c": ("last_interaction_at", "push", "hub_wins"),
        "Rapport_Social_Followers__c": ("followers_total", "push", "hub_wins"),
    }
    lead = {f.target: (f.source, f.conflict) for f in default_mapping("salesforce", "lead").fields}
    assert lead["Company"] == ("company", "fill_empty")
    assert lead["City"] == ("city", "most_recent")
    assert "MailingCity" not in lead
    hs = {f.target: f.source for f in default_mapping("hubspot", "contacts").fields}
    assert hs["jobtitle"] == "title"
    assert hs["rapport_id"] == "link_id"
    assert hs["rapport_customer_id"] == "id"
    assert hs["company"] == "company"


def test_unknown_default_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="no shipped default mapping for hubspot/lead"):
        default_mapping("hubspot", "lead")


def test_missing_field_suggests_a_close_one(sf_lead: ObjectSchema) -> None:
    (found,) = validate(default_mapping("salesforce", "contact"), sf_lead)[1:]
    assert (found.field, found.file) == ("MailingCountry", "mappings/defaults/salesforce_contact.yaml")
    assert "has no field 'MailingCountry'; did you mean 'Country'?" in found.message


def test_read_only_field_is_refused_for_push_but_may_be_pulled(sf_contact: ObjectSchema) -> None:
    (found,) = check(
        "  - {target: Name, source: full_name, direction: push, transforms: [{truncate: 121}]}\n", sf_contact
    )
    assert (found.line, found.field) == (4, "Name")
    assert "read-only" in found.message
    assert check("  - {target: Name, source: full_name, direction: pull}\n", sf_contact) == []


class TestRestrictedPicklists:
    def test_map_outputs_and_default_must_be_allowed(self, sf_contact: ObjectSchema) -> None:
        yaml = (
            "  - target: LeadSource\n    source: first_network\n    direction: push\n"
            '    transforms: [{map: {instagram: "Social - Instagram", tiktok: "Social - TikTok"}, default: "Soc"}]\n'
        )
        (found,) = check(yaml, sf_contact)
        assert found.field == "LeadSource"
        assert "'Soc', 'Social - TikTok'" in found.message
        assert "restricted picklist LeadSource" in found.message

    def test_allowed_map_passes(self, sf_contact: ObjectSchema) -> None:
        yaml = (
            "  - target: LeadSource\n    source: first_network\n    direction: push\n"
            '    transforms: [{map: {instagram: "Social - Instagram", x: "Social - X"}, default: "Social"}]\n'
        )
        assert check(yaml, sf_contact) == []

    def test_constant_must_be_allowed(self, hs_contact: ObjectSchema) -> None:
        (found,) = check("  - {target: lifecyclestage, direction: push, transforms: [{constant: Lead}]}\n", hs_contact)
        assert "'Lead'" in found.message
        assert "'lead'" in found.message
        assert (
            check("  - {target: lifecyclestage, direction: push, transforms: [{constant: lead}]}\n", hs_contact) == []
        )

    def test_unbounded_source_needs_a_map(self, sf_contact: ObjectSchema) -> None:
        (found,) = check("  - {target: LeadSource, source: first_network, direction: push}\n", sf_contact)
        assert "values from 'first_network' are not limited" in found.message
        assert "add a map" in found.message

    def test_sentiment_label_fits_a_matching_picklist(self, hs_contact: ObjectSchema) -> None:
        yaml = "  - {target: rapport_sentiment, source: sentiment_recent, direction: push, "
        yaml += "transforms: [sentiment_label]}\n"
        assert check(yaml, hs_contact) == []


class TestLengths:
    def test_unbounded_text_into_a_sized_field_is_refused(self, sf_contact: ObjectSchema) -> None:
        (found,) = check("  - {target: FirstName, source: first_name}\n", sf_contact)
        assert "can overflow: FirstName holds 40 characters" in found.message
        assert "{truncate: 40}" in found.message

    def test_a_looser_truncate_is_refused(self, sf_contact: ObjectSchema) -> None:
        (found,) = check("  - {target: FirstName, source: first_name, transforms: [{truncate: 80}]}\n", sf_contact)
        assert "up to 80 characters, but FirstName holds 40" in found.message

    @pytest.mark.parametrize(
        "transforms", ["[{truncate: 40}]", "[truncate]", "[{max_length: 30}, trim]", "[{truncate: 10}, upper]"]
    )
    def test_bounds_that_fit(self, sf_contact: ObjectSchema, transforms: str) -> None:
        assert check(f"  - {{target: FirstName, source: first_name, transforms: {transforms}}}\n", sf_contact) == []

    def test_a_lengthening_transform_removes_the_bound(self, sf_contact: ObjectSchema) -> None:
        yaml = "  - {target: FirstName, source: first_name, direction: push, "
        yaml += 'transforms: [{truncate: 40}, {template: "Dr {value}"}]}\n'
        (found,) = check(yaml, sf_contact)
        assert "can overflow" in found.message

    def test_e164_is_bounded(self, sf_contact: ObjectSchema) -> None:
        assert check("  - {target: Phone, source: phone, transforms: [e164]}\n", sf_contact) == []


class TestTypes:
    def test_datetime_into_a_date_field_needs_an_explicit_zone(self, sf_contact: ObjectSchema) -> None:
        (found,) = check("  - {target: Birthdate, source: created_at, direction: push}\n", sf_contact)
        assert "sends a date-time to a date field" in found.message
        assert "{date: <time zone>}" in found.message
        ok = "  - {target: Birthdate, source: created_at, direction: push, transforms: [{date: Europe/Paris}]}\n"
        assert check(ok, sf_contact) == []

    def test_number_into_text_and_text_into_number(self, sf_contact: ObjectSchema) -> None:
        (as_text,) = check("  - {target: Title, source: followers_total, direction: push}\n", sf_contact)
        assert "sends a number to a string field" in as_text.message
        assert "template" in as_text.message
        (as_number,) = check("  - {target: Rapport_Social_Followers__c, source: city, direction: push}\n", sf_contact)
        assert "sends text to a number field" in as_number.message

    def test_list_and_map_need_a_summary(self, sf_contact: ObjectSchema) -> None:
        (emails,) = check("  - {target: Title, source: emails, direction: push}\n", sf_contact)
        assert "sends a list to a string field; add {coalesce: [...]}" in emails.message
        (handles,) = check("  - {target: Rapport_Social_Handles__c, source: handles, direction: push}\n", sf_contact)
        assert "sends values per network to a textarea field; add social_handles" in handles.message

    def test_pull_from_a_non_text_field(self, sf_contact: ObjectSchema) -> None:
        (found,) = check("  - {target: HasOptedOutOfEmail, source: title, direction: pull}\n", sf_contact)
        assert "cannot pull a boolean field" in found.message


def test_create_requires_every_required_field(sf_lead: ObjectSchema) -> None:
    found = check("  - {target: LastName, source: last_name, transforms: [{truncate: 80}]}\n", sf_lead, create=True)
    assert [(p.field, p.line) for p in found] == [("Company", 1)]
    assert "required field Company is not pushed" in found[0].message


def test_load_validated_refuses_with_every_schema_problem(sf_contact: ObjectSchema) -> None:
    text = "object: contact\nfields:\n  - {target: Nickname, source: first_name}\n"
    text += "  - {target: FirstName, source: first_name, direction: push}\n"
    with pytest.raises(MappingError) as caught:
        load_validated(text, "sf.yaml", sf_contact)
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "Nickname"), (4, "FirstName")]
    ok = "object: contact\nfields:\n  - {target: FirstName, source: first_name, transforms: [{truncate: 40}]}\n"
    assert load_validated(ok, "sf.yaml", sf_contact).fields[0].target == "FirstName"
