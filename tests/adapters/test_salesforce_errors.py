"""Salesforce's whole-call errors and cursors, without a network: the mapping table and the change cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.base import AuthError, ConfigError, RateLimited, RecordRejected, RetriableError
from adapters.salesforce.errors import from_response, record_error
from adapters.salesforce.limits import Budget
from adapters.salesforce.reads import Cursor


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "INVALID_SESSION_ID", AuthError),
        (403, "REQUEST_LIMIT_EXCEEDED", RateLimited),
        (503, "SERVER_UNAVAILABLE", RetriableError),
        (500, "UNKNOWN_EXCEPTION", RetriableError),
        (400, "INVALID_FIELD", ConfigError),
        (400, "INVALID_TYPE", ConfigError),
        (403, "API_DISABLED_FOR_ORG", ConfigError),
        (400, "STRING_TOO_LONG", RecordRejected),
    ],
)
def test_whole_call_errors_map_by_recovery_action(status: int, code: str, expected: type[Exception]) -> None:
    error = from_response(status, [{"errorCode": code, "message": "m"}], Budget(0.5))
    assert isinstance(error, expected)


def test_a_concurrency_limit_waits_seconds_not_hours() -> None:
    error = from_response(
        403,
        [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "ConcurrentPerOrgLongTxn Limit exceeded."}],
        Budget(0.5),
    )
    assert isinstance(error, RateLimited) and error.retry_after == 30


def test_record_errors_keep_code_fields_and_every_message() -> None:
    error = record_error(
        [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            },
            {"statusCode": "STRING_TOO_LONG", "message": "Title: data value too large", "fields": ["Title"]},
        ]
    )
    assert error.code == "REQUIRED_FIELD_MISSING" and error.fields == ("LastName", "Title")
    assert "requires" in error.message and "data value too large" in error.message


def test_cursor_drops_rows_it_delivered_and_keeps_later_edits() -> None:
    cursor = Cursor()
    rows = [{"Id": "003A", "SystemModstamp": "2024-05-01T12:00:00.000+0000"},
            {"Id": "003B", "SystemModstamp": "2024-05-01T12:00:04.000+0000"}]  # fmt: skip
    cursor.advance(rows, timedelta(seconds=5))
    again = Cursor.load(cursor.dump())
    assert not again.fresh(rows[0]) and not again.fresh(rows[1])
    assert again.fresh({"Id": "003A", "SystemModstamp": "2024-05-01T12:00:05.000+0000"})
    again.advance([{"Id": "003C", "SystemModstamp": "2024-05-01T12:00:09.500+0000"}], timedelta(seconds=5))
    assert set(again.seen) == {"003C"}
