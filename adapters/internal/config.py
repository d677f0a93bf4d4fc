"""Parsing and validation of an `internal` connection's configuration (keys: see `adapters.internal`).

Every problem is collected and reported at once in one `ConfigError`, each naming its key
(``erp.list_changes.items: ...``). The credential (``auth.value``) is never repeated in a message or a repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from adapters.base import ConfigError
from adapters.internal.jsonpath import JsonPath, JsonPathError
from adapters.internal.schema_config import parse_schema
from adapters.schema import ObjectSchema

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
ROOT = JsonPath("$", ())


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One write or read endpoint: method, path template (``{id}``, ``{key}``...) and where the record is."""

    method: str
    path: str
    item: JsonPath = ROOT


@dataclass(frozen=True, slots=True)
class ListChanges:
    """The change listing: ``GET path?since_param=...&limit_param=...&cursor_param=...``."""

    path: str
    items: JsonPath
    since_param: str | None = None
    cursor: JsonPath | None = None  # None: no paging; see `link_header`
    link_header: bool = False  # cursor: link -> RFC 8288 ``Link: <...>; rel="next"``
    cursor_param: str = "cursor"
    limit_param: str = "limit"
    page_size: int | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries of idempotent calls (GET, PUT, DELETE): attempts in all, exponential waits in seconds."""

    attempts: int = 4
    initial_wait: float = 0.5
    max_wait: float = 30.0


@dataclass(frozen=True, slots=True)
class InternalConfig:
    """A validated `internal` connection."""

    name: str
    base_url: str
    list_changes: ListChanges
    upsert: Endpoint
    get: Endpoint
    update: Endpoint
    delete: Endpoint
    interactions: Endpoint | None = None
    auth_header: str | None = None
    auth_value: str | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    id_field: str = "id"
    updated_field: str = "updated_at"
    link_field: str = "rapport_id"
    deleted_field: str | None = None
    object: str = "contact"
    schema: ObjectSchema | None = None
    timeout: float = 30.0
    verify: bool = True
    ca_file: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_rps: float | None = None  # rate_limit.per_second: requests are spaced at least 1/max_rps apart


class _Reader:
    """Reads typed values out of the raw mapping, collecting problems instead of stopping at the first."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{self.name}.{key}: {message}")

    def text(self, raw: Mapping[str, Any], key: str, prefix: str = "", default: str | None = None) -> str | None:
        value = raw.get(key, default)
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        self.problem(prefix + key, "must be a non-empty string")
        return default

    def number(self, raw: Mapping[str, Any], key: str, default: float, prefix: str = "") -> float:
        value = raw.get(key, default)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
        self.problem(prefix + key, "must be a positive number")
        return default

    def path(self, raw: Mapping[str, Any], key: str, prefix: str, default: str | None) -> JsonPath | None:
        text = raw.get(key, default)
        if text is None:
            return None
        try:
            return JsonPath.parse(text)
        except JsonPathError as error:
            self.problem(prefix + key, str(error))
            return None

    def block(self, raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = raw.get(key) or {}
        if isinstance(value, Mapping):
            return value
        self.problem(key, "must be a mapping")
        return {}


def _endpoint(r: _Reader, raw: Mapping[str, Any], key: str, method: str, path: str | None) -> Endpoint:
    block = r.block(raw, key)
    method = str(block.get("method", method)).upper()
    if method not in METHODS:
        r.problem(f"{key}.method", f"must be one of {', '.join(sorted(METHODS))}")
    chosen = r.text(block, "path", f"{key}.", path)
    if chosen is None:
        r.problem(f"{key}.path", "is required")
        chosen = "/"
    elif not chosen.startswith("/"):
        r.problem(f"{key}.path", f"must start with '/' (got {chosen!r})")
    item = r.path(block, "item", f"{key}.", "$") or ROOT
    return Endpoint(method, chosen, item)


def _list_changes(r: _Reader, raw: Mapping[str, Any]) -> ListChanges:
    block = r.block(raw, "list_changes")
    path = r.text(block, "path", "list_changes.")
    if path is None:
        r.problem("list_changes.path", "is required (e.g. /customers)")
        path = "/"
    elif not path.startswith("/"):
        r.problem("list_changes.path", f"must start with '/' (got {path!r})")
    cursor_text = block.get("cursor")
    link_header = cursor_text == "link"
    page_size = block.get("page_size")
    if page_size is not None and (not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1):
        r.problem("list_changes.page_size", "must be a positive integer")
        page_size = None
    return ListChanges(
        path=path,
        items=r.path(block, "items", "list_changes.", "$") or ROOT,
        since_param=r.text(block, "since_param", "list_changes."),
        cursor=None if link_header else r.path(block, "cursor", "list_changes.", None),
        link_header=link_header,
        cursor_param=r.text(block, "cursor_param", "list_changes.", "cursor") or "cursor",
        limit_param=r.text(block, "limit_param", "list_changes.", "limit") or "limit",
        page_size=page_size,
    )


def _base_url(r: _Reader, raw: Mapping[str, Any]) -> str:
    url = r.text(raw, "base_url")
    if url is None:
        r.problem("base_url", "is required (e.g. https://erp.example.com/api)")
        return "http://invalid"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        r.problem("base_url", "must be an http(s) URL with a host")
    if parts.username or parts.password:
        r.problem("base_url", "must not carry credentials; put them in auth: {header, value}")
    return url.rstrip("/")


def _auth(r: _Reader, raw: Mapping[str, Any]) -> tuple[str | None, str | None]:
    auth = r.block(raw, "auth")
    if not auth:
        return None, None
    header = r.text(auth, "header", "auth.", "Authorization")
    value = auth.get("value")
    unwrap = getattr(value, "get_secret_value", None)  # a pydantic SecretStr from the hub
    if callable(unwrap):
        value = unwrap()
    if not isinstance(value, str) or not value:
        r.problem("auth.value", "must be a non-empty string (resolved from ${VAR} before the adapter sees it)")
        value = None
    return header, value


def _retry(r: _Reader, raw: Mapping[str, Any]) -> RetryPolicy:
    block = r.block(raw, "retry")
    attempts = block.get("attempts", 4)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
        r.problem("retry.attempts", "must be an integer >= 1")
        attempts = 4
    return RetryPolicy(
        attempts=attempts,
        initial_wait=r.number(block, "initial_wait", 0.5, "retry."),
        max_wait=r.number(block, "max_wait", 30.0, "retry."),
    )


def _rate_limit(r: _Reader, raw: Mapping[str, Any]) -> float | None:
    block = r.block(raw, "rate_limit")
    return r.number(block, "per_second", 1.0, "rate_limit.") if "per_second" in block else None


def _object(r: _Reader, raw: Mapping[str, Any]) -> str:
    objects = raw.get("objects")
    if objects is not None:
        if not isinstance(objects, list) or len(objects) != 1 or not isinstance(objects[0], str):
            r.problem("objects", "an internal connection serves exactly one object, e.g. [contact]")
            return "contact"
        return objects[0]
    return r.text(raw, "object", "", "contact") or "contact"


def parse_config(raw: Mapping[str, Any]) -> InternalConfig:
    """Validate a connection entry (``${VAR}`` already resolved); raise `ConfigError` listing every problem."""
    if not isinstance(raw, Mapping):
        raise ConfigError("an internal connection's configuration must be a mapping")
    r = _Reader(str(raw.get("name") or "internal"))
    listing = _list_changes(r, raw)
    record_path = listing.path.rstrip("/") + "/{id}"
    header, value = _auth(r, raw)
    link_field = r.text(raw, "link_field", "", "rapport_id") or "rapport_id"
    obj = _object(r, raw)
    verify = raw.get("verify", True)
    if not isinstance(verify, bool):
        r.problem("verify", "must be true or false (use ca_file to trust a private CA)")
        verify = True
    config = InternalConfig(
        name=r.name,
        base_url=_base_url(r, raw),
        list_changes=listing,
        upsert=_endpoint(r, raw, "upsert", "PUT", record_path),
        get=_endpoint(r, raw, "get", "GET", record_path),
        update=_endpoint(r, raw, "update", "PATCH", record_path),
        delete=_endpoint(r, raw, "delete", "DELETE", record_path),
        interactions=_endpoint(r, raw, "interactions", "PUT", None) if raw.get("interactions") else None,
        auth_header=header,
        auth_value=value,
        headers={str(k): str(v) for k, v in r.block(raw, "headers").items()},
        id_field=r.text(raw, "id_field", "", "id") or "id",
        updated_field=r.text(raw, "updated_field", "", "updated_at") or "updated_at",
        link_field=link_field,
        deleted_field=r.text(raw, "deleted_field"),
        object=obj,
        schema=parse_schema(r.block(raw, "schema"), obj, link_field, r.problem) if raw.get("schema") else None,
        timeout=r.number(raw, "timeout", 30.0),
        verify=verify,
        ca_file=r.text(raw, "ca_file"),
        retry=_retry(r, raw),
        max_rps=_rate_limit(r, raw),
    )
    if r.problems:
        raise ConfigError("invalid internal connection:\n  " + "\n  ".join(r.problems))
    return config
