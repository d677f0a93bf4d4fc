"""Hindi schwa deletion: which inherent vowels of a Devanagari word are not pronounced, hence not written in Latin.

Transliterators spell every inherent vowel (मेहता -> mehatA), people write what they say (Mehta). The rule is
Ohala's: the final inherent vowel goes (after a single consonant: Narendra keeps it), and a medial one goes
between a vowel and a single consonant on its left and a consonant with a vowel on its right (कमला -> Kamla,
आरती -> Aarti, but कविता keeps its first syllable: Kavita).
"""

from __future__ import annotations

_VIRAMA = "\u094d"
_NUKTA = "\u093c"


def _is_consonant(ch: str) -> bool:
    code = ord(ch)
    return 0x0915 <= code <= 0x0939 or 0x0958 <= code <= 0x095F


def _is_vowel_sign(ch: str) -> bool:
    return len(ch) == 1 and 0x093E <= ord(ch) <= 0x094C


def _is_vowel(ch: str) -> bool:
    return 0x0904 <= ord(ch) <= 0x0914


def schwa_deleted(word: str) -> str:
    """`word` with the inherent vowels Hindi does not pronounce marked silent (a virama added): the final one, and
    a medial one between a vowel + single consonant and a consonant + vowel (मेहता -> mehtā, कमला -> kamlā)."""
    # Each unit: (end index in word, kind): "a" consonant with its inherent vowel, "m" consonant with a vowel sign,
    # "v" consonant with a virama (part of a cluster), "V" an independent vowel.
    units: list[tuple[int, str]] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if _is_consonant(ch):
            j = i + 1
            if j < len(word) and word[j] == _NUKTA:
                j += 1
            nxt = word[j] if j < len(word) else ""
            kind = "m" if _is_vowel_sign(nxt) else "v" if nxt == _VIRAMA else "a"
            units.append((j, kind))
        elif _is_vowel(ch):
            units.append((i + 1, "V"))
        i += 1
    silent: set[int] = set()
    kinds = [kind for _, kind in units]
    if len(kinds) > 1 and kinds[-1] == "a" and kinds[-2] != "v":  # Narendra keeps its final vowel
        silent.add(len(kinds) - 1)
    for n in range(len(kinds) - 2, 0, -1):
        if kinds[n] != "a" or n + 1 in silent or n in silent:
            continue
        vowel_before = kinds[n - 1] in ("a", "m", "V") and n - 1 not in silent
        vowel_after = kinds[n + 1] in ("a", "m") and n + 1 not in silent
        if vowel_before and vowel_after and n - 1 >= 0:
            silent.add(n)
    if not silent:
        return word
    out, start = [], 0
    for n, (end, _) in enumerate(units):
        if n in silent:
            out.append(word[start:end] + _VIRAMA)
            start = end
    out.append(word[start:])
    return "".join(out)
