"""Commands whose issue has not landed yet: each says so and exits 2 (no fake output)."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.common import EXIT_USAGE

sync_app = typer.Typer(help="Sync a connection now (lands with the sync engine, issue 5).", no_args_is_help=True)


def _not_yet(command: str, issue: int, what: str) -> None:
    typer.echo(f"rapport {command}: not available yet: {what} lands with issue {issue}.", err=True)
    raise typer.Exit(EXIT_USAGE)


def resolve(
    inputs: Annotated[list[str], typer.Argument(help="Input CSV files.")],
    config: Annotated[str, typer.Option("--config", help="Resolve configuration (YAML).")],
    out: Annotated[str, typer.Option("--out", help="Output CSV.")],
    threshold: Annotated[float | None, typer.Option("--threshold")] = None,
) -> None:
    """Entity resolution of any CSV, no database needed."""
    _not_yet("resolve", 3, "CSV entity resolution")


def apply(
    file: Annotated[str, typer.Argument(help="Connections, mappings, schedules, endpoints (YAML/JSON).")],
) -> None:
    """Declare connections, inbound sources, mappings, schedules and webhook endpoints."""
    _not_yet("apply", 5, "declaring connections")


def setup(connection: Annotated[str, typer.Argument(help="Connection name.")]) -> None:
    """Create in the CRM what Rapport needs there."""
    _not_yet("setup", 6, "CRM setup")


@sync_app.command("run")
def sync_run(
    connection: Annotated[str, typer.Argument(help="Connection name.")],
    direction: Annotated[str, typer.Option("--direction")] = "both",
    dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One sync now, in-process."""
    _not_yet("sync run", 5, "the sync engine")
