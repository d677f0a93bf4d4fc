"""Person names in any script -> `NameForm`s whose tokens carry every spelling key they may match under.

A display name such as "김민수 (Minsu Kim) | Travel 📸" gives one form per written name; each token keeps its
written form (`text`) and its keys: romanization-insensitive spellings, transliterations of native scripts,
family-name groups (`#김` for Kim/Gim/Ghim) and formal names of nicknames (`~robert` for Bob).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from identity.memo import Memo
from identity.normalize import scripts
from identity.normalize.nicknames import formal_names
from identity.normalize.places import normalise_place
from identity.normalize.text import fold, script_of, skeleton, strip_symbols, to_ascii

_SEGMENT_SPLIT = re.compile(r"\s[-–—~]\s|[|•·/()\[\],;:@\u3010\u3011「」]")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
DECORATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "official",
        "officiel",
        "oficial",
        "travel",
        "travels",
        "traveler",
        "traveller",
        "photography",
        "photographer",
        "photo",
        "photos",
        "pics",
        "blog",
        "blogger",
        "vlog",
        "vlogs",
        "tv",
        "art",
        "arts",
        "artist",
        "music",
        "musician",
        "fitness",
        "life",
        "lifestyle",
        "daily",
        "diary",
        "page",
        "account",
        "fan",
        "fans",
        "club",
        "shop",
        "store",
        "studio",
        "design",
        "designs",
        "food",
        "foodie",
        "eats",
        "style",
        "beauty",
        "makeup",
        "mom",
        "mum",
        "dad",
        "papa",
        "mama",
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "phd",
        "md",
        "mba",
        "cpa",
        "the",
        "real",
        "its",
        "it's",
        "im",
        "i'm",
        "and",
        "&",
        "by",
        "from",
        "with",
        "official.",
        "creator",
        "creative",
        "coach",
        "ceo",
        "founder",
        "dev",
        "developer",
        "engineer",
        "writer",
        "author",
        "model",
        "chef",
        "doctor",
        "lover",
        "life.",
        "world",
        "blogs",
        "news",
        "films",
        "film",
        "media",
        "channel",
        "team",
        "crew",
        "home",
        "family",
        "kitchen",
    ]
)


@dataclass(frozen=True, slots=True)
class NameToken:
    """One written name part: its written form and every key it can match under."""

    text: str  # skeleton of a Latin token, or the native-script token itself
    keys: frozenset[str]
    initial: bool = False
    ranked: tuple[str, ...] = ()  # a native token's romanizations, the most used first (blocking takes the first)


@dataclass(frozen=True, slots=True)
class NameForm:
    """One way of writing a person's name; token order is not trusted (family name first or last)."""

    tokens: tuple[NameToken, ...]
    derived: bool = False  # guessed from a handle rather than written as a name

    def full_tokens(self) -> tuple[NameToken, ...]:
        """Tokens that are not initials."""
        return tuple(token for token in self.tokens if not token.initial)


@cache
def _surname_groups() -> dict[str, frozenset[str]]:
    """Spelling key -> the native names it is a spelling of (Korean and Chinese family names, Arabic names)."""
    groups: dict[str, set[str]] = {}
    for table in (*scripts.surname_table().values(), scripts.arabic_names()):
        for native, spellings in table.items():
            for spelling in spellings:
                groups.setdefault(skeleton(spelling), set()).add("#" + native)
    return {spelling: frozenset(ids) for spelling, ids in groups.items()}


@lru_cache(maxsize=200_000)
def latin_token(word: str) -> NameToken:
    """A token written in Latin (or another alphabet transliterated to it)."""
    letters = re.sub(r"[^a-z]", "", to_ascii(word))
    if len(letters) == 1:
        return NameToken(letters, frozenset({letters}), initial=True)
    key = skeleton(letters)
    keys = ({key} if key else set()) | _surname_groups().get(key, frozenset())
    keys |= {"~" + formal for formal in formal_names(letters)}
    return NameToken(key, frozenset(keys))


def _native(text: str, keys: tuple[str, ...], native_ids: tuple[str, ...] = ()) -> NameToken:
    ranked = tuple(key for key in keys if key)
    return NameToken(text, frozenset((*ranked, *native_ids)), ranked=ranked)


@lru_cache(maxsize=100_000)
def _native_tokens(segment: str, script: str) -> tuple[NameToken, ...]:
    words = segment.split()
    if script == "devanagari":
        return tuple(_native(word, scripts.devanagari_word(word)) for word in words)
    if script in ("hangul", "han"):
        given_of, family_of = (
            (scripts.hangul_given, scripts.hangul_family)
            if script == "hangul"
            else (scripts.han_given, scripts.han_family)
        )
        if len(words) == 1:
            table = scripts.surname_table()["korean" if script == "hangul" else "chinese"]
            split = scripts.split_hangul if script == "hangul" else scripts.split_han
            family, given = split(words[0])
            if len(words[0]) > 4 or not given or (len(words[0]) == 2 and family not in table):
                return (_native(words[0], given_of(words[0])),)
            words = [family, given]
        family, *givens = words
        tokens = [_native(family, family_of(family), ("#" + family,))]
        return (*tokens, *(_native(given, given_of(given)) for given in givens))
    if script == "arabic":
        return tuple(_arabic_token(word) for word in words)
    if script == "hebrew":
        return tuple(_native(scripts.normalise_hebrew(word), scripts.hebrew_word(word)) for word in words)
    return tuple(latin_token(word) for word in words)


def _arabic_token(word: str) -> NameToken:
    name, keys = scripts.arabic_word(word)
    return _native(scripts.normalise_arabic(word), keys, ("#" + name,) if name else ())


def _latin_tokens(segment: str) -> tuple[NameToken, ...]:
    words = [w.strip(".'’-") for w in _WORD.findall(segment)]
    tokens = [latin_token(w) for w in words if w and fold(w) not in DECORATIONS]
    return tuple(token for token in tokens if token.text)


def _joined_variants(tokens: tuple[NameToken, ...]) -> list[tuple[NameToken, ...]]:
    """`Min Su Kim` is also `Minsu Kim`: join adjacent short syllables of three-token names."""
    if len(tokens) != 3 or any(token.initial for token in tokens):
        return []
    variants = []
    for i in (0, 1):
        left, right = tokens[i], tokens[i + 1]
        if len(left.text) <= 4 and len(right.text) <= 4:
            joined = latin_token(left.text + right.text)
            variants.append((*tokens[:i], joined, *tokens[i + 2 :]))
    return variants


def _is_place(segment: str) -> bool:
    place = normalise_place(segment)
    return (place.city is not None and place.city != to_ascii(segment).strip()) or place.country is not None


def segment_forms(segment: str) -> list[NameForm]:
    """The name forms of one written name (no separators inside)."""
    return list(_segment_forms(segment))


@lru_cache(maxsize=100_000)  # a given or family name recurs over many records
def _segment_forms(segment: str) -> tuple[NameForm, ...]:
    script = script_of(segment)
    tokens = _latin_tokens(segment) if script == "latin" else _native_tokens(segment.strip(), script)
    if not tokens:
        return ()
    return (NameForm(tokens), *(NameForm(variant) for variant in _joined_variants(tokens)))


_FORM_IDS: Memo[tuple[NameForm, ...], int] = Memo(200_000)
_NEXT_ID = itertools.count()  # never reused, so that memos keyed by an id never answer for other names


def names_id(forms: tuple[NameForm, ...]) -> int:
    """An integer naming these forms: equal forms get equal ids (comparisons are cached by id). Once the table
    is full it starts again; forms seen before then get a new id, which only costs recomputing their memos."""
    found = _FORM_IDS.get(forms)
    if found is None:
        found = _FORM_IDS.put(forms, next(_NEXT_ID))
    return found


@lru_cache(maxsize=100_000)
def parse_display_name(value: str) -> tuple[NameForm, ...]:
    """Forms of a display name, decorations, emoji and places stripped; at most two written names."""
    segments = [s.strip() for s in _SEGMENT_SPLIT.split(strip_symbols(value)) if s and s.strip()]
    forms: list[NameForm] = []
    used = 0
    for segment in segments:
        if used == 2 or (used and _is_place(segment)):
            continue
        found = segment_forms(segment)
        if found:
            forms.extend(found)
            used += 1
    return tuple(forms)


def parse_parts(given: str | None, family: str | None) -> tuple[NameForm, ...]:
    """Forms of a name given as separate given and family parts (CRM first_name / last_name)."""
    given_forms = segment_forms(given) if given else []
    family_forms = segment_forms(family) if family else []
    if not given_forms:
        return tuple(family_forms[:1])
    if not family_forms:
        return tuple(given_forms)
    forms = [NameForm(g.tokens + family_forms[0].tokens) for g in given_forms]
    given_tokens = given_forms[0].tokens
    if len(given_tokens) == 2 and not any(t.initial for t in given_tokens):
        joined = latin_token(given_tokens[0].text + given_tokens[1].text)
        forms.append(NameForm((joined, *family_forms[0].tokens)))
    return tuple(forms)


def forms_from_handle(handle: str) -> tuple[NameForm, ...]:
    """A guessed name from a handle such as `minsu.kim92` (used only when no name is written)."""
    words = [w for w in re.split(r"[^a-z]+", handle) if len(w) >= 2 and w not in DECORATIONS]
    tokens = tuple(latin_token(word) for word in words[:3])
    return (NameForm(tokens, derived=True),) if tokens else ()
