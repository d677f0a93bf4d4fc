"""Record validation: each refusal names the field; accepted records are normalised, never silently repaired."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hub.ingest.records import RecordError, parse_record
from hub.ingest.service import IngestReport, validated


def reason(obj: Any) -> str:
    with pytest.raises(RecordError) as caught:
        parse_record(obj)
    return str(caught.value)


def test_missing_id_is_refused() -> None:
    assert "missing 'id'" in reason({"type": "contact", "system": "sf"})


def test_empty_id_is_refused() -> None:
    assert "id" in reason({"type": "contact", "system": "sf", "id": "  "})


def test_missing_type_is_refused() -> None:
    assert reason({"id": "1", "network": "x"}).startswith("missing 'type'")
    assert reason({"id": "1", "type": ""}).startswith("missing 'type'")


def test_unknown_type_is_refused_and_named() -> None:
    message = reason({"id": "1", "type": "tweet"})
    assert "unknown type 'tweet'" in message
    assert "unknown type" in reason({"id": "1", "type": ["contact"]})


def test_not_an_object_is_refused() -> None:
    assert reason([1, 2]) == "expected a JSON object, got list"
    assert reason("text") == "expected a JSON object, got str"


def test_wrong_types_name_the_field() -> None:
    assert reason({"type": "social_profile", "network": "x", "id": "1", "followers": "lots"}).startswith("followers")
    assert reason({"type": "social_profile", "network": "x", "id": "1", "followers": -5}).startswith("followers")
    assert reason({"type": "interaction", "network": "x", "id": "1", "sentiment": 3}).startswith("sentiment")
    assert reason({"type": "interaction", "network": "x", "id": "1", "kind": "like"}).startswith("kind")
    assert reason({"type": "contact", "system": "sf", "id": "1", "updated_at": "yesterday"}).startswith("updated_at")


def test_missing_source_is_refused() -> None:
    assert "missing 'network'" in reason({"type": "social_profile", "id": "1"})
    assert "missing 'system'" in reason({"type": "contact", "id": "1"})


def test_unknown_fields_are_kept_as_attributes() -> None:
    record = parse_record({"type": "contact", "system": "sf", "id": "1", "loyalty_tier": "gold", "score": 7})
    assert record.payload["loyalty_tier"] == "gold"
    assert record.payload["score"] == 7


def test_numeric_ids_become_strings() -> None:
    record = parse_record({"type": "interaction", "network": "x", "id": 123456789012, "profile_id": 42})
    assert record.external_id == "123456789012"
    assert record.payload["profile_id"] == "42"


def test_naive_datetimes_are_utc_and_offsets_kept() -> None:
    naive = parse_record({"type": "contact", "system": "sf", "id": "1", "updated_at": "2024-03-01T10:00:00"})
    assert naive.updated_at == datetime(2024, 3, 1, 10, tzinfo=UTC)
    post = parse_record({"type": "interaction", "network": "x", "id": "p", "created_at": "2024-03-01T10:00:00"})
    assert post.payload["created_at"] in ("2024-03-01T10:00:00Z", "2024-03-01T10:00:00+00:00")
    offset = parse_record({"type": "contact", "system": "sf", "id": "1", "updated_at": "2024-03-01T10:00:00+02:00"})
    assert offset.updated_at == datetime(2024, 3, 1, 8, tzinfo=UTC)


def test_network_and_system_names_are_lower_cased() -> None:
    profile = parse_record({"type": "social_profile", "network": " Instagram ", "id": "1"})
    contact = parse_record({"type": "contact", "system": "SalesForce", "id": "1"})
    assert (profile.source, profile.payload["network"]) == ("instagram", "instagram")
    assert contact.source == "salesforce"
    assert profile.key == "social_profile:instagram:1"


def test_csv_strings_are_coerced_for_typed_fields() -> None:
    record = parse_record({"type": "social_profile", "network": "x", "id": "1", "followers": "120", "verified": "true"})
    assert record.payload["followers"] == 120
    assert record.payload["verified"] is True


def test_country_code_upper_cased() -> None:
    assert parse_record({"type": "contact", "system": "sf", "id": "1", "country": "de"}).payload["country"] == "DE"


def test_content_hash_ignores_key_order_and_changes_with_content() -> None:
    a = parse_record({"type": "contact", "system": "sf", "id": "1", "email": "a@b.co", "city": "Oslo"})
    b = parse_record({"city": "Oslo", "email": "a@b.co", "id": 1, "system": "SF", "type": "contact"})
    c = parse_record({"type": "contact", "system": "sf", "id": "1", "email": "a@b.co", "city": "Bergen"})
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash


def test_validated_reports_errors_with_positions_and_keeps_good_records() -> None:
    report = IngestReport()
    seen: list[tuple[int, str]] = []
    items = [
        (1, {"type": "contact", "system": "sf", "id": "1"}),
        (2, RecordError("invalid JSON: x")),
        (3, {"type": "contact", "system": "sf"}),
        (5, {"type": "social_profile", "network": "x", "id": "9"}),
    ]
    records = list(validated(items, report, lambda line, why: seen.append((line, why))))
    assert [r.key for r in records] == ["contact:sf:1", "social_profile:x:9"]
    assert [line for line, _ in report.errors] == [2, 3]
    assert seen == report.errors
    assert report.rejected == 2
