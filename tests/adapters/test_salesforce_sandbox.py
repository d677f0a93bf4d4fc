"""The sandbox answers as Salesforce documents, seen through simple-salesforce over HTTPS (and once through the
real `rapport sandbox salesforce` command)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from adapters.salesforce.sandbox import SandboxHandle, start_in_thread
from tests.adapters.salesforce_harness import Backdoor, door, sandbox

__all__ = ["door", "sandbox"]


def client(handle: SandboxHandle, session_id: str | None = None) -> Salesforce:
    session = requests.Session()
    session.verify = handle.ca_file
    session.trust_env = False
    return Salesforce(
        instance_url=handle.instance_url, session_id=session_id or handle.session_id, session=session, version="59.0"
    )


def test_a_wrong_session_is_refused_as_salesforce_does(sandbox: SandboxHandle, door: Backdoor) -> None:
    with pytest.raises(SalesforceExpiredSession) as caught:
        client(sandbox, "00D000000000000!nope").query("SELECT Id FROM Contact")
    assert caught.value.content == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_record_lifecycle_and_system_fields(sandbox: SandboxHandle, door: Backdoor) -> None:
    sf = client(sandbox)
    created = sf.Contact.create({"LastName": "Novak", "FirstName": "Ana"})
    assert created["success"] and len(created["id"]) == 18 and created["id"].startswith("003")
    first = sf.Contact.get(created["id"])
    assert first["Name"] == "Ana Novak" and first["SystemModstamp"].endswith("+0000")
    assert sf.Contact.update(created["id"], {"Title": "CTO"}) == 204
    assert sf.Contact.get(created["id"][:15])["SystemModstamp"] > first["SystemModstamp"]
    assert sf.Contact.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(created["id"])
    deleted = sf.query_all(f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{created['id']}'", include_deleted=True)
    assert deleted["records"][0]["IsDeleted"] is True


def test_upsert_by_external_id_creates_updates_and_answers_300_on_several_matches(
    sandbox: SandboxHandle, door: Backdoor
) -> None:
    sf = client(sandbox)
    made = sf.Contact.upsert("Rapport_Id__c/lnk_1", {"LastName": "A"}, raw_response=True)
    assert made.status_code == 201 and made.json()["created"] is True
    again = sf.Contact.upsert("Rapport_Id__c/lnk_1", {"LastName": "B"}, raw_response=True)
    assert again.status_code == 200 and again.json()["created"] is False
    door.seed(
        "Contact",
        {"LastName": "C", "Rapport_Customer_Id__c": "cus_1"},
        {"LastName": "D", "Rapport_Customer_Id__c": "cus_1"},
    )
    with pytest.raises(SalesforceMoreThanOneRecord) as caught:
        sf.Contact.upsert("Rapport_Customer_Id__c/cus_1", {"LastName": "E"})
    assert len(caught.value.content) == 2 and caught.value.content[0].startswith(
        "/services/data/v59.0/sobjects/Contact/"
    )
    with pytest.raises(SalesforceMalformedRequest, match="INVALID_FIELD"):
        sf.Contact.upsert("Email/a@example.com", {"LastName": "F"})


def test_collections_limit_per_record_results_and_all_or_none(sandbox: SandboxHandle, door: Backdoor) -> None:
    sf = client(sandbox)
    records = [{"attributes": {"type": "Lead"}, "LastName": f"L{n}", "Company": "Acme"} for n in range(201)]
    with pytest.raises(SalesforceMalformedRequest, match="EXCEEDED_ID_LIMIT"):
        sf.restful("composite/sobjects", method="POST", json={"records": records})
    bad = {"attributes": {"type": "Lead"}, "LastName": "X", "Company": "Acme", "Status": "Bogus"}
    mixed = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": [records[0], bad]})
    assert [r["errors"][0]["statusCode"] for r in mixed] == [
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    ]
    assert door.count("Lead") == 0
    partial = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": [records[0], bad]})
    assert [r["success"] for r in partial] == [True, False] and door.count("Lead") == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"FirstName": "No last name", "Company": "Acme"}, "REQUIRED_FIELD_MISSING"),
        ({"LastName": "x", "Company": "Acme", "Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS"),
        ({"LastName": "x", "Company": "Acme", "Name": "read only"}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"LastName": "x", "Company": "Acme", "Shoe_Size__c": 42}, "INVALID_FIELD"),
        ({"LastName": "x", "Company": "Acme", "NumberOfEmployees": "many"}, "JSON_PARSER_ERROR"),
    ],
)
def test_validation_refuses_what_salesforce_refuses(
    sandbox: SandboxHandle, door: Backdoor, body: dict[str, object], code: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        client(sandbox).Lead.create(body)
    assert caught.value.content[0]["errorCode"] == code


def test_query_pages_by_next_records_url_and_limits_count_every_call(sandbox: SandboxHandle, door: Backdoor) -> None:
    door.seed("Contact", *({"LastName": f"N{n:03d}", "Title": "t" if n % 2 else None} for n in range(300)))
    sf = client(sandbox)
    first = sf.query(
        "SELECT Id, LastName FROM Contact ORDER BY LastName DESC", headers={"Sforce-Query-Options": "batchSize=200"}
    )
    assert len(first["records"]) == 200 and not first["done"] and first["records"][0]["LastName"] == "N299"
    rest = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(rest["records"]) == 100 and rest["done"]
    some = sf.query(
        "SELECT Id FROM Contact WHERE (Title != null AND LastName LIKE 'n0%') OR LastName IN ('N200') LIMIT 10"
    )
    assert some["totalSize"] == 10
    with pytest.raises(SalesforceMalformedRequest, match="MALFORMED_QUERY"):
        sf.query("SELECT Id FROM Contact WHERE")
    before = sf.limits()["DailyApiRequests"]["Remaining"]
    assert sf.limits()["DailyApiRequests"]["Remaining"] == before - 1
    assert sf.api_usage["api-usage"].used == 100_000 - before + 1


def test_state_file_keeps_records_across_restarts(tmp_path: Path) -> None:
    state = str(tmp_path / "org.json")
    with start_in_thread(state_file=state) as first:
        record_id = client(first).Contact.create({"LastName": "Kept"})["id"]
    with start_in_thread(state_file=state) as second:
        assert client(second).Contact.get(record_id)["LastName"] == "Kept"


def test_the_rapport_sandbox_command_prints_what_simple_salesforce_needs() -> None:
    rapport = Path(sys.executable).with_name("rapport")
    process = subprocess.Popen([str(rapport), "sandbox", "salesforce"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        details = json.loads(process.stdout.readline())
        handle = SandboxHandle(details["instance_url"], details["session_id"], details["ca_file"])
        assert client(handle).Contact.describe()["name"] == "Contact"
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_one_external_id_twice_in_a_collection_is_refused_for_both(sandbox: SandboxHandle, door: Backdoor) -> None:
    records = [{"attributes": {"type": "Contact"}, "Rapport_Id__c": key, "LastName": "X"} for key in ("a", "A", "b")]
    body = {"allOrNone": False, "records": records}
    results = client(sandbox).restful("composite/sobjects/Contact/Rapport_Id__c", method="PATCH", json=body)
    assert [r["errors"][0]["statusCode"] if r["errors"] else None for r in results] == [
        "DUPLICATE_EXTERNAL_ID",
        "DUPLICATE_EXTERNAL_ID",
        None,
    ]


def test_bulk_api_2_through_simple_salesforce(sandbox: SandboxHandle, door: Backdoor) -> None:
    sf = client(sandbox)
    records = [{"LastName": f"B{n}", "Company": "Acme", "Rapport_Id__c": f"b{n}"} for n in range(5)]
    records.append({"LastName": "", "Company": "Acme", "Rapport_Id__c": "b5"})
    [job] = sf.bulk2.Lead.upsert(records=records, external_id_field="Rapport_Id__c", wait=0)
    assert job["numberRecordsProcessed"] == 6 and job["numberRecordsFailed"] == 1
    failed = sf.bulk2.Lead.get_failed_records(job["job_id"])
    assert "REQUIRED_FIELD_MISSING" in failed and door.count("Lead") == 5


def test_injected_rate_limit_and_outage_answer_like_salesforce(sandbox: SandboxHandle, door: Backdoor) -> None:
    door.fault("rate_limit")
    door.fault("outage")
    limited = door.api("GET", "limits")
    assert limited.status_code == 403 and limited.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    down = door.api("GET", "limits")
    assert down.status_code == 503 and down.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert door.api("GET", "limits").headers["Sforce-Limit-Info"] == "api-usage=3/100000"


@pytest.mark.parametrize(
    "soql",
    ["SELECT Id FROM Contact LIMIT 1.5", "SELECT Id FROM Nothing__c", "SELECT Id, Account.Name FROM Contact",
     "SELECT COUNT() FROM Contact", "SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:7"],
)  # fmt: skip
def test_queries_outside_the_subset_are_refused_with_400(sandbox: SandboxHandle, door: Backdoor, soql: str) -> None:
    response = door.api("GET", "query", params={"q": soql})
    assert response.status_code == 400 and response.json()[0]["errorCode"] in {
        "MALFORMED_QUERY",
        "INVALID_FIELD",
        "INVALID_TYPE",
    }
