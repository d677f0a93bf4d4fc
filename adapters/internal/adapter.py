"""`InternalAdapter`: the `Adapter` protocol over a company's own REST service (configuration: see the package)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from adapters.base import (
    ChangePage,
    ConfigError,
    ExternalRecord,
    InteractionItem,
    RecordRejected,
    RecordResult,
    UpsertItem,
)
from adapters.internal.config import Endpoint, InternalConfig
from adapters.internal.cursor import Cursor, parse_time
from adapters.internal.listing import fetch_page, is_deleted, item_id, sort_page
from adapters.internal.responses import describe_call, json_body, record_at, rejection
from adapters.internal.transport import Action, Transport, action_for
from adapters.schema import FieldSchema, ObjectSchema

log = logging.getLogger("adapters.internal")


def fill(template: str, **values: str) -> str:
    """``template`` with ``{name}`` placeholders replaced by URL-escaped values."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", quote(value, safe=""))
    return template


class InternalAdapter:
    """One connection to an internal REST service. Batch writes are one request per record over a keep-alive
    client (an arbitrary service has no batch endpoint); results come back per record, in order."""

    def __init__(
        self,
        config: InternalConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._http = Transport(config, sleep=sleep, transport=transport, clock=clock)

    @property
    def api_calls(self) -> int:
        """HTTP requests sent (each retry counts)."""
        return self._http.calls

    @property
    def supports_interactions(self) -> bool:
        """True when an ``interactions`` endpoint is configured (else `write_interactions` raises ConfigError)."""
        return self.config.interactions is not None

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> InternalAdapter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _object(self, object: str) -> None:
        if object != self.config.object:
            raise ConfigError(f"{self.config.name}: this connection serves {self.config.object!r}, not {object!r}")

    def check(self) -> None:
        """Fetch one item of the change listing: base URL, credentials, items path and id/time fields."""
        sort_page(self.config, Cursor(), fetch_page(self._http, Cursor(), limit=1))

    def describe(self, object: str) -> ObjectSchema:
        """The declared ``schema``; without one, the fields seen on the first listing page, as untyped strings.

        Either way one listing request is made, so a describe that succeeds means the service answers."""
        self._object(object)
        page = fetch_page(self._http, Cursor())
        if self.config.schema is not None:
            return self.config.schema
        return self._sampled_schema(page.items)

    def _sampled_schema(self, items: Sequence[Mapping[str, Any]]) -> ObjectSchema:
        c = self.config
        names = dict.fromkeys(name for item in items for name in item)
        fields = {name: FieldSchema(name, "string", vendor_type="untyped") for name in names}
        fields[c.id_field] = FieldSchema(c.id_field, "id", createable=False, updateable=False, unique=True)
        fields[c.updated_field] = FieldSchema(c.updated_field, "datetime", createable=False, updateable=False)
        fields[c.link_field] = FieldSchema(c.link_field, "string", unique=True, external_id=True)
        if c.deleted_field:
            fields[c.deleted_field] = FieldSchema(c.deleted_field, "other", createable=False, updateable=False)
        return ObjectSchema(c.object, fields)

    def list_changes(self, object: str, since: str | None) -> Iterator[ChangePage]:
        """Pages of records changed at or after the cursor's time, minus those already delivered; deletions
        (items flagged by ``deleted_field``) in ``deleted``. Resumes mid-listing from a saved ``next``."""
        self._object(object)
        cursor = Cursor.decode(since)
        while True:
            page = sort_page(self.config, cursor, fetch_page(self._http, cursor))
            cursor.next = page.next
            if page.next is None:
                cursor.finish()
            yield ChangePage(page.records, cursor.encode(), page.next is not None, page.deleted)
            if page.next is None:
                return

    def get_by_ids(self, object: str, ids: Sequence[str]) -> list[ExternalRecord]:
        """GET each id; missing, gone and tombstoned records are left out."""
        self._object(object)
        found = []
        for record_id in ids:
            response = self._http.request("GET", fill(self.config.get.path, id=record_id))
            action = action_for(response.status_code)
            if action is Action.REJECT:
                log.warning("%s: the service refused id %r: %s", self.config.name, record_id, self._reject(response))
            if action is not Action.OK:
                continue
            item = record_at(self._body(response), self.config.get.item, "get.item", self._where(response))
            if not is_deleted(self.config, item):
                changed = parse_time(item.get(self.config.updated_field))
                found.append(ExternalRecord(item_id(self.config, item), dict(item), changed, self.config.object))
        return found

    def upsert_batch(self, object: str, items: Sequence[UpsertItem]) -> list[RecordResult]:
        """Send each item to the ``upsert`` endpoint with the link id in ``link_field``; ``{id}`` is the item's
        own system id when its fields carry ``id_field``, else the link id. HTTP 201 means created."""
        self._object(object)
        results = []
        for item in items:
            own = item.fields.get(self.config.id_field)
            key = str(own) if own not in (None, "") else item.link_id
            body = {**item.fields, self.config.link_field: item.link_id}
            path = fill(self.config.upsert.path, id=key, link_id=item.link_id)
            results.append(self._write(self.config.upsert, path, body, item.link_id))
        return results

    def update_batch(self, object: str, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> list[RecordResult]:
        """Send each change to the ``update`` endpoint by system id; a missing record is rejected as NOT_FOUND."""
        self._object(object)
        endpoint = self.config.update
        return [self._write(endpoint, fill(endpoint.path, id=rid), dict(fields), rid, rid) for rid, fields in updates]

    def delete_batch(self, object: str, ids: Sequence[str]) -> list[RecordResult]:
        """Send each id to the ``delete`` endpoint; 404/410 (already gone) counts as deleted."""
        self._object(object)
        results = []
        for record_id in ids:
            endpoint = self.config.delete
            response = self._http.request(endpoint.method, fill(endpoint.path, id=record_id))
            ok = action_for(response.status_code) in (Action.OK, Action.NOT_FOUND)
            results.append(RecordResult(record_id, record_id, error=None if ok else self._reject(response)))
        return results

    def write_interactions(self, items: Sequence[InteractionItem]) -> list[RecordResult]:
        """Send each interaction to the ``interactions`` endpoint (``{key}``, ``{parent_id}`` in the path);
        the service must treat ``key`` as unique. Without that endpoint: `ConfigError`."""
        endpoint = self.config.interactions
        if endpoint is None:
            raise ConfigError(
                f"{self.config.name}: no `interactions` endpoint configured (interactions: {{method, path}}); "
                "set one or turn social_history off for this connection"
            )
        results = []
        for item in items:
            body = {
                "key": item.key, "parent_id": item.parent_id, "parent_object": item.parent_object,
                "network": item.network, "kind": item.kind, "direction": item.direction, "text": item.text,
                "url": item.url, "occurred_at": item.occurred_at.isoformat() if item.occurred_at else None,
            }  # fmt: skip
            path = fill(endpoint.path, key=item.key, parent_id=item.parent_id)
            results.append(self._write(endpoint, path, body, item.key, item.key))
        return results

    def _write(self, endpoint: Endpoint, path: str, body: Any, ref: str, known: str | None = None) -> RecordResult:
        response = self._http.request(endpoint.method, path, body=body)
        action = action_for(response.status_code)
        if action is not Action.OK:
            return RecordResult(ref, known, error=self._reject(response))
        return RecordResult(ref, self._crm_id(response, endpoint) or known, created=response.status_code == 201)

    def _crm_id(self, response: httpx.Response, endpoint: Endpoint) -> str | None:
        if response.content.strip():
            body = self._body(response)
            value = endpoint.item.find(body)
            if isinstance(value, Mapping) and value.get(self.config.id_field) not in (None, ""):
                return str(value[self.config.id_field])
        location = response.headers.get("Location")
        return urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1] or None if location else None

    def _reject(self, response: httpx.Response) -> RecordRejected:
        error = rejection(response, self._http.redact)
        if action_for(response.status_code) is Action.NOT_FOUND and error.code.startswith("HTTP_"):
            return RecordRejected("NOT_FOUND", f"the record does not exist in {self.config.name}")
        return error

    def _body(self, response: httpx.Response) -> Any:
        return json_body(response, self._where(response))

    def _where(self, response: httpx.Response) -> str:
        return describe_call(response, self.config.name)
