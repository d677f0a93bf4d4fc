"""Fetching one page of an internal service's change listing and turning its items into records."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx

from adapters.base import ConfigError, ExternalRecord
from adapters.internal.config import InternalConfig
from adapters.internal.cursor import Cursor, parse_time
from adapters.internal.jsonpath import MISSING
from adapters.internal.responses import at_path, describe_call, json_body, rejection
from adapters.internal.transport import Action, Transport, action_for

log = logging.getLogger("adapters.internal")


@dataclass
class Page:
    """One page as fetched: the raw items, the service's continuation (or None), and the filtered results."""

    items: list[Mapping[str, Any]]
    next: str | None
    records: list[ExternalRecord] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def is_link(value: str) -> bool:
    """True when a continuation is a URL (absolute or from the host root) rather than a token."""
    return value.startswith(("http://", "https://", "/"))


def is_deleted(config: InternalConfig, item: Mapping[str, Any]) -> bool:
    """True when the item is a tombstone: ``deleted_field`` is set and truthy (true, a deletion time...)."""
    if config.deleted_field is None:
        return False
    flag = item.get(config.deleted_field)
    return bool(flag) and flag not in ("false", "False", "0")


def fetch_page(http: Transport, cursor: Cursor, limit: int | None = None) -> Page:
    """GET the page after ``cursor`` (the first page when it has no ``next``)."""
    config = http.config
    listing = config.list_changes
    url, params = listing.path, {}  # a link keeps its own query: httpx would replace it with any params given
    if cursor.next is not None and is_link(cursor.next):
        url = urljoin(config.base_url + "/", cursor.next)
        if not http.same_origin(url):
            raise ConfigError(f"{config.name}: the service's next link leaves base_url; refusing to follow it")
    else:
        if listing.since_param and cursor.since is not None:
            params[listing.since_param] = cursor.since
        if limit or listing.page_size:
            params[listing.limit_param] = limit or listing.page_size
        if cursor.next is not None:
            params[listing.cursor_param] = cursor.next
    response = http.request("GET", url, params=params or None)
    where = describe_call(response, config.name)
    action = action_for(response.status_code)
    if action in (Action.NOT_FOUND, Action.REJECT) and cursor.next is not None:
        log.warning("%s: the service refused a saved next cursor (HTTP %d); listing again from the last change time",
                    config.name, response.status_code)  # fmt: skip
        cursor.next = None  # at-least-once: the records since `since` come again, de-duplicated downstream
        return fetch_page(http, cursor, limit)
    if action is Action.NOT_FOUND:
        raise ConfigError(f"{where}: HTTP {response.status_code}; check base_url and list_changes.path")
    if action is Action.REJECT:
        reason = rejection(response, http.redact)
        raise ConfigError(f"{where}: the service refused the listing ({reason}); check the list_changes parameters")
    body = json_body(response, where)
    items = at_path(body, listing.items, "list_changes.items", where)
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise ConfigError(f"{where}: list_changes.items {listing.items.text!r} must point at a list of JSON objects")
    page = Page(items, _next(config, response, body))
    if page.next is not None and page.next == cursor.next:
        raise ConfigError(f"{where}: the service returned the same cursor twice; check list_changes.cursor")
    return page


def _next(config: InternalConfig, response: httpx.Response, body: Any) -> str | None:
    listing = config.list_changes
    if listing.link_header:
        link = response.links.get("next", {}).get("url")
        return str(link) if link else None
    if listing.cursor is None:
        return None
    value = listing.cursor.find(body)
    return None if value is MISSING or value in (None, "") else str(value)


def sort_page(config: InternalConfig, cursor: Cursor, page: Page) -> Page:
    """Fill ``page.records``/``page.deleted`` with the items ``cursor`` has not delivered yet."""
    for item in page.items:
        record_id = item_id(config, item)
        changed = item.get(config.updated_field)
        when = parse_time(changed)
        if when is None:
            raise ConfigError(
                f"{config.name}: item {record_id!r} has no ISO 8601 (or epoch) time in updated_field "
                f"{config.updated_field!r} (got {str(changed)[:40]!r})"
            )
        if not cursor.keep(record_id, changed):
            continue
        if is_deleted(config, item):
            page.deleted.append(record_id)
        else:
            page.records.append(ExternalRecord(record_id, dict(item), when, config.object))
    return page


def item_id(config: InternalConfig, item: Mapping[str, Any]) -> str:
    """The item's own id; `ConfigError` when ``id_field`` is absent."""
    value = item.get(config.id_field)
    if value in (None, ""):
        found = ", ".join(sorted(map(str, item))[:10])
        raise ConfigError(f"{config.name}: an item has no id_field {config.id_field!r} (it has: {found})")
    return str(value)
