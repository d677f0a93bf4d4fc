"""Fuzzing the parsers of public inputs: ingest lines (NDJSON and CSV), ingest records, mapping files.
Whatever arrives, the answer is a value or the parser's own typed error, never a crash."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.ingest.reader import read_records
from hub.ingest.records import RecordError, parse_record
from mappings import MappingError, load_mapping

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["type", "network", "system", "id", "handle", "name", "email", "phone", "followers", "verified",
          "updated_at", "created_at", "profile_id", "kind", "direction", "sentiment", "country", "properties",
          "first_name", "last_name", "website", "text", "in_reply_to"]  # fmt: skip
TYPES = st.sampled_from(["social_profile", "contact", "interaction", "SOCIAL_PROFILE", "", "other"])


def record_like() -> st.SearchStrategy[dict[str, Any]]:
    """Objects shaped like ingest records, with any values in the contract's fields and some unknown ones."""
    return st.builds(
        lambda kind, fields, extra: {"type": kind, **fields, **extra},
        TYPES,
        st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8),
        st.dictionaries(st.text(max_size=8), json_values, max_size=2),
    )


def parse_each(items: Any) -> int:
    """Feed every read item to `parse_record`; only `RecordError` may come out. Returns how many parsed."""
    parsed = 0
    for _position, item in items:
        if isinstance(item, RecordError):
            continue
        try:
            parse_record(item)
            parsed += 1
        except RecordError:
            pass
    return parsed


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_as_an_ingest_file_give_records_or_line_errors(raw: bytes) -> None:
    for name in ("in.ndjson", "in.csv"):
        parse_each(read_records(name, io.BytesIO(raw), 1024))


@FUZZ
@given(st.lists(record_like(), max_size=5))
def test_record_like_lines_parse_or_are_refused_with_a_reason(records: list[dict[str, Any]]) -> None:
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    assert parse_each(read_records("in.ndjson", io.BytesIO(lines), 1_048_576)) <= len(records)


@FUZZ
@given(json_values)
def test_any_json_value_is_a_record_or_a_record_error(value: Any) -> None:
    with contextlib.suppress(RecordError):  # a value, or a refusal with its reason
        parse_record(value)


MAPPING_FIELD = st.fixed_dictionaries(
    {},
    optional={
        "target": st.text(max_size=20) | json_values,
        "source": st.sampled_from(["email", "phone", "handles", "first_name", "nope"]) | json_values,
        "direction": st.sampled_from(["push", "pull", "both", "sideways"]) | json_values,
        "transforms": st.lists(st.sampled_from(["e164", "lower", "trim"]) | json_values, max_size=3) | json_values,
        "conflict": st.sampled_from(["hub_wins", "crm_wins", "most_recent", "fill_empty", "x"]) | json_values,
    },
)
MAPPING = st.fixed_dictionaries(
    {},
    optional={
        "object": st.sampled_from(["contact", "lead"]) | json_values,
        "create": st.booleans() | json_values,
        "filter": st.sampled_from(["email is not null", "phone =", "(("]) | st.text(max_size=30) | json_values,
        "fields": st.lists(MAPPING_FIELD, max_size=4) | json_values,
    },
)


def loads_or_explains(text: str, filename: str) -> None:
    """The mapping loads, or its MappingError names what is wrong."""
    problem = ""
    try:
        load_mapping(text, filename)
    except MappingError as exc:
        problem = str(exc) or "(empty)"
    assert problem != "(empty)"


@FUZZ
@given(MAPPING | json_values)
def test_any_mapping_document_loads_or_lists_its_problems(document: Any) -> None:
    for filename, text in (("m.yaml", yaml.safe_dump(document, allow_unicode=True)), ("m.json", json.dumps(document))):
        loads_or_explains(text, filename)


@FUZZ
@given(st.text(max_size=300))
def test_any_text_as_a_mapping_file_loads_or_lists_its_problems(text: str) -> None:
    for filename in ("m.yaml", "m.json"):
        loads_or_explains(text, filename)
