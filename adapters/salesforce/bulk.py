"""Large upserts through Bulk API 2.0: one ingest job (CSV) per run, then per-record results.

simple-salesforce's Bulk 2.0 client does the HTTP; results are matched back to items by the External ID
column. Creating a job is not idempotent, so a failed run is not repeated here: the caller reruns it, and the
upsert by External ID makes the rerun safe.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Sequence
from typing import Any

from simple_salesforce.api import Salesforce
from simple_salesforce.bulk2 import Operation

from adapters.base import RecordRejected, RecordResult, UpsertItem
from adapters.salesforce.client import Client
from adapters.salesforce.errors import HINTS

POLL_SECONDS = 0.5


def _cell(value: Any) -> str:
    if value is None:
        return ""  # an empty cell leaves the field as it is: a blank never overwrites a value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv(field: str, items: Sequence[UpsertItem]) -> str:
    columns = sorted({k for item in items for k in item.fields if k != field})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([field, *columns])
    for item in items:
        writer.writerow([item.link_id, *(_cell(item.fields.get(c)) for c in columns)])
    return out.getvalue()


def _error(text: str) -> RecordRejected:
    """`CODE:message:fields --` as written in failedResults."""
    code, _, rest = text.partition(":")
    message, _, fields = rest.rstrip(" -").rpartition(":")
    hint = HINTS.get(code)
    readable = f"{hint} ({message})" if hint else message
    return RecordRejected(code or "UNKNOWN_EXCEPTION", readable, [f for f in fields.split(",") if f])


def _run_job(sf: Salesforce, sobject: str, field: str, data: str) -> dict[str, str]:
    client = getattr(sf.bulk2, sobject)._client
    job = client.create_job(Operation.upsert, external_id_field=field)
    try:
        client.upload_job_data(job["id"], data)
        client.close_job(job["id"])
        client.wait_for_job(job["id"], False, POLL_SECONDS)
    except Exception:
        with contextlib.suppress(Exception):  # best effort: the original failure is what the caller needs
            if client.get_job(job["id"], False)["state"] in {"Open", "UploadComplete", "InProgress"}:
                client.abort_job(job["id"], False)  # do not leave a half-loaded job for Salesforce to run later
        raise
    return {kind: client.get_ingest_results(job["id"], kind) for kind in ("successfulResults", "failedResults")}


def upsert(client: Client, sobject: str, field: str, items: Sequence[UpsertItem]) -> list[RecordResult]:
    """Upsert every item in one Bulk API 2.0 job; one result per item, in order."""
    results = client.call(lambda sf: _run_job(sf, sobject, field, _csv(field, items)), idempotent=False)
    by_ref: dict[str, RecordResult] = {}
    for row in csv.DictReader(io.StringIO(results["successfulResults"])):
        by_ref[row[field]] = RecordResult(row[field], row["sf__Id"], created=row["sf__Created"] == "true")
    for row in csv.DictReader(io.StringIO(results["failedResults"])):
        by_ref[row[field]] = RecordResult(row[field], row["sf__Id"] or None, error=_error(row["sf__Error"]))
    missing = RecordRejected("UNPROCESSED", "Salesforce did not process the record; it is retried on the next run")
    return [by_ref.get(i.link_id, RecordResult(i.link_id, error=missing)) for i in items]
