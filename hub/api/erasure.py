"""`DELETE /v1/customers/{id}`: erasure of a customer's personal data, propagated to connected CRMs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from hub.api.auth import AdminKey
from hub.api.problems import ProblemError, problem_responses
from hub.api.state import api_state
from hub.db.database import utcnow
from hub.erasure import erase_customer

router = APIRouter(prefix="/v1", tags=["customers"])


@router.delete("/customers/{customer_id}", status_code=202, responses=problem_responses(401, 403, 404))
def erase(request: Request, customer_id: str, key: AdminKey) -> dict[str, Any]:
    """Remove the customer's personal data now; CRM deletions are queued and retried until done."""
    with api_state(request).database.transaction() as conn:
        erased = erase_customer(conn, customer_id, actor=f"api:{key.id}", now=utcnow())
    if erased is None:
        raise ProblemError(404, f"no live customer {customer_id}", slug="unknown-customer")
    return {"id": customer_id, "status": "erased", "removed": erased}
