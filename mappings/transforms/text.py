"""Text transforms: case, trimming, length limits, phone numbers and names."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import phonenumbers

from mappings.attributes import Kind, is_blank
from mappings.errors import ArgumentError, TransformError
from mappings.transforms.base import (
    Context,
    Step,
    as_text,
    check_options,
    has_arg,
    no_argument,
    positive_int,
    register,
    spec_of,
)

TEXT: frozenset[Kind] = frozenset({"text"})


def _text_step(name: str, fn: Callable[[str], str]) -> Callable[[Any, Mapping[str, Any]], Step]:
    def pull(value: Any) -> Any:
        return None if is_blank(value) else fn(as_text(name, value))

    def build(arg: Any, options: Mapping[str, Any]) -> Step:
        no_argument(name, arg, options)
        return Step(
            name=name,
            spec=name,
            push=lambda value, ctx: pull(value),
            pull=pull,
            accepts=TEXT,
            produces="text",
            keeps_bound=True,
        )

    return build


_WORD_START = re.compile(r"(^|[\s\-'’])(\w)")


def title_case(text: str) -> str:
    """Capitalise each word (after spaces, hyphens and apostrophes); the rest goes lower case."""
    return _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), text.lower())


register("trim")(_text_step("trim", lambda s: " ".join(s.split())))
register("lower")(_text_step("lower", str.lower))
register("upper")(_text_step("upper", str.upper))
register("title")(_text_step("title", title_case))


def _length_arg(name: str, arg: Any) -> int | None:
    return positive_int(name, arg) if has_arg(arg) else None


def _field_limit(name: str, limit: int | None, ctx: Context) -> int:
    if limit is not None:
        return limit
    if ctx.field_length is None:
        raise TransformError(f"{name} without a number needs the CRM field's length; write {{{name}: N}}")
    return ctx.field_length


@register("truncate")
def _truncate(arg: Any, options: Mapping[str, Any]) -> Step:
    """Cut text to N characters (bare: to the CRM field's length)."""
    check_options("truncate", options, set())
    limit = _length_arg("truncate", arg)

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        return as_text("truncate", value)[: _field_limit("truncate", limit, ctx)].rstrip()

    return Step(
        name="truncate",
        spec=spec_of("truncate", arg, options),
        push=push,
        pull=lambda value: value,
        accepts=TEXT,
        produces="text",
        max_length=limit if limit is not None else "field",
        keeps_bound=True,
    )


@register("max_length")
def _max_length(arg: Any, options: Mapping[str, Any]) -> Step:
    """Refuse (record-level error) text longer than N characters, where cutting would corrupt it (emails)."""
    check_options("max_length", options, set())
    limit = _length_arg("max_length", arg)

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        text = as_text("max_length", value)
        bound = _field_limit("max_length", limit, ctx)
        if len(text) > bound:
            raise TransformError(f"value is {len(text)} characters, the field holds {bound}")
        return text

    return Step(
        name="max_length",
        spec=spec_of("max_length", arg, options),
        push=push,
        pull=lambda value: value,
        accepts=TEXT,
        produces="text",
        max_length=limit if limit is not None else "field",
        keeps_bound=True,
    )


def to_e164(value: Any, region: str | None) -> str | None:
    """Format a phone number as E.164; a number without a country code needs ``region``."""
    if is_blank(value):
        return None
    text = as_text("e164", value)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise TransformError(f"'{text}' is not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(number):
        raise TransformError(f"'{text}' is not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


NATIONAL_NUMBER = re.compile(r"[0-9 ()./-]+")
MIN_NATIONAL_DIGITS = 6


def from_crm_phone(value: Any, region: str | None) -> str | None:
    """A CRM phone read into the hub: E.164 when it can be read. A national number (no `+`) with no region
    configured is kept as the CRM wrote it, not refused: the CRM field alone does not say which country it
    belongs to, and the hub reads it later with the record's own country."""
    if is_blank(value):
        return None
    text = as_text("e164", value).strip()
    national = NATIONAL_NUMBER.fullmatch(text) and sum(c.isdigit() for c in text) >= MIN_NATIONAL_DIGITS
    if region is None and national and not text.startswith("00"):
        return text
    return to_e164(text, region)


@register("e164")
def _e164(arg: Any, options: Mapping[str, Any]) -> Step:
    """E.164 phone numbers; ``{e164: FR}`` reads numbers without a country code as French."""
    check_options("e164", options, set())
    region = None
    if has_arg(arg):
        if not isinstance(arg, str) or len(arg) != 2 or not arg.isalpha():
            raise ArgumentError(f"e164 takes a two-letter region code such as US or FR, got {arg!r}")
        region = arg.upper()
    return Step(
        name="e164",
        spec=spec_of("e164", arg, options),
        push=lambda value, ctx: to_e164(value, region),
        pull=lambda value: from_crm_phone(value, region),
        accepts=TEXT,
        produces="text",
        max_length=16,
    )


def split_name(full: str) -> tuple[str, str]:
    """Split a full name: the last word is the last name, the words before it the first name."""
    words = full.split()
    if len(words) < 2:
        return (words[0] if words else "", "")
    return (" ".join(words[:-1]), words[-1])


@register("split_name")
def _split_name(arg: Any, options: Mapping[str, Any]) -> Step:
    """Take the first or last part of a full name: ``{split_name: first}`` or ``{split_name: last}``."""
    check_options("split_name", options, set())
    if arg not in ("first", "last"):
        raise ArgumentError(f"split_name takes 'first' or 'last', got {arg!r}")
    index = 0 if arg == "first" else 1

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        return split_name(as_text("split_name", value))[index] or None

    return Step(
        name="split_name",
        spec={"split_name": arg},
        push=push,
        accepts=TEXT,
        produces="text",
        keeps_bound=True,
    )


@register("join_name")
def _join_name(arg: Any, options: Mapping[str, Any]) -> Step:
    """Build a full name from first_name and last_name (``{join_name: last_first}``: "Last, First")."""
    check_options("join_name", options, set())
    order = arg if has_arg(arg) else "first_last"
    if order not in ("first_last", "last_first"):
        raise ArgumentError(f"join_name takes first_last or last_first, got {arg!r}")

    def push(value: Any, ctx: Context) -> Any:
        first = str(ctx.customer.get("first_name") or "").strip()
        last = str(ctx.customer.get("last_name") or "").strip()
        if order == "last_first" and first and last:
            return f"{last}, {first}"
        return " ".join(p for p in (first, last) if p) or None

    return Step(
        name="join_name",
        spec=spec_of("join_name", arg, options),
        push=push,
        produces="text",
        reads=("first_name", "last_name"),
        generator=True,
    )
