"""SSRF guard: which addresses a webhook may reach, checked on the address actually connected to.

The host is resolved at send time, every candidate address is classified, and the request is pinned to the
first permitted one, so a DNS answer cannot change between the check and the connection (DNS rebinding).
Blocked unless an operator allows them (`RAPPORT_WEBHOOK_ALLOWED_NETWORKS`): loopback, private, link-local,
CGNAT, ULA, NAT64, 6to4, Teredo, cloud metadata, multicast, reserved and unspecified addresses, and IPv4
addresses hidden inside IPv6 (mapped, NAT64, 6to4).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

METADATA = tuple(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_CLASSES: tuple[tuple[str, IPNetwork], ...] = tuple(
    (label, ipaddress.ip_network(net))
    for label, net in (
        ("unspecified", "0.0.0.0/8"),
        ("loopback", "127.0.0.0/8"),
        ("private", "10.0.0.0/8"),
        ("private", "172.16.0.0/12"),
        ("private", "192.168.0.0/16"),
        ("link-local", "169.254.0.0/16"),
        ("cgnat", "100.64.0.0/10"),
        ("reserved", "192.0.0.0/24"),
        ("reserved", "198.18.0.0/15"),
        ("multicast", "224.0.0.0/4"),
        ("reserved", "240.0.0.0/4"),
        ("unspecified", "::/128"),
        ("loopback", "::1/128"),
        ("ipv4-mapped", "::ffff:0:0/96"),
        ("nat64", "64:ff9b::/96"),
        ("nat64", "64:ff9b:1::/48"),
        ("teredo", "2001::/32"),
        ("6to4", "2002::/16"),
        ("ula", "fc00::/7"),
        ("link-local", "fe80::/10"),
        ("multicast", "ff00::/8"),
    )
)


class BlockedAddress(Exception):
    """The destination resolves only to addresses webhooks may not reach."""


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """Networks from a comma-separated CIDR list (the `RAPPORT_WEBHOOK_ALLOWED_NETWORKS` format)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def classify(address: IPAddress) -> str | None:
    """Why `address` is blocked (a class name such as "loopback" or "metadata"), or None when it is public."""
    if address in METADATA:
        return "metadata"
    for label, network in _CLASSES:
        if address.version == network.version and address in network:
            embedded = _embedded_ipv4(address, label)
            return classify(embedded) or label if embedded is not None else label
    if not address.is_global:
        return "reserved"
    return None


def _embedded_ipv4(address: IPAddress, label: str) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if label == "ipv4-mapped":
        return address.ipv4_mapped
    if label == "6to4":
        return address.sixtofour
    if label == "nat64":
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_allowed(address: IPAddress, allowed: Iterable[IPNetwork] = ()) -> bool:
    """True when `address` is public, or inside one of the operator's allowed networks."""
    if any(address.version == net.version and address in net for net in allowed):
        return True
    return classify(address) is None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6), in the system resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def pin_address(
    host: str, port: int, allowed: Sequence[IPNetwork] = (), resolver: Resolver = system_resolver
) -> IPAddress:
    """The address to connect to for `host`: the first resolved one that is permitted.

    Raises `BlockedAddress` (naming the address class, never a secret) when none is, or the host does
    not resolve.
    """
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        candidates: list[IPAddress] = [literal]
    except ValueError:
        try:
            candidates = [ipaddress.ip_address(a.split("%")[0]) for a in resolver(host, port)]
        except OSError as exc:
            raise BlockedAddress(f"{host} does not resolve ({exc.strerror or exc})") from None
    for address in candidates:
        if is_allowed(address, allowed):
            return address
    if not candidates:
        raise BlockedAddress(f"{host} does not resolve")
    label = classify(candidates[0])
    raise BlockedAddress(
        f"{host} resolves to a {label} address ({candidates[0]}), which webhooks may not reach; "
        "allow it with RAPPORT_WEBHOOK_ALLOWED_NETWORKS if intended"
    )
