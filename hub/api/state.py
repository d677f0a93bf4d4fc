"""What an app carries (`app.state.rapport`): settings, database, services and metrics, never globals."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from hub.db.database import Database
from hub.ingest.service import IngestService
from hub.metrics import Metrics
from hub.runtime import Runtime
from hub.settings import Settings


@dataclass(frozen=True, slots=True)
class ApiState:
    """The objects routes need, created once by `create_app`."""

    settings: Settings
    database: Database
    ingest: IngestService
    metrics: Metrics
    runtime: Runtime


def api_state(request: Request) -> ApiState:
    """The state of the app serving `request`."""
    state: ApiState = request.app.state.rapport
    return state
