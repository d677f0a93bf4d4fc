"""Email normalisation: case, provider aliases, plus-tags; placeholders and role mailboxes recognised."""

from __future__ import annotations

import re
from typing import Any

from identity.normalize.missing import clean_text

_EMAIL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

_PROVIDER_ALIASES = {"googlemail.com": "gmail.com", "hotmail.co.uk": "hotmail.co.uk"}
_DOTLESS_PROVIDERS = frozenset({"gmail.com"})
_FAKE_DOMAINS = frozenset({"test.com", "email.com", "domain.com", "mailinator.com"})
_FAKE_LOCALS = frozenset({"test", "none", "noemail", "no-email", "na", "n/a", "null", "unknown", "xxx", "asdf"})
# Providers where anyone opens a mailbox: two addresses there may well be one person's. Two different addresses
# at one company's own domain are two people (a company gives each employee one address).
FREE_PROVIDERS = frozenset(
    {
        "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "msn.com", "icloud.com", "me.com",
        "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de", "mail.ru", "yandex.ru", "yandex.com",
        "naver.com", "daum.net", "hanmail.net", "kakao.com", "qq.com", "126.com", "163.com", "sina.com", "yeah.net",
        "rediffmail.com", "yahoo.co.in", "yahoo.co.jp", "yahoo.com.mx", "hotmail.es", "hotmail.co.uk", "yahoo.co.uk",
        "outlook.es", "libero.it", "orange.fr", "free.fr", "t-online.de", "siol.net", "gmail.co", "zoho.com",
    }
)  # fmt: skip


def is_free_provider(domain: str) -> bool:
    """Whether `domain` hands out mailboxes to anyone (Gmail, Naver, QQ...)."""
    return domain in FREE_PROVIDERS


# Mailboxes of a role, not a person: several people read them, so they never identify one.
ROLE_LOCALS = frozenset(
    {
        "info",
        "contact",
        "contacto",
        "sales",
        "hello",
        "hi",
        "admin",
        "office",
        "support",
        "team",
        "marketing",
        "hr",
        "jobs",
        "careers",
        "noreply",
        "no-reply",
        "mail",
        "enquiries",
        "inquiries",
        "billing",
        "accounts",
        "help",
        "service",
        "reception",
        "booking",
        "bookings",
        "press",
        "media",
        "orders",
        "webmaster",
        "ventas",
        "hola",
        "studio",
        "shop",
        "store",
        "general",
        "family",
    }
)


def normalise_email(value: Any) -> str | None:
    """Canonical form of an email (lower case, gmail dots and +tags removed), None if not an email."""
    text = clean_text(value)
    if text is None:
        return None
    email = text.strip("<>()[]\"' ").lower()
    if email.startswith("mailto:"):
        email = email[len("mailto:") :]
    if not _EMAIL.match(email):
        return None
    local, domain = email.rsplit("@", 1)
    domain = _PROVIDER_ALIASES.get(domain, domain)
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_PROVIDERS:
        local = local.replace(".", "")
    if not local or local in _FAKE_LOCALS or domain in _FAKE_DOMAINS:
        return None
    return f"{local}@{domain}"


def is_role_mailbox(email: str) -> bool:
    """True for shared role mailboxes such as info@ or sales@, which are never a person's identifier."""
    local = email.split("@", 1)[0]
    return local in ROLE_LOCALS or local.rstrip("0123456789") in ROLE_LOCALS


def emails_in_text(text: str) -> list[str]:
    """Every normalised email found in free text (a bio, a note)."""
    found = (normalise_email(match) for match in EMAIL_IN_TEXT.findall(text))
    return [email for email in found if email]
