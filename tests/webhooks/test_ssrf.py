"""The SSRF guard: every blocked address class, allowed networks, pinning, and refusal at send time."""

from __future__ import annotations

import ipaddress

import pytest

from tests.webhooks.receiver import Receiver
from webhooks.outbound.sender import HttpSender
from webhooks.outbound.ssrf import BlockedAddress, classify, is_allowed, parse_networks, pin_address


@pytest.mark.parametrize(
    ("address", "label"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "cgnat"),
        ("fd12:3456::1", "ula"),
        ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 of 169.254.169.254
        ("64:ff9b::808:808", "nat64"),
        ("2002:c0a8:0101::1", "private"),  # 6to4 of 192.168.1.1
        ("2002:0808:0808::1", "6to4"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("2001:db8::1", "reserved"),
    ],
)
def test_each_address_class_is_blocked(address: str, label: str) -> None:
    assert classify(ipaddress.ip_address(address)) == label
    assert not is_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert classify(ipaddress.ip_address(address)) is None


def test_allowed_networks_open_exactly_what_they_name() -> None:
    allowed = parse_networks("127.0.0.0/8, 10.0.0.0/24")
    assert is_allowed(ipaddress.ip_address("127.0.0.5"), allowed)
    assert is_allowed(ipaddress.ip_address("10.0.0.9"), allowed)
    assert not is_allowed(ipaddress.ip_address("10.0.1.9"), allowed)
    assert not is_allowed(ipaddress.ip_address("::1"), allowed)


def test_the_first_permitted_resolved_address_is_pinned() -> None:
    def resolver(_host: str, _port: int) -> list[str]:
        return ["10.0.0.1", "93.184.216.34"]

    assert str(pin_address("hooks.example.com", 443, (), resolver)) == "93.184.216.34"


def test_a_name_resolving_only_to_private_addresses_is_refused() -> None:
    def resolver(_host: str, _port: int) -> list[str]:
        return ["169.254.169.254"]

    with pytest.raises(BlockedAddress, match="metadata"):
        pin_address("evil.example.com", 80, (), resolver)


def test_the_sender_refuses_loopback_unless_allowed(receiver: Receiver) -> None:
    refused = HttpSender().send(receiver.url, {}, b"{}")
    assert refused.status_code is None and refused.error and "loopback" in refused.error
    assert receiver.requests == []

    allowed = HttpSender(parse_networks("127.0.0.0/8")).send(receiver.url, {}, b"{}")
    assert allowed.status_code == 200


def test_the_sender_connects_to_the_pinned_address_with_the_original_host(receiver: Receiver) -> None:
    port = receiver.url.split(":")[2].split("/")[0]

    def resolver(_host: str, _port: int) -> list[str]:
        return ["127.0.0.1"]

    sender = HttpSender(parse_networks("127.0.0.0/8"), resolver=resolver)
    result = sender.send(f"http://hooks.example.test:{port}/hook", {}, b"{}")
    assert result.status_code == 200
    assert receiver.requests[0].headers["host"] == f"hooks.example.test:{port}"


def test_redirects_are_not_followed(receiver: Receiver) -> None:
    receiver.answer((302, {"Location": "http://169.254.169.254/latest"}, b""), (200, {}, b""))
    result = HttpSender(parse_networks("127.0.0.0/8")).send(receiver.url, {}, b"{}")
    assert result.status_code == 302 and not result.succeeded
    assert result.error and "redirect" in result.error
    assert len(receiver.requests) == 1
