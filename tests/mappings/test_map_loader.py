"""Reading mapping files: shape, refusals with file/line/field, canonical form and hash."""

from __future__ import annotations

import json

import pytest

from mappings import MappingError, Problem, load_dict, load_mapping

GOOD = """\
object: contact
create: true
filter: "email is not null and country = 'FR'"
fields:
  - target: Phone
    source: phone
    transforms: [e164]
  - target: LeadSource
    source: first_network
    direction: push
    transforms: [{map: {instagram: "Social - Instagram", x: "Social - X"}, default: "Social"}]
    conflict: hub_wins
"""


def problems(text: str, filename: str = "m.yaml") -> list[Problem]:
    with pytest.raises(MappingError) as caught:
        load_mapping(text, filename)
    return caught.value.problems


def test_loads_fields_with_defaults_and_lines() -> None:
    mapping = load_mapping(GOOD, "sf.yaml")
    assert mapping.object == "contact"
    assert mapping.create
    phone, source = mapping.fields
    assert (phone.direction, phone.conflict, phone.line) == ("both", "most_recent", 5)
    assert (source.direction, source.conflict, source.line) == ("push", "hub_wins", 8)
    assert mapping.filter is not None
    assert mapping.filter.matches({"email": "a@b.c", "country": "FR"})
    assert not mapping.filter.matches({"email": None, "country": "FR"})


def test_canonical_form_round_trips_and_hash_ignores_layout() -> None:
    mapping = load_mapping(GOOD, "sf.yaml")
    stored = json.loads(json.dumps(mapping.to_dict()))
    again = load_dict(stored)
    assert again.to_dict() == mapping.to_dict()
    assert again.content_hash() == mapping.content_hash()
    as_json = load_mapping(json.dumps(stored, indent=4), "sf.json")
    assert as_json.content_hash() == mapping.content_hash()
    changed = load_mapping(GOOD.replace("conflict: hub_wins", "conflict: fill_empty"), "sf.yaml")
    assert changed.content_hash() != mapping.content_hash()


def test_yaml_syntax_error_has_its_line() -> None:
    found = problems("object: contact\nfields:\n  - target: Phone\n    source: [phone\n")
    assert found[0].line >= 4
    assert "syntax error" in found[0].message


def test_unknown_yaml_tag_is_a_problem_with_its_line() -> None:
    # found by the fuzzer: PyYAML raises while building the value, after the document parsed
    found = problems("object: contact\nfields:\n  - target: !0 ''\n")
    assert found[0].line == 3
    assert "!0" in found[0].message


def test_json_syntax_error_has_its_line() -> None:
    found = problems('{"object": "contact",\n "fields": [\n  {"target": "Phone",}\n ]}', "m.json")
    assert (found[0].file, found[0].line) == ("m.json", 3)


def test_duplicate_key_is_refused() -> None:
    found = problems("object: contact\nobject: lead\nfields: []\n")
    assert (found[0].line, found[0].message) == (2, "key 'object' appears twice (first on line 1)")


def test_duplicate_target_is_refused_with_both_lines() -> None:
    text = "object: contact\nfields:\n  - {target: Phone, source: phone}\n  - {target: Phone, source: city}\n"
    (found,) = problems(text)
    assert (found.line, found.field) == (4, "Phone")
    assert "first mapped on line 3" in found.message


def test_unknown_transform_and_wrong_arguments_point_at_the_transform_line() -> None:
    text = """\
object: contact
fields:
  - target: Phone
    source: phone
    transforms:
      - trim
      - e165
  - target: Title
    source: title
    transforms: [{truncate: many}]
"""
    unknown, wrong = problems(text)
    assert (unknown.line, unknown.field) == (7, "Phone")
    assert "unknown transform 'e165'" in unknown.message
    assert "e164" in unknown.message
    assert (wrong.line, wrong.field) == (10, "Title")
    assert "positive whole number" in wrong.message


def test_every_problem_is_listed_at_once() -> None:
    text = """\
object: contact
colour: blue
fields:
  - target: Phone
    source: phne
  - target: Title
    source: title
    direction: sideways
  - target: City
    source: city
    conflikt: crm_wins
"""
    found = problems(text)
    assert [(p.line, p.field) for p in found] == [(2, None), (5, "Phone"), (8, "Title"), (11, "City")]
    assert "did you mean 'phone'" in found[1].message
    assert "did you mean 'conflict'" in found[3].message


def test_reference_to_a_crm_field_is_refused_so_no_cycle_can_be_written() -> None:
    text = """\
object: contact
fields:
  - target: Description
    direction: push
    transforms: [{template: "{Title} at {company}"}]
  - target: Title
    direction: push
    transforms: [{coalesce: [Description]}]
"""
    first, second = problems(text)
    assert (first.line, first.field) == (5, "Description")
    assert "'Title', which is not a customer attribute" in first.message
    assert "no cycles" in first.message
    assert second.field == "Title"
    assert "'Description'" in second.message


def test_pull_needs_a_pullable_source_and_readable_transforms() -> None:
    text = """\
object: contact
fields:
  - target: Followers
    source: followers_total
  - target: LeadSource
    source: first_network
    transforms: [{map: {x: X}, default: Other}]
    direction: both
"""
    followers, network, map_step = problems(text)
    assert (followers.field, network.field, map_step.field) == ("Followers", "LeadSource", "LeadSource")
    assert "'followers_total' is computed by the hub" in followers.message
    assert "'first_network' is computed by the hub" in network.message
    assert "map builds a value that cannot be read back" in map_step.message


def test_two_fields_pulling_into_one_attribute_are_refused() -> None:
    text = "object: contact\nfields:\n  - {target: Phone, source: phone}\n  - {target: MobilePhone, source: phone}\n"
    (found,) = problems(text)
    assert found.field == "MobilePhone"
    assert "both Phone (line 3) and MobilePhone pull into 'phone'" in found.message


def test_type_mismatch_between_source_and_transform() -> None:
    text = "object: contact\nfields:\n  - target: Phone\n    source: handles\n    direction: push\n"
    text += "    transforms: [e164]\n"
    (found,) = problems(text)
    assert found.line == 6
    assert "e164 takes text, but gets values per network" in found.message


def test_source_may_be_left_out_only_for_building_transforms() -> None:
    ok = "object: lead\nfields:\n  - {target: LeadSource, direction: push, transforms: [{constant: Social}]}\n"
    assert load_mapping(ok, "m.yaml").fields[0].source is None
    (found,) = problems("object: lead\nfields:\n  - {target: LeadSource, direction: push}\n")
    assert "source is required" in found.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "an object with fields"),
        ("- a\n- b\n", "an object with fields"),
        ("fields: []\n", "object is required"),
        ("object: contact\nfields: []\n", "non-empty list"),
        ("object: contact\ncreate: maybe\nfields: [{target: A, source: city}]\n", "true or false"),
        ("object: contact\nfilter: email > 3\nfields: [{target: A, source: city}]\n", "cannot read filter"),
        ("object: contact\nfilter: colour is null\nfields: [{target: A, source: city}]\n", "not a customer attr"),
        ("object: contact\nfields: [{source: city}]\n", "target is required"),
        ("object: contact\nfields: [{target: A, source: city, transforms: trim}]\n", "must be a list"),
    ],
)
def test_shape_problems(text: str, message: str) -> None:
    assert any(message in p.message for p in problems(text))


def test_json_file_problems_have_lines_too() -> None:
    text = '{\n\t"object": "contact",\n\t"fields": [\n\t\t{"target": "A", "source": "city"},\n'
    text += '\t\t{"target": "B", "source": "city", "direction": "push", "transforms": ["nope"]}\n\t]\n}\n'
    (found,) = problems(text, "m.json")
    assert (found.file, found.line, found.field) == ("m.json", 5, "B")


def test_a_field_that_could_never_move_a_value_is_refused() -> None:
    (found,) = problems(
        "object: contact\nfields:\n  - {target: Title, source: title, direction: pull, conflict: hub_wins}\n"
    )
    assert found.field == "Title"
    assert "never takes a CRM value" in found.message
