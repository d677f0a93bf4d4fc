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
