"""Column kinds for tabular records (`rapport resolve`), and date normalisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

KINDS = frozenset(
    {
        "given_name",
        "family_name",
        "full_name",
        "email",
        "phone",
        "handle",
        "url",
        "date",
        "identifier",
        "address",
        "city",
        "postcode",
        "country",
        "category",
        "text",
    }
)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """How to read one column: its kind and, for dates, its `strptime` format."""

    column: str
    kind: str
    format: str | None = None


@lru_cache(maxsize=100_000)
def normalise_date(value: str, fmt: str | None) -> str | None:
    """ISO date (YYYY-MM-DD) of `value` read with `fmt` (ISO 8601 when None); `?digits` when invalid."""
    text = value.strip()
    try:
        parsed = datetime.strptime(text, fmt) if fmt else datetime.fromisoformat(text)
    except ValueError:
        digits = "".join(ch for ch in text if ch.isdigit())
        return "?" + digits if len(digits) >= 6 else None  # a mistyped date still compares, as digits
    return parsed.date().isoformat()
