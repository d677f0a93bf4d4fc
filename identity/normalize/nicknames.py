"""Nickname and diminutive groups: English from the curated `nicknames` package, Spanish from our table."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

import yaml
from nicknames import NickNamer

from identity.normalize.text import skeleton


@cache
def _english() -> NickNamer:
    return NickNamer()


@cache
def _spanish() -> dict[str, list[str]]:
    text = resources.files("identity.data").joinpath("nicknames_es.yaml").read_text(encoding="utf-8")
    table: dict[str, list[str]] = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506  (all scalars as text: "no" is a name)
    return {skeleton(name): [skeleton(formal) for formal in formals] for name, formals in table.items()}


@cache
def _spanish_formals() -> frozenset[str]:
    return frozenset(formal for formals in _spanish().values() for formal in formals)


@lru_cache(maxsize=100_000)
def formal_names(token: str) -> frozenset[str]:
    """Formal names a given-name token may stand for, itself included when it is one (`bob` -> robert...)."""
    plain = token.casefold()
    key = skeleton(plain)
    if _english().nicknames_of(plain) or key in _spanish_formals():
        return frozenset({key})  # a formal name stands for itself only (Robert is not Rupert)
    formals = {skeleton(name) for name in _english().canonicals_of(plain)}
    formals.update(_spanish().get(key, []))
    return frozenset(formals)
