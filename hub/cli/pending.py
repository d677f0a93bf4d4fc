"""Commands whose issue has not landed yet: each says so and exits 2 (no fake output)."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.common import EXIT_USAGE


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
