"""Bulk API 2.0 ingest jobs: create, upload CSV, UploadComplete, job info, and per-record result CSVs.

The sandbox processes a job when its upload completes, so it is JobComplete by the first poll. CSV values are
text: an empty cell leaves a field unchanged and `#N/A` sets it to null, as Salesforce documents.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from adapters.salesforce.sandbox.errors import ApiFault, Outcome, RecordError, not_found
from adapters.salesforce.sandbox.ids import make_id
from adapters.salesforce.sandbox.org import Org
from adapters.salesforce.sandbox.values import NUMBER_TYPES, format_datetime
from adapters.salesforce.sandbox.web import json_body, origin, state

router = APIRouter()
J = "/services/data/v{version}/jobs/ingest"
_numbers = itertools.count(1)
OPERATIONS = {"insert", "update", "upsert", "delete"}
PUBLIC = ("id", "operation", "object", "createdById", "createdDate", "systemModstamp", "state", "externalIdFieldName",
          "concurrencyMode", "contentType", "apiVersion", "lineEnding", "columnDelimiter", "contentUrl",
          "numberRecordsProcessed", "numberRecordsFailed", "errorMessage")  # fmt: skip


def _info(job: dict[str, Any]) -> dict[str, Any]:
    return {k: job[k] for k in PUBLIC if k in job}


def _job(request: Request, job_id: str) -> dict[str, Any]:
    job = state(request).jobs.get(job_id)
    if job is None:
        raise not_found()
    return job


@router.post(J)
@router.post(J + "/")
async def create_job(request: Request, version: str) -> JSONResponse:
    """Open an ingest job (CSV, comma, LF or CRLF)."""
    sandbox = state(request)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiFault(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    obj = sandbox.org.object_name(str(body.get("object", "")))
    operation = body.get("operation")
    if obj is None or operation not in OPERATIONS:
        raise ApiFault(400, "INVALIDJOB", "InvalidJob : object and operation (insert, update, upsert, delete) needed")
    ext = body.get("externalIdFieldName")
    spec = sandbox.org.field_spec(obj, str(ext)) if ext else None
    if operation == "upsert" and (spec is None or not spec.get("externalId")):
        raise ApiFault(400, "INVALIDJOB", f"InvalidJob : {ext} is not an External ID field on {obj}")
    if body.get("contentType", "CSV") != "CSV" or body.get("columnDelimiter", "COMMA") != "COMMA":
        raise ApiFault(400, "INVALIDJOB", "InvalidJob : the sandbox accepts CSV with COMMA delimiters")
    job_id = make_id("750", next(_numbers))
    now = format_datetime(datetime.now(UTC))
    job = {"id": job_id, "operation": operation, "object": obj, "createdById": "0055g0000001AAAAA0",
           "createdDate": now, "systemModstamp": now, "state": "Open", "concurrencyMode": "Parallel",
           "contentType": "CSV", "apiVersion": float(version), "lineEnding": body.get("lineEnding", "LF"),
           "columnDelimiter": "COMMA", "contentUrl": f"services/data/v{version}/jobs/ingest/{job_id}/batches",
           "numberRecordsProcessed": 0, "numberRecordsFailed": 0, "data": "", "origin": origin(request, version),
           "results": []}  # fmt: skip
    if spec is not None:
        job["externalIdFieldName"] = spec["name"]
    sandbox.jobs[job_id] = job
    return JSONResponse(_info(job))


@router.put(J + "/{job_id}/batches")
async def upload(request: Request, version: str, job_id: str) -> Response:
    """Add CSV data to an open job."""
    job = _job(request, job_id)
    if job["state"] != "Open":
        raise ApiFault(409, "INVALIDJOBSTATE", f"Job state is {job['state']}; data can only be added to an Open job")
    text = (await request.body()).decode("utf-8")
    if job["data"] and text:
        text = text.split("\n", 1)[1] if "\n" in text else ""
    job["data"] += text
    return Response(status_code=201)


@router.patch(J + "/{job_id}")
async def change_state(request: Request, version: str, job_id: str) -> JSONResponse:
    """UploadComplete (processes the data) or Aborted."""
    job = _job(request, job_id)
    body = await json_body(request)
    wanted = body.get("state") if isinstance(body, dict) else None
    if wanted not in {"UploadComplete", "Aborted"} or job["state"] != "Open":
        raise ApiFault(400, "INVALIDJOBSTATE", f"Cannot change state from {job['state']} to {wanted}")
    if wanted == "Aborted":
        job["state"] = "Aborted"
        return JSONResponse(_info(job))
    job["state"] = "UploadComplete"
    response = JSONResponse(_info(job))
    _process(state(request).org, job)
    return response


@router.get(J + "/{job_id}")
async def job_info(request: Request, version: str, job_id: str) -> dict[str, Any]:
    """A job's state and counts."""
    return _info(_job(request, job_id))


@router.delete(J + "/{job_id}")
async def delete_job(request: Request, version: str, job_id: str) -> Response:
    """Forget a finished job."""
    job = _job(request, job_id)
    if job["state"] in {"Open", "UploadComplete", "InProgress"}:
        raise ApiFault(400, "INVALIDJOBSTATE", "Only a closed job can be deleted")
    state(request).jobs.pop(job_id)
    return Response(status_code=204)


@router.get(J + "/{job_id}/{kind}")
async def results(request: Request, version: str, job_id: str, kind: str) -> Response:
    """successfulResults, failedResults or unprocessedrecords as CSV."""
    job = _job(request, job_id)
    if kind not in {"successfulResults", "failedResults", "unprocessedrecords"}:
        raise not_found()
    header = job.get("header", [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if kind == "unprocessedrecords":
        writer.writerow(header)
    elif kind == "successfulResults":
        writer.writerow(["sf__Id", "sf__Created", *header])
        for row, outcome in job["results"]:
            if outcome.ok:
                writer.writerow([outcome.id, str(outcome.created).lower(), *row])
    else:
        writer.writerow(["sf__Id", "sf__Error", *header])
        for row, outcome in job["results"]:
            if not outcome.ok:
                error = " ".join(f"{e.code}:{e.message}:{','.join(e.fields)} --" for e in outcome.errors)
                writer.writerow([outcome.id or "", error, *row])
    return Response(out.getvalue(), media_type="text/csv")


def _cell(org: Org, obj: str, name: str, text: str) -> Any:
    spec = org.field_spec(obj, name)
    if spec is None:
        return text
    if text == "#N/A":
        return None
    kind = spec["type"]
    if kind in NUMBER_TYPES:
        return float(text)
    if kind == "boolean":
        return text.strip().lower() in {"true", "1", "yes"}
    return text


def _process(org: Org, job: dict[str, Any]) -> None:
    rows = list(csv.reader(io.StringIO(job["data"].replace("\r\n", "\n"))))
    if not rows:
        job.update(state="Failed", errorMessage="InvalidBatch : no data uploaded")
        return
    header, body = rows[0], [r for r in rows[1:] if r]
    unknown = [h for h in header if org.field_spec(job["object"], h) is None]
    if unknown:
        job.update(state="Failed", errorMessage=f"InvalidBatch : Field name not found : {unknown[0]}")
        return
    job["header"] = header
    for row in body:
        job["results"].append((row, _apply(org, job, header, row)))
    failed = sum(1 for _, o in job["results"] if not o.ok)
    job.update(state="JobComplete", numberRecordsProcessed=len(job["results"]), numberRecordsFailed=failed)


def _apply(org: Org, job: dict[str, Any], header: list[str], row: list[str]) -> Outcome:
    obj = job["object"]
    try:
        values = {org.field_spec(obj, h)["name"]: _cell(org, obj, h, v) for h, v in zip(header, row, strict=True) if v}  # type: ignore[index]
        values = org.parse(obj, values)
    except (ValueError, ApiFault) as exc:
        return Outcome(errors=[RecordError("INVALID_FIELD", str(exc))])
    operation, who = job["operation"], job["origin"]
    if operation == "insert":
        return org.create(obj, values, who)
    if operation == "upsert":
        return org.upsert(obj, job["externalIdFieldName"], values, who)
    record_id = values.pop("Id", None)
    if not record_id:
        return Outcome(errors=[RecordError("MISSING_ARGUMENT", "Id not specified", ["Id"])])
    return org.update(obj, record_id, values, who) if operation == "update" else org.delete(obj, record_id, who)
