"""Salesforce record ids: 15 case-sensitive characters plus the 3-character case-insensitive suffix."""

from __future__ import annotations

import re

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_PATTERN = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")


def suffix(id15: str) -> str:
    """The 3-character checksum Salesforce appends to a 15-character id."""
    out = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if ch.isupper())
        out += _ALPHABET[bits]
    return out


def make_id(prefix: str, number: int) -> str:
    """The 18-character id of the `number`-th record of an object whose key prefix is `prefix`."""
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    id15 = prefix + "5g" + digits.rjust(10, "0")
    return id15 + suffix(id15)


def to18(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None when `value` is not an id."""
    if not ID_PATTERN.match(value):
        return None
    id15 = value[:15]
    return id15 + suffix(id15)
