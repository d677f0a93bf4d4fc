"""The app factory: one FastAPI app per call, its state on `app.state.rapport`, nothing module-level."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hub.api import connections, customers, erasure, identity, inbound, operations, records, sync_runs, webhooks
from hub.api.limits import BodyLimitMiddleware, max_body_bytes
from hub.api.openapi import install_openapi
from hub.api.problems import CatchAllMiddleware, install_problem_handlers
from hub.api.state import ApiState
from hub.db.database import Database
from hub.metrics import LatencyMiddleware, Metrics
from hub.runtime import Runtime
from hub.settings import Settings

DESCRIPTION = (
    "Rapport unifies social profiles, CRM contacts and interactions into customers. Every `/v1` route needs "
    "`Authorization: Bearer <api key>` (`rapport keys create`); scopes: `read` for GET routes, `write` for "
    "read and `POST /v1/records`, `admin` for everything. `/healthz` and `/metrics` need no key (probes "
    "and Prometheus scrapers; they show no customer data). Errors are RFC 9457 `application/problem+json`."
)


def create_app(settings: Settings, database: Database | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The API app. Without `database` (or `runtime`) it opens, and on shutdown disposes, one from `settings`."""
    owned = database is None and runtime is None
    db = runtime.database if runtime is not None else database or Database.for_settings(settings)
    runtime = runtime or Runtime(settings, db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            db.dispose()

    app = FastAPI(title="Rapport", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    metrics = Metrics(db)
    app.state.rapport = ApiState(
        settings=settings,
        database=db,
        ingest=runtime.ingest,
        metrics=metrics,
        runtime=runtime,
    )
    install_problem_handlers(app)
    install_openapi(app)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes(settings))
    app.add_middleware(LatencyMiddleware, metrics=metrics)  # outermost of ours: it times the 500s too
    for router in (
        records.router,
        customers.router,
        operations.router,
        connections.router,
        sync_runs.router,
        erasure.router,
        identity.router,
        webhooks.router,
        inbound.router,
    ):
        app.include_router(router)
    webhooks.install_event_docs(app)
    return app
