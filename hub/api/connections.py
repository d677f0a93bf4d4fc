"""Connections and their mappings: list, inspect, replace a mapping (validated), validate, preview, sync now.

`PUT .../mappings` takes the mapping file itself (YAML or JSON text, as `rapport apply` reads it) and refuses
it, saving nothing, when any problem is found; the answer lists every problem with line and field.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from adapters.base import AdapterError
from hub.api.auth import AdminKey, ReadKey
from hub.api.problems import ProblemError, problem_responses
from hub.api.state import api_state
from hub.db.database import utcnow
from hub.jobs.queue import enqueue
from hub.runtime import SYNC_JOB
from hub.sync import store
from hub.sync.config import ConnectionSpec
from hub.sync.context import load_profiles, split_profile
from hub.sync.engine import UnknownConnectionError, adapter_for
from hub.sync.store import CrmLink
from mappings import CrmRecord, Mapping, MappingError, default_mapping, load_mapping, preview, validate

router = APIRouter(prefix="/v1/connections", tags=["connections"])
MAPPING_BODY = Body(media_type="application/yaml", description="the mapping file (YAML or JSON text)")


class SyncRequest(BaseModel):
    """`POST /v1/connections/{name}/sync`: what to run."""

    direction: str = Field(default="both", pattern="^(push|pull|both)$")
    dry_run: bool = False


class PreviewRequest(BaseModel):
    """`POST .../mappings/preview`: a customer, and optionally a mapping not saved yet (text)."""

    customer_id: str
    object: str = "contact"
    mapping: str | None = None


def _spec(request: Request, name: str) -> ConnectionSpec:
    try:
        return api_state(request).runtime.sync.load(name)
    except UnknownConnectionError as exc:
        raise ProblemError(404, str(exc), slug="unknown-connection") from None


def _public(spec: ConnectionSpec, versions: list[dict[str, Any]]) -> dict[str, Any]:
    return {**spec.stored_config(), "mappings": versions}


@router.get("", responses=problem_responses(401, 403))
def list_all(request: Request, _key: ReadKey) -> dict[str, Any]:
    """Every connection (credentials are never returned)."""
    with api_state(request).database.transaction() as conn:
        specs = store.list_connections(conn)
        return {"data": [_public(s, store.mapping_history(conn, s.name)) for s in specs]}


@router.get("/{name}", responses=problem_responses(401, 403, 404))
def get_one(request: Request, name: str, _key: ReadKey) -> dict[str, Any]:
    """One connection with its mapping versions (credentials are never returned)."""
    spec = _spec(request, name)
    with api_state(request).database.transaction() as conn:
        return _public(spec, store.mapping_history(conn, name))


@router.get("/{name}/mappings", responses=problem_responses(401, 403, 404))
def get_mappings(request: Request, name: str, _key: ReadKey) -> dict[str, Any]:
    """The mapping in force for each object, and every version."""
    spec = _spec(request, name)
    with api_state(request).database.transaction() as conn:
        current = {obj: _current(conn, spec, obj).to_dict() for obj in spec.objects}
        return {"current": current, "versions": store.mapping_history(conn, name)}


def _current(conn: Any, spec: ConnectionSpec, obj: str) -> Mapping:
    mapping = store.current_mapping(conn, spec.name, obj)
    if mapping is not None:
        return mapping
    if spec.kind == "internal":
        raise ProblemError(409, f"connection {spec.name} has no mapping for {obj}", slug="no-mapping")
    return default_mapping(spec.kind, obj)


def _checked(request: Request, spec: ConnectionSpec, text: str) -> tuple[Mapping, list[dict[str, Any]]]:
    filename = f"{spec.name} mapping"
    try:
        mapping = load_mapping(text, filename)
    except MappingError as exc:
        return default_mapping("hubspot", "contact"), [p.__dict__ for p in exc.problems]
    if mapping.object not in spec.objects:
        problem = {
            "file": filename,
            "line": 1,
            "field": "object",
            "message": f"{spec.name} does not sync {mapping.object}",
        }
        return mapping, [problem]
    try:
        schema = adapter_for(spec, api_state(request).runtime.adapter_factory).describe(mapping.object)
    except AdapterError as exc:
        raise ProblemError(
            502, f"cannot read the CRM's fields to check the mapping: {exc}", slug="crm-unreachable"
        ) from None
    return mapping, [p.__dict__ for p in validate(mapping, schema)]


@router.post("/{name}/mappings/validate", responses=problem_responses(401, 403, 404, 502))
def validate_mapping(request: Request, name: str, _key: AdminKey, text: Annotated[str, MAPPING_BODY]) -> dict[str, Any]:
    """Check a mapping file against the CRM's own fields without saving it."""
    _mapping, problems = _checked(request, _spec(request, name), text)
    return {"valid": not problems, "problems": problems}


@router.put("/{name}/mappings", responses=problem_responses(401, 403, 404, 422, 502))
def put_mapping(request: Request, name: str, key: AdminKey, text: Annotated[str, MAPPING_BODY]) -> dict[str, Any]:
    """Replace the mapping of one object (a new version); refused with every problem listed, nothing saved."""
    spec = _spec(request, name)
    mapping, problems = _checked(request, spec, text)
    if problems:
        raise ProblemError(422, "the mapping was refused; nothing was saved", slug="mapping-refused",
                           extensions={"problems": problems})  # fmt: skip
    with api_state(request).database.transaction() as conn:
        version = store.save_mapping(conn, name, mapping, text=text, filename=None, actor=f"api:{key.id}", now=utcnow())
    return {"object": mapping.object, "version": version, "changed": version is not None}


@router.post("/{name}/mappings/preview", responses=problem_responses(401, 403, 404, 502))
def preview_mapping(request: Request, name: str, _key: ReadKey, body: PreviewRequest) -> dict[str, Any]:
    """For one customer: the payload a sync would send and the field-by-field difference from the CRM now."""
    spec = _spec(request, name)
    runtime = api_state(request).runtime
    with runtime.database.transaction() as conn:
        profile = load_profiles(conn, [body.customer_id]).get(body.customer_id)
        links = store.crm_links_of_customers(conn, name, body.object, [body.customer_id])
        mapping = _current(conn, spec, body.object)
    if profile is None:
        raise ProblemError(404, f"no live customer {body.customer_id}", slug="unknown-customer")
    if body.mapping is not None:
        mapping, problems = _checked(request, spec, body.mapping)
        if problems:
            raise ProblemError(
                422, "the mapping has problems", slug="mapping-refused", extensions={"problems": problems}
            )
    values, provenance = split_profile(profile)
    try:
        adapter = adapter_for(spec, runtime.adapter_factory)
        schema = adapter.describe(body.object)
        live = adapter.get_by_ids(body.object, [link.crm_id for link in links if link.crm_id])
    except AdapterError as exc:
        raise ProblemError(502, f"cannot read the CRM: {exc}", slug="crm-unreachable") from None
    results = []
    targets: list[CrmLink | None] = list(links) or [None]
    for link in targets:
        record = next((r for r in live if link and r.id == link.crm_id), None)
        crm = None
        if record is not None and link is not None:
            modified = record.modified_at.isoformat() if record.modified_at else None
            crm = CrmRecord(dict(record.fields), modified, last_written=link.last_written, id=record.id)
        shown = preview(mapping, values, crm, link_id=link.link_id if link else None, provenance=provenance,
                        crm_name=spec.crm_name, schema=schema)  # fmt: skip
        results.append({"crm_id": record.id if record else None, **shown.to_dict()})
    return {"customer_id": body.customer_id, "object": body.object, "records": results}


@router.post("/{name}/sync", status_code=202, responses=problem_responses(401, 403, 404))
def sync_now(request: Request, name: str, _key: AdminKey, body: SyncRequest | None = None) -> dict[str, Any]:
    """Queue a sync now (a dry run runs at once and answers with its summary)."""
    wanted = body or SyncRequest()
    runtime = api_state(request).runtime
    _spec(request, name)
    if wanted.dry_run:
        return runtime.sync.run(name, wanted.direction, dry_run=True)
    with runtime.database.transaction() as conn:
        job_id = enqueue(conn, SYNC_JOB, {"connection": name, "direction": wanted.direction}, now=utcnow(),
                         concurrency_key=f"sync:{name}")  # fmt: skip
    return {"job_id": job_id, "status": "queued", "connection": name, "direction": wanted.direction}


@router.get("/{name}/runs", responses=problem_responses(401, 403, 404))
def runs_of(
    request: Request, name: str, _key: ReadKey, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> dict[str, Any]:
    """The connection's latest sync runs."""
    from hub.api.sync_runs import list_runs

    _spec(request, name)
    return list_runs(request, connection=name, limit=limit)
