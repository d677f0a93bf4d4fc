"""Rate limits, usage headers and fault injection for the sandbox.

HubSpot counts requests per portal in a rolling 10-second window (190 for private apps, 100 for free portals),
search requests separately (5 per second), and a daily total. The window length is configurable so tests and
benchmarks can run the same logic faster; the search window scales with it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from adapters.hubspot.sandbox.errors import SandboxError, outage, rate_limited

BURST = {"private_app": 190, "free": 100}
SEARCH_PER_SECOND = 5
FAULTS = ("rate_limit", "outage", "lost_response", "stall")


@dataclass
class Limits:
    """The portal's limits and the counters behind them; thread-safe."""

    tier: str = "private_app"
    window: float = 10.0  # seconds; HubSpot's is 10
    daily_limit: int = 500_000
    enforce: bool = True
    fault_retry_after: float = 1.0
    stall_seconds: float = 30.0
    used_today: int = 0
    requests: int = 0
    throttled: int = 0
    faults: deque[str | None] = field(default_factory=deque)
    _recent: deque[float] = field(default_factory=deque)
    _search: deque[float] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def burst(self) -> int:
        """Requests allowed per window."""
        return BURST.get(self.tier, BURST["private_app"])

    @property
    def search_window(self) -> float:
        """The search limit's window: one second at HubSpot's scale."""
        return self.window / 10

    def admit(self, search: bool) -> dict[str, str]:
        """Count one request, or raise 429 (or an injected fault); returns the usage headers to send."""
        with self._lock:
            fault = self.faults.popleft() if self.faults else None
            if fault == "rate_limit":
                self.throttled += 1
                raise rate_limited("TEN_SECONDLY_ROLLING", self.fault_retry_after, self._headers(time.monotonic()))
            if fault == "outage":
                raise outage()
            now = time.monotonic()
            self._expire(now)
            if self.enforce:
                self._enforce(now, search)
            self._recent.append(now)
            if search:
                self._search.append(now)
            self.used_today += 1
            self.requests += 1
            headers = self._headers(now)
        if fault in ("lost_response", "stall"):
            headers["x-sandbox-fault"] = fault
        return headers

    def _enforce(self, now: float, search: bool) -> None:
        if self.used_today >= self.daily_limit:
            self.throttled += 1
            raise rate_limited("DAILY", 60.0, self._headers(now))
        if len(self._recent) >= self.burst:
            self.throttled += 1
            raise rate_limited("TEN_SECONDLY_ROLLING", self._wait(self._recent, self.window, now), self._headers(now))
        if search and len(self._search) >= SEARCH_PER_SECOND:
            self.throttled += 1
            raise rate_limited("SECONDLY", self._wait(self._search, self.search_window, now), self._headers(now))

    def _expire(self, now: float) -> None:
        while self._recent and now - self._recent[0] >= self.window:
            self._recent.popleft()
        while self._search and now - self._search[0] >= self.search_window:
            self._search.popleft()

    @staticmethod
    def _wait(stamps: deque[float], window: float, now: float) -> float:
        # Retry-After is whole seconds at HubSpot; sub-second windows (tests) get milliseconds.
        wait = max(stamps[0] + window - now, 0.001)
        return float(math.ceil(wait)) if window >= 1 else round(wait, 3)

    def _headers(self, now: float) -> dict[str, str]:
        remaining = max(self.burst - len(self._recent), 0)
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(self.daily_limit - self.used_today, 0)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(self.window * 1000)),
            "X-HubSpot-RateLimit-Max": str(self.burst),
            "X-HubSpot-RateLimit-Remaining": str(remaining),
            "X-HubSpot-RateLimit-Secondly": str(math.ceil(self.burst / 10)),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(max(math.ceil(self.burst / 10) - self._in_last(now), 0)),
        }

    def _in_last(self, now: float) -> int:
        return sum(1 for t in self._recent if now - t < self.window / 10)

    def inject(self, fault: str, count: int, after: int = 0) -> None:
        """Make `count` API calls fail with `fault` (see FAULTS), after `after` calls that go through."""
        if fault not in FAULTS:
            raise SandboxError(400, "VALIDATION_ERROR", f"unknown fault {fault!r}; expected one of {FAULTS}")
        with self._lock:
            self.faults.extend([None] * after + [fault] * count)

    def stats(self) -> dict[str, float | int | str]:
        """Counters for tests and benchmarks."""
        with self._lock:
            return {
                "requests": self.requests,
                "throttled": self.throttled,
                "used_today": self.used_today,
                "window": self.window,
                "burst": self.burst,
                "tier": self.tier,
                "faults_pending": len(self.faults),
            }
