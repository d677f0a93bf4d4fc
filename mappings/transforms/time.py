"""Dates and times with explicit time zones.

A date-only value is never given a time of day, so it can never shift a day: ``1990-05-01`` stays
``1990-05-01`` whatever zone is configured. Only a real instant (a datetime with an offset) is moved
into the configured zone before its date is taken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mappings.attributes import is_blank
from mappings.errors import ArgumentError, TransformError
from mappings.transforms.base import Context, Step, check_options, no_argument, register, spec_of

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def zone(name: Any) -> ZoneInfo:
    """The IANA time zone called ``name``, or an ArgumentError."""
    if not isinstance(name, str) or not name:
        raise ArgumentError("needs an explicit IANA time zone, e.g. {date: Europe/Paris} or {datetime: UTC}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ArgumentError(f"unknown time zone {name!r}; use an IANA name such as America/New_York") from exc


def _format_option(name: str, options: Mapping[str, Any]) -> str | None:
    fmt = options.get("format")
    if fmt is None:
        return None
    if not isinstance(fmt, str) or "%" not in fmt:
        raise ArgumentError(f"{name} format must be a strftime pattern such as '%d/%m/%Y', got {fmt!r}")
    return fmt


def parse_instant(value: Any) -> datetime:
    """An ISO 8601 datetime with an offset (or epoch milliseconds), as an aware datetime."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise TransformError(f"'{value}' is not an ISO 8601 date-time") from exc
    else:
        raise TransformError(f"expected a date-time, got {value!r}")
    if parsed.tzinfo is None:
        raise TransformError(f"'{value}' has no time zone offset, so its instant is ambiguous")
    return parsed


def parse_day(value: Any, fmt: str | None = None) -> date:
    """A calendar date from a date-only value (ISO or ``fmt``), never through a time zone."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value).strip()
    try:
        if fmt is not None:
            return datetime.strptime(text, fmt).date()
        return date.fromisoformat(text)
    except ValueError as exc:
        raise TransformError(f"'{text}' is not a date in the form {fmt or 'YYYY-MM-DD'}") from exc


def to_day(value: Any, tz: ZoneInfo) -> date:
    """The calendar date of a value: date-only values as they are, instants as seen in ``tz``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE_ONLY.match(value.strip()):
        return parse_day(value)
    return parse_instant(value).astimezone(tz).date()


@register("date")
def _date(arg: Any, options: Mapping[str, Any]) -> Step:
    """A calendar date for a date-only CRM field: ``{date: Europe/Paris}`` (optional ``format``)."""
    check_options("date", options, {"format"})
    tz = zone(arg)
    fmt = _format_option("date", options)

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        day = to_day(value, tz)
        return day.strftime(fmt) if fmt else day.isoformat()

    def pull(value: Any) -> Any:
        return None if is_blank(value) else parse_day(value, fmt).isoformat()

    return Step(
        name="date",
        spec=spec_of("date", arg, options),
        push=push,
        pull=pull,
        accepts=frozenset({"date", "datetime", "text"}),
        produces="text" if fmt else "date",
    )


def to_utc_iso(value: datetime) -> str:
    """An instant as ISO 8601 in UTC with a ``Z`` suffix (the hub's form)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@register("datetime")
def _datetime(arg: Any, options: Mapping[str, Any]) -> Step:
    """An instant rendered in an explicit zone: ``{datetime: America/New_York}`` (optional ``format``)."""
    check_options("datetime", options, {"format"})
    tz = zone(arg)
    fmt = _format_option("datetime", options)

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        local = parse_instant(value).astimezone(tz)
        return local.strftime(fmt) if fmt else local.isoformat()

    def pull(value: Any) -> Any:
        if is_blank(value):
            return None
        if fmt is None:
            return to_utc_iso(parse_instant(value))
        try:
            naive = datetime.strptime(str(value).strip(), fmt)
        except ValueError as exc:
            raise TransformError(f"'{value}' does not match the format {fmt}") from exc
        local = naive if naive.tzinfo else naive.replace(tzinfo=tz)
        return to_utc_iso(local)

    return Step(
        name="datetime",
        spec=spec_of("datetime", arg, options),
        push=push,
        pull=pull,
        accepts=frozenset({"datetime", "text"}),
        produces="text" if fmt else "datetime",
    )


@register("latest_time")
def _latest_time(arg: Any, options: Mapping[str, Any]) -> Step:
    """The latest of one or several instants (e.g. interaction times), in UTC."""
    no_argument("latest_time", arg, options)

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        values = value if isinstance(value, list | tuple) else [value]
        instants = [parse_instant(v) for v in values if not is_blank(v)]
        return to_utc_iso(max(instants)) if instants else None

    return Step(
        name="latest_time",
        spec="latest_time",
        push=push,
        accepts=frozenset({"datetime", "list", "text"}),
        produces="datetime",
    )
