"""Text helpers shared by the name, place and company normalisers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_LETTERS = re.compile(r"[^a-z]+")
_DOUBLES = re.compile(r"([a-z])\1+")
_ASPIRATED = re.compile(r"([bdgkpt])h")
# Spelling variants that romanizations and transcriptions of one name swap freely (Minsoo/Minsu,
# Pooja/Puja, Kavitha/Kavita, Jeong/Jung, Deepak/Dipak, Sarah/Sara). Applied in this order.
_VARIANT_RULES: tuple[tuple[str, str], ...] = (
    ("ph", "f"),
    ("oo", "u"),
    ("ou", "u"),
    ("eo", "u"),
    ("eu", "u"),
    ("ee", "i"),
    ("aa", "a"),
    ("ii", "i"),
    ("uu", "u"),
)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """NFKC, case-folded, diacritics removed; scripts without Latin letters are kept as they are."""
    if text.isascii():
        return text.lower()
    normal = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", normal)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def to_ascii(text: str) -> str:
    """Lower-case ASCII transliteration (anyascii: ISC licence, unlike the GPL unidecode)."""
    return anyascii(fold(text)).lower()


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Romanization-insensitive key of one name token: letters only, common spelling variants merged."""
    text = _LETTERS.sub("", to_ascii(token))
    for old, new in _VARIANT_RULES:
        text = text.replace(old, new)
    text = _ASPIRATED.sub(r"\1", text)
    if len(text) > 3 and text.endswith("h") and text[-2] in "aeiou":
        text = text[:-1]
    return _DOUBLES.sub(r"\1", text)


def script_of(text: str) -> str:
    """The dominant non-Latin script of `text` ("hangul", "han", "devanagari", "kana", "arabic", "hebrew"), or
    "latin"."""
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            return "hangul"
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            return "han"
        if 0x0900 <= code <= 0x097F:
            return "devanagari"
        if 0x3040 <= code <= 0x30FF:
            return "kana"
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
            return "arabic"
        if 0x0590 <= code <= 0x05FF or 0xFB1D <= code <= 0xFB4F:
            return "hebrew"
    return "latin"


def strip_symbols(text: str) -> str:
    """Emoji, pictographs and non-ASCII symbols replaced by spaces (letters, digits, ASCII punctuation stay)."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        kept.append(" " if category[0] in "SC" and (ord(ch) > 127 or category[0] == "C") else ch)
    return "".join(kept)
