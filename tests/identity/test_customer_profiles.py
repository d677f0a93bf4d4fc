"""Customer-level profiles: the union of a customer's stored records, built for the customers compared only."""

from __future__ import annotations

from dataclasses import replace

from identity.aggregate import customer_profiles
from identity.candidates import Neighbourhood, ProfileCache
from tests.identity.conftest import contact, social

CACHE = ProfileCache(None)
KIM_CRM = replace(contact("crm", "1", first_name="Minsu", last_name="Kim", company="Samsung"), customer_id="cus_kim")
KIM_IG = replace(social("instagram", "9", name="Minsu Kim", location="Seoul"), customer_id="cus_kim")
LEE_CRM = replace(contact("crm", "2", first_name="Jiwoo", last_name="Lee"), customer_id="cus_lee")
LEE_X = replace(social("x", "7", name="Jiwoo Lee", handle="jiwoo.lee"), customer_id="cus_lee")
ALONE = replace(contact("crm", "3", first_name="Ana", last_name="Novak"), customer_id="cus_ana")


def _hood() -> Neighbourhood:
    stored = {r.key: CACHE.get(r) for r in (KIM_CRM, KIM_IG, LEE_CRM, LEE_X, ALONE)}
    return Neighbourhood(batch={}, stored=stored)


def test_the_union_holds_what_each_record_says() -> None:
    first, whole = customer_profiles(_hood(), {"cus_kim"})["cus_kim"]
    assert first == KIM_CRM.key  # the representative: the smallest record key
    assert whole.customer_id == "cus_kim"
    assert whole.profile.companies and whole.profile.cities  # the employer of one, the city of the other
    assert CACHE.get(KIM_CRM).keys | CACHE.get(KIM_IG).keys == whole.keys


def test_only_the_customers_wanted_are_built_and_single_records_never() -> None:
    assert set(customer_profiles(_hood(), {"cus_kim"})) == {"cus_kim"}
    assert set(customer_profiles(_hood(), {"cus_kim", "cus_lee", "cus_ana"})) == {"cus_kim", "cus_lee"}
    assert customer_profiles(_hood(), set()) == {}
