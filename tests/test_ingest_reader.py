"""Streaming readers: every bad line is named by its number, good lines survive, nothing ever raises."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.ingest.reader import detect_format, read_csv, read_ndjson, read_records
from hub.ingest.records import RecordError

MAX = 200


def items(reader: Any, data: bytes, max_bytes: int = MAX) -> list[tuple[int, Any]]:
    return [(line, str(v) if isinstance(v, RecordError) else v) for line, v in reader(io.BytesIO(data), max_bytes)]


def errors(result: list[tuple[int, Any]]) -> dict[int, str]:
    return {line: v for line, v in result if isinstance(v, str)}


def good(result: list[tuple[int, Any]]) -> dict[int, dict[str, Any]]:
    return {line: v for line, v in result if isinstance(v, dict)}


# NDJSON


def test_ndjson_good_lines_with_their_numbers_and_blank_lines_skipped() -> None:
    result = items(read_ndjson, b'{"id": "1"}\n\n   \n{"id": "2"}\n')
    assert result == [(1, {"id": "1"}), (4, {"id": "2"})]


def test_ndjson_invalid_json_is_an_error_on_its_line_and_the_stream_goes_on() -> None:
    result = items(read_ndjson, b'{"id": "1"}\n{"id": \n{"id": "3"}\n')
    assert good(result) == {1: {"id": "1"}, 3: {"id": "3"}}
    assert list(errors(result)) == [2]
    assert errors(result)[2].startswith("invalid JSON")


def test_ndjson_line_over_the_cap_is_refused_and_the_next_line_read() -> None:
    long_line = b'{"id": "' + b"x" * (MAX * 5) + b'"}\n'
    result = items(read_ndjson, b'{"id": "1"}\n' + long_line + b'{"id": "3"}\n')
    assert good(result) == {1: {"id": "1"}, 3: {"id": "3"}}
    assert errors(result) == {2: f"line longer than {MAX} bytes"}


def test_ndjson_line_exactly_at_the_cap_is_accepted() -> None:
    body = b'{"id": "' + b"x" * (MAX - 11) + b'"}'
    line = body + b"\n"
    assert len(line) == MAX
    assert good(items(read_ndjson, line)) == {1: {"id": "x" * (MAX - 11)}}


def test_ndjson_bytes_that_are_not_utf8_name_their_line() -> None:
    result = items(read_ndjson, b'{"id": "1"}\n{"id": "\xff\xfe"}\n{"id": "3"}')
    assert good(result) == {1: {"id": "1"}, 3: {"id": "3"}}
    assert errors(result)[2].startswith("not valid UTF-8")


def test_ndjson_empty_input_yields_nothing() -> None:
    assert items(read_ndjson, b"") == []


def test_ndjson_last_line_without_newline_is_read() -> None:
    assert items(read_ndjson, b'{"id": "1"}\n{"id": "2"}') == [(1, {"id": "1"}), (2, {"id": "2"})]


def test_ndjson_huge_number_and_deep_nesting_are_errors_not_crashes() -> None:
    data = b"9" * 5000 + b"\n" + b"[" * 100_000 + b"\n" + b'{"id": "3"}\n'
    result = items(read_ndjson, data, 1 << 20)
    assert good(result) == {3: {"id": "3"}}
    assert sorted(errors(result)) == [1, 2]
    assert all(reason.startswith("invalid JSON") for reason in errors(result).values())


def test_ndjson_non_object_values_are_passed_on_for_validation() -> None:
    # The reader decodes; deciding that `[1]` is not a record is parse_record's job.
    assert items(read_ndjson, b"[1]\n") == [(1, [1])]


# CSV


def test_csv_header_then_rows_numbered_by_physical_line() -> None:
    result = items(read_csv, b"type,id,name\ncontact,1,Ana\n\ncontact,2,Bo\n")
    assert result == [
        (2, {"type": "contact", "id": "1", "name": "Ana"}),
        (4, {"type": "contact", "id": "2", "name": "Bo"}),
    ]


def test_csv_bom_in_header_is_dropped() -> None:
    result = items(read_csv, b"\xef\xbb\xbfid,type\n1,contact\n")
    assert result == [(2, {"id": "1", "type": "contact"})]


def test_csv_quoted_multiline_cell_is_numbered_where_the_record_starts() -> None:
    data = b'id,type,bio\n1,contact,"first\nsecond\nthird"\n2,contact,short\n'
    result = items(read_csv, data)
    assert result == [
        (2, {"id": "1", "type": "contact", "bio": "first\nsecond\nthird"}),
        (5, {"id": "2", "type": "contact", "bio": "short"}),
    ]


def test_csv_extra_fields_are_an_error_on_that_line_only() -> None:
    result = items(read_csv, b"id,type\n1,contact\n2,contact,surplus\n3,contact\n")
    assert good(result) == {2: {"id": "1", "type": "contact"}, 4: {"id": "3", "type": "contact"}}
    assert errors(result) == {3: "3 fields but the header has 2"}


def test_csv_empty_cells_are_absent_and_short_rows_allowed() -> None:
    assert items(read_csv, b"id,type,email\n1,,\n2\n") == [(2, {"id": "1"}), (3, {"id": "2"})]


def test_csv_crlf_line_endings() -> None:
    assert items(read_csv, b"id,type\r\n1,a\r\n2,b") == [(2, {"id": "1", "type": "a"}), (3, {"id": "2", "type": "b"})]


def test_csv_properties_cell_is_json() -> None:
    data = b'id,properties\n1,"{""tier"": ""gold""}"\n2,{not json\n'
    result = items(read_csv, data)
    assert good(result) == {2: {"id": "1", "properties": {"tier": "gold"}}}
    assert errors(result) == {3: "properties: not a JSON object"}


def test_csv_non_utf8_row_and_overlong_row_are_errors_and_later_rows_survive() -> None:
    data = b"id,type\n1,\xff\n" + b"y" * (MAX * 3) + b"\n4,contact\n"
    result = items(read_csv, data)
    assert good(result) == {4: {"id": "4", "type": "contact"}}
    assert errors(result)[2].startswith("not valid UTF-8")
    assert errors(result)[3] == f"line longer than {MAX} bytes"


def test_csv_empty_input_and_header_only_yield_nothing() -> None:
    assert items(read_csv, b"") == []
    assert items(read_csv, b"id,type\n") == []


def test_csv_nul_byte_is_an_error_not_a_crash() -> None:
    result = items(read_csv, b"id,type\n1,a\x00b\n2,c\n")
    assert good(result).get(3) == {"id": "2", "type": "c"}


# Format detection


def test_format_from_suffix_then_from_content() -> None:
    assert detect_format("a.ndjson", io.BytesIO(b"")) == "ndjson"
    assert detect_format("a.JSONL", io.BytesIO(b"")) == "ndjson"
    assert detect_format("a.csv", io.BytesIO(b"{")) == "csv"
    assert detect_format("-", io.BufferedReader(io.BytesIO(b'  {"id": 1}'))) == "ndjson"  # type: ignore[arg-type]
    assert detect_format("-", io.BufferedReader(io.BytesIO(b"id,type\n"))) == "csv"  # type: ignore[arg-type]


def test_read_records_picks_the_reader() -> None:
    stream = io.BufferedReader(io.BytesIO(b'{"id": "1"}\n'))  # type: ignore[arg-type]
    assert [(line, v) for line, v in read_records("-", stream, MAX)] == [(1, {"id": "1"})]


# Properties: arbitrary bytes never raise, and every line number is within the file.

LINEY_BYTES = st.lists(
    st.one_of(
        st.binary(max_size=40),
        st.sampled_from([b"\n", b"\r\n", b'"', b",", b"{", b"}", b"\xef\xbb\xbf", b"\xff", b"\x00", b'{"id": 1}\n']),
    ),
    max_size=30,
).map(b"".join)


def _line_count(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


@settings(max_examples=300, deadline=None)
@given(LINEY_BYTES, st.integers(min_value=4, max_value=64))
def test_ndjson_reader_never_raises_and_lines_are_in_range(data: bytes, max_bytes: int) -> None:
    lines = _line_count(data)
    for line, _value in read_ndjson(io.BytesIO(data), max_bytes):
        assert 1 <= line <= lines


@settings(max_examples=300, deadline=None)
@given(LINEY_BYTES, st.integers(min_value=4, max_value=64))
def test_csv_reader_never_raises_and_lines_are_in_range(data: bytes, max_bytes: int) -> None:
    lines = _line_count(data)
    for line, value in read_csv(io.BytesIO(data), max_bytes):
        assert 1 <= line <= lines
        assert isinstance(value, (dict, RecordError))


def test_csv_record_whose_quoted_cell_spans_a_refused_line_is_refused_not_patched() -> None:
    data = (
        b'id,type,bio\n1,contact,"abc\n\xff\nxyz"\n'
        + b'2,contact,"start\n'
        + b"z" * (MAX * 2)
        + b'\nend"\n3,contact,ok\n'
    )
    result = items(read_csv, data)
    assert good(result) == {8: {"id": "3", "type": "contact", "bio": "ok"}}
    reasons = [(line, reason) for line, reason in result if isinstance(reason, str)]
    assert (2, "a quoted cell spans line 3, which was refused") in reasons
    assert (5, "a quoted cell spans line 6, which was refused") in reasons
    assert {line for line, _ in reasons} == {2, 3, 5, 6}


def test_ndjson_with_a_byte_order_mark_is_read_and_detected() -> None:
    data = b'\xef\xbb\xbf{"id": "1"}\n{"id": "2"}\n'
    assert items(read_ndjson, data) == [(1, {"id": "1"}), (2, {"id": "2"})]
    assert detect_format("-", io.BufferedReader(io.BytesIO(data))) == "ndjson"  # type: ignore[arg-type]
