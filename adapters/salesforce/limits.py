"""The daily API budget: `Sforce-Limit-Info: api-usage=USED/MAX` is read on every response, and calls stop
(RateLimited with a retry_after) once the org's usage reaches the admin-set share of its daily limit.

Salesforce's daily limit is a rolling 24-hour window; the wait is estimated from how much must age out of it.
"""

from __future__ import annotations

import re

from adapters.base import RateLimited

DAY = 86_400.0
MIN_WAIT, MAX_WAIT = 60.0, 3_600.0
CONCURRENCY_WAIT = 30.0
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


class Budget:
    """What the org has used of its daily API requests, and Rapport's share of them."""

    def __init__(self, share: float) -> None:
        self.share = share
        self.used: int | None = None
        self.total: int | None = None

    def observe(self, header: str | None) -> None:
        """Record the usage from a `Sforce-Limit-Info` header value."""
        match = _USAGE.search(header or "")
        if match:
            self.used, self.total = int(match.group(1)), int(match.group(2))

    def retry_after(self) -> float:
        """Seconds until enough of the rolling day's usage has aged out (assuming even use over the day)."""
        if not self.used or not self.total:
            return MAX_WAIT
        excess = self.used - self.share * self.total + 1
        return min(MAX_WAIT, max(MIN_WAIT, DAY * excess / self.used))

    def check(self) -> None:
        """RateLimited when the last known usage is at or above the share Rapport may use."""
        if self.used is None or not self.total:
            return
        if self.used >= self.share * self.total:
            raise RateLimited(
                f"Salesforce API budget reached: the org has used {self.used} of {self.total} daily requests and "
                f"Rapport may use up to {self.share:.0%}; the sync resumes from its cursor later",
                self.retry_after(),
            )

    def exceeded(self, message: str) -> RateLimited:
        """The error for Salesforce's REQUEST_LIMIT_EXCEEDED (a concurrency limit clears within seconds)."""
        wait = CONCURRENCY_WAIT if "concurrent" in message.lower() else self.retry_after()
        return RateLimited(f"Salesforce refused the call: REQUEST_LIMIT_EXCEEDED ({message})", wait)
