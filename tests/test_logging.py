"""Structured logs: credentials are masked wherever they slip in; JSON lines carry the extra fields."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from hub.logging import JsonFormatter, RedactingFilter, configure_logging, redact

API_KEY = "rpk_Zx9-abcdefghijklmnop_0123456789"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"key {API_KEY} refused", API_KEY),
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw sent", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9"),
        ("authorization: bearer abcdefgh12345678", "abcdefgh12345678"),
        ("postgresql://rapport:s3cr3t-pw@db.internal:5432/rapport", "s3cr3t-pw"),
        ("https://user:hunter2@crm.example.com/api", "hunter2"),
        ("password=hunter2 next", "hunter2"),
        ("PASSWORD: 'hunter2'", "hunter2"),
        ('{"api_key": "k-123456789"}', "k-123456789"),
        ("url?token=tok_abcdef&x=1", "tok_abcdef"),
        ("client secret=topsecret", "topsecret"),
        ("session_id=00Dxx0000001gPL!AQ4AQ", "00Dxx0000001gPL"),
        ("api-key = abc123def", "abc123def"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA"),
        ('{"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}', "dXNlcjpwYXNzd29yZA"),
        ("authorization=sk_live_abcdefgh12345", "sk_live_abcdefgh12345"),
    ],
)
def test_redact_masks_credentials(text: str, secret: str) -> None:
    masked = redact(text)
    assert secret not in masked
    assert "***" in masked


def test_redact_keeps_what_is_not_a_secret() -> None:
    text = "ingested 3 records from https://crm.example.com/api?page=2 for user ana@example.com (basic authorization)"
    assert redact(text) == text
    assert redact("postgresql://rapport@db/rapport") == "postgresql://rapport@db/rapport"


def test_json_formatter_writes_one_json_object_with_extra_fields() -> None:
    record = logging.LogRecord("rapport.test", logging.WARNING, __file__, 1, "job %s failed", ("7",), None)
    record.job_id = 7
    record.kind = "resolve"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "job 7 failed"
    assert entry["level"] == "warning"
    assert entry["logger"] == "rapport.test"
    assert (entry["job_id"], entry["kind"]) == (7, "resolve")
    assert entry["time"].endswith("+00:00")


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("rapport.test.captured")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.removeHandler(handler)


def test_exception_text_with_a_key_is_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    try:
        raise RuntimeError(f"upstream refused {API_KEY} at https://u:pw1234@host/x")
    except RuntimeError:
        logger.exception("call failed with %s", API_KEY, extra={"connection": "sf"})
    output = stream.getvalue()
    assert API_KEY not in output
    assert "pw1234" not in output
    entry = json.loads(output)
    assert entry["connection"] == "sf"
    assert "RuntimeError" in entry["exception"]
    assert entry["message"] == "call failed with ***"


def test_configure_logging_is_idempotent_and_restorable() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        configure_logging("DEBUG", "json")
        configure_logging("INFO", "text")
        ours = [h for h in root.handlers if getattr(h, "_rapport", False)]
        assert len(ours) == 1
        assert root.level == logging.INFO
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)


def test_string_extra_fields_are_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.warning("pull failed", extra={"url": "https://u:pw1234@crm/x", "detail": f"key {API_KEY}", "count": 3})
    entry = json.loads(stream.getvalue())
    assert "pw1234" not in entry["url"]
    assert API_KEY not in entry["detail"]
    assert entry["count"] == 3
