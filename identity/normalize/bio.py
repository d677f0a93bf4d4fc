"""Evidence written in free text (a bio): emails, phones, cross-network handles, profile URLs, websites, employers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from identity.normalize.companies import normalise_company
from identity.normalize.emails import EMAIL_IN_TEXT, emails_in_text
from identity.normalize.handles import host_of, network_of_label, normalise_handle, profile_of_url
from identity.normalize.phones import phones_in_text

_URL = re.compile(r"(?<![@\w.])(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[^\s,;)]*)?", re.I)
_LABELLED = re.compile(r"\b([A-Za-z]{1,9})\s*[:：\-]?\s*@([A-Za-z0-9._]{2,40})")
_EMPLOYER = re.compile(
    r"(?:\bworking\s*(?:@|at)|\bwork(?:s)?\s*(?:@|at)|\b(?:engineer|designer|manager|developer|analyst|director|"
    r"founder|ceo|cto|intern|lead|consultant|researcher|teacher|nurse|doctor|pm)\s*(?:@|at)|^@|\|\s*@|"
    r"\ben\s*@|\bat\s*@|(?:^|\s)@(?=\s))\s*([A-Za-z0-9&][\w&.\- ]{1,40}?)(?=\s*(?:[|,;.!·•\n]|$| - | and |\s{2}))",
    re.I | re.M,
)
# Link hosts that are not a person's own site: shorteners, link-in-bio services and mail providers.
PLATFORM_HOSTS = frozenset(
    {
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "linktr.ee",
        "beacons.ai",
        "lnk.bio",
        "gmail.com",
        "naver.com",
        "daum.net",
        "qq.com",
        "163.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "icloud.com",
        "youtu.be",
        "wa.me",
        "blog.naver.com",
        "weibo.com",
        "spotify.com",
        "apple.com",
        "amazon.com",
    }
)
_BIO_LINK_HOSTS = frozenset({"linktr.ee", "beacons.ai", "lnk.bio", "blog.naver.com"})


@dataclass(slots=True)
class BioEvidence:
    """What a bio says about its author."""

    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    profiles: list[tuple[str, str]] = field(default_factory=list)  # (network, handle) the author claims
    websites: list[str] = field(default_factory=list)
    employers: list[str] = field(default_factory=list)


def normalise_website(url: str) -> str | None:
    """A person's own site as `host` (or `host/path` for link-in-bio pages); None for platforms."""
    host = host_of(url)
    if host is None or profile_of_url(url) is not None:
        return None
    if host in _BIO_LINK_HOSTS:
        text = url.strip().casefold()
        path = urlsplit(text if "://" in text else "https://" + text).path.strip("/").split("/")[0]
        return f"{host}/{path}" if path else None
    if host in PLATFORM_HOSTS or host.endswith((".gov", ".edu")):
        return None
    return host


def _urls(text: str) -> list[str]:
    without_emails = EMAIL_IN_TEXT.sub(" ", text)
    return [url for url in _URL.findall(without_emails) if not re.fullmatch(r"[\d.]+", url)]


def extract_bio(text: str, region: str | None = None) -> BioEvidence:
    """Evidence found in `text`; a phone without country code is read with `region` (ISO alpha-2)."""
    evidence = BioEvidence(emails=emails_in_text(text), phones=phones_in_text(text, region))
    for label, raw_handle in _LABELLED.findall(text):
        network = network_of_label(label)
        handle = normalise_handle(raw_handle.rstrip("."))
        if network and handle:
            evidence.profiles.append((network, handle))
    for url in _urls(text):
        profile = profile_of_url(url)
        if profile:
            evidence.profiles.append(profile)
            continue
        website = normalise_website(url)
        if website:
            evidence.websites.append(website)
    for match in _EMPLOYER.findall(text):
        company = normalise_company(match)
        if company and company not in evidence.employers:
            evidence.employers.append(company)
    return evidence
