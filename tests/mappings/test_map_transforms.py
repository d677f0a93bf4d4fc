"""Every transform of the fixed registry, as a pure function."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from mappings.errors import ArgumentError, TransformError
from mappings.transforms import REGISTRY, Context, build_step


def run(spec: Any, value: Any, customer: dict[str, Any] | None = None, **ctx: Any) -> Any:
    return build_step(spec).push(value, Context(customer=customer or {}, **ctx))


def pull(spec: Any, value: Any) -> Any:
    fn = build_step(spec).pull
    assert fn is not None
    return fn(value)


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ("trim", "  Ana   Maria ", "Ana Maria"),
        ("lower", "Ana@Example.COM", "ana@example.com"),
        ("upper", "fr", "FR"),
        ("title", "JEAN-LUC o'NEIL", "Jean-Luc O'Neil"),
        ("trim", None, None),
        ("upper", "   ", None),
    ],
)
def test_text_case_and_trim(spec: str, value: Any, expected: Any) -> None:
    assert run(spec, value) == expected


def test_text_transforms_refuse_non_text_at_sync_time() -> None:
    with pytest.raises(TransformError, match="expects text"):
        run("lower", ["a"])


def test_truncate_cuts_to_n_or_to_the_field_length() -> None:
    assert run({"truncate": 5}, "Alexandra") == "Alexa"
    assert run({"truncate": 4}, "Ana Maria") == "Ana"  # no trailing space left behind
    assert run("truncate", "Alexandra", field_length=3) == "Ale"
    with pytest.raises(TransformError, match="field's length"):
        run("truncate", "Alexandra")


def test_max_length_refuses_rather_than_cuts() -> None:
    assert run({"max_length": 20}, "ana@example.com") == "ana@example.com"
    with pytest.raises(TransformError, match="15 characters, the field holds 5"):
        run({"max_length": 5}, "ana@example.com")


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ("e164", "+33 6 12 34 56 78", "+33612345678"),
        ("e164", "+1 (415) 555-2671", "+14155552671"),
        ({"e164": "FR"}, "06 12 34 56 78", "+33612345678"),
        ({"e164": "us"}, "(415) 555-2671", "+14155552671"),
    ],
)
def test_e164(spec: Any, value: str, expected: str) -> None:
    assert run(spec, value) == expected
    assert pull(spec, value) == expected  # CRM phones are read back in hub form


def test_e164_rejects_numbers_it_cannot_place() -> None:
    with pytest.raises(TransformError, match="not a phone number"):
        run("e164", "06 12 34 56 78")  # no country code and no region
    with pytest.raises(TransformError, match="not a valid phone number"):  # parses, but no such number
        run("e164", "+1 555 555 0100")


def test_split_and_join_names() -> None:
    assert run({"split_name": "first"}, "Mary Ann Smith") == "Mary Ann"
    assert run({"split_name": "last"}, "Mary Ann Smith") == "Smith"
    assert run({"split_name": "last"}, "Cher") is None
    people = {"first_name": "Ana", "last_name": "Silva"}
    assert run("join_name", None, people) == "Ana Silva"
    assert run({"join_name": "last_first"}, None, people) == "Silva, Ana"
    assert run("join_name", None, {"last_name": "Silva"}) == "Silva"


class TestDates:
    def test_date_only_value_never_shifts_a_day(self) -> None:
        for tz in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC", "America/Los_Angeles"):
            assert run({"date": tz}, "1990-05-01") == "1990-05-01"

    def test_instant_takes_its_date_in_the_explicit_zone(self) -> None:
        late_utc = "2026-03-01T23:30:00Z"
        assert run({"date": "UTC"}, late_utc) == "2026-03-01"
        assert run({"date": "Europe/Paris"}, late_utc) == "2026-03-02"
        assert run({"date": "America/New_York"}, late_utc) == "2026-03-01"

    def test_date_format_and_pull_back(self) -> None:
        spec = {"date": "Europe/Paris", "format": "%d/%m/%Y"}
        assert run(spec, "1990-05-01") == "01/05/1990"
        assert pull(spec, "01/05/1990") == "1990-05-01"
        assert pull({"date": "UTC"}, "1990-05-01") == "1990-05-01"

    def test_datetime_renders_the_instant_in_the_zone(self) -> None:
        assert run({"datetime": "America/New_York"}, "2026-07-01T12:00:00Z") == "2026-07-01T08:00:00-04:00"
        assert run({"datetime": "UTC", "format": "%Y-%m-%d %H:%M"}, "2026-07-01T14:00:00+02:00") == ("2026-07-01 12:00")

    def test_datetime_pull_normalises_to_utc(self) -> None:
        assert pull({"datetime": "UTC"}, "2026-11-22T14:02:00.000+0000") == "2026-11-22T14:02:00Z"
        local = {"datetime": "Europe/Paris", "format": "%d/%m/%Y %H:%M"}
        assert pull(local, "22/11/2026 15:02") == "2026-11-22T14:02:00Z"

    def test_naive_datetime_is_refused_not_guessed(self) -> None:
        with pytest.raises(TransformError, match="no time zone"):
            run({"datetime": "UTC"}, "2026-07-01T12:00:00")

    def test_zone_is_required_and_checked(self) -> None:
        with pytest.raises(ArgumentError, match="explicit IANA time zone"):
            build_step("date")
        with pytest.raises(ArgumentError, match="unknown time zone"):
            build_step({"datetime": "Mars/Olympus"})
        with pytest.raises(ArgumentError, match="strftime"):
            build_step({"date": "UTC", "format": "dd/mm"})

    def test_latest_time(self) -> None:
        times = ["2026-11-20T10:00:00Z", "2026-11-22T13:00:00+01:00", "2026-11-21T09:00:00-05:00"]
        assert run("latest_time", times) == "2026-11-22T12:00:00Z"
        assert run("latest_time", "2026-11-22T13:00:00+01:00") == "2026-11-22T12:00:00Z"


def test_concat_skips_blanks() -> None:
    person = {"city": "Lyon", "country": "FR", "company": " "}
    assert run({"concat": ["city", "company", "country"], "sep": ", "}, None, person) == "Lyon, FR"
    assert run({"concat": ["company"]}, None, person) is None


def test_template_fills_attributes_and_value() -> None:
    person = {"first_name": "Ana", "first_network": "instagram"}
    assert run({"template": "{first_name} via {first_network}"}, None, person) == "Ana via instagram"
    assert run({"template": "{first_name} {last_name}"}, None, person) == "Ana"
    assert run({"template": "{value} followers"}, 1200, person) == "1200 followers"
    assert run({"template": "{last_name}"}, None, person) is None


@pytest.mark.parametrize("template", ["{first_name.__class__}", "{emails[0]}", "{first_name!r}", "{x:>10}", "none"])
def test_template_refuses_anything_but_plain_names(template: str) -> None:
    with pytest.raises(ArgumentError):
        build_step({"template": template})


class TestMap:
    spec: ClassVar[dict[str, Any]] = {
        "map": {"instagram": "Social - Instagram", "x": "Social - X"},
        "default": "Social",
    }

    def test_maps_and_defaults(self) -> None:
        assert run(self.spec, "x") == "Social - X"
        assert run(self.spec, "tiktok") == "Social"
        assert run(self.spec, None) is None

    def test_without_default_an_unmapped_value_is_a_record_error(self) -> None:
        with pytest.raises(TransformError, match="'tiktok' is not in the map"):
            run({"map": {"x": "Social - X"}}, "tiktok")

    def test_outputs_are_known_for_picklist_checks(self) -> None:
        assert build_step(self.spec).outputs == {"Social - Instagram", "Social - X", "Social"}

    def test_null_default_sends_nothing(self) -> None:
        assert run({"map": {"x": "X"}, "default": None}, "tiktok") is None


def test_constant_and_coalesce() -> None:
    assert run({"constant": "Social"}, "ignored") == "Social"
    assert build_step({"constant": "Social"}).outputs == {"Social"}
    person = {"emails": ["", "second@example.com"]}
    assert run({"coalesce": ["email", "emails"]}, None, person) == "second@example.com"
    assert run({"coalesce": ["emails"]}, "first@example.com", person) == "first@example.com"


def test_social_summaries() -> None:
    handles = {"x": ["@ana"], "instagram": ["ana.s", "ana.silva"], "tiktok": []}
    assert run("social_handles", handles) == "instagram: ana.s, ana.silva; x: @ana"
    assert run({"social_handles": None, "sep": " | "}, handles) == "instagram: ana.s, ana.silva | x: @ana"
    assert run("total", {"x": 200, "instagram": 1000}) == 1200
    assert run("total", [1.5, 2]) == 3.5
    assert run("sentiment_label", 0.4) == "positive"
    assert run("sentiment_label", -0.6) == "negative"
    assert run({"sentiment_label": 0.5}, 0.4) == "neutral"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nope", "unknown transform 'nope'"),
        ({"truncate": "forty"}, "positive whole number"),
        ({"truncate": 0}, "positive whole number"),
        ({"e164": "France"}, "two-letter region"),
        ({"map": ["x"]}, "object of"),
        ({"map": {"x": "X"}, "fallback": "Y"}, "does not take option"),
        ({"constant": None}, "constant needs"),
        ({"coalesce": "email"}, "list of customer attributes"),
        ({"split_name": "middle"}, "'first' or 'last'"),
        ({"trim": True}, "takes no arguments"),
        ({"trim": None, "upper": None}, "exactly one transform"),
        (42, "a name or"),
    ],
)
def test_wrong_arguments_are_refused_when_built(spec: Any, message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        build_step(spec)


def test_registry_is_the_documented_set() -> None:
    assert set(REGISTRY) == {
        "trim", "lower", "upper", "title", "truncate", "max_length", "e164", "split_name", "join_name",
        "date", "datetime", "latest_time", "concat", "template", "map", "constant", "coalesce",
        "social_handles", "total", "sentiment_label",
    }  # fmt: skip
