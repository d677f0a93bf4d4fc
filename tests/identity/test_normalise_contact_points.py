"""Emails, phones, handles, URLs and placeholders."""

from __future__ import annotations

import pytest

from identity.normalize.emails import is_role_mailbox, normalise_email
from identity.normalize.handles import handle_core, normalise_handle, profile_of_url
from identity.normalize.missing import clean_text
from identity.normalize.phones import normalise_phone, phone_tail


@pytest.mark.parametrize("value", ["n/a", "None", "-1", "  ", "NULL", "?", None, float("nan")])
def test_placeholders_are_missing(value: object) -> None:
    assert clean_text(value) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Minsu.Kim@Naver.com", "minsu.kim@naver.com"),
        ("  MINSU.KIM+crm@gmail.com ", "minsukim@gmail.com"),
        ("m.i.n.s.u@googlemail.com", "minsu@gmail.com"),
        ("mailto:ana@example.si", "ana@example.si"),
    ],
)
def test_emails_are_canonical(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["test@test.com", "none@none", "n/a", "not an email", "noemail@acme.com", "-1"])
def test_fake_emails_are_missing(raw: str) -> None:
    assert normalise_email(raw) is None


def test_role_mailboxes_are_recognised() -> None:
    assert is_role_mailbox("info@acme.com")
    assert is_role_mailbox("sales2@acme.com")
    assert not is_role_mailbox("ana.novak@acme.com")


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("010-1234-5678", "KR", "+821012345678"),
        ("+82 10 1234 5678", None, "+821012345678"),
        ("0082 10 1234 5678", None, "+821012345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("98 2935 5342", "IN", "+919829355342"),
    ],
)
def test_phones_become_e164(raw: str, region: str | None, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["n/a", "0000000", "-1", "123", "1111111111"])
def test_placeholder_phones_are_missing(raw: str) -> None:
    assert normalise_phone(raw, "US") is None


def test_phone_tail_compares_without_region() -> None:
    assert phone_tail("010-1234-5678") == phone_tail("+82 10 1234 5678")


def test_handles_are_normalised() -> None:
    assert normalise_handle("@Minsu.Kim") == "minsu.kim"
    assert normalise_handle("minsu kim") is None
    assert handle_core("the_minsu.kim92") == "minsukim"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.instagram.com/minsu.kim/", ("instagram", "minsu.kim")),
        ("tiktok.com/@minsu_k", ("tiktok", "minsu_k")),
        ("https://x.com/mkim7?s=20", ("x", "mkim7")),
        ("linkedin.com/in/minsu-kim-123", ("linkedin", "minsu-kim-123")),
        ("https://www.instagram.com/p/Cx12/", None),
        ("https://minsukim.com", None),
    ],
)
def test_profile_urls_give_network_and_handle(url: str, expected: tuple[str, str] | None) -> None:
    assert profile_of_url(url) == expected
