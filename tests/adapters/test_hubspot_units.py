"""Pure parts of the HubSpot adapter: configuration, error mapping, the cursor, and the token bucket's bound."""

from __future__ import annotations

import json

import pytest

from adapters.base import AuthError, ConfigError, RateLimited, RetriableError
from adapters.hubspot import parse_config
from adapters.hubspot.cursor import Cursor
from adapters.hubspot.errors import Refused, from_response
from adapters.hubspot.limits import BURST_SHARE, RATE_SHARE, TokenBucket
from adapters.hubspot.writes import chunks, properties


def test_config_needs_a_token_or_the_oauth_trio_and_never_shows_secrets() -> None:
    with pytest.raises(ConfigError, match="access_token"):
        parse_config({"name": "hs", "auth": {"client_id": "c"}})
    with pytest.raises(ConfigError, match="portal_tier"):
        parse_config({"name": "hs", "auth": {"access_token": "t"}, "portal_tier": "gold"})
    config = parse_config({"name": "hs", "auth": {"access_token": "pat-secret-123"}, "portal_tier": "free"})
    assert "pat-secret-123" not in repr(config) and "pat-secret-123" not in config.portal_key
    oauth = parse_config({"auth": {"client_id": "c", "client_secret": "s3cret", "refresh_token": "r3fresh"}})
    assert oauth.oauth and "s3cret" not in repr(oauth) and "r3fresh" not in repr(oauth)


def body(**fields: object) -> bytes:
    return json.dumps({"status": "error", "correlationId": "abc", **fields}).encode()


def test_statuses_map_to_what_the_caller_should_do() -> None:
    assert isinstance(from_response(401, body(message="bad token", category="INVALID_AUTHENTICATION"), {}), AuthError)
    assert isinstance(from_response(403, body(message="missing scopes", category="MISSING_SCOPES"), {}), ConfigError)
    assert isinstance(from_response(502, b"<html>bad gateway</html>", {}), RetriableError)
    limited = from_response(429, body(message="slow down", policyName="TEN_SECONDLY_ROLLING"), {"Retry-After": "3"})
    assert isinstance(limited, RateLimited) and limited.retry_after == 3.0
    daily = from_response(429, body(message="daily", policyName="DAILY"), {})
    assert isinstance(daily, RateLimited) and daily.retry_after > 1


def test_validation_and_conflict_bodies_name_code_fields_and_existing_id() -> None:
    invalid = from_response(
        400,
        body(message="Property values were not valid", category="VALIDATION_ERROR",
             errors=[{"code": "INVALID_OPTION", "message": "x", "context": {"propertyName": ["lifecyclestage"]}}]),
        {},
    )  # fmt: skip
    assert isinstance(invalid, Refused) and invalid.code == "INVALID_OPTION" and invalid.fields == ("lifecyclestage",)
    legacy = from_response(400, body(message='Property values were not valid: [{"name":"phone","error":"X"}]'), {})
    assert isinstance(legacy, Refused) and legacy.fields == ("phone",)
    taken = from_response(409, body(message="Contact already exists. Existing ID: 1234", category="CONFLICT"), {})
    assert isinstance(taken, Refused) and taken.existing_id == "1234" and taken.fields == ("email",)
    assert "abc" in str(taken)  # the correlation id, for HubSpot support


def test_cursor_round_trips_and_refuses_strangers() -> None:
    cursor = Cursor(gte=1_700_000_000_000, seen={"7": 1_700_000_000_000}, arch_gte=5, arch_seen=["9"])
    again = Cursor.decode(cursor.encode())
    assert (again.gte, again.seen, again.arch_gte, again.arch_seen) == (cursor.gte, cursor.seen, 5, ["9"])
    tie = Cursor.decode(Cursor(eq=42, eq_id="100").encode())
    assert (tie.eq, tie.eq_id) == (42, "100")
    for bad in ("12345", "hs1.!!!", "hs1.e30"):
        with pytest.raises(ConfigError):
            Cursor.decode(bad)


def test_token_bucket_never_exceeds_the_limit_in_any_window() -> None:
    limit, window = 190.0, 10.0
    now = [0.0]
    bucket = TokenBucket(RATE_SHARE * limit / window, BURST_SHARE * limit, clock=lambda: now[0])

    def sleep(seconds: float) -> None:
        now[0] += seconds

    stamps = []
    for _ in range(1000):
        bucket.acquire(sleep)
        stamps.append(now[0])
    busiest = max(sum(1 for t in stamps if start <= t < start + window) for start in stamps)
    assert busiest <= limit
    assert busiest >= 0.9 * limit


def test_batches_hold_no_key_twice_and_blanks_are_not_sent() -> None:
    assert chunks(["a", "b", "A", "c"], str, size=3) == [["a", "b"], ["A", "c"]]
    assert properties({"firstname": None, "followers": 12, "vip": True}) == {"followers": "12", "vip": "true"}
