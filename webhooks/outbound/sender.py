"""The HTTP side of an attempt: httpx with keep-alive, a 15 s timeout, no redirects, a pinned address.

The URL's host is resolved and checked by the SSRF guard for every attempt; the request then goes to that
address, with the original `Host` header and (for https) the original name for SNI and certificate checks.
Sending is synchronous, from a few threads: on loopback, httpx's sync client measured 4-6 times faster per
request than its asyncio client.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from webhooks.outbound.schedule import parse_retry_after
from webhooks.outbound.ssrf import BlockedAddress, IPNetwork, Resolver, pin_address, system_resolver

TIMEOUT_SECONDS = 15.0
RESPONSE_BODY_LIMIT = 1024
USER_AGENT = "Rapport-Webhooks/1.0"


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one HTTP attempt gave: a status (None when no response came), timing, and a short excerpt."""

    status_code: int | None
    latency_ms: int
    response_body: str = ""
    error: str | None = None
    retry_after: float | None = None
    timed_out: bool = False

    @property
    def succeeded(self) -> bool:
        """2xx is success; anything else (3xx included: redirects are not followed) is a failure."""
        return self.status_code is not None and 200 <= self.status_code < 300


def pinned_url(url: httpx.URL, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> httpx.URL:
    """`url` with its host replaced by the pinned address."""
    return url.copy_with(host=str(address))


class HttpSender:
    """Sends signed attempts; one instance shares a keep-alive pool across threads."""

    def __init__(
        self,
        allowed: Sequence[IPNetwork] = (),
        *,
        timeout: float = TIMEOUT_SECONDS,
        resolver: Resolver = system_resolver,
        max_connections: int = 100,
    ) -> None:
        self.allowed = tuple(allowed)
        self.resolver = resolver
        self.timeout = timeout
        self.max_connections = max_connections
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """The pooled client, made on first use."""
        if self._client is None:
            limits = httpx.Limits(max_connections=self.max_connections, max_keepalive_connections=self.max_connections)
            self._client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=False,
                limits=limits,
                headers={"user-agent": USER_AGENT},
                trust_env=False,
            )
        return self._client

    def send(self, url: str, headers: Mapping[str, str], body: bytes) -> AttemptResult:
        """POST `body` to `url`; never raises for network or HTTP errors (they are the result)."""
        started = time.perf_counter()
        try:
            target = httpx.URL(url)
            address = pin_address(target.host, target.port or _default_port(target), self.allowed, self.resolver)
            request_headers = {**headers, "host": _host_header(target)}
            extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
            response = self.client.post(
                pinned_url(target, address), content=body, headers=request_headers, extensions=extensions
            )
        except BlockedAddress as exc:
            return AttemptResult(None, _elapsed(started), error=f"blocked: {exc}")
        except httpx.TimeoutException:
            return AttemptResult(None, _elapsed(started), error="timed out", timed_out=True)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            return AttemptResult(None, _elapsed(started), error=f"{type(exc).__name__}: {exc}"[:300])
        return _result(response, started)

    def close(self) -> None:
        """Close pooled connections."""
        if self._client is not None:
            self._client.close()
            self._client = None


def _result(response: httpx.Response, started: float) -> AttemptResult:
    status = response.status_code
    error = None
    if 300 <= status < 400:
        error = "redirect refused: webhooks do not follow redirects"
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return AttemptResult(
        status,
        _elapsed(started),
        response_body=response.text[:RESPONSE_BODY_LIMIT],
        error=error,
        retry_after=parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC)),
    )


def _elapsed(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _host_header(url: httpx.URL) -> str:
    host = f"[{url.host}]" if ":" in url.host else url.host
    return host if url.port is None else f"{host}:{url.port}"
