"""Phone normalisation to E.164 with a region guessed from the country or the location."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import phonenumbers

from identity.normalize.missing import clean_text

PHONE_IN_TEXT = re.compile(r"(?:\+|\b00)?\d[\d\s().-]{6,18}\d")
_DIGITS = re.compile(r"\D+")
TAIL_LENGTH = 9


@lru_cache(maxsize=100_000)
def _parse(text: str, region: str | None) -> str | None:
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def normalise_phone(value: Any, region: str | None = None) -> str | None:
    """E.164 form of a phone number, using `region` (ISO alpha-2) for national numbers; None if invalid."""
    text = clean_text(value)
    if text is None:
        return None
    digits = _DIGITS.sub("", text)
    if len(digits) < 7 or len(set(digits)) <= 2:  # 0000000, 1111111: placeholders
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    return _parse(text, region.upper() if region else None)


def phone_tail(value: Any) -> str | None:
    """The last digits of a number: comparable when the region of one side is unknown."""
    text = clean_text(value)
    if text is None:
        return None
    digits = _DIGITS.sub("", text)
    if len(digits) < TAIL_LENGTH or len(set(digits)) <= 2:
        return None
    return digits[-TAIL_LENGTH:]


def phones_in_text(text: str, region: str | None) -> list[str]:
    """Every valid phone number found in free text, in E.164."""
    found = (normalise_phone(match, region) for match in PHONE_IN_TEXT.findall(text))
    return [phone for phone in found if phone]
