"""The `internal` adapter: two-way sync with a company's own REST service, configured without code.

Configuration (the connection's entry in a `rapport apply` file, ``${VAR}`` already resolved)::

    - name: erp
      kind: internal
      base_url: https://erp.example.com/api     # required; http(s), no credentials in it
      auth: {header: Authorization, value: "Bearer ${ERP_TOKEN}"}   # optional; header defaults to Authorization
      headers: {X-Tenant: acme}                 # optional extra (non-secret) headers
      object: contact                           # the one object served (or objects: [contact]); default contact
      id_field: id                              # the service's own id in each item (default id)
      updated_field: updated_at                 # change time in each item: ISO 8601 or epoch s/ms (required in items)
      link_field: rapport_id                    # where Rapport's link id is sent and stored (default rapport_id)
      deleted_field: deleted                    # optional: items with this field truthy are deletions (tombstones)
      list_changes:
        path: /customers                        # required
        items: "$.data"                         # JSON path of the item list (default "$": the body is the list)
        cursor: "$.next"                        # JSON path of the next token or link; "link": the Link header;
                                                #   absent: one page only
        since_param: updated_since              # query parameter for "changed at or after" (optional)
        cursor_param: cursor                    # query parameter carrying a next *token* (links are followed as is)
        limit_param: limit                      # query parameter for the page size, sent when page_size is set
        page_size: 200
      upsert: {method: PUT, path: "/customers/{id}", item: "$"}     # {id}: own id if the fields carry id_field,
                                                # else the link id ({link_id} is always the link id); 201 = created
      get: {method: GET, path: "/customers/{id}", item: "$"}        # default: list_changes.path + /{id}
      update: {method: PATCH, path: "/customers/{id}"}               # default: PATCH list_changes.path + /{id}
      delete: {method: DELETE, path: "/customers/{id}"}              # default: DELETE list_changes.path + /{id}
      interactions: {method: PUT, path: "/interactions/{key}"}      # optional; {key}, {parent_id}
      schema: {first_name: {type: string, length: 100}, rapport_id: {type: string, unique: true}}  # optional
      timeout: 30                               # seconds per request
      verify: true                              # TLS verification; ca_file: /path/ca.pem trusts a private CA
      ca_file: /etc/rapport/erp-ca.pem
      retry: {attempts: 4, initial_wait: 0.5, max_wait: 30}   # idempotent calls only (GET, PUT, DELETE)
      rate_limit: {per_second: 10}              # optional: space requests to stay below the service's limit

``item`` in an endpoint is the JSON path of the record in its response (default ``$``). JSON paths are the subset
``$``, ``$.a.b``, ``$.a[0]``, ``$['a.b']`` (see `adapters.internal.jsonpath`). Statuses map to errors in one
table (`adapters.internal.transport.STATUS_ACTIONS`). The cursor is described in `adapters.internal.cursor`.
Design notes: docs/design/internal-adapter.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.internal.adapter import InternalAdapter
from adapters.internal.config import InternalConfig, parse_config

__all__ = ["InternalAdapter", "InternalConfig", "from_config", "parse_config"]


def from_config(config: Mapping[str, Any]) -> InternalAdapter:
    """The adapter for a resolved connection entry; `ConfigError` lists every problem in it."""
    return InternalAdapter(parse_config(config))
