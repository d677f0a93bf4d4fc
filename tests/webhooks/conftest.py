"""Fixtures for webhook tests: settings allowing loopback, the database, a secret box and a live receiver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hub.db.database import Database
from hub.secrets import SecretBox
from hub.settings import Settings
from hub.webhooks_store import SqlDeliveryStore
from tests.webhooks.receiver import Receiver, running_receiver
from webhooks.outbound.dispatcher import Dispatcher
from webhooks.outbound.sender import HttpSender
from webhooks.outbound.ssrf import parse_networks


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings of the test's database, with loopback allowed for webhooks."""
    return Settings(database_url=database_url, secret_key="test-key", webhook_allowed_networks="127.0.0.0/8")


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """The test's database."""
    database = Database.for_settings(settings)
    yield database
    database.dispose()


@pytest.fixture
def box(settings: Settings) -> SecretBox:
    """The box that encrypts stored secrets."""
    return SecretBox.from_settings(settings)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A live HTTP receiver on loopback."""
    with running_receiver() as live:
        yield live


class Clock:
    """A settable clock."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        """Move forward and return the new time."""
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A clock tests move by hand."""
    return Clock()


@pytest.fixture
def dispatcher(database: Database, box: SecretBox, settings: Settings, clock: Clock) -> Iterator[Dispatcher]:
    """A dispatcher on the test's database, sending for real, on the test's clock."""
    store = SqlDeliveryStore(database, box)
    sender = HttpSender(parse_networks(settings.webhook_allowed_networks))
    made = Dispatcher(store, sender, concurrency=4, clock=clock)
    yield made
    made.close()
