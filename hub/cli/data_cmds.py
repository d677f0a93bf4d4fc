"""`rapport ingest`, `rapport reconcile` and `rapport export`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from hub.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, console, runtime_from

if TYPE_CHECKING:
    from hub.ingest.reader import Item
    from hub.ingest.service import IngestReport

export_app = typer.Typer(help="Export links or customers.", no_args_is_help=True)


def _counted(items: Iterator[Item], seen: list[int]) -> Iterator[Item]:
    for item in items:
        seen[0] += 1
        yield item


def _open(name: str, stack: ExitStack) -> IO[bytes] | None:
    if name == "-":
        return sys.stdin.buffer
    try:
        return stack.enter_context(Path(name).open("rb"))
    except OSError as exc:
        typer.echo(f"{name}: cannot open: {exc.strerror}", err=True)
        return None


def ingest(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="NDJSON or CSV files; '-' reads standard input.")],
    reconcile: Annotated[
        bool,
        typer.Option(
            "--reconcile/--no-reconcile",
            help="Recluster every record at the end (as `rapport reconcile` does), so that the customers do not "
            "depend on the records' order; otherwise the hourly reconcile job does it later.",
        ),
    ] = False,
) -> None:
    """Ingest records and resolve them in-process; each rejected line goes to stderr as FILE:LINE: reason."""
    from hub.ingest.reader import read_records
    from hub.ingest.records import RecordError
    from hub.ingest.service import IngestReport, validated
    from identity.collector import long_lived_objects

    runtime = runtime_from(ctx)
    report = IngestReport()
    unreadable = 0
    with ExitStack() as stack:
        # a one-off process: the collector's settings are its own, and each batch's objects are settled
        settle = stack.enter_context(long_lived_objects())
        for name in files:
            stream = _open(name, stack)
            if stream is None:
                unreadable += 1
                continue
            label = "<stdin>" if name == "-" else name
            seen = [0]

            def on_error(line: int, reason: str, label: str = label) -> None:
                typer.echo(f"{label}:{line}: {reason}", err=True)

            items = _counted(read_records(name, stream, runtime.settings.max_line_bytes), seen)
            runtime.ingest.ingest(validated(items, report, on_error), report, inline=True, after_batch=settle)
            if seen[0] == 0:
                report.errors.append((1, "empty file"))
                on_error(1, str(RecordError("empty file (no records)")))
        if reconcile and report.records:
            from hub.reconcile import reconcile as reconcile_all

            _print_reconciled(reconcile_all(runtime.database, runtime.resolver).summary())
    _print_report(report)
    runtime.database.dispose()
    if unreadable:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_REJECTED if report.rejected else EXIT_OK)


def reconcile(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
) -> None:
    """Cluster every settled record again on the whole store's counts, so that customers do not depend on the
    order records arrived in; applies the moves, splits and merges found (each an audit event and a webhook)."""
    from hub.reconcile import reconcile as reconcile_all
    from identity.collector import long_lived_objects

    runtime = runtime_from(ctx)
    with long_lived_objects():
        outcome = reconcile_all(runtime.database, runtime.resolver)
    runtime.database.dispose()
    summary = outcome.summary()
    if as_json:
        typer.echo(json.dumps(summary))
        return
    _print_reconciled(summary)


def _print_reconciled(summary: dict[str, Any]) -> None:
    console.print(
        f"reclustered {summary['records']} records: {summary['moved']} moved; customers split off "
        f"{summary['created']}, merged {summary['merged']}, updated {summary['updated']}; review queued "
        f"{summary['review']}, withdrawn {summary['withdrawn']}"
        + (f"; {summary['deferred']} groups changed meanwhile, left for the next run" if summary["deferred"] else "")
    )


def _print_report(report: IngestReport) -> None:
    console.print(
        f"ingested {report.accepted} records ({report.records} profiles/contacts, "
        f"{report.interactions} interactions); rejected {report.rejected}; "
        f"new customers {report.customers_created}; merges {report.merges}"
    )


@export_app.command("links")
def export_links(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option("--out", help="Output file (default: standard output).")] = None,
) -> None:
    """CSV record_type,source,external_id,customer_id: one row per social profile and contact."""
    from hub.export import write_links

    runtime = runtime_from(ctx)
    with ExitStack() as stack:
        stream = stack.enter_context(out.open("w", newline="", encoding="utf-8")) if out else sys.stdout
        with runtime.database.transaction() as conn:
            count = write_links(conn, stream)
    if out:
        console.print(f"wrote {count} links to {out}")


@export_app.command("customers")
def export_customers(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="csv or ndjson")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", help="Output file (default: standard output).")] = None,
) -> None:
    """The unified customers with their identifiers and sources."""
    from hub.export import write_customers

    if fmt not in ("csv", "ndjson"):
        typer.echo("error: --format must be csv or ndjson", err=True)
        raise typer.Exit(EXIT_USAGE)
    runtime = runtime_from(ctx)
    with ExitStack() as stack:
        stream = stack.enter_context(out.open("w", newline="", encoding="utf-8")) if out else sys.stdout
        with runtime.database.transaction() as conn:
            count = write_customers(conn, stream, fmt)
    if out:
        console.print(f"wrote {count} customers to {out}")
