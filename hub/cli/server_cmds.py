"""`rapport serve`, `rapport worker` and `rapport migrate`."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import typer
import uvicorn

from hub.cli.common import console, runtime_from, settings_from
from hub.db.database import Database
from hub.runtime import Runtime


@contextmanager
def background_worker(runtime: Runtime) -> Iterator[threading.Event]:
    """A worker thread and the scheduler for the duration of the block; stopped cleanly at exit."""
    stop = threading.Event()
    worker = runtime.worker()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), name="rapport-worker", daemon=True)
    scheduler = runtime.scheduler()
    scheduler.start()
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=runtime.settings.job_lease_seconds)
        scheduler.shutdown()


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Do not run jobs in this process.")] = False,
) -> None:
    """The API server, with an in-process worker and scheduler unless --no-worker."""
    from hub.api.app import create_app

    runtime = runtime_from(ctx)
    app = create_app(runtime.settings, runtime.database)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
    if no_worker:
        uvicorn.Server(config).run()
        return
    with background_worker(runtime):
        uvicorn.Server(config).run()


def worker(ctx: typer.Context) -> None:
    """A worker process: claims and runs queued jobs until SIGTERM or Ctrl-C (the job in hand finishes)."""
    runtime = runtime_from(ctx)
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    scheduler = runtime.scheduler()
    scheduler.start()
    try:
        runtime.worker().run_forever(stop)
    finally:
        scheduler.shutdown()
        runtime.database.dispose()


def migrate(ctx: typer.Context) -> None:
    """Create or upgrade the database schema."""
    settings = settings_from(ctx)
    database = Database.for_settings(settings, migrate=True)
    database.dispose()
    console.print("database schema is up to date")
