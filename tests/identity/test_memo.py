"""Bounded memo tables: a long-running worker keeps a fixed amount of them, and ids are never reused."""

from __future__ import annotations

import pytest

from identity.memo import Memo
from identity.normalize import names
from identity.normalize.names import names_id, parse_display_name


def test_a_memo_empties_itself_when_full() -> None:
    memo: Memo[str, int] = Memo(limit=2)
    assert memo.put("a", 1) == 1
    memo.put("b", 2)
    memo.put("c", 3)
    assert dict(memo) == {"c": 3}


def test_names_ids_are_never_reused_after_their_table_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(names, "_FORM_IDS", Memo(limit=2))
    forms = [parse_display_name(name) for name in ("Ana Novak", "Minsu Kim", "Priya Sharma", "Ana Novak")]
    ids = [names_id(f) for f in forms]
    assert len(set(ids[:3])) == 3  # three names, three ids
    assert ids[3] not in ids[1:3]  # "Ana Novak" again after a clear: a new id, never another name's
    assert names_id(forms[3]) == ids[3]  # and stable while it is remembered
