"""Guardrails: shared mailboxes, household phones, namesakes, ambiguity, vetoes, do-not-link."""

from __future__ import annotations

from identity.engine import IdentityEngine
from tests.identity.conftest import contact, run, social, together


def test_shared_role_mailbox_does_not_merge_colleagues(engine: IdentityEngine) -> None:
    store = run(
        engine,
        [
            contact("sf", "1", first_name="Ana", last_name="Novak", email="info@krka.si", company="Krka"),
            contact("sf", "2", first_name="Luka", last_name="Horvat", email="info@krka.si", company="Krka"),
            contact("hs", "3", first_name="Maja", last_name="Zupan", email="INFO@krka.si", company="Krka"),
        ],
    )
    assert len({store.customer_of(f"contact:{s}:{n}") for s, n in (("sf", 1), ("sf", 2), ("hs", 3))}) == 3


def test_mailbox_shared_by_many_stops_being_evidence(engine: IdentityEngine) -> None:
    people = [
        ("Ana", "Novak"),
        ("Luka", "Horvat"),
        ("Maja", "Zupan"),
        ("Jure", "Kos"),
        ("Nina", "Turk"),
        ("Rok", "Vidmar"),
        ("Eva", "Golob"),
        ("Tadej", "Kralj"),
    ]
    records = [
        contact("sf", str(n), first_name=g, last_name=f, email="office.ljubljana@petrol.si")
        for n, (g, f) in enumerate(people)
    ]
    store = run(engine, records)
    assert len({store.customer_of(r.key) for r in records}) == len(records)


def test_household_landline_does_not_merge_family(engine: IdentityEngine) -> None:
    store = run(
        engine,
        [
            contact("sf", "1", first_name="Minsu", last_name="Kim", phone="02-555-1234", country="KR"),
            contact("sf", "2", first_name="Jiwoo", last_name="Kim", phone="+82 2 555 1234", country="KR"),
            contact("hs", "3", first_name="Minsu", last_name="Kim", phone="02 555 1234", country="KR"),
        ],
    )
    assert not together(store, "contact:sf:1", "contact:sf:2")
    assert together(store, "contact:sf:1", "contact:hs:3")


def test_namesakes_in_one_city_stay_apart(engine: IdentityEngine) -> None:
    records = [
        social("instagram", str(n), name="Kim Minsu", handle=f"user{n}x", location="Seoul") for n in range(6)
    ] + [contact("sf", str(n), first_name="Minsu", last_name="Kim", city="Seoul") for n in range(6)]
    store = run(engine, records)
    assert len({store.customer_of(r.key) for r in records}) == len(records)


def test_two_accounts_on_one_network_never_merge(engine: IdentityEngine) -> None:
    store = run(
        engine,
        [
            social("instagram", "1", name="Ana Novak", handle="ana.novak", bio="ana@novak.si"),
            social("instagram", "2", name="Ana Novak", handle="ana.novak.art", bio="ana@novak.si"),
        ],
    )
    assert not together(store, "social_profile:instagram:1", "social_profile:instagram:2")


def test_ambiguous_record_joins_neither_and_goes_to_review(engine: IdentityEngine) -> None:
    twins = [
        contact("sf", "1", first_name="Jiwoo", last_name="Parkinson", city="Busan", company="Nova Labs"),
        contact("hs", "1", first_name="Jiwoo", last_name="Parkinson", city="Busan", company="Nova Labs"),
    ]
    store = run(engine, twins)
    store.split("contact:hs:1")  # a person said these are two people
    newcomer = social("x", "9", name="Jiwoo Parkinson", handle="jwp", location="Busan", bio="Working @ Nova Labs")
    resolution = engine.resolve([newcomer], store)
    assert [item.record_key for item in resolution.review] == ["social_profile:x:9"]
    expected = {store.customer_of("contact:sf:1"), store.customer_of("contact:hs:1")}
    assert set(resolution.review[0].candidates) == expected
    assert resolution.clusters[0].customer_id is None


def test_split_record_never_merges_again(engine: IdentityEngine) -> None:
    records = [
        contact("sf", "1", first_name="Ana", last_name="Novak", email="ana.novak@gmail.com"),
        contact("hs", "1", first_name="Ana", last_name="Novak", email="ana.novak@gmail.com"),
    ]
    store = run(engine, records)
    assert together(store, "contact:sf:1", "contact:hs:1")
    store.split("contact:hs:1")
    again = [r for r in records if r.key == "contact:hs:1"]
    from dataclasses import replace

    batch = [replace(again[0], customer_id=store.customer_of("contact:hs:1"))]
    store.apply(batch, engine.resolve(batch, store), engine)
    assert not together(store, "contact:sf:1", "contact:hs:1")
    newcomer = [contact("sf", "2", first_name="Ana", last_name="Novak", email="ana.novak@gmail.com")]
    store.apply(newcomer, engine.resolve(newcomer, store), engine)
    assert not together(store, "contact:sf:1", "contact:hs:1")


def test_no_chaining_through_a_weak_middle(engine: IdentityEngine) -> None:
    store = run(
        engine,
        [
            contact(
                "sf", "1", first_name="Minsu", last_name="Kim", email="minsu@x.kr", phone="010-1111-2222", country="KR"
            ),
            contact(
                "sf", "2", first_name="Minji", last_name="Kim", email="minji@x.kr", phone="010-1111-2222", country="KR"
            ),
            social("instagram", "5", name="M. Kim", handle="mkim", bio="minsu@x.kr minji@x.kr"),
        ],
    )
    assert not together(store, "contact:sf:1", "contact:sf:2")
