"""Comparing the identifiers people hold: emails, phones, accounts (and cross-links to them), handles, websites."""

from __future__ import annotations

import re

from rapidfuzz.distance import JaroWinkler

from identity.keys import name_concat_keys
from identity.memo import Memo
from identity.namematch import VARIANT, token_level
from identity.normalize.emails import is_free_provider
from identity.normalize.handles import handle_core
from identity.normalize.names import latin_token
from identity.normalize.text import skeleton
from identity.pairs import Comparison, Pair, shared_weight
from identity.profile import Profile
from identity.stats import KeyStats
from identity.weights import Weights


def email_comparison(pair: Pair, stats: KeyStats, w: Weights) -> Comparison | None:
    """Personal emails; one shared by many records (a mailbox) stops being evidence."""
    shared = sorted(pair.a.emails & pair.b.emails)
    if shared:
        count = min(stats.count("e:" + e) for e in shared)
        weight = shared_weight(stats, count, w.email_bonus, w.identifier_share_cap)
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
        weight = shared_weight(stats, count, w.phone_bonus, w.identifier_share_cap)
        return Comparison("phone", "same" if weight else "shared by many (ignored)", weight, tuple(shared))
    tails = sorted(pair.a.phone_tails & pair.b.phone_tails)
    if tails:
        count = min(stats.count("pt:" + t) for t in tails)
        weight = shared_weight(stats, count, w.phone_tail, w.identifier_share_cap)
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
        weight = shared_weight(stats, count, w.crosslink_bonus, w.identifier_share_cap)
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
        weight = min(shared_weight(stats, count, w.handle_bonus, w.identifier_share_cap), _handle_rarity(stats, shared))
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
_CONCAT: Memo[int, frozenset[str]] = Memo(100_000)  # by names id
_SPELLINGS: Memo[int, frozenset[str]] = Memo(100_000)


def _concat_of(profile: Profile) -> frozenset[str]:
    found = _CONCAT.get(profile.names_id)
    if found is None:
        found = _CONCAT.put(profile.names_id, frozenset(name_concat_keys(profile) | _guessed_concat(profile)))
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
        found = _SPELLINGS.put(
            profile.names_id, frozenset(k for t in tokens for k in t.keys if len(k) >= 4 and k[0] not in "#~")
        )
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
    return Comparison("website", "same", shared_weight(stats, count, w.website_bonus, 20), tuple(shared))
