"""People, their records (social profiles and CRM contacts) and the traps of real data."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from bench.data_gen.markets import MARKET_SHARES, MARKETS, Market
from bench.data_gen.syllables import compose, native, written

NETWORKS = ["instagram", "x", "tiktok", "linkedin", "facebook", "youtube"]
CRMS = ["sf", "hs"]
DECORATIONS = ["📸", "✈️", "🌸", "| Travel 📸", "✨", "| Foodie", "🇰🇷", "· Photography", "🎵", "| Official", "💻"]
WORDS = ["sunny", "blue", "coffee", "moon", "pixel", "tiger", "happy", "ocean", "star", "lucky", "wander", "mango"]


@dataclass
class Person:
    """One real person: the truth behind several records."""

    pid: int
    market: Market
    family: int
    given: int
    city: int
    company: str
    personal_email: str
    mobile: str
    base_handle: str
    work_email: str = ""
    syllables: list[int] = field(default_factory=list)  # composed given name, when the market composes
    system: int = 0  # the romanization the person mostly uses
    landline: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)


def _zipf(rng: random.Random, n: int, s: float = 1.0) -> int:
    weights = [1 / (i + 1) ** s for i in range(n)]
    return rng.choices(range(n), weights)[0]


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def _spelling(rng: random.Random, spellings: list[str]) -> str:
    return spellings[0] if rng.random() < 0.55 else rng.choice(spellings)


def given_native(p: Person) -> str:
    """The person's given name in their own script."""
    if p.market.syllables:
        return native(p.market.syllables, p.syllables)
    return p.market.given[p.given][0]


def _latin_parts(rng: random.Random, p: Person) -> tuple[str, str]:
    m = p.market
    family = _spelling(rng, m.surnames[p.family][1])
    formal = m.given[p.given][0]
    if m.syllables:
        system = p.system if rng.random() < 0.7 else 1 - p.system
        given = written(rng, m.syllables, p.syllables, system)
    else:
        given = _spelling(rng, m.given[p.given][1])
    if not m.syllables and formal in m.nicknames and rng.random() < 0.3:
        given = rng.choice(m.nicknames[formal])
    return given, family


def _handle(rng: random.Random, p: Person, given: str, family: str) -> str:
    g, f = _ascii(given).replace("-", "").replace(" ", ""), _ascii(family).replace("'", "").replace(" ", "")
    n = rng.randint(1, 99)
    patterns = [
        f"{g}.{f}",
        f"{f}{g}{n}",
        f"{g[0]}{f}{n}",
        f"the{g}{f}",
        f"{g}_{f}",
        f"{g}{f}",
        f"{rng.choice(WORDS)}_{g}{n}",
        f"{rng.choice(WORDS)}{rng.choice(WORDS)}{n}",
    ]
    return rng.choice(patterns)


def _display_name(rng: random.Random, p: Person) -> str:
    m = p.market
    native_family, native_given = m.surnames[p.family][0], given_native(p)
    given, family = _latin_parts(rng, p)
    roll = rng.random()
    if m.code in ("ko", "zh", "hi") and roll < 0.35:
        name = native_family + native_given if m.code != "hi" else f"{native_given} {native_family}"
    elif roll < 0.5:
        name = f"{family} {given}" if m.family_first else f"{given} {family}"
    elif roll < 0.58:
        name = given
    elif roll < 0.64:
        name = f"{given} {family[0]}."
    elif roll < 0.7:
        name = f"{family.upper()} {given}"
    else:
        name = f"{given} {family}"
    if rng.random() < 0.2:
        name = f"{name} {rng.choice(DECORATIONS)}"
    return name


def _phone_format(rng: random.Random, phone: str, market: Market) -> str:
    digits = phone.replace(" ", "")
    national = "0" + digits[len(market.phone_prefix.split()[0]) :] if market.code != "en" else digits[2:]
    choice = rng.random()
    if choice < 0.4:
        return phone
    if choice < 0.7:
        return national if market.code != "en" else f"({national[:3]}) {national[3:6]}-{national[6:]}"
    return digits


def _city(rng: random.Random, p: Person) -> str:
    return rng.choice(p.market.cities[p.city])


def _bio(rng: random.Random, p: Person, others: list[tuple[str, str]]) -> str:
    parts = []
    if others and rng.random() < 0.2:
        network, handle = rng.choice(others)
        labels = {"instagram": "IG", "x": "tw", "tiktok": "TikTok", "linkedin": "linkedin.com/in/", "youtube": "yt"}
        label = labels.get(network, "fb")
        parts.append(f"{label}{handle}" if label.endswith("/") else f"{label}: @{handle}")
    if rng.random() < 0.15:
        parts.append(rng.choice(["Working @ ", "Engineer at ", "PM @ ", "Designer at "]) + p.company)
    if rng.random() < 0.08:
        parts.append(f"📧 {p.personal_email}")
    if rng.random() < 0.05:
        parts.append(f"☎ {_phone_format(rng, p.mobile, p.market)}")
    parts.append(rng.choice(["coffee lover", "dreamer", "opinions are my own", "🌏", "", "life is good"]))
    return " | ".join(part for part in parts if part)


def _social(rng: random.Random, p: Person, network: str, uid: int, others: list[tuple[str, str]]) -> dict[str, Any]:
    given, family = _latin_parts(rng, p)
    handle = p.base_handle if rng.random() < 0.45 else _handle(rng, p, given, family)
    if rng.random() < 0.1:
        handle = handle + rng.choice(["_", ".", "x", "_official"])
    record: dict[str, Any] = {
        "type": "social_profile",
        "network": network,
        "id": str(uid),
        "handle": handle,
        "name": _display_name(rng, p) if rng.random() > 0.04 else "",
        "bio": _bio(rng, p, others),
        "location": _city(rng, p) if rng.random() < 0.65 else rng.choice(["", "n/a", "🌍"]),
        "followers": rng.randint(0, 50000),
    }
    if rng.random() < 0.03:
        record["website"] = f"https://{_ascii(given)}{_ascii(family)}{p.pid}.com".replace(" ", "")
    return record


def _contact(rng: random.Random, p: Person, system: str, uid: int) -> dict[str, Any]:
    given, family = _latin_parts(rng, p)
    company = p.company
    roll = rng.random()
    email = p.personal_email if roll < 0.5 else p.work_email if roll < 0.8 else ""
    if email and rng.random() < 0.3:
        email = email.upper() if rng.random() < 0.3 else email.capitalize()
    if rng.random() < 0.03:
        email = f"info@{company.split()[0].lower()}.com"
    phone = _phone_format(rng, p.mobile, p.market) if rng.random() < 0.6 else ""
    if p.landline and rng.random() < 0.8:
        phone = p.landline
    if rng.random() < 0.03:
        phone = rng.choice(["n/a", "-1", "0000000"])
    return {
        "type": "contact",
        "system": system,
        "id": str(uid),
        "first_name": given,
        "last_name": family,
        "email": email or rng.choice(["", "", "none", "test@test.com"]),
        "phone": phone,
        "city": _city(rng, p) if rng.random() < 0.7 else "",
        "country": p.market.country,
        "company": company if rng.random() < 0.7 else "",
        "title": rng.choice(["Manager", "Engineer", "Analyst", "Director", ""]),
    }


_COMPANY_WORDS = ["Blue", "Nova", "Apex", "Green", "Bright", "Lotus", "Summit", "Pixel", "River", "Golden", "Orbit",
                  "Cedar", "Delta", "Vertex", "Maple", "Coral", "Quantum", "Harbor", "Falcon", "Sakura"]  # fmt: skip
_COMPANY_KINDS = ["Labs", "Foods", "Logistics", "Studio", "Bank", "Motors", "Pharma", "Media", "Systems", "Retail"]


def _company(rng: random.Random, market: Market) -> str:
    """Big employers are common; most people work for one of many smaller companies."""
    if rng.random() < 0.35:
        return market.companies[_zipf(rng, len(market.companies))]
    return f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_KINDS)}"


def make_person(rng: random.Random, pid: int, taken: set[str]) -> Person:
    """A person of a random market, with identifiers of their own (`taken`: work emails already given)."""
    market = rng.choices(MARKETS, MARKET_SHARES)[0]
    family, given = _zipf(rng, len(market.surnames), 0.9), _zipf(rng, len(market.given), 0.7)
    city = _zipf(rng, len(market.cities), 1.2)
    company = _company(rng, market)
    p = Person(pid, market, family, given, city, company, "", "", "")
    if market.syllables:
        p.syllables = compose(rng, market.syllables, (2, 2, 2, 1) if market.code == "zh" else (2,))
        p.system = 0 if rng.random() < 0.7 else 1
    g, f = (_ascii(x).replace("-", "").replace("'", "").replace(" ", "") for x in _latin_parts(rng, p))
    p.personal_email = (
        f"{rng.choice([g + f, g + '.' + f, f + g, g[0] + f])}{rng.randint(1, 9999)}@{rng.choice(market.mail_domains)}"
    )
    p.mobile = f"{market.phone_prefix} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    p.base_handle = _handle(rng, p, *_latin_parts(rng, p))
    work = f"{g}.{f}"
    domain = p.company.split()[0].lower().replace(".com", "")
    suffix = 1
    while f"{work}@{domain}.com" in taken:
        suffix += 1
        work = f"{g}.{f}{suffix}"
    p.work_email = f"{work}@{domain}.com"
    taken.add(p.work_email)
    return p
