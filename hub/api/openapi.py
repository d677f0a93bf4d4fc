"""The OpenAPI document, adjusted so that it says what the API does: every error is problem+json.

FastAPI documents error models as `application/json`, and adds its own `HTTPValidationError` for 422s;
here every 4xx/5xx response is rewritten to `application/problem+json` with the `Problem` schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from hub.api.problems import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def install_openapi(app: FastAPI) -> None:
    """Serve the adjusted document at `/openapi.json` (and so in `/docs`)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            app.openapi_schema = problem_errors(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem_errors(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every error response described as problem+json."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in "45":
                    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document
