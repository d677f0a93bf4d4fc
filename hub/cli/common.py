"""What every command shares: global options, settings and runtime construction, exit codes, output."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hub.logging import configure_logging, redact

if TYPE_CHECKING:
    from hub.runtime import Runtime
    from hub.settings import Settings

# Modules a command needs are imported inside it: `rapport resolve` must not pay for the database, the API and
# the adapters (about 1.5 s of imports) that it never uses.

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
console = Console(soft_wrap=True)  # a summary line stays one line when piped
log = logging.getLogger("rapport.cli")


def global_options(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="RAPPORT_DATABASE_URL",
            help="Database URL (default sqlite:///./rapport.db).",
        ),
    ] = None,
) -> None:
    """Rapport: one customer per real person across social networks and CRMs, kept in sync."""
    ctx.obj = {"database_url": database_url}


def settings_from(ctx: typer.Context) -> Settings:
    """Settings from the environment, with the global options applied; exit 2 when they are invalid."""
    from pydantic import ValidationError

    from hub.settings import Settings

    overrides = {k: v for k, v in (ctx.obj or {}).items() if v is not None}
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        typer.echo(f"error: invalid settings: {errors}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    configure_logging(settings.log_level, settings.log_format)
    return settings


def runtime_from(ctx: typer.Context) -> Runtime:
    """A runtime for this command (creates or upgrades the schema on SQLite)."""
    from hub.runtime import Runtime

    return Runtime(settings_from(ctx))


def fail_cleanly(exc: BaseException) -> None:
    """Report an unexpected failure in one line (details in the log), secrets masked."""
    log.debug("command failed", exc_info=exc)
    message = redact(f"{type(exc).__name__}: {exc}").splitlines()[0][:500]
    print(f"error: {message}", file=sys.stderr)
