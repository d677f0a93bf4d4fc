"""Comparing what describes a person: city and country, employer, dates, identifiers, postcodes, addresses,
categories."""

from __future__ import annotations

import math
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from identity.pairs import Comparison, Pair, shared_weight
from identity.stats import KeyStats
from identity.weights import Weights


def place_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """City (weighted by how many records live there), else country."""
    a, b = pair.a, pair.b
    shared = sorted(a.cities & b.cities)
    if shared:
        return Comparison("city", "same", _city_weight(pair, stats, w, shared), tuple(shared))
    if a.countries and b.countries and not a.countries & b.countries:
        values = (",".join(sorted(a.countries)), ",".join(sorted(b.countries)))
        return Comparison("country", "different", w.country_differ, values)
    if a.cities and b.cities:
        x, y = min(a.cities), min(b.cities)
        if _typo_apart(x, y):
            return Comparison("city", "one typo", w.city_cap / 2, (x, y))
        return Comparison("city", "different", w.city_differ, (x, y))
    return None


def _city_weight(pair: Pair, stats: KeyStats, w: Weights, shared: list[str]) -> float:
    """How rare the city is among people of this name (names and places go together: many Kims live in Seoul),
    else among everyone."""
    weight = min(stats.surprise(stats.count("city:" + c)) * w.city_scale for c in shared)
    weight = min(weight, _among_namesakes(pair, stats, "np:", "city:"))
    return min(max(weight + w.city_offset, 0.3), w.city_cap)


def _among_namesakes(pair: Pair, stats: KeyStats, prefix: str, value_prefix: str) -> float:
    """How rare the shared value (a city) is among the records of the pair's name tokens, in bits.

    Names and places go together (many Kims live in Seoul): rare as a city is across all records, it is no
    surprise among namesakes. A name seen on a few records only leans on the
    value's frequency among all records (a prior worth `_PRIOR_RECORDS` records).
    """
    bits = float("inf")
    for key in pair.shared(prefix):
        token, _, value = key[len(prefix) :].partition("|")
        everywhere = stats.count(value_prefix + value) / stats.total
        # the pair's own two records are left out: they are what is being judged
        there, namesakes = max(stats.count(key) - 2, 0), max(stats.count("g:" + token) - 2, 0)
        among = (there + _PRIOR_RECORDS * everywhere) / (namesakes + _PRIOR_RECORDS)
        bits = min(bits, -math.log2(min(among, 1.0)))
    return bits


_PRIOR_RECORDS = 10.0


def _typo_apart(x: str, y: str) -> bool:
    """One edit apart (two from eight letters)."""
    shortest = min(len(x), len(y))
    return shortest >= 5 and Levenshtein.distance(x, y, score_cutoff=2) <= (2 if shortest >= 8 else 1)


def company_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Employer, weighted by how many records name it."""
    for x in sorted(pair.a.companies):
        for y in sorted(pair.b.companies):
            if x == y or set(x.split()) <= set(y.split()) or set(y.split()) <= set(x.split()):
                count = max(stats.count("co:" + x), stats.count("co:" + y), 2) - 1
                weight = min(max(stats.surprise(count) * w.company_scale, 0.5), w.company_cap)
                return Comparison("company", "same", weight, (x, y))
    if pair.a.companies and pair.b.companies:
        values = (min(pair.a.companies), min(pair.b.companies))
        return Comparison("company", "different", w.company_differ, values)
    return None


def date_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Dates (of birth): same, one typo or swapped day and month, or different."""
    a, b = pair.a.dates, pair.b.dates
    if not a or not b:
        return None
    shared = sorted(a & b)
    if shared:
        count = min(stats.count("d:" + d) for d in shared)
        return Comparison("date", "same", min(stats.surprise(count), w.date_cap), tuple(shared))
    x, y = min(a), min(b)
    swapped = x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7]
    digits_x, digits_y = x.replace("-", "").lstrip("?"), y.replace("-", "").lstrip("?")
    if swapped or Levenshtein.distance(digits_x, digits_y) <= 1:
        return Comparison("date", "one typo", w.date_close, (x, y))
    return Comparison("date", "different", w.date_differ, (x, y))


def identifier_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Identifiers (national id, customer number): same, one typo away, or different."""
    a, b = pair.a.identifiers, pair.b.identifiers
    if not a or not b:
        return None
    shared = sorted(a & b)
    if shared:
        count = min(stats.count("i:" + i) for i in shared)
        weight = shared_weight(stats, count, w.identifier_bonus, w.identifier_share_cap)
        return Comparison("identifier", "same", weight, tuple(shared))
    x, y = min(a), min(b)
    if Levenshtein.distance(x, y) <= 2 and min(len(x), len(y)) >= 5:
        return Comparison("identifier", "one typo", w.identifier_close, (x, y))
    return Comparison("identifier", "different", w.identifier_differ, (x, y))


def postcode_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Postcodes, weighted by how many records share them."""
    a, b = pair.a.postcodes, pair.b.postcodes
    if not a or not b:
        return None
    shared = sorted(a & b)
    if not shared:
        x, y = min(a), min(b)
        if len(x) == len(y) and Levenshtein.distance(x, y) <= 1:
            return Comparison("postcode", "one typo", w.postcode_scale, (x, y))
        return Comparison("postcode", "different", w.postcode_differ, (x, y))
    counts = [stats.rarest(k for k in pair.shared("pc:") if k.startswith(f"pc:{p}|")) for p in shared]
    weight = min(max(stats.surprise(min(counts)) * w.postcode_scale, 0.5), w.postcode_cap)
    return Comparison("postcode", "same", weight, tuple(shared))


def address_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Street addresses by token-set similarity; the whole address (number, street, locality) agreeing is
    far rarer than one of its parts."""
    a, b = pair.a.addresses, pair.b.addresses
    if not a or not b:
        return None
    if min(len(a), len(b)) >= 2 and fuzz.token_sort_ratio(" ".join(a), " ".join(b)) >= w.whole_address_floor:
        return Comparison("address", "whole address", w.whole_address, (" ".join(a), " ".join(b)))
    same_part = not set(a).isdisjoint(b)  # the common case, without fuzzy matching
    similarity = 100.0 if same_part else max(fuzz.token_set_ratio(x, y) for x in a for y in b)
    for floor, weight in w.address_levels:
        if similarity >= floor:
            return Comparison("address", f"similarity >= {floor:g}", weight, (a[0], b[0]))
    return Comparison("address", "different", w.address_differ, (a[0], b[0]))


def _column(category: str) -> str:
    return category.split("=", 1)[0]


@lru_cache(maxsize=10_000)
def _columns(categories: frozenset[str]) -> dict[str, str]:
    return {_column(c): c for c in categories}


def category_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Categorical columns (state, gender): agreement is weak evidence, disagreement a little against."""
    a, b = pair.a.categories, pair.b.categories
    if not a or not b:
        return None
    columns = _columns(a).keys() & _columns(b).keys()
    if not columns:
        return None
    differ = sorted(c for c in a if _column(c) in columns and c not in b)
    weight = w.category_differ * len(differ) if differ else w.category_agree
    return Comparison("category", "different" if differ else "same", weight, tuple(differ))
