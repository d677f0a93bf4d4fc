"""The one place every HubSpot call goes through: pacing, credentials, error mapping and retries.

Retries live here only (tenacity): 429s wait what HubSpot asks (Retry-After), transient faults (5xx, network)
back off exponentially with jitter, both within `max_attempts` and `max_wait`; a wait longer than that budget
(e.g. the daily limit) is raised to the caller as RateLimited at once. Every call this adapter makes is
idempotent (upserts by unique property, updates, archives, reads), so repeating one is safe. urllib3's own
retries are off so nothing retries behind this module's back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import urllib3
from hubspot import HubSpot
from tenacity import RetryCallState, Retrying, retry_if_exception_type
from tenacity.wait import wait_random_exponential

from adapters.base import AuthError, RateLimited, RetriableError
from adapters.hubspot.auth import Credentials
from adapters.hubspot.config import HubSpotConfig
from adapters.hubspot.errors import from_response
from adapters.hubspot.limits import PortalLimiter, limiter_for

_backoff = wait_random_exponential(multiplier=0.5, max=20)


class Transport:
    """Makes calls through hubspot-api-client's ``*_with_http_info`` methods (see the module docstring)."""

    def __init__(self, config: HubSpotConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        no_retries = urllib3.Retry(total=0, connect=0, read=0, redirect=0, status=0, raise_on_status=False)
        self.client = HubSpot(host=config.base_url, retry=no_retries)
        self.credentials = Credentials(config, self.client)
        self.limiter: PortalLimiter = limiter_for(config.portal_key, config.portal_tier, config.daily_limit)
        self.calls = 0
        self.last_headers: Any = None
        self._sleep = sleep

    def call(self, method: Callable[..., Any], *args: Any, search: bool = False, **kwargs: Any) -> tuple[Any, int]:
        """Call a ``*_with_http_info`` method; returns (deserialized model, HTTP status)."""
        retrying = Retrying(
            retry=retry_if_exception_type((RateLimited, RetriableError)),
            stop=self._stop,
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        result: tuple[Any, int] = retrying(self._once, method, args, kwargs, search)
        return result

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.config.max_attempts:
            return True
        spent = state.seconds_since_start or 0.0
        return spent + self._wait(state) > self.config.max_wait

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited):
            return error.retry_after
        return float(_backoff(state))

    def _once(
        self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], search: bool
    ) -> tuple[Any, int]:
        try:
            return self._send(method, args, kwargs, search)
        except AuthError:
            if not self.credentials.refreshable:
                raise
            self.credentials.refresh()  # an expired or revoked OAuth token: renew once and repeat
            return self._send(method, args, kwargs, search)

    def _send(
        self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], search: bool
    ) -> tuple[Any, int]:
        self.limiter.acquire(search)
        self.calls += 1
        try:
            data, status, headers = method(
                *args, _request_auth=self.credentials.header(), _request_timeout=self.config.timeout, **kwargs
            )
        except urllib3.exceptions.HTTPError as error:
            raise RetriableError(f"HubSpot could not be reached ({type(error).__name__})") from None
        except Exception as error:
            status = getattr(error, "status", None)
            if status is None or not hasattr(error, "body"):
                raise
            self.limiter.observe(getattr(error, "headers", None))
            mapped = from_response(int(status or 0), error.body, getattr(error, "headers", None))
            if isinstance(mapped, RateLimited):
                self.limiter.backoff()
            raise mapped from None
        self.limiter.observe(headers)
        self.last_headers = headers
        return data, int(status)
