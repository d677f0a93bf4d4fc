"""A record's normalised features (`Profile`), built once per record from its raw attributes.

Social profiles and CRM contacts use the ingest field names of CONTRACT.md; any other record (a CSV row of
`rapport resolve`) is read through a schema of column kinds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from identity.api import IdentityRecord
from identity.normalize.bio import extract_bio, normalise_website
from identity.normalize.companies import normalise_company
from identity.normalize.emails import is_role_mailbox, normalise_email
from identity.normalize.handles import handle_core, normalise_handle, profile_of_url
from identity.normalize.missing import clean_text
from identity.normalize.names import NameForm, forms_from_handle, names_id, parse_display_name, parse_parts
from identity.normalize.phones import normalise_phone, phone_tail
from identity.normalize.places import normalise_country, normalise_place
from identity.normalize.text import to_ascii
from identity.schema import ColumnSpec, normalise_date

SOCIAL = "social_profile"
CONTACT = "contact"

_T = TypeVar("_T")
_EMPTY: frozenset[Any] = frozenset()


def _frozen(values: Iterable[_T]) -> frozenset[_T]:
    """`values` as a frozenset, every empty one the same object.

    Most features of a record are empty, and CPython has no empty-frozenset singleton: each would take 216
    bytes, for every record the engine keeps.
    """
    found = frozenset(values)
    return found if found else _EMPTY


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything identity compares about one record, normalised."""

    key: str
    kind: str
    source: str
    account: tuple[str, str] | None = None  # (network, external id) of a social profile
    names: tuple[NameForm, ...] = ()
    names_id: int = -1  # equal names, equal ids (see `names_id`)
    emails: frozenset[str] = frozenset()
    role_emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    phone_tails: frozenset[str] = frozenset()
    handles: frozenset[tuple[str, str]] = frozenset()  # own (network, handle)
    claimed: frozenset[tuple[str, str]] = frozenset()  # (network, handle) the record says it also owns
    handle_cores: frozenset[str] = frozenset()
    websites: frozenset[str] = frozenset()
    cities: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    companies: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()
    postcodes: frozenset[str] = frozenset()
    addresses: tuple[str, ...] = ()
    categories: frozenset[str] = frozenset()

    def all_handles(self) -> frozenset[str]:
        """Every handle of the record, whatever the network (own and claimed)."""
        return frozenset(handle for _, handle in self.handles | self.claimed)


@dataclass(slots=True)
class _Builder:
    emails: set[str] = field(default_factory=set)
    role_emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    tails: set[str] = field(default_factory=set)
    claimed: set[tuple[str, str]] = field(default_factory=set)
    websites: set[str] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)

    def add_email(self, value: Any) -> None:
        email = normalise_email(value)
        if email:
            (self.role_emails if is_role_mailbox(email) else self.emails).add(email)

    def add_phone(self, value: Any, region: str | None) -> None:
        phone = normalise_phone(value, region)
        tail = phone_tail(value)
        if phone:
            self.phones.add(phone)
        if tail:
            self.tails.add(tail)

    def add_url(self, value: Any) -> None:
        text = clean_text(value)
        if not text:
            return
        profile = profile_of_url(text)
        website = None if profile else normalise_website(text)
        if profile:
            self.claimed.add(profile)
        elif website:
            self.websites.add(website)

    def add_place(self, value: Any, country: Any = None) -> None:
        place = normalise_place(value, country)
        if place.city:
            self.cities.add(place.city)
        if place.country:
            self.countries.add(place.country)

    def add_bio(self, value: Any, region: str | None) -> None:
        text = clean_text(value)
        if not text:
            return
        evidence = extract_bio(text, region)
        for email in evidence.emails:
            self.add_email(email)
        self.phones.update(evidence.phones)
        self.tails.update(tail for tail in map(phone_tail, evidence.phones) if tail)
        self.claimed.update(evidence.profiles)
        self.websites.update(evidence.websites)
        self.companies.update(evidence.employers)

    def region(self) -> str | None:
        return min(self.countries) if len(self.countries) == 1 else None


def _text(attributes: Mapping[str, Any], name: str) -> str | None:
    return clean_text(attributes.get(name))


def _contact_extras(builder: _Builder, properties: Any, region: str | None) -> None:
    if not isinstance(properties, Mapping):
        return
    for name, value in properties.items():
        label = str(name).casefold()
        if "email" in label:
            builder.add_email(value)
        elif "phone" in label or "mobile" in label:
            builder.add_phone(value, region)


def _social(record: IdentityRecord, attrs: Mapping[str, Any]) -> Profile:
    builder = _Builder()
    network = (_text(attrs, "network") or record.source).casefold()
    builder.add_place(attrs.get("location"), attrs.get("country"))
    region = builder.region()
    builder.add_email(attrs.get("email"))
    builder.add_phone(attrs.get("phone"), region)
    builder.add_url(attrs.get("website"))
    builder.add_bio(attrs.get("bio"), region)
    handle = normalise_handle(attrs.get("handle"))
    handles = frozenset({(network, handle)}) if handle else _EMPTY
    name = _text(attrs, "name")
    names = parse_display_name(name) if name else ()
    if not names and handle:
        names = forms_from_handle(handle)
    return _finish(record, builder, names, handles, account=(network, record.external_id))


def _contact(record: IdentityRecord, attrs: Mapping[str, Any]) -> Profile:
    builder = _Builder()
    builder.add_place(attrs.get("city"), attrs.get("country"))
    region = normalise_country(attrs.get("country")) or builder.region()
    builder.add_email(attrs.get("email"))
    builder.add_phone(attrs.get("phone"), region)
    _contact_extras(builder, attrs.get("properties"), region)
    company = normalise_company(attrs.get("company"))
    if company:
        builder.companies.add(company)
    builder.add_url(attrs.get("website"))
    names = parse_parts(_text(attrs, "first_name"), _text(attrs, "last_name"))
    if not names and _text(attrs, "name"):
        names = parse_display_name(str(_text(attrs, "name")))
    return _finish(record, builder, names, _EMPTY)


def _finish(
    record: IdentityRecord,
    builder: _Builder,
    names: tuple[NameForm, ...],
    handles: frozenset[tuple[str, str]],
    account: tuple[str, str] | None = None,
    **extra: Any,
) -> Profile:
    all_handles = {handle for _, handle in handles | builder.claimed}
    cores = {handle_core(handle) for handle in all_handles}
    return Profile(
        key=record.key,
        kind=record.kind,
        source=record.source,
        account=account,
        names=names,
        names_id=names_id(names),
        emails=_frozen(builder.emails),
        role_emails=_frozen(builder.role_emails),
        phones=_frozen(builder.phones),
        phone_tails=_frozen(builder.tails),
        handles=handles,
        claimed=_frozen(builder.claimed - handles),
        handle_cores=_frozen(core for core in cores if len(core) >= 4),
        websites=_frozen(builder.websites),
        cities=_frozen(builder.cities),
        countries=_frozen(builder.countries),
        companies=_frozen(builder.companies),
        **extra,
    )


def _tabular(record: IdentityRecord, columns: Mapping[str, ColumnSpec]) -> Profile:
    builder = _Builder()
    values: dict[str, list[Any]] = {}
    for column, spec in columns.items():
        value = clean_text(record.attributes.get(column))
        if value is not None:
            values.setdefault(spec.kind, []).append((value, spec))
    for value, _ in values.get("country", []):
        code = normalise_country(value)
        if code:
            builder.countries.add(code)
    for value, _ in values.get("city", []):
        builder.add_place(value)
    region = builder.region()
    for value, _ in values.get("email", []):
        builder.add_email(value)
    for value, _ in values.get("phone", []):
        builder.add_phone(value, region)
    for value, _ in values.get("url", []):
        builder.add_url(value)
    for value, _ in values.get("text", []):
        builder.add_bio(value, region)
    handles = {(record.source, h) for h in map(normalise_handle, _plain(values, "handle")) if h}
    names = _tabular_names(values)
    return _finish(
        record,
        builder,
        names,
        _frozen(handles),
        dates=_frozen(d for v, s in values.get("date", []) if (d := normalise_date(v, s.format))),
        identifiers=_frozen(_compact(v) for v in _plain(values, "identifier")),
        postcodes=_frozen(_compact(v) for v in _plain(values, "postcode")),
        addresses=tuple(to_ascii(v) for v in _plain(values, "address")),
        categories=_frozen(f"{s.column}={to_ascii(v)}" for v, s in values.get("category", [])),
    )


def _plain(values: Mapping[str, list[Any]], kind: str) -> list[str]:
    return [value for value, _ in values.get(kind, [])]


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-/]", "", value).casefold()


def _tabular_names(values: Mapping[str, list[Any]]) -> tuple[NameForm, ...]:
    given = " ".join(_plain(values, "given_name")) or None
    family = " ".join(_plain(values, "family_name")) or None
    forms = list(parse_parts(given, family))
    for full in _plain(values, "full_name"):
        forms.extend(parse_display_name(full))
    return tuple(forms)


def build_profile(record: IdentityRecord, columns: Mapping[str, ColumnSpec] | None = None) -> Profile:
    """The profile of a record: by schema when `columns` is given, else by ingest type."""
    attrs = record.attributes
    if columns is not None:
        return _tabular(record, columns)
    if record.kind == CONTACT:
        return _contact(record, attrs)
    return _social(record, attrs)


def merge_sets(profiles: Iterable[Profile], name: str) -> frozenset[Any]:
    """The union of one set-valued feature over several profiles."""
    merged: set[Any] = set()
    for profile in profiles:
        merged |= getattr(profile, name)
    return frozenset(merged)
