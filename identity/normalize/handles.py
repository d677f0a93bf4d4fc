"""Handles and profile URLs: `@Minsu.Kim` -> `minsu.kim`; `instagram.com/minsu.kim` -> (instagram, minsu.kim)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from identity.normalize.missing import clean_text

_HANDLE = re.compile(r"^[a-z0-9._-]{2,40}$")
_HOST_NETWORKS = {
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "twitter.com": "x",
    "x.com": "x",
    "tiktok.com": "tiktok",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "linkedin.com": "linkedin",
    "youtube.com": "youtube",
    "threads.net": "threads",
    "threads.com": "threads",
    "bsky.app": "bluesky",
    "github.com": "github",
    "pinterest.com": "pinterest",
    "snapchat.com": "snapchat",
    "t.me": "telegram",
    "medium.com": "medium",
}
_LABEL_NETWORKS = {
    "ig": "instagram",
    "insta": "instagram",
    "instagram": "instagram",
    "tw": "x",
    "twitter": "x",
    "x": "x",
    "tiktok": "tiktok",
    "tt": "tiktok",
    "fb": "facebook",
    "facebook": "facebook",
    "linkedin": "linkedin",
    "li": "linkedin",
    "yt": "youtube",
    "youtube": "youtube",
    "threads": "threads",
    "bsky": "bluesky",
    "bluesky": "bluesky",
    "github": "github",
    "telegram": "telegram",
    "tg": "telegram",
}
_PATH_PREFIXES = ("in", "c", "user", "profile", "company", "channel")
_RESERVED = frozenset({"p", "reel", "explore", "share", "status", "watch", "home", "login", "intent", "hashtag"})


def network_of_label(label: str) -> str | None:
    """The network a label written in a bio names ("IG", "tw", "TikTok"), if any."""
    return _LABEL_NETWORKS.get(label.strip().casefold())


def normalise_handle(value: Any) -> str | None:
    """A handle without `@`, lower case; None when it is not one."""
    text = clean_text(value)
    if text is None:
        return None
    handle = text.strip().lstrip("@").rstrip(",;:!?)").casefold()
    if handle.endswith(".bsky.social"):
        handle = handle[: -len(".bsky.social")]
    return handle if _HANDLE.match(handle) else None


def handle_core(handle: str) -> str:
    """The letters of a handle, without digits, separators and decorations (`the_minsu.kim92` -> `minsukim`)."""
    core = re.sub(r"[^a-z]", "", handle)
    for prefix in ("official", "real", "its", "the", "iam", "im"):
        if core.startswith(prefix) and len(core) - len(prefix) >= 4:
            core = core[len(prefix) :]
            break
    for suffix in ("official", "travels", "travel", "photo", "photos", "art", "tv", "blog"):
        if core.endswith(suffix) and len(core) - len(suffix) >= 4:
            core = core[: -len(suffix)]
            break
    return core


def host_of(url: str) -> str | None:
    """The host of a URL without `www.`; a scheme is optional."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        host = (urlsplit(text).hostname or "").casefold()
    except ValueError:
        return None
    host = host.removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
    return host if "." in host else None


def profile_of_url(url: str) -> tuple[str, str] | None:
    """`(network, handle)` when `url` is a profile on a known network, else None."""
    host = host_of(url)
    if host is None or host not in _HOST_NETWORKS:
        return None
    text = url.strip() if "://" in url else "https://" + url.strip()
    parts = [part for part in urlsplit(text).path.split("/") if part]
    if parts and parts[0] in _PATH_PREFIXES and len(parts) > 1:
        parts = parts[1:]
    if not parts or parts[0].casefold() in _RESERVED:
        return None
    handle = normalise_handle(parts[0])
    return (_HOST_NETWORKS[host], handle) if handle else None
