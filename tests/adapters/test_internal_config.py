"""Internal adapter configuration: every problem named by key, misconfigured paths, the JSON path subset."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters import build_adapter
from adapters.base import ConfigError
from adapters.internal import InternalAdapter, parse_config
from adapters.internal.jsonpath import MISSING, JsonPath, JsonPathError
from tests.adapters.internal_service import TOKEN, InternalService
from tests.adapters.test_internal_contract import SCHEMA, erp_config, make_adapter


@pytest.fixture(scope="module")
def running() -> Iterator[InternalService]:
    service = InternalService().start()
    yield service
    service.stop()


@pytest.fixture
def service(running: InternalService) -> InternalService:
    running.reset()
    return running


def problems(**overrides: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(erp_config("https://erp.example.com", **overrides))
    return str(caught.value)


def test_the_contract_example_builds_through_the_registry() -> None:
    adapter = build_adapter("internal", erp_config("https://erp.example.com"))
    assert isinstance(adapter, InternalAdapter)
    config = adapter.config
    assert config.get.path == "/customers/{id}" and config.get.method == "GET"
    assert (config.update.method, config.update.path) == ("PATCH", "/customers/{id}")
    assert (config.delete.method, config.delete.path) == ("DELETE", "/customers/{id}")
    assert config.link_field == "rapport_id" and config.object == "contact"
    assert TOKEN not in repr(config)


def test_every_problem_is_listed_with_its_key() -> None:
    message = problems(
        base_url="ftp://user:pw@erp", list_changes={"items": "data[", "page_size": 0}, upsert={"method": "FETCH"}
    )
    for expected in (
        "erp.base_url: must be an http(s) URL",
        "erp.base_url: must not carry credentials",
        "erp.list_changes.path: is required",
        "erp.list_changes.items: 'data[' must start with '$'",
        "erp.list_changes.page_size: must be a positive integer",
        "erp.upsert.method: must be one of",
    ):
        assert expected in message
    assert "user:pw" not in message


def test_bad_path_syntax_names_the_key() -> None:
    assert "erp.list_changes.cursor: '$.next[x]': unsupported syntax" in problems(
        list_changes={"path": "/customers", "cursor": "$.next[x]"}
    )


def test_schema_must_name_the_link_field_and_use_known_types() -> None:
    message = problems(schema={"email": {"type": "mail"}, "city": "string"})
    assert "erp.schema.email.type: unknown type 'mail'" in message
    assert "erp.schema: must list the link field 'rapport_id'" in message


def test_declared_schema_types_and_flags() -> None:
    schema = parse_config(erp_config("https://erp.example.com", schema=SCHEMA)).schema
    assert schema is not None
    email, link, ident = schema.get("email"), schema.get("rapport_id"), schema.get("id")
    assert email is not None and email.type == "email" and email.length == 254 and email.unique
    assert link is not None and link.unique and link.external_id
    assert ident is not None and not ident.writable


def test_a_misconfigured_items_path_is_a_clear_config_error(service: InternalService) -> None:
    adapter, _ = make_adapter(service, list_changes={"path": "/customers", "items": "$.rows"})
    with pytest.raises(ConfigError) as caught:
        adapter.check()
    assert "list_changes.items '$.rows' matched nothing" in str(caught.value)
    assert "(it has: data, next)" in str(caught.value)


def test_a_wrong_list_path_is_a_config_error(service: InternalService) -> None:
    adapter, _ = make_adapter(service, list_changes={"path": "/clients", "items": "$.data"})
    with pytest.raises(ConfigError, match=r"list_changes\.path"):
        adapter.check()


def test_a_wrong_id_field_is_a_config_error(service: InternalService) -> None:
    service.seed({"first_name": "Ana"})
    adapter, _ = make_adapter(service, id_field="customer_no")
    with pytest.raises(ConfigError, match="no id_field 'customer_no'"):
        adapter.check()


def test_a_wrong_updated_field_is_a_config_error(service: InternalService) -> None:
    service.seed({"first_name": "Ana"})
    adapter, _ = make_adapter(service, updated_field="modified")
    with pytest.raises(ConfigError, match="updated_field 'modified'"):
        list(adapter.list_changes("contact", None))


def test_an_unknown_object_is_a_config_error(service: InternalService) -> None:
    adapter, _ = make_adapter(service)
    with pytest.raises(ConfigError, match="serves 'contact', not 'lead'"):
        adapter.get_by_ids("lead", ["c1"])


def test_sampled_describe_lists_seen_fields_as_untyped_strings(service: InternalService) -> None:
    service.seed({"first_name": "Ana", "city": "Bled"})
    adapter, _ = make_adapter(service)
    schema = adapter.describe("contact")
    city, ident, link = schema.get("city"), schema.get("id"), schema.get("rapport_id")
    assert city is not None and city.type == "string" and city.vendor_type == "untyped" and city.length is None
    assert ident is not None and not ident.writable
    assert link is not None and link.unique


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", {"a": {"b": [1, 2]}, "c.d": 3}),
        ("$.a.b", [1, 2]),
        ("$.a.b[0]", 1),
        ("$.a.b[-1]", 2),
        ("$['c.d']", 3),
        ('$["c.d"]', 3),
        ("$.a.x", MISSING),
        ("$.a.b[5]", MISSING),
        ("$.a[0]", MISSING),
    ],
)
def test_json_path_subset(path: str, expected: Any) -> None:
    assert JsonPath.parse(path).find({"a": {"b": [1, 2]}, "c.d": 3}) == expected


@pytest.mark.parametrize("path", ["data", "$.a[*]", "$..a", "$.a[?(@.b)]", "$.a["])
def test_json_path_outside_the_subset_is_refused(path: str) -> None:
    with pytest.raises(JsonPathError):
        JsonPath.parse(path)
