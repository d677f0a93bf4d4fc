"""Webhook management: `/v1/webhook-endpoints` (+ rotate-secret, replay) and `/v1/webhook-deliveries` (+ retry).

Reading needs a `read` key; changing anything needs `admin`. Secrets never appear in responses, except a
generated one, once, in the response that created it. Every outbound event's body is documented under
"webhooks" in the OpenAPI document.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request, Response, status
from fastapi.openapi.utils import get_openapi
from sqlalchemy import Connection, select, update

from hub.api.auth import AdminKey, ReadKey
from hub.api.params import RowId
from hub.api.problems import ProblemError, problem_responses
from hub.api.state import api_state
from hub.api.webhook_queries import delivery_out, delivery_page, endpoint_out
from hub.api.webhook_schemas import (
    DeliveryOut,
    DeliveryPage,
    EndpointIn,
    EndpointList,
    EndpointOut,
    EndpointPatch,
    Replayed,
    ReplayIn,
    Rotated,
    RotateIn,
    event_envelopes,
)
from hub.db.database import utcnow
from hub.db.webhook_tables import webhook_endpoints
from hub.secrets import SecretBox
from hub.webhooks_admin import EndpointError, check_endpoint, delete_endpoint, replay, retry_delivery, rotate_secret
from hub.webhooks_admin import upsert_endpoint as _upsert

router = APIRouter(prefix="/v1", tags=["webhooks"])
E = webhook_endpoints


def _box(request: Request) -> SecretBox:
    return SecretBox.from_settings(api_state(request).settings)


def _endpoint_row(conn: Connection, endpoint_id: str) -> Any:
    row = conn.execute(select(E).where(E.c.id == endpoint_id)).first()
    if row is None:
        raise ProblemError(
            404, f"no webhook endpoint {endpoint_id}; list them at /v1/webhook-endpoints", slug="not-found"
        )
    return row


def _invalid(exc: EndpointError) -> ProblemError:
    return ProblemError(422, str(exc), slug="invalid-endpoint", title="Invalid endpoint")


@router.post(
    "/webhook-endpoints",
    status_code=status.HTTP_201_CREATED,
    response_model=EndpointOut,
    responses=problem_responses(400, 401, 403, 409, 422),
)
def create_endpoint(body: EndpointIn, request: Request, _key: AdminKey) -> EndpointOut:
    """Create an endpoint; a generated secret is in the response, and never shown again."""
    with api_state(request).database.transaction() as conn:
        if conn.execute(select(E.c.id).where(E.c.name == body.name)).first():
            raise ProblemError(409, f"an endpoint named '{body.name}' exists; change it with PATCH", slug="conflict")
        try:
            endpoint_id, generated = _upsert(
                conn,
                _box(request),
                name=body.name,
                url=body.url,
                events=body.events,
                secret=body.secret,
                description=body.description,
                enabled=body.enabled,
                now=utcnow(),
            )
        except EndpointError as exc:
            raise _invalid(exc) from None
        return endpoint_out(_endpoint_row(conn, endpoint_id), secret=generated)


@router.get("/webhook-endpoints", response_model=EndpointList, responses=problem_responses(401, 403))
def list_endpoints(request: Request, _key: ReadKey) -> EndpointList:
    """Every endpoint, by name."""
    with api_state(request).database.transaction() as conn:
        rows = conn.execute(select(E).order_by(E.c.name)).all()
    return EndpointList(data=[endpoint_out(row) for row in rows])


@router.get("/webhook-endpoints/{endpoint_id}", response_model=EndpointOut, responses=problem_responses(401, 403, 404))
def get_endpoint(endpoint_id: str, request: Request, _key: ReadKey) -> EndpointOut:
    """One endpoint."""
    with api_state(request).database.transaction() as conn:
        return endpoint_out(_endpoint_row(conn, endpoint_id))


@router.patch(
    "/webhook-endpoints/{endpoint_id}", response_model=EndpointOut, responses=problem_responses(401, 403, 404, 422)
)
def patch_endpoint(endpoint_id: str, body: EndpointPatch, request: Request, _key: AdminKey) -> EndpointOut:
    """Change an endpoint's URL, event filter, description or enabled flag."""
    changes = body.model_dump(exclude_unset=True)
    with api_state(request).database.transaction() as conn:
        row = _endpoint_row(conn, endpoint_id)
        events = changes.get("events", row.event_types)
        try:
            check_endpoint(changes.get("url") or row.url, events, None)
        except EndpointError as exc:
            raise _invalid(exc) from None
        values: dict[str, Any] = {"updated_at": utcnow()}
        values |= {key: value for key, value in changes.items() if key in ("url", "description", "enabled")}
        if "events" in changes:
            values["event_types"] = changes["events"]
        if changes.get("enabled") and not row.enabled:
            values |= {"disabled_reason": None, "failing_since": None}
        conn.execute(update(E).where(E.c.id == endpoint_id).values(**values))
        return endpoint_out(_endpoint_row(conn, endpoint_id))


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def remove_endpoint(endpoint_id: str, request: Request, _key: AdminKey) -> Response:
    """Delete an endpoint; its delivery history stays."""
    with api_state(request).database.transaction() as conn:
        _endpoint_row(conn, endpoint_id)
        delete_endpoint(conn, endpoint_id)
    return Response(status_code=204)


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response_model=Rotated,
    responses=problem_responses(401, 403, 404, 422),
)
def rotate(endpoint_id: str, request: Request, _key: AdminKey, body: RotateIn | None = None) -> Rotated:
    """Start signing with a new secret; the previous ones keep signing for the grace period (24 h default)."""
    body = body or RotateIn()
    now = utcnow()
    grace = timedelta(hours=body.grace_hours)
    with api_state(request).database.transaction() as conn:
        _endpoint_row(conn, endpoint_id)
        try:
            generated = rotate_secret(conn, _box(request), endpoint_id, secret=body.secret, grace=grace, now=now)
        except EndpointError as exc:
            raise _invalid(exc) from None
    return Rotated(secret=generated, previous_valid_until=now + grace)


@router.post(
    "/webhook-endpoints/{endpoint_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Replayed,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
def replay_range(endpoint_id: str, body: ReplayIn, request: Request, _key: AdminKey) -> Replayed:
    """Queue the endpoint's messages of a time range again (at most 1,000 per call; see `next_since`)."""
    now = utcnow()
    until = body.until or now
    if body.since.tzinfo is None or until.tzinfo is None or body.since >= until:
        raise ProblemError(
            400, "'since' and 'until' need a time zone, and 'since' must be before 'until'", slug="bad-range"
        )
    with api_state(request).database.transaction() as conn:
        _endpoint_row(conn, endpoint_id)
        try:
            queued, more = replay(
                conn, endpoint_id, since=body.since, until=until, only_failed=body.only_failed, now=now
            )
        except EndpointError as exc:
            raise ProblemError(409, str(exc), slug="endpoint-disabled") from None
    return Replayed(queued=queued, next_since=more)


@router.get("/webhook-deliveries", response_model=DeliveryPage, responses=problem_responses(400, 401, 403, 422))
def list_deliveries(
    request: Request,
    _key: ReadKey,
    endpoint_id: str | None = None,
    status: Annotated[str | None, Query(pattern="^(pending|succeeded|failed)$")] = None,
    event_type: str | None = None,
    message_id: str | None = None,
    since: Annotated[datetime | None, Query(description="created at or after (ISO 8601 with a zone)")] = None,
    until: Annotated[datetime | None, Query(description="created before (ISO 8601 with a zone)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> DeliveryPage:
    """Deliveries, newest first, filtered by endpoint, status, event type, message (webhook-id) or time."""
    if cursor is not None and not cursor.isdigit():
        raise ProblemError(400, "'cursor' is not valid; pass the 'next_cursor' of a previous page", slug="bad-cursor")
    if any(t is not None and t.tzinfo is None for t in (since, until)):
        raise ProblemError(400, "'since' and 'until' need a time zone (e.g. 2026-11-22T10:00:00Z)", slug="bad-range")
    filters = {"endpoint_id": endpoint_id, "status": status, "event_type": event_type, "message_id": message_id}
    with api_state(request).database.transaction() as conn:
        return delivery_page(
            conn, filters, limit=limit, before=int(cursor) if cursor else None, since=since, until=until
        )


@router.get("/webhook-deliveries/{delivery_id}", response_model=DeliveryOut, responses=problem_responses(401, 403, 404))
def get_delivery(delivery_id: RowId, request: Request, _key: ReadKey) -> DeliveryOut:
    """One delivery with its attempt log."""
    with api_state(request).database.transaction() as conn:
        found = delivery_out(conn, delivery_id)
    if found is None:
        raise ProblemError(404, f"no webhook delivery {delivery_id}", slug="not-found")
    return found


@router.post(
    "/webhook-deliveries/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    responses=problem_responses(401, 403, 404, 409),
)
def retry(delivery_id: RowId, request: Request, _key: AdminKey) -> DeliveryOut:
    """Send a delivery once more now, with the same webhook-id."""
    with api_state(request).database.transaction() as conn:
        if delivery_out(conn, delivery_id) is None:
            raise ProblemError(404, f"no webhook delivery {delivery_id}", slug="not-found")
        if not retry_delivery(conn, delivery_id, now=utcnow()):
            raise ProblemError(409, "the endpoint is disabled or deleted; enable it first", slug="endpoint-disabled")
        found = delivery_out(conn, delivery_id)
    assert found is not None
    return found


def install_event_docs(app: FastAPI) -> None:
    """Document each outbound event type's body under `webhooks` in the OpenAPI document."""
    for event_type, model in event_envelopes().items():

        def document(body: Any) -> None:
            """Sent to subscribed endpoints, signed per Standard Webhooks."""

        document.__annotations__ = {"body": model, "return": None}
        app.webhooks.post(event_type, summary=event_type, description=model.__doc__)(document)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        if "webhooks" not in document:
            extra = get_openapi(title=app.title, version=app.version, routes=[], webhooks=app.webhooks.routes)
            document["webhooks"] = extra.get("webhooks", {})
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in extra.get("components", {}).get("schemas", {}).items():
                schemas.setdefault(name, schema)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
