"""Schema creation and upgrades through Alembic (`rapport migrate`; automatic on SQLite)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is already there)."""
    if is_current(engine):
        return
    command.upgrade(_config(engine), "heads")


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration of every branch.

    Each area (sync, webhooks, ...) may add its own branch off the initial schema, so there can be several
    heads; all of them must be applied.
    """
    heads = set(ScriptDirectory.from_config(_config(engine)).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == heads
