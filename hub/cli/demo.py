"""`rapport demo`: Rapport's main job on embedded defaults, on the bundled multilingual sample.

Today it ingests the sample into a fresh SQLite file, resolves identities and prints what it found; the CRM
sandboxes, sync and webhooks join it as their issues land (their summary parts say so until then).
"""

from __future__ import annotations

import json
import socket
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import func, select

from hub.cli.common import EXIT_OK, EXIT_REJECTED, console
from hub.db.database import utcnow
from hub.db.tables import customers, source_records
from hub.demo import sample_paths
from hub.export import iter_customers
from hub.ingest.reader import read_records
from hub.ingest.service import IngestReport, validated
from hub.logging import configure_logging
from hub.runtime import Runtime
from hub.settings import Settings

PENDING = {"status": "not connected yet: the CRM sandboxes land with issues 6 and 7"}


def _sync_summary() -> dict[str, Any]:
    return {
        "pulled": 0,
        "created": 0,
        "updated": 0,
        "skipped": 0,
        "rejected": 0,
        "api_calls": 0,
        "errors": [],
    }


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ingest_sample(runtime: Runtime) -> IngestReport:
    report = IngestReport()
    for path in sample_paths():
        with path.open("rb") as stream:
            items = read_records(str(path), stream, runtime.settings.max_line_bytes)
            runtime.ingest.ingest(validated(items, report), report, inline=True)
    return report


def _summary(runtime: Runtime, report: IngestReport) -> dict[str, Any]:
    with runtime.database.transaction() as conn:
        live = conn.execute(
            select(func.count()).select_from(customers).where(customers.c.merged_into.is_(None))
        ).scalar_one()
        people = conn.execute(
            select(func.count()).select_from(source_records).where(source_records.c.record_type != "interaction")
        ).scalar_one()
    return {
        "customers": int(live),
        "merged": int(people) - int(live),
        "records": report.accepted,
        "salesforce": _sync_summary() | PENDING,
        "hubspot": _sync_summary() | PENDING,
        "interactions_written": 0,
        "webhooks_delivered": 0,
        "errors": [f"line {line}: {reason}" for line, reason in report.errors],
    }


def _print_human(runtime: Runtime, summary: dict[str, Any]) -> None:
    table = Table("customer", "name", "email", "phone", "handles", "records", title="Unified customers")
    with runtime.database.transaction() as conn:
        for customer in iter_customers(conn):
            handles = ", ".join(f"{n}:@{h}" for n, hs in customer.get("handles", {}).items() for h in hs)
            sources = ", ".join(f"{r['source']}" for r in customer["records"])
            table.add_row(
                customer["id"][-8:], customer.get("full_name") or "", customer.get("email") or "",
                customer.get("phone") or "", handles, sources,
            )  # fmt: skip
    console.print(table)
    console.print(
        f"[bold]{summary['records']}[/] records in, [bold]{summary['customers']}[/] customers, "
        f"[bold]{summary['merged']}[/] records joined to another; errors: {len(summary['errors'])}"
    )
    console.print(f"Salesforce and HubSpot: {PENDING['status']}")


def demo(
    once: Annotated[bool, typer.Option("--once", help="Exit after the summary.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
    port: Annotated[int | None, typer.Option("--port", help="API port when serving (default: a free one).")] = None,
) -> None:
    """Run Rapport's main job on embedded defaults and the bundled sample, then keep serving (unless --once)."""
    workdir = Path(tempfile.mkdtemp(prefix="rapport-demo-"))
    settings = Settings(database_url=f"sqlite:///{workdir / 'demo.db'}", log_level="WARNING")
    configure_logging(settings.log_level, settings.log_format)
    runtime = Runtime(settings)
    report = _ingest_sample(runtime)
    summary = _summary(runtime, report)
    if json_output:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        _print_human(runtime, summary)
    if not once:
        _serve(runtime, port or free_port(), quiet=json_output)
    runtime.database.dispose()
    raise typer.Exit(EXIT_REJECTED if summary["errors"] else EXIT_OK)


def _serve(runtime: Runtime, port: int, *, quiet: bool) -> None:
    import uvicorn

    from hub.api.app import create_app
    from hub.cli.server_cmds import background_worker
    from hub.keys import create_key

    with runtime.database.transaction() as conn:
        _info, key = create_key(conn, scope="admin", name="demo", now=utcnow())
    if not quiet:
        console.print(f"\nServing the API on http://127.0.0.1:{port} (docs at /docs); Ctrl-C to stop.")
        console.print(f"Admin API key for this demo: {key}")
        console.print(f"  curl -H 'Authorization: Bearer {key}' http://127.0.0.1:{port}/v1/customers")
    config = uvicorn.Config(
        create_app(runtime.settings, runtime.database), host="127.0.0.1", port=port, log_config=None
    )
    with background_worker(runtime):
        uvicorn.Server(config).run()
