"""Who the engine joins: across scripts and networks, with evidence for every link."""

from __future__ import annotations

from identity.engine import IdentityEngine
from tests.identity.conftest import contact, run, social, together


def test_cross_script_profiles_with_place_and_employer_join(engine: IdentityEngine) -> None:
    store = run(
        engine,
        [
            social(
                "instagram",
                "1",
                name="김민수 | Travel 📸",
                handle="minsu.kim",
                location="서울",
                bio="Working @ Samsung Electronics",
            ),
            contact(
                "sf",
                "1",
                first_name="Min-soo",
                last_name="Kim",
                city="Seoul",
                country="KR",
                company="Samsung Electronics Co., Ltd.",
            ),
        ],
    )
    assert together(store, "social_profile:instagram:1", "contact:sf:1")


def test_an_arabic_script_profile_joins_its_latin_crm_contact(engine: IdentityEngine) -> None:
    arabic = social(
        "instagram", "1", name="محمد علي", handle="mohamed.ali.eg", location="Cairo", bio="Engineer @ Orange Egypt"
    )
    latin = contact("sf", "1", first_name="Muhammad", last_name="Aly", city="Cairo", company="Orange Egypt")
    namesake = contact("sf", "2", first_name="Mohamed", last_name="Hassan", city="Cairo", company="Orange Egypt")
    store = run(engine, [arabic, latin, namesake])
    assert together(store, arabic.key, latin.key)
    assert not together(store, arabic.key, namesake.key)


def test_cross_link_in_a_bio_joins_accounts(engine: IdentityEngine) -> None:
    store = run(
        engine,
        [
            social("x", "7", name="Minsu", handle="mkim7", bio="IG: @minsu.kim"),
            social("instagram", "1", name="김민수", handle="minsu.kim"),
        ],
    )
    assert together(store, "social_profile:x:7", "social_profile:instagram:1")


def test_email_in_any_case_joins_crm_duplicates(engine: IdentityEngine) -> None:
    store = run(
        engine,
        [
            contact("sf", "1", first_name="Pooja", last_name="Sharma", email="Pooja.Sharma@Gmail.com"),
            contact("hs", "9", first_name="Puja", last_name="Sharma", email="POOJASHARMA@gmail.com"),
            contact("sf", "2", first_name="Puja", last_name="Sharma", email="pooja.sharma@gmail.com"),
        ],
    )
    assert together(store, "contact:sf:1", "contact:hs:9", "contact:sf:2")


def test_every_link_is_explained() -> None:
    engine = IdentityEngine()
    records = [
        contact("sf", "1", first_name="Ana", last_name="Kovačič", email="ana@kovacic.si", city="Ljubljana"),
        contact("hs", "2", first_name="Ana", last_name="Kovacic", email="ANA@kovacic.si"),
    ]
    store = run(engine, records[:1])
    resolution = engine.resolve(records[1:], store)
    link = resolution.links["contact:hs:2"]
    assert link.rule == "email"
    assert link.matched == "contact:sf:1"
    fields = {c["field"]: c for c in link.evidence["comparisons"]}
    assert fields["email"]["level"] == "same" and fields["email"]["weight"] > 0
    assert fields["name"]["values"] == ["ana", "kovacic"]
    assert link.evidence["total"] >= link.evidence["threshold"]


def test_new_record_has_a_new_customer(engine: IdentityEngine) -> None:
    store = run(engine, [])
    resolution = engine.resolve([social("tiktok", "5", name="Luka Horvat", handle="lukah")], store)
    assert resolution.clusters[0].customer_id is None
    assert resolution.links["social_profile:tiktok:5"].rule == "new"


def test_reingested_record_keeps_its_customer() -> None:
    engine = IdentityEngine()
    record = contact("sf", "1", first_name="Ana", last_name="Novak", email="ana.novak@gmail.com")
    store = run(engine, [record])
    from dataclasses import replace

    again = replace(record, customer_id=store.customer_of(record.key))
    resolution = engine.resolve([again], store)
    assert resolution.clusters[0].customer_id == store.customer_of(record.key)
    assert resolution.links[record.key].rule == "same_record"


def test_a_new_record_is_compared_with_the_whole_customer(engine: IdentityEngine) -> None:
    customer = [
        contact("sf", "1", first_name="Žiga", last_name="Zupančič", email="ziga.z@gmail.com", company="Outfit7"),
        social("x", "1", name="Žiga Zupančič", handle="zigaz", bio="ziga.z@gmail.com", location="Koper"),
    ]
    store = run(engine, customer)
    newcomer = social("tiktok", "3", name="Ziga Zupancic", handle="zz_koper", location="Koper", bio="Dev @ Outfit7")
    resolution = engine.resolve([newcomer], store)
    assert resolution.clusters[0].customer_id == store.customer_of("contact:sf:1")
    fields = {c["field"] for c in resolution.links[newcomer.key].evidence["comparisons"]}
    assert {"name", "city", "company"} <= fields
