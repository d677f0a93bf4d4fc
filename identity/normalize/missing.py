"""Placeholder values ("n/a", "-1", "test@test.com"...) are missing data, never identifiers."""

from __future__ import annotations

from typing import Any

PLACEHOLDERS = frozenset(
    {
        "",
        "n/a",
        "na",
        "n.a.",
        "none",
        "null",
        "nil",
        "nan",
        "-",
        "--",
        "-1",
        "0",
        "?",
        ".",
        "unknown",
        "not available",
        "no",
        "test",
        "xxx",
        "tbd",
        "undefined",
    }
)


def clean_text(value: Any) -> str | None:
    """`value` as stripped text, or None when it is absent or a placeholder."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value != value:  # NaN from CSV readers
        return None
    text = str(value).strip()
    if text.casefold() in PLACEHOLDERS:
        return None
    return text
