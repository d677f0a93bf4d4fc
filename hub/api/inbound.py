"""`/v1/inbound/{source}`: webhooks from providers. No API key: the provider's signature, checked with the
secrets declared under `inbound_sources`, is the authentication.

The raw bytes are verified before anything is parsed; handshakes (GET challenges) are answered at once;
verified events are stored (once per provider event id) with a processing job in one transaction, and only
then acknowledged, so an acknowledged event is never lost. A replayed event id is refused with 409 (except
Salesforce Outbound Messages, which must be acknowledged or Salesforce keeps resending).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from hub.api.problems import ProblemError, problem_responses
from hub.api.state import ApiState, api_state
from hub.db.database import utcnow
from hub.secrets import SecretBox
from hub.webhooks_inbound import Source, find_source, store_events
from webhooks.inbound.base import InboundRequest, Rejected, Reply
from webhooks.inbound.registry import provider

log = logging.getLogger("rapport.webhooks.inbound")
router = APIRouter(prefix="/v1/inbound", tags=["inbound webhooks"])
ACK_DUPLICATES = ("salesforce",)


def _public_url(request: Request, state: ApiState) -> str:
    base = state.settings.public_url
    if not base:
        return str(request.url)
    query = request.url.query
    return base.rstrip("/") + request.url.path + (f"?{query}" if query else "")


def _reply(reply: Reply) -> Response:
    return Response(reply.body, status_code=reply.status, media_type=reply.content_type)


def _refuse(source: str, exc: Rejected) -> ProblemError:
    log.warning("inbound webhook refused", extra={"source": source, "status": exc.status, "reason": exc.reason})
    return ProblemError(exc.status, exc.reason, slug="inbound-refused", title="Inbound webhook refused")


def _load(state: ApiState, name: str) -> Source:
    with state.database.transaction() as conn:
        found = find_source(conn, SecretBox.from_settings(state.settings), name)
    if found is None:
        raise ProblemError(
            404, f"no inbound source '{name}' is declared (rapport apply, inbound_sources)", slug="unknown-source"
        )
    return found


async def _inbound_request(request: Request, state: ApiState) -> InboundRequest:
    return InboundRequest(
        method=request.method,
        url=_public_url(request, state),
        headers={k.lower(): v for k, v in request.headers.items()},
        query=dict(request.query_params),
        body=await request.body(),
    )


@router.get("/{source}", responses=problem_responses(400, 403, 404), summary="Provider handshake")
async def handshake(source: str, request: Request) -> Response:
    """Answer a provider's challenge (Meta `hub.challenge`, X `crc_token`, LinkedIn `challengeCode`)."""
    state = api_state(request)
    found = await run_in_threadpool(_load, state, source)
    inbound = await _inbound_request(request, state)
    try:
        reply = provider(found.kind).handshake(inbound, found.secrets)
    except Rejected as exc:
        raise _refuse(found.name, exc) from None
    if reply is None:
        raise ProblemError(400, f"no handshake parameters for a {found.kind} source", slug="not-a-handshake")
    return _reply(reply)


@router.post("/{source}", responses=problem_responses(400, 401, 403, 404, 409), summary="Provider events")
async def receive(source: str, request: Request) -> Response:
    """Verify, store and acknowledge a provider's events; they are processed from the queue."""
    state = api_state(request)
    found = await run_in_threadpool(_load, state, source)
    inbound = await _inbound_request(request, state)
    try:
        verified = provider(found.kind).verify(inbound, found.secrets, utcnow())
    except Rejected as exc:
        raise _refuse(found.name, exc) from None

    def store() -> list[int]:
        with state.database.transaction() as conn:
            return store_events(
                conn, found, verified.events, content_type=request.headers.get("content-type"), now=utcnow()
            )

    new = await run_in_threadpool(store)
    if not new and found.kind not in ACK_DUPLICATES:
        raise _refuse(found.name, Rejected(409, "every event in this request was already received (replayed id)"))
    return _reply(verified.ack)
