"""Places: a location written in any script or alias becomes one canonical city and a country code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from identity.normalize.missing import clean_text
from identity.normalize.text import fold, strip_symbols, to_ascii


@dataclass(frozen=True, slots=True)
class Place:
    """A normalised location: `city` (canonical name or folded text) and `country` (ISO alpha-2) when known."""

    city: str | None
    country: str | None


@cache
def _tables() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    data = resources.files("identity.data")
    cities = yaml.load(data.joinpath("places.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506  (all scalars as text: "no" is a name)
    countries = yaml.load(data.joinpath("countries.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506  (all scalars as text: "no" is a name)
    city_index: dict[str, tuple[str, str]] = {}
    for canonical, entry in cities.items():
        for name in [canonical, *entry.get("aliases", [])]:
            city_index[_key(str(name))] = (canonical, entry["country"])
            city_index[_key(to_ascii(str(name)))] = (canonical, entry["country"])
    country_index = {_key(str(name)): code for code, names in countries.items() for name in names}
    country_index.update({code.casefold(): code for code in countries})
    return city_index, country_index


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", fold(text))).strip()


@lru_cache(maxsize=50_000)
def _parse_location(text: str) -> Place:
    cities, countries = _tables()
    parts = [_key(part) for part in re.split(r"[,/|·•\-–]| in ", strip_symbols(text)) if _key(part)]
    city: str | None = None
    country: str | None = None
    for part in parts:
        if part in cities and city is None:
            city, country = cities[part][0], country or cities[part][1]
        elif part in countries:
            country = countries[part]
    if city is None and parts and parts[0] not in countries:
        city = cities.get(_key(to_ascii(parts[0])), (to_ascii(parts[0]).strip(), ""))[0] or None
    return Place(city, country)


def normalise_place(value: Any, country_hint: Any = None) -> Place:
    """Canonical city and country of a free-text location ("서울, Korea", "Bombay", "CDMX")."""
    text = clean_text(value)
    place = _parse_location(text) if text else Place(None, None)
    hint = normalise_country(country_hint)
    return Place(place.city, place.country or hint)


def normalise_country(value: Any) -> str | None:
    """ISO alpha-2 code of a country name or code, or None."""
    text = clean_text(value)
    if text is None:
        return None
    _, countries = _tables()
    return countries.get(_key(text)) or (text.upper() if len(text) == 2 and text.isalpha() else None)
