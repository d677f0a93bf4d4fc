"""`rapport apply`, `rapport setup` and `rapport sync run`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from hub.cli.common import EXIT_FAILED, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, console, runtime_from

sync_app = typer.Typer(help="Sync a connection now.", no_args_is_help=True)


def apply(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Connections, mappings, schedules, webhook endpoints (YAML or JSON).")],
) -> None:
    """Declare connections, inbound sources, mappings, schedules and webhook endpoints (idempotent)."""
    from hub.secrets import SecretKeyError
    from hub.sync.apply import ApplyRefusedError, apply_file

    runtime = runtime_from(ctx)
    try:
        report = apply_file(file, runtime.database, runtime.secret_box(), runtime.adapter_factory, _section_savers())
    except ApplyRefusedError as exc:
        typer.echo(f"refused {file}; nothing was changed:", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except SecretKeyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    for change in report.changes or ["no changes"]:
        console.print(change)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for name, secret in report.secrets:
        typer.echo(f"webhook endpoint {name}: signing secret (shown once): {secret}")


def _section_savers() -> dict[str, Any]:
    """Savers of the webhook sections of the file."""
    from hub.webhooks_apply import section_savers

    return dict(section_savers())


def setup(ctx: typer.Context, connection: Annotated[str, typer.Argument(help="Connection name.")]) -> None:
    """Create in the CRM what Rapport needs there (fields, custom object, properties); idempotent."""
    from adapters.base import AdapterError
    from hub.sync.engine import UnknownConnectionError, adapter_for

    runtime = runtime_from(ctx)
    try:
        spec = runtime.sync.load(connection)
        adapter = adapter_for(spec, runtime.adapter_factory)
        create = getattr(adapter, "setup", None)
        if create is None:
            console.print(f"{spec.name}: connections of kind {spec.kind} need no setup")
            return
        created: list[str] = create()
    except UnknownConnectionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except AdapterError as exc:
        typer.echo(f"error: setup of {connection} failed: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    for line in created or [f"{connection} already has everything Rapport needs"]:
        console.print(line)


@sync_app.command("run")
def sync_run(
    ctx: typer.Context,
    connection: Annotated[str, typer.Argument(help="Connection name.")],
    direction: Annotated[str, typer.Option("--direction", help="push, pull or both")] = "both",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing; count what would happen.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
) -> None:
    """One sync now, in-process: `both` pulls, resolves, then pushes."""
    from hub.sync.engine import UnknownConnectionError

    if direction not in ("push", "pull", "both"):
        typer.echo("error: --direction must be push, pull or both", err=True)
        raise typer.Exit(EXIT_USAGE)
    runtime = runtime_from(ctx)
    try:
        with console.status(f"syncing {connection}...", spinner="dots") if not json_output else _nothing():
            summary = runtime.sync.run(connection, direction, dry_run=dry_run)
    except UnknownConnectionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if json_output:
        typer.echo(json.dumps(summary, ensure_ascii=False, default=str))
    elif summary.get("status") == "paused":
        console.print(summary["message"])
    else:
        _print_summary(summary)
    status = summary.get("status")
    if status == "failed":
        raise typer.Exit(EXIT_FAILED)
    raise typer.Exit(EXIT_REJECTED if summary["rejected"] or summary["errors"] else EXIT_OK)


class _nothing:  # noqa: N801 - a null context manager named for how it reads at the call site
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def _print_summary(summary: dict[str, Any]) -> None:
    mode = " (dry run: nothing was written)" if summary["dry_run"] else ""
    console.print(
        f"{summary['connection']} {summary['direction']}{mode}: pulled {summary['pulled']}, created "
        f"{summary['created']}, updated {summary['updated']}, skipped {summary['skipped']}, rejected "
        f"{summary['rejected']}, social history {summary['interactions_written']}; API calls {summary['api_calls']}"
    )
    for error in summary["errors"][:20]:
        console.print(f"  [yellow]{error}[/]")
