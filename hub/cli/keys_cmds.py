"""`rapport keys create|list|revoke`: API keys (shown once, stored hashed)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hub.cli.common import EXIT_USAGE, console, runtime_from

keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
SCOPES = ("admin", "write", "read")


@keys_app.command("create")
def create(
    ctx: typer.Context,
    scope: Annotated[str, typer.Option("--scope", help="admin, write or read")] = "admin",
    name: Annotated[str | None, typer.Option("--name", help="A label for the key.")] = None,
) -> None:
    """Create a key; it is printed once, alone on the last line."""
    from hub.db.database import utcnow
    from hub.keys import create_key

    if scope not in SCOPES:
        typer.echo("error: --scope must be admin, write or read", err=True)
        raise typer.Exit(EXIT_USAGE)
    runtime = runtime_from(ctx)
    with runtime.database.transaction() as conn:
        info, plaintext = create_key(conn, scope=scope, name=name, now=utcnow())
    typer.echo(f"created {info.scope} key {info.id}; store it now, it is not shown again:")
    typer.echo(plaintext)


@keys_app.command("list")
def list_(ctx: typer.Context) -> None:
    """List keys (never their secret)."""
    from hub.keys import list_keys

    runtime = runtime_from(ctx)
    with runtime.database.transaction() as conn:
        keys = list_keys(conn)
    columns = ("id", "name", "scope", "prefix", "created", "revoked", "last used")
    rows = [
        (
            key.id, key.name or "", key.scope, key.prefix, str(key.created_at), str(key.revoked_at or ""),
            str(key.last_used_at or ""),
        )
        for key in keys
    ]  # fmt: skip
    if not console.is_terminal:
        # Piped or captured: whole values, tab-separated (a table would cut ids to the width and wrap cells).
        for row in (columns, *rows):
            typer.echo("\t".join(row))
        return
    table = Table(*columns)
    table.columns[0].no_wrap = True
    for row in rows:
        table.add_row(*row)
    console.print(table)


@keys_app.command("revoke")
def revoke(ctx: typer.Context, key_id: Annotated[str, typer.Argument(help="The key's id.")]) -> None:
    """Revoke a key at once."""
    from hub.db.database import utcnow
    from hub.keys import revoke_key

    runtime = runtime_from(ctx)
    with runtime.database.transaction() as conn:
        revoked = revoke_key(conn, key_id, now=utcnow())
    if not revoked:
        typer.echo(f"error: no active key {key_id}", err=True)
        raise typer.Exit(EXIT_USAGE)
    console.print(f"revoked {key_id}")
