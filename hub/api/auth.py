"""Bearer API-key authentication and scopes: `read` (GET), `write` (read + ingest), `admin` (everything).

Missing, unknown and revoked keys are all answered 401 with `WWW-Authenticate: Bearer` and the same detail,
so a caller cannot tell a revoked key from a made-up one; a valid key with too small a scope gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.api.problems import ProblemError
from hub.api.state import api_state
from hub.keys import KeyInfo, Scope, scope_allows, verify_key

bearer = HTTPBearer(auto_error=False, description="An API key from `rapport keys create`.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def require_scope(needed: Scope) -> Callable[[Request, HTTPAuthorizationCredentials | None], KeyInfo]:
    """A dependency that admits keys whose scope covers `needed` and returns the key's info."""

    def dependency(request: Request, credentials: Credentials) -> KeyInfo:
        if credentials is None or not credentials.credentials:
            raise _unauthorized("this route needs an API key: send 'Authorization: Bearer <key>'")
        with api_state(request).database.transaction() as conn:
            key = verify_key(conn, credentials.credentials)
        if key is None:
            raise _unauthorized("the API key is not valid (unknown or revoked); create one with 'rapport keys create'")
        if not scope_allows(key.scope, needed):
            raise ProblemError(
                403,
                f"this route needs a key with scope '{needed}' or higher; this key has scope '{key.scope}'",
                slug="insufficient-scope",
            )
        return key

    return dependency


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, slug="unauthorized", headers={"WWW-Authenticate": "Bearer"})


ReadKey = Annotated[KeyInfo, Depends(require_scope("read"))]
WriteKey = Annotated[KeyInfo, Depends(require_scope("write"))]
AdminKey = Annotated[KeyInfo, Depends(require_scope("admin"))]
