"""Company names without legal forms and punctuation (`Samsung Electronics Co., Ltd.` -> `samsung electronics`)."""

from __future__ import annotations

import re
from typing import Any

from identity.normalize.missing import clean_text
from identity.normalize.text import to_ascii

_LEGAL_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "corp",
        "corporation",
        "co",
        "company",
        "sa",
        "sas",
        "sl",
        "srl",
        "spa",
        "bv",
        "nv",
        "pvt",
        "private",
        "pte",
        "kk",
        "de",
        "cv",
        "sapi",
        "sab",
        "the",
        "group",
        "holdings",
        "jusikhoesa",
        "zhushihuishe",
    }
)
_NOT_COMPANIES = frozenset({"self", "self-employed", "freelance", "freelancer", "student", "none", "home"})


def normalise_company(value: Any) -> str | None:
    """A comparable company name, or None for blanks and non-employers ("self-employed", "student")."""
    text = clean_text(value)
    if text is None or text.casefold() in _NOT_COMPANIES:
        return None
    words = re.findall(r"[a-z0-9&]+", to_ascii(text.replace("(주)", " ")).replace(".", ""))
    kept = [word for word in words if word not in _LEGAL_FORMS]
    name = " ".join(kept or words)
    return name or None
