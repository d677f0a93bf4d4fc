"""A small internal REST service for the internal adapter's tests: a real HTTP server on 127.0.0.1 in a thread.

Routes under ``/api`` (JSON; ``Authorization: Bearer <TOKEN>`` required, else 401):

- ``GET /customers?updated_since=&limit=&cursor=``: ``{"data": [...], "next": token-or-link-or-null}``, items
  changed at or after ``updated_since`` (``>=``), oldest first, tombstones (``deleted: true``) included;
- ``GET|PATCH|DELETE /customers/{id}``; ``PUT /customers/{key}`` upserts by id or by ``rapport_id``;
  ``POST /customers`` creates; ``PUT /interactions/{key}`` is idempotent by key (201 first, then 200).

Refusals: an unknown or read-only field or a ``last_name`` over 100 characters is 422, a duplicate email 409,
each as ``{"code", "message", "fields"}``. The back door (``seed``, ``edit``, ``delete``, ``value``) acts as a
person in the system would; ``fail_next(status, count, retry_after)`` injects faults; ``requests`` logs calls.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "Bearer erp-s3cret-token-0042"
FIELDS = {"first_name", "last_name", "email", "phone", "city", "rapport_id", "rapport_customer_id"}
READ_ONLY = {"updated_at", "deleted"}
START = datetime(2026, 1, 1, tzinfo=UTC)

Reply = tuple[int, dict[str, str], Any]


class InternalService:
    """The service's state and routes (see the module docstring)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.app = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.reset()

    def start(self) -> InternalService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        """Forget every record, fault and logged request; links become tokens again."""
        with self.lock:
            self.records: dict[str, dict[str, Any]] = {}
            self.interactions: dict[str, dict[str, Any]] = {}
            self.faults: list[tuple[int, str | None]] = []
            self.requests: list[tuple[str, str]] = []
            self.next_style = "token"
            self.frozen: str | None = None
            self._ids = itertools.count(1)
            self._clock = itertools.count(1)

    # -- back door -------------------------------------------------------------------------------------------

    def now(self) -> str:
        """The next change time (one second apart), or the frozen one."""
        return self.frozen or (START + timedelta(seconds=next(self._clock))).isoformat().replace("+00:00", "Z")

    def seed(self, fields: Mapping[str, Any]) -> str:
        with self.lock:
            return self._create(dict(fields))

    def edit(self, record_id: str, fields: Mapping[str, Any]) -> None:
        with self.lock:
            self.records[record_id].update(fields, updated_at=self.now())

    def delete(self, record_id: str) -> None:
        with self.lock:
            self.records[record_id].update(deleted=True, updated_at=self.now())

    def value(self, record_id: str, name: str) -> Any:
        return self.records[record_id].get(name)

    def fail_next(self, status: int, count: int = 1, retry_after: str | None = None) -> None:
        with self.lock:
            self.faults.extend([(status, retry_after)] * count)

    def calls(self, method: str) -> int:
        return sum(1 for m, _ in self.requests if m == method)

    # -- routes ----------------------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: Any) -> Reply:
        with self.lock:
            parts = urlsplit(target)
            path = parts.path
            self.requests.append((method, path))
            if self.faults:
                status, retry_after = self.faults.pop(0)
                return status, {"Retry-After": retry_after} if retry_after else {}, {"message": "try later"}
            if headers.get("authorization") != TOKEN:
                return 401, {}, {"message": f"invalid credentials {headers.get('Authorization')}"}
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            segments = [unquote(s) for s in path.split("/") if s]
            return self._route(method, segments, query, body, headers)

    def _route(
        self, method: str, seg: list[str], query: dict[str, str], body: Any, headers: Mapping[str, str]
    ) -> Reply:
        if seg == ["api", "customers"] and method == "GET":
            return self._list(query)
        if seg == ["api", "customers"] and method == "POST":
            return self._write(None, body, headers)
        if len(seg) == 3 and seg[:2] == ["api", "customers"]:
            return self._one(method, seg[2], body, headers)
        if len(seg) == 3 and seg[:2] == ["api", "interactions"] and method == "PUT":
            if self._live(str(body.get("parent_id"))) is None:
                return 422, {}, {"code": "PARENT_MISSING", "message": "no such parent", "fields": ["parent_id"]}
            created = seg[2] not in self.interactions
            self.interactions[seg[2]] = dict(body)
            return (201 if created else 200), {}, {"id": seg[2], **body}
        return 404, {}, {"message": "no such route"}

    def _list(self, query: dict[str, str]) -> Reply:
        since = query.get("updated_since", "")
        limit = int(query.get("limit", "50"))
        token = query.get("cursor", "o0")
        if not token.startswith("o") or not token[1:].isdigit():
            return 400, {}, {"code": "BAD_CURSOR", "message": "cursor expired"}
        offset = int(token[1:])
        rows = sorted(
            (r for r in self.records.values() if r["updated_at"] >= since), key=lambda r: (r["updated_at"], r["id"])
        )
        page = rows[offset : offset + limit]
        following: str | None = None
        if offset + limit < len(rows):
            following = f"o{offset + limit}"
            if self.next_style == "link":
                following = f"{self.url}/api/customers?cursor={following}&limit={limit}&updated_since={since}"
        return 200, {}, {"data": [dict(r) for r in page], "next": following}

    def _one(self, method: str, key: str, body: Any, headers: Mapping[str, str]) -> Reply:
        if method == "PUT":
            return self._write(self._live(key) or self._by_link(key) or "new:" + key, body, headers)
        record_id = self._live(key)
        if record_id is None:
            return 404, {}, {"message": "not found"}
        if method == "GET":
            return 200, {}, dict(self.records[record_id])
        if method == "PATCH":
            return self._write(record_id, body, headers)
        if method == "DELETE":
            self.records[record_id].update(deleted=True, updated_at=self.now())
            return 204, {}, None
        return 405, {}, {"message": "method not allowed"}

    def _write(self, target: str | None, body: Any, headers: Mapping[str, str]) -> Reply:
        existing = None if target is None or target.startswith("new:") else target
        fields = {k: v for k, v in body.items() if not (k == "id" and v == existing)}
        refused = self._refuse(fields, existing, headers)
        if refused is not None:
            return refused
        if existing is None:
            if target is not None:
                fields.setdefault("rapport_id", target[4:])
            record_id = self._create(fields)
            return 201, {"Location": f"/api/customers/{record_id}"}, dict(self.records[record_id])
        self.records[existing].update(fields, updated_at=self.now())
        return 200, {}, dict(self.records[existing])

    def _refuse(self, fields: Mapping[str, Any], own: str | None, headers: Mapping[str, str]) -> Reply | None:
        for name, value in fields.items():
            if name in READ_ONLY or name == "id":
                return 422, {}, {"code": "READ_ONLY", "message": f"{name} is read-only", "fields": [name]}
            if name not in FIELDS:
                echo = headers.get("authorization")
                return (
                    422,
                    {},
                    {"code": "UNKNOWN_FIELD", "message": f"no field {name} (caller {echo})", "fields": [name]},
                )
            if name == "last_name" and isinstance(value, str) and len(value) > 100:
                return 422, {}, {"code": "STRING_TOO_LONG", "message": "last_name is over 100", "fields": [name]}
            if name == "email" and value and self._find("email", value) not in (None, own):
                return 409, {}, {"code": "DUPLICATE_VALUE", "message": "email already used", "fields": ["email"]}
        return None

    def _create(self, fields: dict[str, Any]) -> str:
        record_id = f"c{next(self._ids):05d}"
        self.records[record_id] = {**fields, "id": record_id, "updated_at": self.now(), "deleted": False}
        return record_id

    def _live(self, record_id: str) -> str | None:
        record = self.records.get(record_id)
        return record_id if record is not None and not record["deleted"] else None

    def _by_link(self, link_id: str) -> str | None:
        return self._find("rapport_id", link_id)

    def _find(self, name: str, value: Any) -> str | None:
        for record_id, record in self.records.items():
            if not record["deleted"] and record.get(name) == value:
                return record_id
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 65536  # headers and body leave in one write (flushed after each request)
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else {}
        app: InternalService = self.server.app  # type: ignore[attr-defined]
        status, headers, payload = app.handle(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
        )
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_PATCH = do_POST = do_DELETE = _serve  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""
