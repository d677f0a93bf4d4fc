"""Internal adapter change listing: resuming mid-listing and across runs, at-least-once de-duplication,
items/cursor extraction at nested JSON paths, next links and Link headers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from adapters.base import ChangePage, ConfigError
from adapters.internal import InternalAdapter, parse_config
from adapters.internal.cursor import Cursor
from tests.adapters.contract import drain, ids_in
from tests.adapters.internal_service import InternalService
from tests.adapters.test_internal_contract import erp_config, make_adapter


@pytest.fixture(scope="module")
def running() -> Iterator[InternalService]:
    service = InternalService().start()
    yield service
    service.stop()


@pytest.fixture
def service(running: InternalService) -> InternalService:
    running.reset()
    return running


def test_resumes_mid_listing_from_a_saved_cursor(service: InternalService) -> None:
    seeded = [service.seed({"first_name": f"A{n}"}) for n in range(5)]
    adapter, _ = make_adapter(service)
    first = next(iter(adapter.list_changes("contact", None)))
    assert first.has_more and len(first.records) == 2
    assert json.loads(first.next_cursor or "")["next"] == "o2"
    rest, _ = drain(adapter, "contact", first.next_cursor)  # e.g. the process stopped after page one
    assert [r.id for r in first.records] + [r.id for p in rest for r in p.records] == seeded


def test_next_links_are_followed_with_their_own_query(service: InternalService) -> None:
    service.next_style = "link"
    seeded = [service.seed({"first_name": f"A{n}"}) for n in range(5)]
    adapter, _ = make_adapter(service)
    pages = list(adapter.list_changes("contact", None))
    assert [len(p.records) for p in pages] == [2, 2, 1]
    assert [r.id for p in pages for r in p.records] == seeded


def test_an_expired_next_token_lists_again_from_the_last_change_time(service: InternalService) -> None:
    seeded = [service.seed({"first_name": f"A{n}"}) for n in range(3)]
    adapter, _ = make_adapter(service)
    saved = json.dumps({"since": None, "seen": [], "next": "expired-token", "max": None})
    pages, _ = drain(adapter, "contact", saved)
    assert ids_in(pages) == set(seeded)


def test_resumes_across_runs_and_reports_only_new_changes(service: InternalService) -> None:
    ids = [service.seed({"first_name": f"A{n}"}) for n in range(3)]
    adapter, _ = make_adapter(service)
    _, cursor = drain(adapter, "contact", None)
    assert ids_in(drain(adapter, "contact", cursor)[0]) == set()
    service.edit(ids[1], {"city": "Ljubljana"})
    added = service.seed({"first_name": "New"})
    pages, cursor = drain(adapter, "contact", cursor)
    assert ids_in(pages) == {ids[1], added}
    assert ids_in(drain(adapter, "contact", cursor)[0]) == set()


def test_records_sharing_the_last_change_time_are_delivered_once(service: InternalService) -> None:
    service.frozen = "2026-03-01T10:00:00Z"  # every change at the same second, as bulk imports do
    first = {service.seed({"first_name": f"A{n}"}) for n in range(3)}
    adapter, _ = make_adapter(service)
    pages, cursor = drain(adapter, "contact", None)
    assert ids_in(pages) == first
    late = service.seed({"first_name": "Late"})  # same second, after the run
    pages, cursor = drain(adapter, "contact", cursor)
    assert ids_in(pages) == {late}
    assert ids_in(drain(adapter, "contact", cursor)[0]) == set()


def test_without_since_param_the_cursor_still_filters(service: InternalService) -> None:
    ids = [service.seed({"first_name": f"A{n}"}) for n in range(3)]
    listing = {"path": "/customers", "items": "$.data", "cursor": "$.next", "page_size": 2}
    adapter, _ = make_adapter(service, list_changes=listing)
    _, cursor = drain(adapter, "contact", None)
    service.edit(ids[0], {"city": "Kranj"})
    assert ids_in(drain(adapter, "contact", cursor)[0]) == {ids[0]}


def test_a_plain_time_is_accepted_as_a_starting_cursor(service: InternalService) -> None:
    ids = [service.seed({"first_name": f"A{n}"}) for n in range(4)]  # changed at :01, :02, :03, :04
    adapter, _ = make_adapter(service)
    pages, _ = drain(adapter, "contact", "2026-01-01T00:00:03Z")
    assert ids_in(pages) == set(ids[2:])


def test_deletions_are_tombstones_by_deleted_field(service: InternalService) -> None:
    kept, gone = service.seed({"first_name": "K"}), service.seed({"first_name": "G"})
    adapter, _ = make_adapter(service)
    _, cursor = drain(adapter, "contact", None)
    service.delete(gone)
    pages, _ = drain(adapter, "contact", cursor)
    assert [d for p in pages for d in p.deleted] == [gone] and ids_in(pages) == set()
    assert [r.id for r in adapter.get_by_ids("contact", [kept, gone])] == [kept]


def test_cursor_round_trip() -> None:
    cursor = Cursor.decode(None)
    assert cursor.keep("a", "2026-01-01T00:00:01Z") and cursor.keep("b", "2026-01-01T00:00:02Z")
    cursor.next = "tok"
    resumed = Cursor.decode(cursor.encode())
    assert resumed.next == "tok" and resumed.max == "2026-01-01T00:00:02Z" and resumed.since is None
    resumed.finish()
    ended = Cursor.decode(resumed.encode())
    assert ended.since == "2026-01-01T00:00:02Z" and ended.seen == {"b"}
    assert not ended.keep("b", "2026-01-01T00:00:02Z") and not ended.keep("a", "2026-01-01T00:00:01Z")
    assert ended.keep("c", "2026-01-01T00:00:02Z")


def test_a_foreign_cursor_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot resume"):
        Cursor.decode("not-a-cursor")


def mock_adapter(handler: Any, **overrides: Any) -> InternalAdapter:
    config = parse_config(erp_config("https://erp.example.com", **overrides))
    return InternalAdapter(config, sleep=lambda _: None, transport=httpx.MockTransport(handler))


def item(n: int) -> dict[str, Any]:
    return {"customer_no": f"K{n}", "changed": f"2026-02-0{n}T00:00:00+00:00", "name": f"N{n}"}


def test_items_and_cursor_at_nested_paths() -> None:
    pages = {
        None: {"result": {"rows": [item(1), item(2)]}, "meta": {"paging": [{"after": "p2"}]}},
        "p2": {"result": {"rows": [item(3)]}, "meta": {"paging": [{"after": None}]}},
    }
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        return httpx.Response(200, json=pages[request.url.params.get("after")])

    listing = {"path": "/customers", "items": "$.result.rows", "cursor": "$.meta.paging[0].after",
               "cursor_param": "after", "since_param": "since"}  # fmt: skip
    adapter = mock_adapter(handler, list_changes=listing, id_field="customer_no", updated_field="changed")
    result: list[ChangePage] = list(adapter.list_changes("contact", None))
    assert [[r.id for r in p.records] for p in result] == [["K1", "K2"], ["K3"]]
    assert [p.has_more for p in result] == [True, False]
    assert seen == [{}, {"after": "p2"}]
    assert json.loads(result[-1].next_cursor or "")["since"] == "2026-02-03T00:00:00+00:00"
    assert result[0].records[0].fields["name"] == "N1"


def test_link_header_paging_and_a_bare_list_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "2":
            return httpx.Response(200, json=[item(2)])
        link = '<https://erp.example.com/api/customers?page=2>; rel="next"'
        return httpx.Response(200, json=[item(1)], headers={"Link": link})

    listing = {"path": "/customers", "cursor": "link"}
    adapter = mock_adapter(handler, list_changes=listing, id_field="customer_no", updated_field="changed")
    assert ids_in(list(adapter.list_changes("contact", None))) == {"K1", "K2"}


def test_a_next_link_to_another_host_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [], "next": "https://evil.example.net/steal"})

    adapter = mock_adapter(handler)
    with pytest.raises(ConfigError, match="leaves base_url"):
        list(adapter.list_changes("contact", None))
