"""Transforms that build a value: concat, template, map (picklists), constant, coalesce.

They read customer attributes by name, never CRM fields, so no field can depend on another field's
output: cycles between fields cannot be written.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from mappings.attributes import Kind, is_blank
from mappings.errors import ArgumentError, TransformError
from mappings.transforms.base import (
    Context,
    Step,
    attribute_list,
    check_options,
    has_arg,
    register,
    spec_of,
)

SCALARS = (str, int, float, bool)
VALUE = "value"  # in a template, the value flowing through the pipeline


def _scalar_text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, list | tuple):
        return _scalar_text(value[0])
    return str(value).strip()


@register("concat")
def _concat(arg: Any, options: Mapping[str, Any]) -> Step:
    """Join attributes, skipping blanks: ``{concat: [city, country], sep: ", "}``."""
    check_options("concat", options, {"sep"})
    names = attribute_list("concat", arg)
    sep = options.get("sep", " ")
    if not isinstance(sep, str):
        raise ArgumentError(f"concat sep must be text, got {sep!r}")

    def push(value: Any, ctx: Context) -> Any:
        parts = [_scalar_text(ctx.customer.get(n)) for n in names]
        return sep.join(p for p in parts if p) or None

    return Step(
        name="concat",
        spec=spec_of("concat", list(names), options),
        push=push,
        produces="text",
        reads=names,
        generator=True,
    )


def template_fields(template: str) -> tuple[str, ...]:
    """The placeholders of a template; only plain names are allowed (no attribute or index access)."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ArgumentError(f"template {template!r} is malformed: {exc}") from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or conversion is not None or spec:
            raise ArgumentError(
                f"template placeholder {{{name}}} must be a plain attribute name such as {{first_name}}"
            )
        names.append(name)
    if not names:
        raise ArgumentError("template has no {placeholder}; use constant for a fixed value")
    return tuple(names)


@register("template")
def _template(arg: Any, options: Mapping[str, Any]) -> Step:
    """Fill a text template from attributes: ``{template: "{first_name} via {first_network}"}``.

    ``{value}`` is the pipeline's current value. Blank attributes become empty text; when every
    placeholder is blank the result is blank.
    """
    check_options("template", options, set())
    if not isinstance(arg, str):
        raise ArgumentError(f"template needs text with {{placeholders}}, got {arg!r}")
    names = template_fields(arg)

    def push(value: Any, ctx: Context) -> Any:
        values = {n: _scalar_text(value if n == VALUE else ctx.customer.get(n)) for n in names}
        if not any(values.values()):
            return None
        return " ".join(arg.format(**values).split())

    return Step(
        name="template",
        spec={"template": arg},
        push=push,
        produces="text",
        reads=tuple(n for n in names if n != VALUE),
        generator=VALUE not in names,
    )


@register("map")
def _map(arg: Any, options: Mapping[str, Any]) -> Step:
    """Translate values, typically into picklist values: ``{map: {x: "Social - X"}, default: "Social"}``.

    Without ``default`` an unmapped value is a record-level error, never sent as is.
    """
    check_options("map", options, {"default"})
    if not isinstance(arg, Mapping) or not arg:
        raise ArgumentError("map needs an object of {hub value: CRM value} pairs")
    table = {str(k): v for k, v in arg.items()}
    if not all(v is None or isinstance(v, SCALARS) for v in table.values()):
        raise ArgumentError("map values must be text, numbers or booleans")
    has_default = "default" in options
    default = options.get("default")
    if has_default and default is not None and not isinstance(default, SCALARS):
        raise ArgumentError(f"map default must be text, a number or a boolean, got {default!r}")

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        key = str(value).strip()
        if key in table:
            return table[key]
        if has_default:
            return default
        raise TransformError(f"'{key}' is not in the map and the map has no default")

    outputs = {str(v) for v in table.values() if v is not None}
    if has_default and default is not None:
        outputs.add(str(default))
    return Step(
        name="map",
        spec={"map": dict(table), **options},
        push=push,
        produces="text",
        outputs=frozenset(outputs),
        max_length=max((len(o) for o in outputs), default=0),
    )


@register("constant")
def _constant(arg: Any, options: Mapping[str, Any]) -> Step:
    """Always the same value: ``{constant: "Social"}``."""
    check_options("constant", options, set())
    if not has_arg(arg) or not isinstance(arg, SCALARS):
        raise ArgumentError(f"constant needs a text, number or boolean value, got {arg!r}")
    kind: Kind = "boolean" if isinstance(arg, bool) else "number" if isinstance(arg, int | float) else "text"
    return Step(
        name="constant",
        spec={"constant": arg},
        push=lambda value, ctx: arg,
        produces=kind,
        outputs=frozenset({str(arg)}),
        max_length=len(str(arg)),
        generator=True,
    )


@register("coalesce")
def _coalesce(arg: Any, options: Mapping[str, Any]) -> Step:
    """The current value if not blank, else the first non-blank attribute: ``{coalesce: [email, emails]}``.

    A list attribute (emails, phones) gives its first item.
    """
    check_options("coalesce", options, set())
    names = attribute_list("coalesce", arg)

    def push(value: Any, ctx: Context) -> Any:
        for candidate in (value, *(ctx.customer.get(n) for n in names)):
            if isinstance(candidate, list | tuple):
                candidate = next((c for c in candidate if not is_blank(c)), None)
            if not is_blank(candidate):
                return candidate
        return None

    return Step(
        name="coalesce",
        spec={"coalesce": list(names)},
        push=push,
        reads=names,
    )
