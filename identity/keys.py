"""Blocking keys: the values under which a record is indexed, and whose counts give term frequencies.

Prefixes: `e:` email, `p:` E.164 phone, `pt:` phone tail, `a:` account on a network,
`h:` handle on any network, `c:` handle core or name concatenation, `w:` website, `n:` pair of name tokens,
`g:` one name token, `ni:` name token + initial, `np:` name token + city, `d:` date, `i:` identifier,
`pc:` postcode + name token; `city:`, `co:` count-only (term frequencies), `_:all` counts every record.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from itertools import islice, product
from typing import NamedTuple

from identity.memo import Memo
from identity.normalize.names import NameForm, NameToken
from identity.profile import Profile

ALL = "_:all"
COUNT_ONLY_PREFIXES = ("city:", "co:", "g:", "_:")
# Keys whose agreement may be decisive on its own (identifiers rather than names or places).
STRONG_PREFIXES = ("e:", "p:", "pt:", "a:", "h:", "w:", "d:", "i:")
NAME_PAIR_PREFIXES = ("n:", "ni:")  # two name tokens, or a token and an initial
SINGLE_NAME_PREFIX = "g:"
MAX_KEYS_PER_TOKEN = 6
MAX_PAIR_KEYS = 24


@lru_cache(maxsize=100_000)  # tokens are shared by the records that write a name alike
def token_keys(token: NameToken) -> tuple[str, ...]:
    """The keys of one name token used in blocking: group ids first, then spellings."""
    groups = sorted(key for key in token.keys if key[0] == "#")
    groups = groups or sorted(key for key in token.keys if key[0] == "~")
    if token.text.isascii():
        return tuple([*groups, token.text][-MAX_KEYS_PER_TOKEN:])
    return tuple(groups[:MAX_KEYS_PER_TOKEN] if groups else _ranked(token)[:MAX_KEYS_PER_TOKEN])


def _ranked(token: NameToken) -> list[str]:
    """A native token's spellings, the most used romanizations first (alphabetical order would keep the rare ones)."""
    return list(token.ranked) or sorted(key for key in token.keys if key[0] not in "#~")


def _pair(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def name_pair_keys(form: NameForm) -> set[str]:
    """`n:` keys of a form: every first/last token pair (any order), bounded."""
    tokens = form.full_tokens()
    if len(tokens) < 2:
        return set()
    pairs = {(tokens[0], tokens[-1])}
    if len(tokens) >= 3:
        pairs |= {(tokens[0], tokens[1]), (tokens[1], tokens[-1])}
    keys: set[str] = set()
    for left, right in pairs:
        combos = product(token_keys(left), token_keys(right))
        keys.update("n:" + _pair(a, b) for a, b in islice(combos, MAX_PAIR_KEYS))
    return keys


def _spellings(token: NameToken) -> list[str]:
    if token.text.isascii():
        return [token.text]
    return _ranked(token)[:2]


def _initial_keys(form: NameForm) -> set[str]:
    keys: set[str] = set()
    for token in form.full_tokens():
        for other in form.tokens:
            if other is token:
                continue
            initials = {spelling[:1] for spelling in _spellings(other)}
            for key in token_keys(token)[:2]:
                keys.update(f"ni:{key}|{initial}" for initial in initials if initial.isalpha())
    return keys


def _concat_keys(form: NameForm) -> set[str]:
    tokens = form.full_tokens()
    if len(tokens) != 2:
        return set()
    left, right = (_spellings(t) for t in tokens)
    keys = {"c:" + a + b for a, b in product(left, right)} | {"c:" + b + a for a, b in product(left, right)}
    keys |= {"c:" + a[:1] + b for a, b in product(left, right)} | {"c:" + b[:1] + a for a, b in product(left, right)}
    return keys


def name_concat_keys(profile: Profile) -> set[str]:
    """`c:` keys spelled from the profile's names (minsukim, kimminsu, mkim...)."""
    keys: set[str] = set()
    for form in profile.names:
        if not form.derived:
            keys |= _concat_keys(form)
    return keys


class NameKeys(NamedTuple):
    """Keys that depend on a profile's names only (tuples rather than sets: a tuple of 40 keys takes 360 bytes,
    a frozenset 2,264, and there is one entry per distinct name)."""

    keys: tuple[str, ...]  # every one of them, interned
    wide: tuple[str, ...]  # 3 keys per token (combined with cities)
    narrow: tuple[str, ...]  # 2 keys per token (combined with postcodes)
    pairs: tuple[str, ...]  # `n:` and `ni:` keys
    singles: tuple[str, ...]  # `g:` keys


_BY_NAMES: Memo[int, NameKeys] = Memo(200_000)


def _names_keys(profile: Profile) -> NameKeys:
    """The `NameKeys` of a profile, cached by the names' id."""
    cached = _BY_NAMES.get(profile.names_id)
    if cached is None:
        keys: set[str] = set()
        wide: list[str] = []
        narrow: list[str] = []
        for form in profile.names:
            keys |= name_pair_keys(form) | _initial_keys(form) | _concat_keys(form)
            for token in form.full_tokens():
                per_token = token_keys(token)
                wide.extend(per_token[:3])
                narrow.extend(per_token[:2])
        keys.update("g:" + key for key in wide)
        interned = tuple(sys.intern(k) for k in keys)
        pairs = tuple(k for k in interned if k.startswith(NAME_PAIR_PREFIXES))
        singles = tuple(k for k in interned if k.startswith(SINGLE_NAME_PREFIX))
        cached = NameKeys(interned, tuple(dict.fromkeys(wide)), tuple(dict.fromkeys(narrow)), pairs, singles)
        _BY_NAMES.put(profile.names_id, cached)
    return cached


def _combined_name_keys(profile: Profile) -> set[str]:
    """`np:` and `pc:` keys: name tokens with the profile's cities and postcodes."""
    names = _names_keys(profile)
    wide, narrow = names.wide, names.narrow
    keys: set[str] = set()
    for city in profile.cities:
        keys.update(f"np:{key}|{city}" for key in wide)
    for postcode in profile.postcodes:
        keys.update(f"pc:{postcode}|{key}" for key in narrow)
    return keys


def name_keys(profile: Profile) -> set[str]:
    """Every name-derived key of a profile."""
    return set(_names_keys(profile).keys) | _combined_name_keys(profile)


class KeyFamilies(NamedTuple):
    """A profile's index keys (interned: the index holds each key text once) and the families the prefilter
    intersects: identifiers (`STRONG_PREFIXES`), name pairs (`n:`, `ni:`) and single name tokens (`g:`)."""

    keys: set[str]
    strong: tuple[str, ...]
    name_pairs: tuple[str, ...]
    single_names: tuple[str, ...]


def key_families(profile: Profile) -> KeyFamilies:
    """All index keys of a profile, with their families (built as they are made, never by scanning the keys)."""
    strong = {"e:" + email for email in profile.emails}
    strong |= {"p:" + phone for phone in profile.phones} | {"pt:" + tail for tail in profile.phone_tails}
    strong |= {f"a:{network}:{handle}" for network, handle in profile.handles | profile.claimed}
    strong |= {"h:" + handle for handle in profile.all_handles() if len(handle) >= 3}
    strong |= {"w:" + site for site in profile.websites}
    strong |= {"d:" + date for date in profile.dates} | {"i:" + ident for ident in profile.identifiers}
    others = _combined_name_keys(profile)
    others.add(ALL)
    others |= {"c:" + core for core in profile.handle_cores}
    others |= {"city:" + city for city in profile.cities} | {"co:" + company for company in profile.companies}
    identifiers = tuple(sys.intern(key) for key in strong)
    keys = {sys.intern(key) for key in others}
    keys.update(identifiers)
    names = _names_keys(profile)
    keys.update(names.keys)  # interned when cached
    return KeyFamilies(keys, identifiers, names.pairs, names.singles)


def key_set(profile: Profile) -> set[str]:
    """All index keys of a profile, interned."""
    return key_families(profile).keys


def profile_keys(profile: Profile) -> list[str]:
    """All index keys of a profile, sorted (the `Resolver.index_keys` answer)."""
    return sorted(key_set(profile))


def is_blocking_key(key: str) -> bool:
    """Whether candidates are fetched by this key (count-only keys are not)."""
    return not key.startswith(COUNT_ONLY_PREFIXES)
