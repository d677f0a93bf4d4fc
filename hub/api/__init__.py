"""The REST API (CONTRACT.md, "REST API"): `create_app(settings)` builds it; see `hub.api.app`."""

from hub.api.app import create_app

__all__ = ["create_app"]
