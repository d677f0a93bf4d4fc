"""The schedule follows the declared connections without a restart."""

from __future__ import annotations

from hub.db.database import Database
from hub.jobs.scheduler import PeriodicJob, Scheduler
from hub.settings import Settings


def test_refresh_adds_changes_and_removes_timed_jobs(database_url: str) -> None:
    database = Database.for_settings(Settings(database_url=database_url))
    declared = [PeriodicJob("maintenance", "maintenance", every=3600)]
    scheduler = Scheduler(database, lambda: list(declared), "me")

    scheduler.refresh()
    assert set(scheduler.scheduled) == {"maintenance"}

    declared.append(PeriodicJob("sync:sf", "sync", {"connection": "sf"}, every=300))
    scheduler.refresh()
    assert set(scheduler.scheduled) == {"maintenance", "sync:sf"}

    declared[1] = PeriodicJob("sync:sf", "sync", {"connection": "sf"}, cron="*/15 * * * *")
    scheduler.refresh()
    assert scheduler.scheduled["sync:sf"].cron == "*/15 * * * *"

    del declared[1]
    scheduler.refresh()
    assert set(scheduler.scheduled) == {"maintenance"}
    database.dispose()


def test_a_failing_schedule_source_keeps_the_current_schedule(database_url: str) -> None:
    database = Database.for_settings(Settings(database_url=database_url))
    calls = {"n": 0}

    def source() -> list[PeriodicJob]:
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("database away")
        return [PeriodicJob("maintenance", "maintenance", every=3600)]

    scheduler = Scheduler(database, source, "me")
    scheduler.refresh()
    scheduler.refresh()
    assert set(scheduler.scheduled) == {"maintenance"}
    database.dispose()
