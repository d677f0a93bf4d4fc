"""Romanizations of native-script names, as people actually write them: several candidates, not one.

Libraries give one standard each (korean-romanizer: Revised Romanization; pypinyin: Pinyin and Wade-Giles;
indic-transliteration: ITRANS). People write names in older or looser systems too (Minsoo, Jung, Pooja), so
Hangul syllables also get per-jamo alternatives, and Devanagari gets Hindi schwa deletion.

Arabic script writes no short vowels: letter by letter, محمد is "mhmd", and no transliteration library can
tell Mohamed from Muhammad. Names are looked up in a table of the spellings people use instead
(`data/arabic_names.yaml`); a name not in it keeps its letter-by-letter form, which matches only itself.
Hebrew likewise (`data/hebrew_names.yaml`, יוסי -> Yossi), except that its spellings are not groups: many are
everyday Western names (David, Sarah), whose Latin tokens must stay as they are.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from itertools import product
from typing import Any

import yaml

from identity.normalize.hindi import schwa_deleted
from identity.normalize.text import skeleton

MAX_CANDIDATES = 12
_INITIALS = (
    ("g", "k"), ("kk", "gg"), ("n",), ("d", "t"), ("tt", "dd"), ("r", "l"), ("m",), ("b", "p"), ("pp", "bb"),
    ("s", "sh"), ("ss", "s"), ("",), ("j", "ch"), ("jj", "tch"), ("ch", "c"), ("k",), ("t",), ("p",), ("h",),
)  # fmt: skip
_MEDIALS = (
    ("a",), ("ae", "e"), ("ya",), ("yae",), ("eo", "o", "u", "uh"), ("e",), ("yeo", "yo", "yu"), ("ye",), ("o",),
    ("wa",), ("wae",), ("oe", "wi"), ("yo",), ("u", "oo", "woo"), ("wo",), ("we",), ("wi",), ("yu",),
    ("eu", "u"), ("ui", "eui"), ("i", "ee", "yi"),
)  # fmt: skip
_FINALS = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
    "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip
_COMPOUND_KOREAN = ("남궁", "선우", "제갈", "황보", "독고", "사공", "서문", "동방")
_COMPOUND_CHINESE = ("欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "司徒", "东方", "東方", "夏侯")


# The transliteration libraries are imported on first use: pypinyin alone takes 0.3 s to import, which
# `rapport resolve` of a file without Chinese, Korean or Hindi names would pay for nothing.


def _romanize(text: str) -> str:
    from korean_romanizer.romanizer import Romanizer

    return str(Romanizer(text).romanize())


def _pinyin(text: str, wade_giles: bool = False) -> str:
    """`text` in Pinyin (or Wade-Giles), syllables joined."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.WADEGILES if wade_giles else Style.NORMAL))


def _data(name: str) -> Any:
    """A YAML table of `identity/data`, every scalar read as text ("no" is a name, not false)."""
    text = resources.files("identity.data").joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506  (BaseLoader builds no objects)


@cache
def surname_table() -> dict[str, dict[str, list[str]]]:
    """Native family name -> the spellings people use, per script (`korean`, `chinese`)."""
    table: dict[str, dict[str, list[str]]] = _data("surnames.yaml")
    return table


def _syllable_options(char: str) -> list[str]:
    code = ord(char) - 0xAC00
    if not 0 <= code < 11172:
        return [skeleton(char)]
    initial, medial, final = code // 588, (code % 588) // 28, code % 28
    initials = _INITIALS[initial]
    medials = [m for m in _MEDIALS[medial] if initial == 11 or m not in ("woo", "yi")]
    return [i + m + _FINALS[final] for i, m in product(initials, medials)]


@lru_cache(maxsize=50_000)
def hangul_given(text: str) -> tuple[str, ...]:
    """Spelling keys of a Korean given name: Revised Romanization first, then common variants."""
    standard = skeleton(_romanize(text))
    options = [_syllable_options(ch) for ch in text]
    keys = [standard]
    for combo in product(*options):
        key = skeleton("".join(combo))
        if key not in keys:
            keys.append(key)
        if len(keys) >= MAX_CANDIDATES * 2:
            break
    return tuple(keys)


def split_hangul(text: str) -> tuple[str, str]:
    """(family, given) of a Korean name written without a space, family name first."""
    for compound in _COMPOUND_KOREAN:
        if text.startswith(compound) and len(text) > 2:
            return compound, text[2:]
    return text[:1], text[1:]


def hangul_family(text: str) -> tuple[str, ...]:
    """Spelling keys of a Korean family name (table spellings, then Revised Romanization)."""
    known = surname_table()["korean"].get(text, [])
    keys = [skeleton(s) for s in known] + [skeleton(_romanize(text))]
    return tuple(dict.fromkeys(keys))


def split_han(text: str) -> tuple[str, str]:
    """(family, given) of a Chinese name written family name first."""
    for compound in _COMPOUND_CHINESE:
        if text.startswith(compound) and len(text) > 2:
            return compound, text[2:]
    return text[:1], text[1:]


@lru_cache(maxsize=50_000)
def han_given(text: str) -> tuple[str, ...]:
    """Spelling keys of a Chinese given name: Pinyin and Wade-Giles, syllables joined."""
    return tuple(dict.fromkeys([skeleton(_pinyin(text)), skeleton(_pinyin(text, wade_giles=True))]))


def han_family(text: str) -> tuple[str, ...]:
    """Spelling keys of a Chinese family name: the table's Pinyin, Wade-Giles and Cantonese forms."""
    known = surname_table()["chinese"].get(text, [])
    keys = [skeleton(s) for s in known]
    keys += [skeleton(_pinyin(text)), skeleton(_pinyin(text, wade_giles=True))]
    return tuple(dict.fromkeys(keys))


@lru_cache(maxsize=50_000)
def devanagari_word(text: str) -> tuple[str, ...]:
    """Spelling keys of one Hindi word: as spoken (schwa deletion: मेहता -> mehta), without the final inherent
    vowel only, and letter by letter."""
    spoken = _devanagari_latin(schwa_deleted(text))
    plain = _devanagari_latin(text)
    keys = [skeleton(spoken)]
    last = text[-1:]
    if last and (0x0915 <= ord(last) <= 0x0939 or last in "क़ख़ग़ज़ड़ढ़फ़य़") and plain.endswith("a"):
        keys.append(skeleton(plain[:-1]))
    keys.append(skeleton(plain))
    if plain.endswith("ava"):  # राव is written Rao, यादव Yadav
        keys.append(skeleton(plain[:-3] + "ao"))
    if "v" in spoken:  # व is written v or w: Agarwal, Agrawal, Dwivedi
        keys.insert(1, skeleton(spoken.replace("v", "w")))
    return tuple(dict.fromkeys(keys))


def _devanagari_latin(text: str) -> str:
    """ITRANS, loosened to how names are written in Latin (no length marks, sh, ch, ksh)."""
    from indic_transliteration import sanscript

    itrans: str = sanscript.transliterate(text, sanscript.DEVANAGARI, sanscript.ITRANS)
    plain = itrans.replace("~N", "n").replace(".N", "n").replace("M", "n").replace(".h", "")
    plain = plain.replace("chh", "ch").replace("Ch", "ch").replace("Sh", "sh").replace("RRi", "ri")
    return plain.replace("R^i", "ri").replace("x", "ksh").lower()


_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # vowel marks, tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك",
                                 "ۀ": "ه", "ؤ": "و", "ئ": "ي"})  # fmt: skip
_ARTICLE = "ال"


@cache
def arabic_names() -> dict[str, list[str]]:
    """Arabic name (as `normalise_arabic` writes it) -> the Latin spellings people use, the most used first."""
    table: dict[str, list[str]] = _data("arabic_names.yaml")
    return {normalise_arabic(name): spellings for name, spellings in table.items()}


def normalise_arabic(word: str) -> str:
    """One written form of an Arabic-script word: no vowel marks, one alef, final ta marbuta as ha, Persian
    and Urdu letter forms as Arabic ones."""
    return _ARABIC_MARKS.sub("", word).translate(_ARABIC_LETTERS)


@lru_cache(maxsize=50_000)
def arabic_word(word: str) -> tuple[str, tuple[str, ...]]:
    """(the table's form of the name or "", spelling keys, most used first) of one Arabic-script word.

    A word with the article (الحداد) not in the table is looked up without it too (Haddad, Al-Haddad).
    """
    plain = normalise_arabic(word)
    table = arabic_names()
    found = plain if plain in table else ""
    if not found and plain.startswith(_ARTICLE) and plain[len(_ARTICLE) :] in table:
        found = plain[len(_ARTICLE) :]
    if not found:
        return "", (skeleton(plain),)
    spellings = table[found]
    if found != plain:  # with the article: Al-Haddad is written alhaddad, elhaddad, or haddad
        spellings = [*spellings, *("al" + s for s in spellings), *("el" + s for s in spellings)]
    return found, tuple(dict.fromkeys(skeleton(s) for s in spellings))


_HEBREW_POINTS = re.compile("[\u0591-\u05c7]")  # cantillation and vowel points
_HEBREW_FINALS = str.maketrans("ךםןףץ", "כמנפצ")


@cache
def hebrew_names() -> dict[str, list[str]]:
    """Hebrew name (as `normalise_hebrew` writes it) -> the Latin spellings people use, the most used first."""
    table: dict[str, list[str]] = _data("hebrew_names.yaml")
    return {normalise_hebrew(name): spellings for name, spellings in table.items()}


def normalise_hebrew(word: str) -> str:
    """One written form of a Hebrew word: no points, final letter forms as ordinary ones."""
    return _HEBREW_POINTS.sub("", word).translate(_HEBREW_FINALS)


@lru_cache(maxsize=50_000)
def hebrew_word(word: str) -> tuple[str, ...]:
    """Spelling keys of one Hebrew word, most used first: the table's, or its letter-by-letter form."""
    plain = normalise_hebrew(word)
    spellings = hebrew_names().get(plain)
    if not spellings:
        return (skeleton(plain),)
    return tuple(dict.fromkeys(skeleton(s) for s in spellings))
