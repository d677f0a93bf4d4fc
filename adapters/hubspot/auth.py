"""Credentials for HubSpot calls: a private-app token, or OAuth access tokens renewed with the refresh token.

The token travels only in the Authorization header of each request (the client's ``_request_auth``); it is never
logged, never put in an error message, and excluded from every repr.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from hubspot import HubSpot
from hubspot.oauth import ApiException as OAuthApiException

from adapters.base import AuthError, RetriableError
from adapters.hubspot.config import HubSpotConfig
from adapters.hubspot.errors import parse_body

EARLY = 60.0  # refresh this many seconds before the access token expires


class Credentials:
    """Hands out the current bearer header; refreshes OAuth tokens when they expire or are refused."""

    def __init__(self, config: HubSpotConfig, client: HubSpot) -> None:
        self._config = config
        self._client = client
        self._token: str | None = config.access_token
        self._expires = float("inf") if config.access_token else 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Credentials({'oauth' if self._config.oauth else 'private app'})"

    @property
    def refreshable(self) -> bool:
        """True for OAuth connections."""
        return self._config.oauth

    def header(self) -> dict[str, Any]:
        """The client's ``_request_auth`` setting for the current token (refreshing first when due)."""
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires - EARLY:
                self._refresh()
            return {"in": "header", "key": "Authorization", "value": f"Bearer {self._token}", "type": "oauth2"}

    def refresh(self) -> None:
        """Renew the OAuth access token now (after a 401); a private-app token cannot be renewed."""
        if not self.refreshable:
            raise AuthError(f"connection {self._config.name}: HubSpot refused the private-app access token")
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        config = self._config
        try:
            answer = self._client.oauth.tokens_api.create(
                grant_type="refresh_token",
                client_id=config.client_id,
                client_secret=config.client_secret,
                refresh_token=config.refresh_token,
                _request_timeout=config.timeout,
            )
        except OAuthApiException as error:
            if error.status and error.status >= 500:
                raise RetriableError(
                    f"connection {config.name}: HubSpot's OAuth service failed ({error.status})"
                ) from None
            message = str(parse_body(error.body).get("message") or error.status)
            raise AuthError(f"connection {config.name}: the OAuth refresh was refused: {message}") from None
        self._token = str(answer.access_token)
        self._expires = time.monotonic() + float(answer.expires_in or 0)
