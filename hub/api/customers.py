"""`GET /v1/customers` (cursor pages, filters) and `GET /v1/customers/{id}`.

A merged-away id answers 308 to the survivor's URL: the client learns the id changed, and HTTP clients
that follow redirects get the survivor without extra code. A deleted or unknown id answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from hub.api.auth import ReadKey
from hub.api.problems import ProblemError, problem_responses
from hub.api.queries import (
    CustomerFilter,
    customer_body,
    customer_page,
    decode_cursor,
    encode_cursor,
    find_customer,
    sources_of,
)
from hub.api.schemas import CustomerOut, CustomerPage
from hub.api.state import api_state

router = APIRouter(prefix="/v1", tags=["customers"])
MAX_REDIRECT_HOPS = 10


@router.get("/customers", response_model=CustomerPage, responses=problem_responses(400, 401, 403, 422))
def list_customers(
    request: Request,
    _key: ReadKey,
    limit: Annotated[int, Query(ge=1, le=500, description="page size")] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    email: Annotated[str | None, Query(description="customers with a record carrying this email")] = None,
    network: Annotated[str | None, Query(description="with `handle`: a social network")] = None,
    handle: Annotated[str | None, Query(description="with `network`: a handle on it (leading @ optional)")] = None,
) -> CustomerPage:
    """Live customers (not merged, not deleted) in id order, a page at a time."""
    if (network is None) != (handle is None):
        raise ProblemError(400, "'network' and 'handle' go together; give both or neither", slug="bad-filter")
    after = None
    if cursor is not None:
        after = decode_cursor(cursor)
        if after is None:
            raise ProblemError(
                400, "'cursor' is not valid; pass the 'next_cursor' of a previous page", slug="bad-cursor"
            )
    wanted = CustomerFilter(email=email, network=network, handle=handle)
    with api_state(request).database.transaction() as conn:
        rows, more = customer_page(conn, limit=limit, after=after, wanted=wanted)
        sources = sources_of(conn, [row.id for row in rows])
    data = [CustomerOut.model_validate(customer_body(row, sources[row.id])) for row in rows]
    return CustomerPage(data=data, next_cursor=encode_cursor(rows[-1].id) if more and rows else None)


@router.get(
    "/customers/{customer_id}",
    response_model=CustomerOut,
    responses={
        308: {"description": "The customer was merged: `Location` is the survivor's URL"},
        **problem_responses(401, 403, 404),
    },
)
def get_customer(customer_id: str, request: Request, _key: ReadKey) -> CustomerOut | Response:
    """One unified customer with its source records; a merged id redirects (308) to its survivor."""
    with api_state(request).database.transaction() as conn:
        row = find_customer(conn, customer_id)
        hops = 0
        while row is not None and row.merged_into and hops < MAX_REDIRECT_HOPS:
            row, hops = find_customer(conn, row.merged_into), hops + 1
        if row is None or row.deleted or row.merged_into:
            raise ProblemError(404, f"no customer {customer_id!r}", slug="customer-not-found")
        if row.id != customer_id:
            root = request.scope.get("root_path", "")
            return Response(status_code=308, headers={"Location": f"{root}/v1/customers/{row.id}"})
        sources = sources_of(conn, [row.id])
    return CustomerOut.model_validate(customer_body(row, sources[row.id]))
