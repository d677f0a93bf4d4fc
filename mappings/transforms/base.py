"""The transform registry: named, pure steps built from data (never ``eval``).

A transform is written in a mapping either as a bare name (``trim``) or as a one-name object whose
value is the main argument, with options beside it (``{map: {x: "Social - X"}, default: "Social"}``).
Building a step checks its arguments, so a mistake is a load-time problem, not a sync-time surprise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mappings.attributes import Kind
from mappings.errors import ArgumentError, TransformError


@dataclass(frozen=True)
class Context:
    """What a push step may read besides its input: the whole customer, the link id, the field's length."""

    customer: Mapping[str, Any]
    link_id: str | None = None
    field_length: int | None = None


PushFn = Callable[[Any, Context], Any]
PullFn = Callable[[Any], Any]

# How a step bounds the length of what it outputs, for the validator.
Bound = int | Literal["field"] | None


@dataclass(frozen=True)
class Step:
    """One configured transform.

    ``push`` turns a hub value into a CRM value. ``pull`` turns a CRM value into hub form (None: the
    step builds something that cannot be read back, so the field must be ``direction: push``).
    ``accepts``/``produces`` are value kinds for type checking (None: any / same as input);
    ``outputs`` is the finite set of values the step can produce, when it has one (map, constant);
    ``max_length`` bounds the output length; ``keeps_bound`` says the step never lengthens its input;
    ``reads`` names the customer attributes it reads besides its input; ``generator`` steps ignore it.
    """

    name: str
    spec: Any
    push: PushFn
    pull: PullFn | None = None
    accepts: frozenset[Kind] | None = None
    produces: Kind | None = None
    outputs: frozenset[str] | None = None
    max_length: Bound = None
    keeps_bound: bool = False
    reads: tuple[str, ...] = ()
    generator: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


Builder = Callable[[Any, Mapping[str, Any]], Step]
REGISTRY: dict[str, Builder] = {}
_NO_ARG = object()


def register(name: str) -> Callable[[Builder], Builder]:
    """Add a step builder to the fixed registry under ``name``."""

    def add(builder: Builder) -> Builder:
        REGISTRY[name] = builder
        return builder

    return add


def build_step(spec: Any) -> Step:
    """Build a step from its written form; raises ArgumentError with an actionable message."""
    if isinstance(spec, str):
        return _lookup(spec)(_NO_ARG, {})
    if isinstance(spec, Mapping):
        names = [k for k in spec if isinstance(k, str) and k in REGISTRY]
        if len(names) != 1:
            keys = ", ".join(map(str, spec)) or "nothing"
            raise ArgumentError(
                f"a transform object must name exactly one transform, got {keys}; known: {known_names()}"
            )
        name = names[0]
        options = {str(k): v for k, v in spec.items() if k != name}
        return REGISTRY[name](spec[name], options)
    raise ArgumentError(f"a transform is a name or a {{name: argument}} object, not {spec!r}")


def _lookup(name: str) -> Builder:
    if name not in REGISTRY:
        raise ArgumentError(f"unknown transform '{name}'; known: {known_names()}")
    return REGISTRY[name]


def known_names() -> str:
    """The registered transform names, for messages."""
    return ", ".join(sorted(REGISTRY))


def spec_of(name: str, arg: Any, options: Mapping[str, Any]) -> Any:
    """The canonical written form of a step: bare name, or {name: arg, **options}."""
    if arg is _NO_ARG and not options:
        return name
    return {name: None if arg is _NO_ARG else arg, **options}


def has_arg(arg: Any) -> bool:
    """True when the transform was given a main argument."""
    return arg is not _NO_ARG and arg is not None


def check_options(name: str, options: Mapping[str, Any], allowed: set[str]) -> None:
    """Refuse options a transform does not know."""
    unknown = sorted(set(options) - allowed)
    if unknown:
        allowed_text = ", ".join(sorted(allowed)) or "none"
        raise ArgumentError(f"{name} does not take option(s) {', '.join(unknown)}; allowed: {allowed_text}")


def no_argument(name: str, arg: Any, options: Mapping[str, Any]) -> None:
    """Refuse any argument for a transform that takes none."""
    if has_arg(arg) or options:
        raise ArgumentError(f"{name} takes no arguments; write it as the bare name '{name}'")


def positive_int(name: str, arg: Any) -> int:
    """The argument as a positive integer, or an ArgumentError."""
    if isinstance(arg, bool) or not isinstance(arg, int) or arg <= 0:
        raise ArgumentError(f"{name} needs a positive whole number, got {arg!r}")
    return arg


def attribute_list(name: str, arg: Any) -> tuple[str, ...]:
    """The argument as a non-empty list of attribute names."""
    if not isinstance(arg, list) or not arg or not all(isinstance(a, str) and a for a in arg):
        raise ArgumentError(f"{name} needs a list of customer attributes, e.g. [{name}: [email, emails]]")
    return tuple(arg)


def as_text(name: str, value: Any) -> str:
    """A value a text transform can work on; numbers become text, anything else is a TransformError."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TransformError(f"{name} expects text, got {type(value).__name__} {value!r}")
