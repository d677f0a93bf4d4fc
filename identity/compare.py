"""Pairwise comparison: one weighted `Comparison` per field, summed into a `PairScore` with its rule.

Every comparison keeps the level and the values it saw, so a link can be explained to a CRM admin.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein

from identity.keys import name_concat_keys
from identity.namematch import EXACT, FUZZY, LEVEL_NAMES, VARIANT, NameMatch, compare_name_ids, token_level
from identity.normalize.emails import is_free_provider
from identity.normalize.handles import handle_core
from identity.normalize.names import latin_token
from identity.normalize.text import skeleton
from identity.profile import Profile
from identity.stats import KeyStats
from identity.weights import Weights

RULE_PRIORITY = ("same_account", "crosslink", "email", "phone", "identifier", "handle")


def _cents(value: float) -> float:
    """`value` rounded to two decimals (cheaper than `round` on this hot path)."""
    return math.floor(value * 100 + 0.5) / 100


@dataclass(frozen=True, slots=True)
class Comparison:
    """One field's agreement: the level reached, its weight in bits, and the values compared."""

    field: str
    level: str
    weight: float
    values: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for `LinkDecision.evidence`."""
        return {"field": self.field, "level": self.level, "weight": _cents(self.weight), "values": list(self.values)}


@dataclass(slots=True)
class PairScore:
    """The score of two records: posterior log-odds (bits), the rule that links them, and why."""

    total: float
    rule: str
    name: NameMatch
    comparisons: list[Comparison] = field(default_factory=list)
    veto: str | None = None

    @property
    def weight_of_evidence(self) -> float:
        """The comparisons' weights without the prior: what the two records say, whatever the data's size."""
        return sum(c.weight for c in self.comparisons)

    def evidence(self, threshold: float) -> dict[str, Any]:
        """The explanation stored with a link."""
        return {
            "comparisons": [c.as_dict() for c in self.comparisons],
            "total": _cents(self.total),
            "threshold": threshold,
            "veto": self.veto,
        }


@dataclass(frozen=True, slots=True)
class Pair:
    """Two profiles with the keys they are indexed under."""

    a: Profile
    b: Profile
    keys_a: frozenset[str]
    keys_b: frozenset[str]
    common: frozenset[str] = field(init=False)
    _by_prefix: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "common", self.keys_a & self.keys_b)
        object.__setattr__(self, "_by_prefix", {})  # filled as comparers ask: most pairs need a few prefixes

    def shared(self, prefix: str) -> list[str]:
        """Keys with this prefix (up to its colon) both records carry, sorted."""
        found = self._by_prefix.get(prefix)
        if found is None:
            found = self._by_prefix[prefix] = sorted(key for key in self.common if key.startswith(prefix))
        return found

    def own(self, prefix: str) -> tuple[list[str], list[str]]:
        """Keys with this prefix of each record."""
        return ([k for k in self.keys_a if k.startswith(prefix)], [k for k in self.keys_b if k.startswith(prefix)])


def _shared_weight(stats: KeyStats, count: int, bonus: float, cap: int) -> float:
    """Weight of an identifier held by `count` records: strong when it is theirs alone, nothing past `cap`."""
    if count > cap:
        return 0.0
    return stats.surprise(max(count - 1, 1)) + bonus - 2.0 * max(count - 3, 0)


def name_pair_count(stats: KeyStats, keys: list[str]) -> int:
    """Records carrying the name two records share, counted under the broadest key they share: a name's
    spellings and scripts (Seosu, Suhsoo, 서수) are one name, and counting only one spelling would make a common
    name look rare."""
    return max(stats.count(key) for key in keys)


def namesakes_of(count: float, w: Weights) -> float:
    """Other people expected to carry a name `count` records carry: neither the record itself nor, on average,
    the person's other records are namesakes (a person has several profiles under one name)."""
    return max(count - 1 - w.own_records, w.namesakes_floor)


def name_comparison(pair: Pair, stats: KeyStats, w: Weights) -> tuple[NameMatch, Comparison | None]:
    """Names, weighted by the rarity of the agreeing name."""
    match = compare_name_ids(pair.a.names_id, pair.b.names_id, pair.a.names, pair.b.names)
    if match.outcome == "missing":
        return match, None
    values = tuple(sorted(match.matched))
    if match.outcome in ("conflict", "different"):
        weight = w.name_conflict if match.outcome == "conflict" else w.name_different
        return match, Comparison("name", match.outcome, weight * (0.3 if match.derived else 1.0), values)
    prefix = {"full": "n:", "initial": "ni:", "single": "g:"}[match.outcome]
    shared = pair.shared(prefix)
    own_a, own_b = pair.own(prefix)
    if not shared:
        count: float = max(stats.rarest(own_a), stats.rarest(own_b))
    else:
        count = name_pair_count(stats, shared) if prefix == "n:" else stats.rarest(shared)
    namesakes = namesakes_of(count, w)
    if match.outcome == "full":
        offset = {EXACT: w.name_exact, VARIANT: w.name_variant, FUZZY: w.name_fuzzy}[match.quality]
        level = LEVEL_NAMES[match.quality]
        if match.extra:
            offset += w.name_extra_token
            level += ", one name has a further part"
    else:
        offset = w.name_initial if match.outcome == "initial" else w.name_single
        level = "initial" if match.outcome == "initial" else "one name only"
    weight = max(stats.surprise(namesakes) + offset, 0.5)
    if match.derived:
        weight *= w.name_guessed_factor
        level += " (guessed from handle)"
    return match, Comparison("name", level, weight, values)


def email_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Personal emails; one shared by many records (a mailbox) stops being evidence."""
    shared = sorted(pair.a.emails & pair.b.emails)
    if shared:
        count = min(stats.count("e:" + e) for e in shared)
        weight = _shared_weight(stats, count, w.email_bonus, w.identifier_share_cap)
        return Comparison("email", "same" if weight else "shared by many (ignored)", weight, tuple(shared))
    if pair.a.emails and pair.b.emails:
        return _different_emails(pair.a.emails, pair.b.emails, w)
    return None


COLLEAGUES = "different address, same company domain"


def _different_emails(a: frozenset[str], b: frozenset[str], w: Weights) -> Comparison:
    """Different addresses: at one company's own domain they are two employees; elsewhere, maybe one person's."""
    domains = {e.rpartition("@")[2] for e in a} & {e.rpartition("@")[2] for e in b}
    own = sorted(d for d in domains if not is_free_provider(d))
    if own:
        x, y = (min(e for e in emails if e.endswith("@" + own[0])) for emails in (a, b))
        return Comparison("email", COLLEAGUES, w.email_colleague, (x, y))
    if domains:
        return Comparison("email", "different address, same provider", w.email_same_provider, (min(a), min(b)))
    return Comparison("email", "different", w.email_differ, (min(a), min(b)))


def phone_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """E.164 phones, or their last digits when one side's region is unknown."""
    shared = sorted(pair.a.phones & pair.b.phones)
    if shared:
        count = min(stats.count("p:" + p) for p in shared)
        weight = _shared_weight(stats, count, w.phone_bonus, w.identifier_share_cap)
        return Comparison("phone", "same" if weight else "shared by many (ignored)", weight, tuple(shared))
    tails = sorted(pair.a.phone_tails & pair.b.phone_tails)
    if tails:
        count = min(stats.count("pt:" + t) for t in tails)
        weight = _shared_weight(stats, count, w.phone_tail, w.identifier_share_cap)
        return Comparison("phone", "same last digits", weight, tuple(tails))
    if pair.a.phone_tails and pair.b.phone_tails:
        return Comparison("phone", "different", w.phone_differ, (min(pair.a.phone_tails), min(pair.b.phone_tails)))
    return None


def account_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Same account on one network, or a record that names the other's account (a cross-link)."""
    a, b = pair.a, pair.b
    same = sorted(a.handles & b.handles)
    if same:
        return Comparison("account", "same account", stats.surprise(1) + w.account_bonus, (_fmt(same[0]),))
    links = sorted((a.claimed & (b.handles | b.claimed)) | (b.claimed & a.handles))
    if links:
        count = min(stats.count(f"a:{n}:{h}") for n, h in links)
        weight = _shared_weight(stats, count, w.crosslink_bonus, w.identifier_share_cap)
        return Comparison("account", "cross-link", weight, tuple(_fmt(link) for link in links))
    return None


def _fmt(account: tuple[str, str]) -> str:
    return f"{account[0]}:@{account[1]}"


def handle_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """The same handle on two networks, similar handles, or a handle spelling the other's name."""
    shared = pair.shared("h:")
    if shared:
        count = stats.rarest(shared)
        if _spells_name(pair, [k[2:] for k in shared]):
            # Namesakes pick the same name-made handles on other networks: this says little beyond the name.
            weight = w.handle_of_name
            return Comparison("handle", "same handle, made of the name", weight, tuple(k[2:] for k in shared))
        weight = min(
            _shared_weight(stats, count, w.handle_bonus, w.identifier_share_cap), _handle_rarity(stats, shared)
        )
        return Comparison("handle", "same handle", weight, tuple(k[2:] for k in shared))
    cores_a, cores_b = pair.a.handle_cores, pair.b.handle_cores
    for x in sorted(cores_a):
        for y in sorted(cores_b):
            similar = min(len(x), len(y)) >= 6 and JaroWinkler.similarity(x, y) >= 0.93
            if similar and not _spells_name(pair, [x, y]):  # namesakes' handles look alike too
                return Comparison("handle", "similar handle", w.handle_similar, (x, y))
    return None


def _handle_rarity(stats: KeyStats, keys: list[str]) -> float:
    """How rare a handle is by its make-up: its letters as often as they are seen (`psharma`, `coffeemoon` are
    common), plus what its digits add (two digits tell 100 people apart). Two people pick `psharma83` far more
    often than the handle's own count suggests."""
    best = 0.0
    for key in keys:
        handle = key[2:]
        core = handle_core(handle)
        digits = sum(ch.isdigit() for ch in handle)
        letters = stats.surprise(stats.count("c:" + core)) if len(core) >= 3 else 0.0
        best = max(best, letters + _DIGIT_BITS * digits)
    return best


_DIGIT_BITS = 2.0  # less than log2(10): people pick birth years, lucky numbers, 1 and 7
_CONCAT: dict[int, frozenset[str]] = {}
_SPELLINGS: dict[int, frozenset[str]] = {}


def _concat_of(profile: Profile) -> frozenset[str]:
    found = _CONCAT.get(profile.names_id)
    if found is None:
        found = _CONCAT[profile.names_id] = frozenset(name_concat_keys(profile) | _guessed_concat(profile))
    return found


def _guessed_concat(profile: Profile) -> set[str]:
    """`c:` keys of names guessed from a handle: a handle a name could be read from is made of a name."""
    keys: set[str] = set()
    for form in profile.names:
        tokens = form.full_tokens()
        if form.derived and len(tokens) == 2:
            keys |= {"c:" + tokens[0].text + tokens[1].text, "c:" + tokens[1].text + tokens[0].text}
    return keys


def _spellings_of(profile: Profile) -> frozenset[str]:
    found = _SPELLINGS.get(profile.names_id)
    if found is None:
        tokens = [t for form in profile.names if not form.derived for t in form.tokens]
        found = frozenset(k for t in tokens for k in t.keys if len(k) >= 4 and k[0] not in "#~")
        _SPELLINGS[profile.names_id] = found
    return found


def _spells_name(pair: Pair, handles: list[str]) -> bool:
    """Whether a handle is made of its owner's name (namesakes often pick the same one)."""
    cores = {"c:" + handle_core(h) for h in handles}
    if cores & (_concat_of(pair.a) | _concat_of(pair.b)):
        return True
    tokens = [t for form in (*pair.a.names, *pair.b.names) if not form.derived for t in form.tokens]
    spellings = _spellings_of(pair.a) | _spellings_of(pair.b)
    for handle in handles:
        spelled = skeleton(handle_core(handle))
        if any(spelling in spelled for spelling in spellings):
            return True
        parts = [latin_token(part) for part in re.split(r"[^a-z]+", handle) if len(part) >= 2]
        if len(parts) >= 2 and all(any(token_level(p, t) >= VARIANT for t in tokens) for p in parts):
            return True
    return False


def website_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Own websites (a company site shared by many weakens with its count)."""
    shared = sorted(pair.a.websites & pair.b.websites)
    if not shared:
        return None
    count = min(stats.count("w:" + s) for s in shared)
    return Comparison("website", "same", _shared_weight(stats, count, w.website_bonus, 20), tuple(shared))


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
        weight = _shared_weight(stats, count, w.identifier_bonus, w.identifier_share_cap)
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


FieldComparer = Callable[[Pair, KeyStats, Weights], Comparison | None]
COMPARERS: tuple[FieldComparer, ...] = (
    email_comparison,
    phone_comparison,
    account_comparison,
    handle_comparison,
    website_comparison,
    place_comparison,
    company_comparison,
    date_comparison,
    identifier_comparison,
    postcode_comparison,
    address_comparison,
    category_comparison,
)
