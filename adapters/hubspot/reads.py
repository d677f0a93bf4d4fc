"""Reading contacts: the first full pull (list API), incremental pulls (search API by lastmodifieddate),
archived contacts, and reads by id.

Every incremental page is a fresh search from the cursor's time (``after`` stays 0), so a pull never pages into
HubSpot's 10,000-result cap, and a record modified while we page cannot shift an offset and be skipped: it moves
past the cursor and comes in a later page. At-least-once: the boundary is re-read with ``>=`` and de-duplicated
with the cursor's `seen` ids.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId, PublicObjectSearchRequest

from adapters.base import ChangePage, ConfigError, ExternalRecord
from adapters.hubspot.cursor import Cursor
from adapters.hubspot.errors import Refused
from adapters.hubspot.transport import Transport

LIST_PAGE = 100
SEARCH_PAGE = 200
BATCH = 100
MODIFIED = "lastmodifieddate"
PROPERTIES = (
    "firstname", "lastname", "email", "phone", "mobilephone", "city", "country", "company", "jobtitle",
    "createdate", MODIFIED, "hs_object_id", "hs_merged_object_ids", "rapport_id", "rapport_customer_id",
    "rapport_social_handles", "rapport_last_social_at", "rapport_social_followers",
)  # fmt: skip


def _millis(moment: datetime | None) -> int:
    return int(moment.timestamp() * 1000) if moment else 0


def to_record(obj: Any) -> ExternalRecord:
    """A client SimplePublicObject as an ExternalRecord (raw HubSpot properties)."""
    return ExternalRecord(str(obj.id), dict(obj.properties or {}), obj.updated_at, "contact")


def _merged(records: Sequence[ExternalRecord]) -> dict[str, str]:
    out = {}
    for record in records:
        for lost in str(record.fields.get("hs_merged_object_ids") or "").split(";"):
            if lost.strip():
                out[lost.strip()] = record.id
    return out


class Reader:
    """Pulls through one transport; `properties` are the contact properties asked for."""

    def __init__(self, transport: Transport, properties: Sequence[str]) -> None:
        self.t = transport
        self.properties = list(dict.fromkeys([*PROPERTIES, *properties]))
        contacts = transport.client.crm.contacts
        self.basic, self.batch, self.search = contacts.basic_api, contacts.batch_api, contacts.search_api

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> tuple[Any, int]:
        """A read; HubSpot refusing a read means the connection or portal is wrong, not a record."""
        try:
            return self.t.call(method, *args, **kwargs)
        except Refused as refused:
            raise ConfigError(f"HubSpot refused a read ({refused.code}): {refused.message}") from None

    def get_by_ids(self, ids: Sequence[str]) -> list[ExternalRecord]:
        """Current contacts with these ids; missing or archived ones are left out (HubSpot's 207)."""
        found: dict[str, ExternalRecord] = {}
        for start in range(0, len(ids), BATCH):
            chunk = [{"id": i} for i in dict.fromkeys(ids[start : start + BATCH])]
            body = BatchReadInputSimplePublicObjectId(
                inputs=chunk, properties=self.properties, properties_with_history=[]
            )
            data, _ = self._call(self.batch.read_with_http_info, body)
            found.update((str(o.id), to_record(o)) for o in data.results or [])
        return [found[i] for i in ids if i in found]

    def changes(self, since: str | None) -> Iterator[ChangePage]:
        """Pages of changes after `since` (None: a full pull first)."""
        cursor = Cursor(full=True) if since is None else Cursor.decode(since)
        if cursor.full:
            yield from self._full(cursor)
            return
        deleted = self._archived(cursor)
        while True:
            records, more = self._search_page(cursor)
            yield ChangePage(records, cursor.encode(), more, deleted=deleted, merged_into=_merged(records))
            deleted = []
            if not more:
                return

    def _full(self, cursor: Cursor) -> Iterator[ChangePage]:
        newest = self._newest() if not cursor.t0 else None
        while True:
            data, headers = self._list(cursor.full_after, archived=False)
            if not cursor.t0:
                cursor.arch_gte = self._server_time(headers)  # archived before the pull began are not news
                cursor.t0 = newest or cursor.arch_gte
            records = [to_record(o) for o in data.results or []]
            cursor.seen.update((r.id, m) for r in records if (m := _millis(r.modified_at)) >= cursor.t0)
            nxt = data.paging.next.after if data.paging and data.paging.next else None
            if nxt is None:
                cursor.full, cursor.gte = False, cursor.t0
                cursor.prune()
            else:
                cursor.full_after = str(nxt)
            yield ChangePage(records, cursor.encode(), nxt is not None, merged_into=_merged(records))
            if nxt is None:
                return

    def _newest(self) -> int | None:
        """The latest modification time in the portal when a full pull starts: where the incremental pull takes
        over (anything changed later is newer; HubSpot's clock, in milliseconds)."""
        request = PublicObjectSearchRequest(
            sorts=[{"propertyName": MODIFIED, "direction": "DESCENDING"}], properties=[MODIFIED], limit=1
        )
        data, _ = self._call(self.search.do_search_with_http_info, request, search=True)
        return _millis(data.results[0].updated_at) if data.results else None

    def _list(self, after: str | None, archived: bool) -> tuple[Any, Any]:
        names = ["hs_object_id"] if archived else self.properties
        kwargs: dict[str, Any] = {"limit": LIST_PAGE, "properties": names, "archived": archived}
        if after:
            kwargs["after"] = after
        data, _ = self._call(self.basic.get_page_with_http_info, **kwargs)
        return data, self.t.last_headers

    def _server_time(self, headers: Any) -> int:
        """HubSpot's clock at the first page (Date header, floored to the second), else ours."""
        try:
            return int(parsedate_to_datetime(headers["Date"]).timestamp()) * 1000
        except (KeyError, TypeError, ValueError):
            return int(datetime.now().timestamp() * 1000) - 60_000

    def _archived(self, cursor: Cursor) -> list[str]:
        """Contacts archived since the cursor (HubSpot's list API with archived=true; it has no time filter)."""
        fresh: list[tuple[int, str]] = []
        after: str | None = None
        while True:
            data, _ = self._list(after, archived=True)
            for obj in data.results or []:
                at = _millis(obj.archived_at)
                if at > cursor.arch_gte or (at == cursor.arch_gte and str(obj.id) not in cursor.arch_seen):
                    fresh.append((at, str(obj.id)))
            after = data.paging.next.after if data.paging and data.paging.next else None
            if after is None:
                break
        if fresh:
            top = max(at for at, _ in fresh)
            keep = cursor.arch_seen if top == cursor.arch_gte else []
            cursor.arch_gte, cursor.arch_seen = top, keep + [i for at, i in fresh if at == top]
        return [i for _, i in sorted(fresh)]

    def _search_page(self, cursor: Cursor) -> tuple[list[ExternalRecord], bool]:
        if cursor.eq is not None:
            filters = [{"propertyName": MODIFIED, "operator": "EQ", "value": str(cursor.eq)},
                       {"propertyName": "hs_object_id", "operator": "GT", "value": cursor.eq_id}]  # fmt: skip
            sort = "hs_object_id"
        else:
            filters, sort = [{"propertyName": MODIFIED, "operator": "GTE", "value": str(cursor.gte)}], MODIFIED
        request = PublicObjectSearchRequest(
            filter_groups=[{"filters": filters}],
            sorts=[{"propertyName": sort, "direction": "ASCENDING"}],
            properties=self.properties,
            limit=SEARCH_PAGE,
        )
        data, _ = self._call(self.search.do_search_with_http_info, request, search=True)
        results = [to_record(o) for o in data.results or []]
        stamped = [(r, _millis(r.modified_at)) for r in results]
        fresh = [r for r, m in stamped if cursor.seen.get(r.id) != m]
        full_page = len(results) == SEARCH_PAGE
        if cursor.eq is not None:
            cursor.seen.update((r.id, m) for r, m in stamped)
            if full_page:
                cursor.eq_id = results[-1].id
            else:
                cursor.gte, cursor.eq = cursor.eq + 1, None
            cursor.prune()
            return fresh, True  # after a tie walk, look again from just past that instant
        if full_page and stamped[-1][1] == cursor.gte:
            cursor.eq, cursor.eq_id = cursor.gte, "0"  # a whole page at one instant: walk it by id
            cursor.prune()
            return fresh, True
        if stamped:
            cursor.seen.update((r.id, m) for r, m in stamped)
            cursor.gte = stamped[-1][1]
            cursor.prune()
        return fresh, full_page
