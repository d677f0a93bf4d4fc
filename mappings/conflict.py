"""Conflict resolution for one field, and the decision an admin can read afterwards.

Inputs per field: the hub value (in CRM form) and when the hub last changed it, the CRM value and when
the CRM last changed it, and what Rapport last wrote there. A CRM value equal to what Rapport wrote
was not changed by the CRM, whatever the record's modification time says (Salesforce only has
record-level times). Policies, exactly as CONTRACT.md:

- ``hub_wins``: the hub's value is written to the CRM; CRM edits of the field are not taken.
- ``crm_wins``: CRM edits are taken; the hub never overwrites a non-blank CRM value.
- ``most_recent``: whichever side changed the field last wins (a tie goes to the hub).
- ``fill_empty``: a side's value is written only where the other side is blank.

Under every policy a blank never overwrites a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from mappings.attributes import is_blank

Action = Literal["push", "pull", "none"]
Winner = Literal["hub", "crm"]


@dataclass(frozen=True)
class Facts:
    """What is known about one field on both sides. ``*_changed`` is None when unknown (never synced)."""

    target: str
    source: str | None
    policy: str
    hub_value: Any
    crm_value: Any
    hub_changed: bool | None
    crm_changed: bool | None
    hub_at: datetime | None
    crm_at: datetime | None
    can_push: bool
    can_pull: bool
    crm_name: str = "CRM"
    crm_readable: bool = True


@dataclass(frozen=True)
class Decision:
    """The outcome for one field of one record: ``action`` push (hub -> CRM), pull (CRM -> hub) or none.

    ``text`` is the sentence shown in the audit log, e.g.
    "Salesforce won: crm_wins; Salesforce changed 14:02, hub 13:55 (UTC)".
    """

    field: str
    source: str | None
    policy: str
    action: Action
    winner: Winner | None
    hub_value: Any
    crm_value: Any
    hub_at: str | None
    crm_at: str | None
    text: str
    record: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form for the audit log."""
        return dict(self.__dict__)


def resolve(f: Facts) -> Decision:
    """Decide one field whose two sides differ."""
    hub_blank, crm_blank = is_blank(f.hub_value), is_blank(f.crm_value)
    if crm_blank:
        return _into_blank_crm(f)
    if hub_blank:
        return _into_blank_hub(f)
    if f.policy == "hub_wins":
        return _push(f, f"{f.crm_name} edits of {f.target} are not taken") if f.can_push else _blocked(f, "hub")
    if f.policy == "crm_wins":
        if f.crm_changed is False:
            return _none(f, f"{f.crm_name} holds a value and the hub never overwrites it")
        return _pull(f, _times(f, "crm")) if f.can_pull else _blocked(f, "crm")
    if f.policy == "fill_empty":
        return _none(f, "both sides have a value; fill_empty writes only into a blank")
    winner = most_recent_winner(f)
    if winner == "hub":
        return _push(f, _times(f, "hub")) if f.can_push else _blocked(f, "hub")
    return _pull(f, _times(f, "crm")) if f.can_pull else _blocked(f, "crm")


def most_recent_winner(f: Facts) -> Winner:
    """The side that changed the field last: a side that did not change since the last sync loses;
    otherwise the later change time wins; an unknown time loses; a tie goes to the hub."""
    if f.crm_changed is False and f.hub_changed is not False:
        return "hub"
    if f.hub_changed is False and f.crm_changed is not False:
        return "crm"
    if f.crm_at is not None and (f.hub_at is None or f.crm_at > f.hub_at):
        return "crm"
    return "hub"


def _into_blank_crm(f: Facts) -> Decision:
    if not f.can_push:
        return _none(f, f"direction pull: the hub does not write {f.target}, and a blank is not taken")
    if f.policy == "most_recent" and f.crm_changed and most_recent_winner(f) == "crm":
        return _none(f, f"{f.crm_name} cleared it last: {_times(f, 'crm')}; a blank never overwrites a value")
    return _push(f, f"{f.crm_name} is blank")


def _into_blank_hub(f: Facts) -> Decision:
    if f.policy == "hub_wins":
        return _none(f, f"{f.crm_name} edits are not taken, and the hub's blank never overwrites a value")
    if not f.can_pull:
        return _none(f, f"direction push: {f.crm_name} changes are not read, and a blank never overwrites")
    if f.policy == "most_recent" and f.hub_changed and most_recent_winner(f) == "hub":
        return _none(f, f"the hub cleared it last: {_times(f, 'hub')}; a blank never overwrites a value")
    return _pull(f, "the hub is blank")


def _blocked(f: Facts, winner: Winner) -> Decision:
    if winner == "crm" and not f.crm_readable:
        return _none(f, f"{f.crm_name} would win, but its value cannot be read (see the field error)")
    side = "hub" if winner == "hub" else f.crm_name
    way = "push" if winner == "hub" else "pull"
    return _none(f, f"{side} would win, but the field's direction does not {way}")


def _push(f: Facts, detail: str) -> Decision:
    return _decision(f, "push", "hub", f"hub won: {f.policy}; {detail}")


def _pull(f: Facts, detail: str) -> Decision:
    return _decision(f, "pull", "crm", f"{f.crm_name} won: {f.policy}; {detail}")


def _none(f: Facts, detail: str) -> Decision:
    return _decision(f, "none", None, f"no change: {f.policy}; {detail}")


def _decision(f: Facts, action: Action, winner: Winner | None, text: str) -> Decision:
    return Decision(
        field=f.target,
        source=f.source,
        policy=f.policy,
        action=action,
        winner=winner,
        hub_value=f.hub_value,
        crm_value=f.crm_value,
        hub_at=_iso(f.hub_at),
        crm_at=_iso(f.crm_at),
        text=text,
    )


def _times(f: Facts, first: Winner) -> str:
    hub, crm = _clock(f.hub_at, f.crm_at), _clock(f.crm_at, f.hub_at)
    text = f"hub changed {hub}, {f.crm_name} {crm}" if first == "hub" else f"{f.crm_name} changed {crm}, hub {hub}"
    return text + (" (UTC)" if f.hub_at or f.crm_at else "")


def _clock(at: datetime | None, other: datetime | None) -> str:
    if at is None:
        return "at an unknown time"
    at = at.astimezone(UTC)
    same_day = other is not None and other.astimezone(UTC).date() == at.date()
    return at.strftime("%H:%M") if same_day else at.strftime("%Y-%m-%d %H:%M")


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z") if at else None
