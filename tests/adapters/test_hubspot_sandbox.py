"""The HubSpot sandbox, driven through hubspot-api-client: every response it gives deserializes into the
client's own models (with the client's required-field checks on), and it refuses what HubSpot refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from hubspot import HubSpot
from hubspot.crm import associations, contacts, properties
from hubspot.crm.associations.v4 import (
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
)
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects import notes
from hubspot.crm.properties import BatchInputPropertyCreate, PropertyCreate, PropertyGroupCreate

from adapters.hubspot.sandbox import SandboxHandle, start_in_thread


@pytest.fixture
def sandbox() -> Iterator[SandboxHandle]:
    handle = start_in_thread()
    yield handle
    handle.stop()


def client(handle: SandboxHandle, token: str | None = None) -> HubSpot:
    return HubSpot(access_token=token or handle.access_token, host=handle.base_url)


def upsert_input(link: str, **props: str) -> BatchInputSimplePublicObjectBatchInputUpsert:
    return BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[{"id": link, "idProperty": "rapport_id", "properties": props}]
    )


def error_model(exc: Any) -> Any:
    """An error response body deserialized into the client's Error model."""
    api = contacts.ApiClient()
    model = api.deserialize(SimpleNamespace(data=exc.body), "Error")
    assert isinstance(model, contacts.Error) and model.category and model.message and model.correlation_id
    return model


def test_every_response_used_deserializes_into_the_clients_models(sandbox: SandboxHandle) -> None:
    hs = client(sandbox)
    batch, basic = hs.crm.contacts.batch_api, hs.crm.contacts.basic_api
    created = batch.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                {"properties": {"email": f"p{n}@example.com", "firstname": f"P{n}"}, "associations": []}
                for n in range(3)
            ]
        )
    )
    assert isinstance(created, contacts.BatchResponseSimplePublicObject) and len(created.results) == 3
    ids = [o.id for o in created.results]
    upserted = batch.upsert(upsert_input("lnk-1", email="u@example.com"))
    assert isinstance(upserted, contacts.BatchResponseSimplePublicUpsertObject) and upserted.results[0].new is True
    read = batch.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": ids[0]}, {"id": "999999"}], properties=["email"], properties_with_history=[]
        )
    )
    assert (
        isinstance(read, contacts.BatchResponseSimplePublicObjectWithErrors)
        and read.errors[0].category == "OBJECT_NOT_FOUND"
    )
    updated = batch.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[{"id": ids[1], "properties": {"city": "Oslo"}}, {"id": "999999", "properties": {}}]
        )
    )
    assert isinstance(updated, contacts.BatchResponseSimplePublicObjectWithErrors) and updated.num_errors == 1
    page = basic.get_page(limit=2, properties=["email"])
    assert isinstance(page, contacts.CollectionResponseSimplePublicObjectWithAssociationsForwardPaging)
    assert page.paging.next.after
    one = basic.get_by_id(ids[0], properties=["email"])
    assert isinstance(one, contacts.SimplePublicObjectWithAssociations) and one.properties["email"] == "p0@example.com"
    made = basic.create(SimplePublicObjectInputForCreate(properties={"email": "single@example.com"}, associations=[]))
    assert isinstance(made, contacts.SimplePublicObject)
    assert isinstance(
        basic.update(made.id, SimplePublicObjectInput(properties={"city": "Bergen"})), contacts.SimplePublicObject
    )
    basic.archive(made.id)
    batch.archive(BatchInputSimplePublicObjectId(inputs=[{"id": ids[2]}]))
    archived = basic.get_page(archived=True)
    assert {o.id for o in archived.results} == {made.id, ids[2]} and all(o.archived_at for o in archived.results)
    found = hs.crm.contacts.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}],
            sorts=["lastmodifieddate"],
            limit=1,
            properties=["email"],
        )
    )
    assert isinstance(found, contacts.CollectionResponseWithTotalSimplePublicObjectForwardPaging) and found.total == 3
    props = hs.crm.properties.core_api.get_all("contacts")
    assert isinstance(props, properties.CollectionResponsePropertyNoPaging)
    assert isinstance(hs.crm.properties.core_api.get_by_name("contacts", "rapport_id"), properties.ModelProperty)
    assert isinstance(
        hs.crm.properties.groups_api.get_all("contacts"), properties.CollectionResponsePropertyGroupNoPaging
    )
    assert isinstance(
        hs.crm.properties.groups_api.create("contacts", PropertyGroupCreate(name="extra", label="Extra")),
        properties.PropertyGroup,
    )
    new_prop = PropertyCreate(name="favourite", label="Favourite", type="string", field_type="text", group_name="extra")
    assert isinstance(hs.crm.properties.core_api.create("contacts", new_prop), properties.ModelProperty)
    other = PropertyCreate(name="other", label="Other", type="number", field_type="number", group_name="extra")
    assert isinstance(
        hs.crm.properties.batch_api.create("contacts", BatchInputPropertyCreate(inputs=[other])),
        properties.BatchResponseProperty,
    )
    note = hs.crm.objects.notes.batch_api.upsert(
        notes.BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                {
                    "id": "x:1",
                    "idProperty": "rapport_interaction_id",
                    "properties": {"hs_timestamp": "2024-01-01T00:00:00Z", "hs_note_body": "hi"},
                }
            ]
        )
    )
    assert isinstance(note, notes.BatchResponseSimplePublicUpsertObject)
    pair = {
        "from": {"id": note.results[0].id},
        "to": {"id": ids[0]},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}],
    }
    linked = hs.crm.associations.v4.batch_api.create(
        "notes", "contacts", BatchInputPublicAssociationMultiPost(inputs=[pair])
    )
    assert isinstance(linked, associations.v4.BatchResponseLabelsBetweenObjectPair)
    gone = {**pair, "to": {"id": "424242"}}
    partial = hs.crm.associations.v4.batch_api.create(
        "notes", "contacts", BatchInputPublicAssociationMultiPost(inputs=[gone])
    )
    assert isinstance(partial, associations.v4.BatchResponseLabelsBetweenObjectPairWithErrors) and partial.errors
    back = hs.crm.associations.v4.batch_api.get_page(
        "contacts", "notes", BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": ids[0]}])
    )
    assert back.results[0].to[0].association_types[0].type_id == 201
    details = sandbox.details
    token = HubSpot(host=sandbox.base_url).oauth.tokens_api.create(
        grant_type="refresh_token",
        client_id=details["client_id"],
        client_secret=details["client_secret"],
        refresh_token=details["refresh_token"],
    )
    assert token.access_token and client(sandbox, token.access_token).crm.contacts.basic_api.get_page(limit=1).results


def test_wrong_token_gets_hubspots_401_body(sandbox: SandboxHandle) -> None:
    with pytest.raises(contacts.ApiException) as caught:
        client(sandbox, "pat-na1-wrong").crm.contacts.basic_api.get_page()
    assert caught.value.status == 401
    assert error_model(caught.value).category == "INVALID_AUTHENTICATION"


def test_batches_over_100_inputs_are_refused(sandbox: SandboxHandle) -> None:
    inputs = [{"id": f"l{n}", "idProperty": "rapport_id", "properties": {}} for n in range(101)]
    with pytest.raises(contacts.ApiException) as caught:
        client(sandbox).crm.contacts.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=inputs))
    assert caught.value.status == 400 and error_model(caught.value).category == "VALIDATION_ERROR"


def test_search_refuses_paging_past_10000(sandbox: SandboxHandle) -> None:
    request = PublicObjectSearchRequest(filter_groups=[], limit=100, after="9950")
    with pytest.raises(contacts.ApiException) as caught:
        client(sandbox).crm.contacts.search_api.do_search(request)
    assert caught.value.status == 400 and "10000" in error_model(caught.value).message


def test_one_contact_per_email_and_unique_link_ids(sandbox: SandboxHandle) -> None:
    batch = client(sandbox).crm.contacts.batch_api
    batch.upsert(upsert_input("a", email="same@example.com"))
    with pytest.raises(contacts.ApiException) as caught:
        batch.upsert(upsert_input("b", email="SAME@example.com"))
    assert caught.value.status == 409 and "Existing ID" in error_model(caught.value).message
    with pytest.raises(contacts.ApiException) as again:
        batch.create(
            BatchInputSimplePublicObjectBatchInputForCreate(
                inputs=[{"properties": {"rapport_id": "a"}, "associations": []}]
            )
        )
    assert again.value.status == 409


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("lifecyclestage", "wizard", "INVALID_OPTION"),
        ("rapport_social_followers", "many", "INVALID_INTEGER"),
        ("email", "not-an-email", "INVALID_EMAIL"),
        ("nope", "x", "PROPERTY_DOESNT_EXIST"),
        ("createdate", "2024-01-01", "READ_ONLY_VALUE"),
    ],
)
def test_property_values_are_validated(sandbox: SandboxHandle, name: str, value: str, code: str) -> None:
    with pytest.raises(contacts.ApiException) as caught:
        client(sandbox).crm.contacts.batch_api.upsert(upsert_input("v", **{name: value}))
    model = error_model(caught.value)
    assert (
        caught.value.status == 400
        and model.errors[0].code == code
        and model.errors[0].context["propertyName"] == [name]
    )


def test_rate_limit_window_answers_429_with_hubspots_headers() -> None:
    handle = start_in_thread(tier="free")
    try:
        with httpx.Client(base_url=handle.base_url, headers={"Authorization": f"Bearer {handle.access_token}"}) as http:
            answers = [http.get("/crm/v3/objects/contacts") for _ in range(101)]
        assert [a.status_code for a in answers[:100]] == [200] * 100
        assert answers[0].headers["X-HubSpot-RateLimit-Max"] == "100"
        assert answers[0].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert answers[99].headers["X-HubSpot-RateLimit-Remaining"] == "0"
        last = answers[100]
        assert last.status_code == 429 and float(last.headers["Retry-After"]) > 0
        assert last.json()["policyName"] == "TEN_SECONDLY_ROLLING" and last.json()["errorType"] == "RATE_LIMIT"
    finally:
        handle.stop()


def test_lastmodifieddate_moves_on_every_write(sandbox: SandboxHandle) -> None:
    batch = client(sandbox).crm.contacts.batch_api
    first = batch.upsert(upsert_input("m", firstname="A")).results[0]
    second = batch.upsert(upsert_input("m", firstname="B")).results[0]
    assert second.id == first.id and second.new is False
    assert second.properties["lastmodifieddate"] > first.properties["lastmodifieddate"]


def test_blank_portal_lacks_rapport_properties() -> None:
    handle = start_in_thread(blank=True)
    try:
        names = {p.name for p in client(handle).crm.properties.core_api.get_all("contacts").results}
        assert "email" in names and not any(n.startswith("rapport_") for n in names)
    finally:
        handle.stop()


def test_injected_outage_uses_hubspots_error_body(sandbox: SandboxHandle) -> None:
    httpx.post(f"{sandbox.base_url}/__sandbox__/faults", json={"fault": "outage", "count": 1}).raise_for_status()
    with pytest.raises(contacts.ApiException) as caught:
        client(sandbox).crm.contacts.basic_api.get_page()
    assert caught.value.status == 502 and json.loads(caught.value.body)["status"] == "error"
