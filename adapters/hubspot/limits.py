"""Client-side pacing per HubSpot portal: token buckets below the burst and search limits, and the daily limit.

HubSpot counts a rolling 10-second window. A bucket of capacity `b` refilled at `r` per second admits at most
`b + r*W` requests in any window `W`, so we keep `b + r*W` just under the portal's limit (not the naive "capacity =
limit", which admits twice the limit across a window edge). The X-HubSpot-RateLimit-* headers of every response
re-tune the buckets (`Max`, `Interval-Milliseconds`), clamp them when other apps share the portal (`Remaining`), and
track the daily allowance (`Daily-Remaining`). Limiters are shared by every adapter on the same portal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from adapters.base import RateLimited

BURST = {"private_app": 190, "free": 100}
WINDOW = 10.0
SEARCH_PER_SECOND = 4.0  # HubSpot allows about 5 search requests per second
RATE_SHARE = 0.92  # steady rate as a share of the limit
BURST_SHARE = 0.06  # bucket capacity as a share of the limit
DAILY_RESERVE = 0.01  # keep 1% of the daily limit for people and other tools


class TokenBucket:
    """A thread-safe token bucket; `acquire()` sleeps until a token is free."""

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.capacity = rate, max(capacity, 1.0)
        self.tokens = self.capacity
        self._clock, self._last = clock, clock()
        self._lock = threading.Lock()

    def retune(self, rate: float, capacity: float) -> None:
        """Change rate and capacity (keeping at most the new capacity in hand)."""
        with self._lock:
            self._refill()
            self.rate, self.capacity = rate, max(capacity, 1.0)
            self.tokens = min(self.tokens, self.capacity)

    def clamp(self, available: float) -> None:
        """Never hold more tokens than the provider says remain."""
        with self._lock:
            self._refill()
            self.tokens = min(self.tokens, max(available, 0.0)) if self.tokens > 0 else self.tokens

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._last) * self.rate)
        self._last = now

    def acquire(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Take one token, sleeping as long as needed (a token taken ahead is owed: later callers wait longer)."""
        with self._lock:
            self._refill()
            self.tokens -= 1
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait > 0:
            sleep(wait)


class PortalLimiter:
    """The limits of one portal (see the module docstring)."""

    def __init__(self, tier: str, daily_limit: int | None) -> None:
        self.limit, self.window = float(BURST.get(tier, BURST["private_app"])), WINDOW
        self.burst = TokenBucket(*self._shape())
        self.search = TokenBucket(SEARCH_PER_SECOND, 1.0)
        self.daily_limit = daily_limit
        self.daily_remaining: int | None = None
        self.used_today, self._day = 0, datetime.now(UTC).date()
        self._lock = threading.Lock()

    def _shape(self) -> tuple[float, float]:
        return RATE_SHARE * self.limit / self.window, BURST_SHARE * self.limit

    def acquire(self, search: bool) -> None:
        """Wait for room in the burst (and search) windows; raise RateLimited when the day's allowance is spent."""
        self._check_daily()
        if search:
            self.search.acquire()
        self.burst.acquire()
        with self._lock:
            self.used_today += 1

    def _check_daily(self) -> None:
        with self._lock:
            today = datetime.now(UTC).date()
            if today != self._day:
                self._day, self.used_today, self.daily_remaining = today, 0, None
            reserve = int((self.daily_limit or 0) * DAILY_RESERVE)
            spent = self.daily_limit is not None and self.used_today >= self.daily_limit - reserve
            if spent or (self.daily_remaining is not None and self.daily_remaining <= reserve):
                raise RateLimited("the HubSpot daily API limit is reached; resuming after midnight UTC", _to_midnight())

    def observe(self, headers: Mapping[str, str] | None) -> None:
        """Learn from a response's X-HubSpot-RateLimit-* headers."""
        if not headers:
            return
        h = {k.lower(): v for k, v in headers.items()}
        limit = _number(h.get("x-hubspot-ratelimit-max"))
        interval = _number(h.get("x-hubspot-ratelimit-interval-milliseconds"))
        if limit and interval and (limit != self.limit or interval / 1000 != self.window):
            self.limit, self.window = limit, interval / 1000
            self.burst.retune(*self._shape())
            self.search.retune(SEARCH_PER_SECOND * WINDOW / self.window, 1.0)
        remaining = _number(h.get("x-hubspot-ratelimit-remaining"))
        if remaining is not None:
            self.burst.clamp(remaining - 1)
        daily = _number(h.get("x-hubspot-ratelimit-daily-remaining"))
        if daily is not None:
            with self._lock:
                self.daily_remaining = int(daily)

    def seed_daily(self, limit: int, used: int) -> None:
        """Take the portal's own daily figures (limit, used so far today) where none were configured."""
        with self._lock:
            if limit and self.daily_limit is None:
                self.daily_limit = limit
            self.used_today = max(self.used_today, used)

    def backoff(self) -> None:
        """After a 429: empty the bucket, so the next calls are paced from zero."""
        self.burst.clamp(0)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _to_midnight() -> float:
    now = datetime.now(UTC)
    return ((now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0) - now).total_seconds()


_REGISTRY: dict[str, PortalLimiter] = {}
_REGISTRY_LOCK = threading.Lock()


def limiter_for(portal_key: str, tier: str, daily_limit: int | None) -> PortalLimiter:
    """The limiter shared by every adapter on one portal."""
    with _REGISTRY_LOCK:
        limiter = _REGISTRY.get(portal_key)
        if limiter is None:
            limiter = _REGISTRY[portal_key] = PortalLimiter(tier, daily_limit)
        return limiter
