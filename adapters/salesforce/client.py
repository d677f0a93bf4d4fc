"""One Salesforce connection's transport: a simple-salesforce client on a requests session that trusts the
configured CA, tags every call (`Sforce-Call-Options: client=rapport`), counts calls and reads
`Sforce-Limit-Info` on every response, renews the session on INVALID_SESSION_ID, and retries idempotent calls
on 5xx and timeouts with exponential backoff (tenacity). Non-idempotent calls are never repeated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce.api import Salesforce
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from adapters.base import AuthError, RetriableError
from adapters.salesforce.auth import login
from adapters.salesforce.config import SalesforceConfig
from adapters.salesforce.errors import SessionExpired, translate
from adapters.salesforce.limits import Budget

T = TypeVar("T")
CALL_OPTIONS = "client=rapport"


class _Transport(HTTPAdapter):
    """Always verify with the connection's CA bundle (even when REQUESTS_CA_BUNDLE is set) and never wait
    forever: requests has no default timeout."""

    def __init__(self, ca_file: str | None, timeout: float) -> None:
        super().__init__()
        self.ca_file = ca_file
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self.ca_file:
            kwargs["verify"] = self.ca_file
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class Client:
    """The transport of one connection (see the module docstring)."""

    def __init__(self, cfg: SalesforceConfig) -> None:
        self.cfg = cfg
        self.calls = 0
        self.budget = Budget(cfg.api_budget_share)
        self.session = requests.Session()
        self.session.mount("https://", _Transport(cfg.ca_file, cfg.timeout_seconds))
        self.session.headers["Sforce-Call-Options"] = CALL_OPTIONS
        self.session.hooks["response"].append(self._observe)
        self._sf: Salesforce | None = None

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if "/services/data/" in response.url:
            self.calls += 1
            self.budget.observe(response.headers.get("Sforce-Limit-Info"))

    @property
    def sf(self) -> Salesforce:
        """The simple-salesforce client, logging in first when needed."""
        if self._sf is None:
            try:
                session_id, instance_url = login(self.cfg, self.session)
            except Exception as exc:
                raise translate(exc, self.budget) from None
            self._sf = Salesforce(
                session_id=session_id, instance_url=instance_url, session=self.session, version=self.cfg.api_version
            )
        return self._sf

    @property
    def base(self) -> str:
        """The versioned REST path prefix, e.g. /services/data/v59.0/."""
        return f"/services/data/v{self.cfg.api_version}/"

    def call(self, operation: Callable[[Salesforce], T], *, idempotent: bool) -> T:
        """Run one API operation under the budget, session renewal and (for idempotent ones) retries."""
        retry = retry_if_exception_type(RetriableError) if idempotent else retry_if_exception_type(())
        retrying = Retrying(
            retry=retry,
            stop=stop_after_attempt(self.cfg.max_attempts),
            wait=wait_random_exponential(multiplier=self.cfg.retry_wait_seconds, max=30),
            reraise=True,
        )
        result: T = retrying(self._once, operation)
        return result

    def _once(self, operation: Callable[[Salesforce], T]) -> T:
        self.budget.check()
        try:
            return operation(self.sf)
        except Exception as exc:
            error = translate(exc, self.budget)
        if not isinstance(error, SessionExpired):
            raise error
        if self.cfg.auth_mode == "session":
            raise AuthError(
                f"the Salesforce session of connection {self.cfg.name} is invalid or expired; give a new session id "
                "or use username/password or JWT auth, which renew themselves"
            )
        self._sf = None  # a refused session means the call was not processed: log in again and repeat it once
        try:
            return operation(self.sf)
        except Exception as exc:
            raise translate(exc, self.budget) from None  # the original may quote a request

    def rest(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        """A REST call relative to the versioned base (e.g. "composite/sobjects"); parsed JSON or None."""
        return self.call(lambda sf: sf.restful(path, method=method, **kwargs), idempotent=idempotent)

    def query(self, soql: str, *, include_deleted: bool = False, batch_size: int | None = None) -> Any:
        """The first page of a SOQL query (queryAll when `include_deleted`)."""
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}
        return self.call(lambda sf: sf.query(soql, include_deleted=include_deleted, headers=headers), idempotent=True)

    def query_more(self, next_url: str, *, batch_size: int | None = None) -> Any:
        """The page at a query's nextRecordsUrl."""
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}
        return self.call(lambda sf: sf.query_more(next_url, identifier_is_url=True, headers=headers), idempotent=True)
