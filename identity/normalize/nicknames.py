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
    """Formal names a given-name token may stand for, or itself when it is one (`bob` -> robert...).

    The English data links names both ways (robert -> bob as well as bob -> robert); a diminutive is the
    shorter of the two, so only longer canonical names count as formal forms of a token.
    """
    plain = token.casefold()
    key = skeleton(plain)
    formals = {skeleton(name) for name in _english().canonicals_of(plain) if len(name) > len(plain)}
    formals.update(_spanish().get(key, []))
    return frozenset(formals) if formals else frozenset({key})
