"""API keys: shown once, stored hashed, verified by hash, revocable, use recorded at most once a minute."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.db.database import Database, utcnow
from hub.db.tables import api_keys
from hub.keys import create_key, list_keys, revoke_key, scope_allows, verify_key
from hub.settings import Settings


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database.for_settings(Settings(database_url=database_url))
    yield database
    database.dispose()


def test_created_key_is_shown_once_and_stored_only_as_a_hash(database: Database) -> None:
    with database.transaction() as conn:
        info, plaintext = create_key(conn, "write", "ci")
        stored = conn.execute(select(api_keys)).one()
    assert plaintext.startswith("rpk_")
    assert len(plaintext) == 4 + 43
    assert info.scope == "write"
    assert info.name == "ci"
    assert info.active
    assert info.prefix == plaintext[:12]
    assert plaintext not in {str(value) for value in stored}
    assert stored.key_hash != plaintext
    assert len(stored.key_hash) == 64


def test_verify_accepts_the_key_and_refuses_others(database: Database) -> None:
    with database.transaction() as conn:
        info, plaintext = create_key(conn, "read")
        assert verify_key(conn, plaintext) == info
        assert verify_key(conn, plaintext + "x") is None
        assert verify_key(conn, "not-a-key") is None
        assert verify_key(conn, "rpk_" + "a" * 500) is None


def test_revoked_key_no_longer_verifies(database: Database) -> None:
    with database.transaction() as conn:
        info, plaintext = create_key(conn, "admin")
        assert revoke_key(conn, info.id)
        assert not revoke_key(conn, info.id)
        assert not revoke_key(conn, "key_unknown")
        assert verify_key(conn, plaintext) is None
        [listed] = list_keys(conn)
        assert not listed.active
        assert list_keys(conn, include_revoked=False) == []


def test_last_used_is_written_at_most_once_a_minute(database: Database) -> None:
    start = utcnow()
    with database.transaction() as conn:
        _info, plaintext = create_key(conn, "read", now=start)
        verify_key(conn, plaintext, now=start)
        verify_key(conn, plaintext, now=start + timedelta(seconds=30))
        assert list_keys(conn)[0].last_used_at == start
        verify_key(conn, plaintext, now=start + timedelta(minutes=2))
        assert list_keys(conn)[0].last_used_at == start + timedelta(minutes=2)


def test_list_shows_keys_oldest_first(database: Database) -> None:
    start = utcnow()
    with database.transaction() as conn:
        second, _ = create_key(conn, "read", "b", now=start + timedelta(seconds=1))
        first, _ = create_key(conn, "admin", "a", now=start)
        assert [k.id for k in list_keys(conn)] == [first.id, second.id]


def test_unknown_scope_is_refused(database: Database) -> None:
    with database.transaction() as conn, pytest.raises(ValueError, match="unknown scope"):
        create_key(conn, "root")


@pytest.mark.parametrize(
    ("granted", "needed", "allowed"),
    [
        ("read", "read", True),
        ("read", "write", False),
        ("write", "read", True),
        ("write", "admin", False),
        ("admin", "write", True),
        ("bogus", "read", False),
    ],
)
def test_scopes_are_ordered(granted: str, needed: str, allowed: bool) -> None:
    assert scope_allows(granted, needed) is allowed
