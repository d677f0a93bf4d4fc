"""Composed given names (Korean syllables, Chinese characters): many names, written several ways."""

from __future__ import annotations

import random

KOREAN_SYLLABLES: list[tuple[str, list[str]]] = [
    ("민", ["min"]), ("수", ["su", "soo"]), ("지", ["ji"]), ("훈", ["hoon", "hun"]), ("서", ["seo", "suh"]),
    ("연", ["yeon", "yun"]), ("준", ["jun", "joon"]), ("영", ["young", "yeong"]), ("호", ["ho"]),
    ("현", ["hyun", "hyeon"]), ("우", ["woo", "u"]), ("은", ["eun"]), ("동", ["dong"]), ("하", ["ha"]),
    ("성", ["sung", "seong"]), ("예", ["ye"]), ("유", ["yu", "yoo"]), ("나", ["na"]), ("상", ["sang"]),
    ("혜", ["hye"]), ("태", ["tae"]), ("재", ["jae"]), ("소", ["so"]), ("경", ["kyung", "gyeong"]),
    ("진", ["jin"]), ("희", ["hee", "hui"]), ("윤", ["yoon", "yun"]), ("아", ["a"]), ("주", ["joo", "ju"]),
    ("원", ["won"]), ("석", ["seok", "suk"]), ("철", ["cheol", "chul"]), ("정", ["jung", "jeong"]),
    ("미", ["mi"]), ("선", ["sun", "seon"]), ("혁", ["hyuk", "hyeok"]), ("규", ["kyu", "gyu"]), ("빈", ["bin"]),
    ("도", ["do"]), ("채", ["chae"]), ("다", ["da"]), ("시", ["si", "shi"]), ("보", ["bo"]), ("람", ["ram"]),
]  # fmt: skip

CHINESE_CHARACTERS: list[tuple[str, list[str]]] = [
    ("伟", ["wei"]), ("明", ["ming"]), ("小", ["xiao", "hsiao"]), ("静", ["jing", "ching"]), ("丽", ["li"]),
    ("娜", ["na"]), ("志", ["zhi", "chih"]), ("强", ["qiang", "chiang"]), ("建", ["jian", "chien"]),
    ("国", ["guo", "kuo"]), ("秀", ["xiu", "hsiu"]), ("英", ["ying"]), ("海", ["hai"]), ("燕", ["yan", "yen"]),
    ("俊", ["jun", "chun"]), ("杰", ["jie", "chieh"]), ("雪", ["xue", "hsueh"]), ("浩", ["hao"]),
    ("然", ["ran", "jan"]), ("子", ["zi", "tzu"]), ("涵", ["han"]), ("嘉", ["jia", "chia"]), ("欣", ["xin", "hsin"]),
    ("轩", ["xuan", "hsuan"]), ("晓", ["xiao", "hsiao"]), ("东", ["dong", "tung"]), ("美", ["mei"]),
    ("玲", ["ling"]), ("华", ["hua"]), ("平", ["ping"]), ("文", ["wen"]), ("军", ["jun", "chun"]),
    ("红", ["hong", "hung"]), ("芳", ["fang"]), ("磊", ["lei"]), ("洋", ["yang"]), ("勇", ["yong", "yung"]),
    ("婷", ["ting"]), ("宇", ["yu"]), ("博", ["bo", "po"]), ("思", ["si", "ssu"]), ("梦", ["meng"]),
]  # fmt: skip


def _pick(rng: random.Random, table: list[tuple[str, list[str]]]) -> int:
    weights = [1 / (i + 1) ** 0.6 for i in range(len(table))]
    return rng.choices(range(len(table)), weights)[0]


def compose(rng: random.Random, table: list[tuple[str, list[str]]], sizes: tuple[int, ...]) -> list[int]:
    """Indices of the syllables of one given name."""
    return [_pick(rng, table) for _ in range(rng.choice(sizes))]


def native(table: list[tuple[str, list[str]]], parts: list[int]) -> str:
    """The name in its own script."""
    return "".join(table[i][0] for i in parts)


def written(rng: random.Random, table: list[tuple[str, list[str]]], parts: list[int], system: int) -> str:
    """The name in Latin letters, joined, hyphenated or spaced, in one romanization system."""
    syllables = [table[i][1][min(system, len(table[i][1]) - 1)] for i in parts]
    if rng.random() < 0.3:  # people mix systems per syllable
        syllables = [rng.choice(table[i][1]) for i in parts]
    if len(syllables) == 1:
        return syllables[0].capitalize()
    style = rng.random()
    if style < 0.5:
        return "".join(syllables).capitalize()
    if style < 0.8:
        return "-".join([syllables[0].capitalize(), *syllables[1:]])
    return " ".join(s.capitalize() for s in syllables)
