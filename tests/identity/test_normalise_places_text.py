"""Places, companies and the evidence written in bios."""

from __future__ import annotations

import pytest

from identity.normalize.bio import extract_bio
from identity.normalize.companies import normalise_company
from identity.normalize.places import normalise_country, normalise_place


@pytest.mark.parametrize(
    ("raw", "city", "country"),
    [
        ("서울", "seoul", "KR"),
        ("Seoul, South Korea 🇰🇷", "seoul", "KR"),
        ("Bombay", "mumbai", "IN"),
        ("मुंबई", "mumbai", "IN"),
        ("CDMX", "mexico city", "MX"),
        ("Ciudad de México", "mexico city", "MX"),
        ("Springfield", "springfield", None),
    ],
)
def test_places_are_canonical(raw: str, city: str, country: str | None) -> None:
    place = normalise_place(raw)
    assert (place.city, place.country) == (city, country)


def test_country_names_and_codes() -> None:
    assert normalise_country("South Korea") == "KR"
    assert normalise_country("mx") == "MX"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Samsung Electronics Co., Ltd.", "samsung electronics"),
        ("ACME Corp", "acme"),
        ("Grupo Bimbo S.A.B. de C.V.", "grupo bimbo"),
        ("self-employed", None),
        ("n/a", None),
    ],
)
def test_companies_lose_legal_forms(raw: str, expected: str | None) -> None:
    assert normalise_company(raw) == expected


def test_bio_evidence() -> None:
    bio = "IG: @minsu.kim | Working @ Samsung Electronics. 📧 Minsu.Kim@naver.com ☎ 010-1234-5678 minsukim.dev"
    evidence = extract_bio(bio, "KR")
    assert evidence.emails == ["minsu.kim@naver.com"]
    assert evidence.phones == ["+821012345678"]
    assert ("instagram", "minsu.kim") in evidence.profiles
    assert evidence.employers == ["samsung electronics"]
    assert "minsukim.dev" in evidence.websites


def test_bio_profile_urls_and_link_pages() -> None:
    evidence = extract_bio("tiktok.com/@minsu_k · linktr.ee/minsu.kim · SWE @ Kakao")
    assert evidence.profiles == [("tiktok", "minsu_k")]
    assert evidence.websites == ["linktr.ee/minsu.kim"]
    assert evidence.employers == ["kakao"]


def test_mentions_of_others_are_not_claimed() -> None:
    assert extract_bio("photos by @otherguy").profiles == []
