"""Social history as HubSpot notes: one note per interaction, associated with its contact (type 202).

Idempotent by interaction key: notes are upserted by the unique note property ``rapport_interaction_id``
(created by `rapport setup`), so a repeat, or a rerun after a crash between the two calls, updates the same note
and never makes a second one. Associations v4 batch create is idempotent too.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

from hubspot.crm.associations.v4 import BatchInputPublicAssociationMultiPost
from hubspot.crm.objects.notes import BatchInputSimplePublicObjectBatchInputUpsert, SimplePublicObjectBatchInputUpsert

from adapters.base import InteractionItem, RecordRejected, RecordResult
from adapters.hubspot.errors import Refused, record_error
from adapters.hubspot.transport import Transport
from adapters.hubspot.writes import bisect, chunks

KEY_PROPERTY = "rapport_interaction_id"
NOTE_TO_CONTACT = 202


def note_body(item: InteractionItem) -> str:
    """The note's HTML body: network, kind and direction, the text, and the link."""
    head = " ".join(x for x in (item.network.title(), item.kind or "interaction") if x)
    parts = [
        f"<p><strong>{html.escape(head)}</strong>"
        + (f" ({html.escape(item.direction)})" if item.direction else "")
        + "</p>"
    ]
    if item.text:
        parts.append(f"<p>{html.escape(item.text)}</p>")
    if item.url:
        url = html.escape(item.url, quote=True)
        parts.append(f'<p><a href="{url}">{url}</a></p>')
    return "".join(parts)


def _timestamp(item: InteractionItem) -> str:
    moment = item.occurred_at or datetime(1970, 1, 1, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class NoteWriter:
    """Writes interactions as notes through one transport."""

    def __init__(self, transport: Transport) -> None:
        self.t = transport
        self.notes = transport.client.crm.objects.notes.batch_api
        self.associations = transport.client.crm.associations.v4.batch_api

    def write(self, items: Sequence[InteractionItem]) -> list[RecordResult]:
        """Upsert the notes, then associate each with its contact; one result per item, in order."""
        results: dict[int, RecordResult] = {}
        indexed = list(enumerate(items))
        for index, item in indexed:
            if item.parent_object not in ("contact", "contacts"):
                error = RecordRejected(
                    "UNSUPPORTED_PARENT", f"HubSpot notes attach to contacts, not {item.parent_object}"
                )
                results[index] = RecordResult(item.key, error=error)
        todo = [(i, it) for i, it in indexed if i not in results]
        for chunk in chunks(todo, lambda pair: pair[1].key):
            upserted = bisect(self._upsert, lambda pair: pair[1].key, chunk)
            linked = self._associate([(pair, r) for pair, r in zip(chunk, upserted, strict=True) if r.ok])
            for (index, _), result in zip(chunk, upserted, strict=True):
                results[index] = linked.get(index, result)
        return [results[i] for i in range(len(items))]

    def _upsert(self, pairs: list[tuple[int, InteractionItem]]) -> list[RecordResult]:
        inputs = [
            SimplePublicObjectBatchInputUpsert(
                id=item.key,
                id_property=KEY_PROPERTY,
                properties={"hs_timestamp": _timestamp(item), "hs_note_body": note_body(item), KEY_PROPERTY: item.key},
            )
            for _, item in pairs
        ]
        data, _ = self.t.call(self.notes.upsert_with_http_info, BatchInputSimplePublicObjectBatchInputUpsert(inputs))
        by_key = {str((o.properties or {}).get(KEY_PROPERTY) or "").casefold(): o for o in data.results or []}
        out = []
        for _, item in pairs:
            note = by_key.get(item.key.casefold())
            if note is None:
                out.append(RecordResult(item.key, error=RecordRejected("NO_RESULT", "HubSpot returned no note")))
            else:
                out.append(RecordResult(item.key, str(note.id), created=bool(note.new)))
        return out

    def _associate(self, done: list[tuple[tuple[int, InteractionItem], RecordResult]]) -> dict[int, RecordResult]:
        """Associate notes with contacts; a contact that is gone turns that item's result into an error."""
        if not done:
            return {}
        inputs = [
            {"from": {"id": result.crm_id}, "to": {"id": item.parent_id},
             "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_CONTACT}]}
            for (_, item), result in done
        ]  # fmt: skip
        body = BatchInputPublicAssociationMultiPost(inputs=inputs)
        failed: dict[str, RecordRejected] = {}
        try:
            data, _ = self.t.call(self.associations.create_with_http_info, "notes", "contacts", body)
        except Refused as refused:  # the notes exist; a rerun associates them once the cause is fixed
            error = RecordRejected(refused.code, f"note written but not associated: {refused.message}")
            return {index: RecordResult(item.key, result.crm_id, error=error) for (index, item), result in done}
        for entry in getattr(data, "errors", None) or []:
            raw = entry.to_dict()
            for note_id in (raw.get("context") or {}).get("fromObjectId") or []:
                failed[str(note_id)] = record_error(raw)
        return {
            index: RecordResult(item.key, result.crm_id, error=failed[str(result.crm_id)])
            for (index, item), result in done
            if str(result.crm_id) in failed
        }
