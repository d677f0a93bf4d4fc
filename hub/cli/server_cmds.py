"""`rapport serve`, `rapport worker` and `rapport migrate`."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import console, runtime_from, settings_from

if TYPE_CHECKING:
    from hub.jobs.worker import Worker
    from hub.runtime import Runtime


def _worker(runtime: Runtime) -> Worker:
    from hub.jobs.notify import waker_for

    worker = runtime.worker()
    worker.waker = waker_for(runtime.database)  # woken by new work (LISTEN/NOTIFY on PostgreSQL)
    return worker


def _stop_worker(worker: Worker, thread: threading.Thread, stop: threading.Event, grace: float) -> None:
    """Let the job in hand finish within `grace` seconds; past that, give it back to the queue untried."""
    stop.set()
    thread.join(timeout=grace)
    if thread.is_alive() and worker.release_current():
        console.print("worker: the job in hand did not finish in time and was given back to the queue")


@contextmanager
def background_worker(runtime: Runtime) -> Iterator[threading.Event]:
    """A worker thread and the scheduler for the duration of the block; stopped cleanly at exit."""
    stop = threading.Event()
    worker = _worker(runtime)
    thread = threading.Thread(target=worker.run_forever, args=(stop,), name="rapport-worker", daemon=True)
    scheduler = runtime.scheduler()
    scheduler.start()
    thread.start()
    try:
        yield stop
    finally:
        _stop_worker(worker, thread, stop, runtime.settings.worker_shutdown_grace_seconds)
        scheduler.shutdown()


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Do not run jobs in this process.")] = False,
) -> None:
    """The API server, with an in-process worker and scheduler unless --no-worker."""
    import uvicorn

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
    """A worker process: claims and runs queued jobs until SIGTERM or Ctrl-C.

    The job in hand finishes if it can within RAPPORT_WORKER_SHUTDOWN_GRACE_SECONDS (default 20); otherwise,
    or at a second signal, it is given back to the queue untried and the process exits.
    """
    runtime = runtime_from(ctx)
    stop, hurry = threading.Event(), threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        (hurry if stop.is_set() else stop).set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    scheduler = runtime.scheduler()
    scheduler.start()
    worker = _worker(runtime)
    thread = threading.Thread(target=worker.run_forever, args=(stop,), name="rapport-worker", daemon=True)
    thread.start()
    try:
        while thread.is_alive() and not stop.wait(1.0):
            pass
        deadline = time.monotonic() + runtime.settings.worker_shutdown_grace_seconds
        while thread.is_alive() and not hurry.is_set() and time.monotonic() < deadline:
            thread.join(timeout=0.2)
        if thread.is_alive() and worker.release_current():
            console.print("worker: the job in hand did not finish in time and was given back to the queue")
    finally:
        scheduler.shutdown()
        runtime.database.dispose()


def migrate(ctx: typer.Context) -> None:
    """Create or upgrade the database schema."""
    from hub.db.database import Database

    settings = settings_from(ctx)
    database = Database.for_settings(settings, migrate=True)
    database.dispose()
    console.print("database schema is up to date")
