"""Comparing two names written in any scripts and orders: which tokens agree, and how closely."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

from rapidfuzz.distance import OSA

from identity.memo import Memo
from identity.normalize.names import NameForm, NameToken

EXACT, VARIANT, FUZZY, INITIAL, NONE = 4, 3, 2, 1, 0
LEVEL_NAMES = {EXACT: "exact", VARIANT: "transliteration or nickname", FUZZY: "similar spelling"}


@dataclass(frozen=True, slots=True)
class NameMatch:
    """How two names agree.

    outcome: `full` (all tokens of one name found in the other, two or more), `initial` (one token and an
    initial), `single` (one name is a single token, found in the other), `conflict` (one token agrees, another
    disagrees: a sibling or a namesake), `different`, or `missing`. quality: the weakest agreeing token level.
    """

    outcome: str
    quality: int = NONE
    derived: bool = False
    matched: tuple[str, ...] = ()
    extra: bool = False  # a `full` match where one name has a further token the other lacks (Tung Chun / Chun)


MISSING = NameMatch("missing")


_LEVELS: dict[tuple[int, int], tuple[NameToken, NameToken, int]] = {}
_LEVELS_LIMIT = 150_000


def token_level(a: NameToken, b: NameToken) -> int:
    """Agreement level of two tokens, cached by identity (the cache holds the tokens, so ids stay unique)."""
    key = (id(a), id(b))
    cached = _LEVELS.get(key)
    if cached is not None:
        return cached[2]
    if len(_LEVELS) > _LEVELS_LIMIT:
        _LEVELS.clear()
    level = _token_level(a, b)
    _LEVELS[key] = (a, b, level)
    return level


def _token_level(a: NameToken, b: NameToken) -> int:
    if a.initial or b.initial:
        if a.initial and b.initial:
            return INITIAL if a.text == b.text else NONE
        full, init = (b, a) if a.initial else (a, b)
        return INITIAL if any(k[:1] == init.text for k in full.keys if k[0] not in "#~") else NONE
    if a.text == b.text:
        return EXACT
    if a.keys & b.keys:
        return VARIANT
    spell_a = sorted(k for k in a.keys if k[0] not in "#~")[:6]  # sorted: a set's order changes between runs
    spell_b = sorted(k for k in b.keys if k[0] not in "#~")[:6]
    for x in spell_a:
        for y in spell_b:
            if _close_spelling(x, y):
                return FUZZY
    return NONE


def _close_spelling(x: str, y: str) -> bool:
    """One edit or transposition apart (two from nine letters): a typo, not another name (Xiaodong, Xiaoming)."""
    shortest = min(len(x), len(y))
    if shortest < 3 or abs(len(x) - len(y)) > 2:
        return False
    return OSA.distance(x, y, score_cutoff=2) <= (2 if shortest >= 9 else 1)


def _best_assignment(a: tuple[NameToken, ...], b: tuple[NameToken, ...]) -> list[tuple[int, int, int]]:
    if len(a) == 2 and len(b) == 2:  # the common case, without permutations
        straight = (token_level(a[0], b[0]), token_level(a[1], b[1]))
        crossed = (token_level(a[0], b[1]), token_level(a[1], b[0]))
        if sum(x * 10 + (x > 0) for x in crossed) > sum(x * 10 + (x > 0) for x in straight):
            return [(0, 1, crossed[0]), (1, 0, crossed[1])]
        return [(0, 0, straight[0]), (1, 1, straight[1])]
    swap = len(a) > len(b)
    small, large = (b, a) if swap else (a, b)
    levels = [[token_level(x, y) for y in large] for x in small]
    best: tuple[int, list[tuple[int, int, int]]] = (-1, [])
    for chosen in permutations(range(len(large)), len(small)):
        pairs = [(i, j, levels[i][j]) for i, j in enumerate(chosen)]
        total = sum(level * 10 + (level > 0) for _, _, level in pairs)
        if total > best[0]:
            best = (total, pairs)
    return [(j, i, lv) if swap else (i, j, lv) for i, j, lv in best[1]]


def compare_forms(a: NameForm, b: NameForm) -> NameMatch:
    """How two name forms agree (token order ignored)."""
    ta, tb = a.tokens[:5], b.tokens[:5]
    if not ta or not tb:
        return MISSING
    pairs = _best_assignment(ta, tb)
    strong = [(i, j, lv) for i, j, lv in pairs if lv >= FUZZY]
    initials = [(i, j, lv) for i, j, lv in pairs if lv == INITIAL]
    used_a = {i for i, _, lv in pairs if lv > NONE}
    used_b = {j for _, j, lv in pairs if lv > NONE}
    loose_a = [t for i, t in enumerate(ta) if i not in used_a and not t.initial]
    loose_b = [t for j, t in enumerate(tb) if j not in used_b and not t.initial]
    derived = a.derived or b.derived
    quality = min((lv for _, _, lv in strong), default=NONE)
    matched = tuple(ta[i].text for i, _, _ in strong)
    outcome = _outcome(len(strong), len(initials), bool(loose_a), bool(loose_b), len(ta), len(tb))
    return NameMatch(outcome, quality, derived, matched, outcome == "full" and bool(loose_a or loose_b))


def _outcome(strong: int, initials: int, loose_a: bool, loose_b: bool, len_a: int, len_b: int) -> str:
    if strong == 0:
        return "different"
    if loose_a and loose_b:
        return "conflict"
    if strong >= 2:
        return "full"
    if initials:
        return "initial"
    return "single" if min(len_a, len_b) == 1 else "conflict"


_RANK = {"full": 5, "initial": 4, "single": 3, "conflict": 1, "different": 0, "missing": -1}


_BY_IDS: Memo[tuple[int, int], NameMatch] = Memo(150_000)


def compare_name_ids(id_a: int, id_b: int, a: tuple[NameForm, ...], b: tuple[NameForm, ...]) -> NameMatch:
    """`compare_names`, cached by the names' ids (hashing small ints is cheaper than hashing names)."""
    key = (id_a, id_b)
    match = _BY_IDS.get(key)
    if match is None:
        match = _BY_IDS.put(key, compare_names(a, b))
    return match


def compare_names(a: tuple[NameForm, ...], b: tuple[NameForm, ...]) -> NameMatch:
    """The best agreement between any form of `a` and any form of `b`."""
    if not a or not b:
        return MISSING
    best = MISSING
    for form_a in a[:4]:
        for form_b in b[:4]:
            match = compare_forms(form_a, form_b)
            if (_RANK[match.outcome], match.quality, not match.derived, not match.extra) > (
                _RANK[best.outcome],
                best.quality,
                not best.derived,
                not best.extra,
            ):
                best = match
    return best


def names_clash(match: NameMatch) -> bool:
    """Whether two written (not guessed) names say these are different people."""
    return match.outcome in ("conflict", "different") and not match.derived
