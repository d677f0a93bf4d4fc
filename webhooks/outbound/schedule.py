"""When to try a delivery again (Svix's schedule with jitter), and `Retry-After` handling.

Attempt 1 is immediate; after each failure the next waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8
attempts in all, about 27.5 hours). `Retry-After` is honoured as a floor but clamped, so that a receiver
cannot park a delivery for days; after a 429 or a timeout the wait is at least 60 s.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
JITTER = 0.2  # +/- 20 %: spreads retries of a burst instead of firing them in lockstep
THROTTLED_FLOOR = 60.0
RETRY_AFTER_MAX = 36000.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds asked for by a `Retry-After` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(
    attempt: int,
    *,
    throttled: bool = False,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds to wait after failed attempt number `attempt` (1-based), or None when attempts are spent."""
    if attempt >= MAX_ATTEMPTS:
        return None
    base = RETRY_SCHEDULE[attempt - 1]
    delay = base * (1 + (rng or random).uniform(-JITTER, JITTER))
    if throttled:
        delay = max(delay, THROTTLED_FLOOR)
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_MAX))
    return delay


def next_attempt_at(
    attempt: int, now: datetime, *, throttled: bool = False, retry_after: float | None = None
) -> datetime | None:
    """When to try again after failed attempt `attempt`, or None when it was the last."""
    delay = retry_delay(attempt, throttled=throttled, retry_after=retry_after)
    return None if delay is None else now + timedelta(seconds=delay)
