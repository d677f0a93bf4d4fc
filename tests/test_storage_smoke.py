from sqlalchemy import select

from hub.db.database import Database
from hub.db.tables import customers
from hub.settings import Settings


def test_fresh_database_is_migrated_and_empty(database_url: str) -> None:
    database = Database.for_settings(Settings(database_url=database_url))
    with database.transaction() as conn:
        assert conn.execute(select(customers)).all() == []
    database.dispose()
