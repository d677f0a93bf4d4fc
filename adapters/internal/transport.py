"""HTTP for the internal adapter: one keep-alive httpx.Client, one status table, retries in one place.

`STATUS_ACTIONS` (Airbyte style) decides what every status means; `Transport.request` applies it:

- ``OK`` (2xx), ``NOT_FOUND`` (404, 410) and ``REJECT`` (400, 409, 422, other 4xx) are returned to the caller,
  who knows whether a missing record is fine (delete), skipped (get) or a record error (update).
- ``AUTH`` (401, 403) raises `AuthError`; ``CONFIG`` (405, redirects) raises `ConfigError`.
- ``RATE_LIMITED`` (429) and ``RETRY`` (408, 5xx, timeouts, connection errors) are retried by tenacity with
  exponential backoff, honouring ``Retry-After`` — only for idempotent methods (GET, PUT, DELETE; never POST or
  PATCH) — then raise `RateLimited(retry_after)` or `RetriableError`. A ``Retry-After`` longer than
  ``retry.max_wait`` is not slept through: `RateLimited` is raised at once so the hub can pause and resume.

No message or log line carries the credential: messages name the method and path only, and any text taken from a
response is passed through `Transport.redact`.
"""

from __future__ import annotations

import enum
import logging
import random
import ssl
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from adapters.base import AuthError, ConfigError, RateLimited, RetriableError
from adapters.internal.config import InternalConfig

log = logging.getLogger("adapters.internal")

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})


class Action(enum.Enum):
    """What a response status means for the caller."""

    OK = "ok"
    NOT_FOUND = "not_found"
    REJECT = "reject"
    AUTH = "auth"
    CONFIG = "config"
    RATE_LIMITED = "rate_limited"
    RETRY = "retry"


STATUS_ACTIONS: Mapping[int, Action] = {
    400: Action.REJECT,
    401: Action.AUTH,
    403: Action.AUTH,
    404: Action.NOT_FOUND,
    405: Action.CONFIG,
    408: Action.RETRY,
    409: Action.REJECT,
    410: Action.NOT_FOUND,
    422: Action.REJECT,
    429: Action.RATE_LIMITED,
}


def action_for(status: int) -> Action:
    """The table above, with ranges: 2xx OK, other 4xx REJECT, 5xx RETRY, anything else CONFIG."""
    if 200 <= status < 300:
        return Action.OK
    if status in STATUS_ACTIONS:
        return STATUS_ACTIONS[status]
    if 400 <= status < 500:
        return Action.REJECT
    return Action.RETRY if status >= 500 else Action.CONFIG


def status_phrase(status: int) -> str:
    """The standard reason phrase of ``status`` ("" when unknown)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class _Transient(Exception):
    """An attempt that may succeed if repeated (internal to this module)."""

    def __init__(self, detail: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse ``Retry-After`` (seconds or an HTTP date) into seconds, or None."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


class Transport:
    """Sends requests for one connection and maps statuses (see the module docstring)."""

    def __init__(
        self,
        config: InternalConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.calls = 0
        self._sleep = sleep
        self._clock = clock
        self._next_slot = 0.0
        headers = dict(config.headers)
        headers.setdefault("Accept", "application/json")
        if config.auth_header and config.auth_value:
            headers[config.auth_header] = config.auth_value
        verify: bool | ssl.SSLContext = config.verify
        if config.ca_file and config.verify:
            verify = ssl.create_default_context(cafile=config.ca_file)
        self.client = httpx.Client(
            base_url=config.base_url + "/",
            headers=headers,
            timeout=config.timeout,
            verify=verify,
            follow_redirects=False,
            transport=transport,
        )
        origin = urlsplit(config.base_url)
        self._origin = (origin.scheme, origin.netloc)

    def close(self) -> None:
        """Close the keep-alive connections."""
        self.client.close()

    def redact(self, text: str) -> str:
        """``text`` with the credential (and each long part of it, e.g. a bearer token) masked."""
        secret = self.config.auth_value
        if not secret:
            return text
        for part in sorted({secret, *(p for p in secret.split() if len(p) >= 6)}, key=len, reverse=True):
            text = text.replace(part, "***")
        return text

    def same_origin(self, url: str) -> bool:
        """True when an absolute URL points at the configured service (links are only followed there)."""
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc) == self._origin

    def request(
        self, method: str, url: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> httpx.Response:
        """Send with retries (idempotent methods only); return OK, NOT_FOUND and REJECT responses."""
        attempts = self.config.retry.attempts if method in IDEMPOTENT else 1
        retrying = Retrying(
            stop=stop_after_attempt(attempts),
            wait=self._wait,
            retry=retry_if_exception(self._retryable),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(method, url, state, attempts),
            reraise=True,
        )
        start = self.calls
        try:
            return retrying(self._attempt, method, url, params, body)
        except _Transient as error:
            raise self._give_up(method, url, error, self.calls - start, attempts) from None

    def _pace(self) -> None:
        """Keep below ``rate_limit.per_second`` by spacing requests evenly (one connection, one pace)."""
        if not self.config.max_rps:
            return
        now = self._clock()
        if now < self._next_slot:
            self._sleep(self._next_slot - now)
            now = self._next_slot
        self._next_slot = now + 1.0 / self.config.max_rps

    def _attempt(self, method: str, url: str, params: Mapping[str, Any] | None, body: Any) -> httpx.Response:
        self._pace()
        self.calls += 1
        where = f"{self.config.name}: {method} {urlsplit(url).path}"
        try:
            response = self.client.request(method, url, params=params, json=body)
        except httpx.TimeoutException:
            raise _Transient(f"timed out after {self.config.timeout:g} s") from None
        except httpx.TransportError as error:
            raise _Transient(self.redact(f"could not reach the service ({type(error).__name__}: {error})")) from None
        action = action_for(response.status_code)
        if action is Action.AUTH:
            raise AuthError(
                f"{where}: the service refused the credentials (HTTP {response.status_code}); "
                "check auth.header and auth.value"
            )
        if action is Action.CONFIG:
            raise ConfigError(
                f"{where}: unexpected HTTP {response.status_code} {status_phrase(response.status_code)}; "
                "check base_url and the endpoint's method and path"
            )
        if action is Action.RATE_LIMITED:
            raise _Transient("HTTP 429", 429, retry_after_seconds(response.headers.get("Retry-After")))
        if action is Action.RETRY:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            raise _Transient(f"HTTP {response.status_code}", response.status_code, retry_after)
        return response

    def _retryable(self, error: BaseException) -> bool:
        if not isinstance(error, _Transient):
            return False
        return error.retry_after is None or error.retry_after <= self.config.retry.max_wait

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Transient) and error.retry_after is not None:
            return error.retry_after
        policy = self.config.retry
        backoff: float = min(policy.max_wait, policy.initial_wait * 2.0 ** (state.attempt_number - 1))
        return backoff * random.uniform(0.5, 1.0)  # "equal jitter": spread clients that failed together

    def _log_retry(self, method: str, url: str, state: RetryCallState, attempts: int) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s: %s %s: %s; retrying in %.2f s (attempt %d of %d)",
            self.config.name, method, urlsplit(url).path, error, wait, state.attempt_number + 1, attempts,
        )  # fmt: skip

    def _give_up(self, method: str, url: str, error: _Transient, made: int, attempts: int) -> Exception:
        where = f"{self.config.name}: {method} {urlsplit(url).path}"
        tried = f"{made} attempt(s)" + (" (not retried: the method is not idempotent)" if attempts == 1 else "")
        if error.status == 429:
            retry_after = error.retry_after if error.retry_after else self.config.retry.initial_wait or 1.0
            return RateLimited(f"{where}: rate limited by the service (HTTP 429) after {tried}", retry_after)
        return RetriableError(f"{where}: {error.detail}, after {tried}; try again later")
