"""Social summaries for CRM fields: handles per network, total followers, a sentiment label.

(The latest interaction time is ``latest_time`` in the time transforms.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mappings.attributes import is_blank
from mappings.errors import ArgumentError, TransformError
from mappings.transforms.base import Context, Step, check_options, has_arg, no_argument, register, spec_of

SENTIMENT_LABELS = ("positive", "neutral", "negative")


def handles_text(handles: Mapping[str, Any], sep: str) -> str | None:
    """``{"x": ["@ana"], "instagram": ["ana.b", "ana"]}`` -> ``"instagram: ana.b, ana; x: @ana"``."""
    parts = []
    for network in sorted(handles):
        names = handles[network]
        names = [names] if isinstance(names, str) else list(names or [])
        names = [str(n).strip() for n in names if not is_blank(n)]
        if names:
            parts.append(f"{network}: {', '.join(names)}")
    return sep.join(parts) or None


@register("social_handles")
def _social_handles(arg: Any, options: Mapping[str, Any]) -> Step:
    """The customer's handles joined per network, networks in name order (option ``sep``, default "; ")."""
    check_options("social_handles", options, {"sep"})
    if has_arg(arg):
        raise ArgumentError("social_handles takes only the option sep, e.g. {social_handles: null, sep: ' | '}")
    sep = options.get("sep", "; ")
    if not isinstance(sep, str):
        raise ArgumentError(f"social_handles sep must be text, got {sep!r}")

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        if not isinstance(value, Mapping):
            raise TransformError(f"social_handles expects handles per network, got {value!r}")
        return handles_text(value, sep)

    return Step(
        name="social_handles",
        spec=spec_of("social_handles", None, options) if options else "social_handles",
        push=push,
        accepts=frozenset({"map"}),
        produces="text",
    )


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TransformError(f"expected a number, got {value!r}")
    try:
        return float(value)
    except ValueError as exc:
        raise TransformError(f"'{value}' is not a number") from exc


@register("total")
def _total(arg: Any, options: Mapping[str, Any]) -> Step:
    """The sum of a number, a list of numbers, or numbers per network (e.g. followers)."""
    no_argument("total", arg, options)

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else [value]
        total = float(sum(_number(v) for v in items if not is_blank(v)))
        return int(total) if total.is_integer() else total

    return Step(
        name="total",
        spec="total",
        push=push,
        accepts=frozenset({"number", "list", "map", "text"}),
        produces="number",
    )


@register("sentiment_label")
def _sentiment_label(arg: Any, options: Mapping[str, Any]) -> Step:
    """positive / neutral / negative from a score in [-1, 1]; ``{sentiment_label: 0.3}``: the threshold."""
    check_options("sentiment_label", options, set())
    threshold = arg if has_arg(arg) else 0.25
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold < 1:
        raise ArgumentError(f"sentiment_label threshold must be between 0 and 1, got {threshold!r}")

    def push(value: Any, ctx: Context) -> Any:
        if is_blank(value):
            return None
        score = _number(value)
        if score >= threshold:
            return "positive"
        return "negative" if score <= -threshold else "neutral"

    return Step(
        name="sentiment_label",
        spec=spec_of("sentiment_label", arg, options),
        push=push,
        accepts=frozenset({"number"}),
        produces="text",
        outputs=frozenset(SENTIMENT_LABELS),
        max_length=8,
    )
