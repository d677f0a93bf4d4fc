"""`rapport resolve`: entity resolution of any CSV with the identity engine, no database needed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import EXIT_USAGE, console


def resolve(
    inputs: Annotated[list[Path], typer.Argument(help="Input CSV files (one: deduplicate; several: link).")],
    config: Annotated[Path, typer.Option("--config", help="Resolve configuration (YAML): columns and their kinds.")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV: the input rows plus cluster_id.")],
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Match threshold (log2 odds); higher links less.")
    ] = None,
) -> None:
    """Entity resolution of CSV files: writes every input row with a never-empty cluster_id."""
    from identity.batch import resolve_csv
    from identity.csv_config import ResolveConfigError

    try:
        summary = resolve_csv(list(inputs), config, out, threshold)
    except ResolveConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    console.print(
        f"{summary.rows} rows → {summary.clusters} clusters ({summary.multi_row_clusters} with several rows); "
        f"wrote {summary.output}"
    )
