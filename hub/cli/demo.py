"""`rapport demo`: Rapport's main job on embedded defaults (SQLite, free loopback ports, both CRM sandboxes,
the bundled multilingual sample, its own verifying webhook receiver); see `hub/demo/run.py`."""

from __future__ import annotations

import json
import secrets
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from hub.cli.common import EXIT_OK, EXIT_REJECTED, console
from hub.logging import configure_logging

if TYPE_CHECKING:
    from hub.demo.run import DemoOutcome
    from hub.runtime import Runtime


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _print_human(runtime: Runtime, outcome: DemoOutcome) -> None:
    from hub.export import iter_customers

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
    summary = outcome.summary
    for line in outcome.story:
        console.print(line)
    for name in ("salesforce", "hubspot"):
        crm = summary[name]
        console.print(
            f"{name}: pulled {crm['pulled']}, created {crm['created']}, updated {crm['updated']}, "
            f"skipped {crm['skipped']}, rejected {crm['rejected']}, API calls {crm['api_calls']}"
        )
    console.print(
        f"[bold]{summary['customers']}[/] customers ({summary['merged']} records joined to another), "
        f"[bold]{summary['interactions_written']}[/] interactions written to the CRMs, "
        f"[bold]{summary['webhooks_delivered']}[/] webhooks delivered and verified; errors: {len(summary['errors'])}"
    )
    for error in summary["errors"][:10]:
        console.print(f"  [yellow]{error}[/]")


def demo(
    once: Annotated[bool, typer.Option("--once", help="Exit after the summary.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
    port: Annotated[int | None, typer.Option("--port", help="API port when serving (default: a free one).")] = None,
) -> None:
    """Run Rapport's main job on embedded defaults and the bundled sample, then keep serving (unless --once)."""
    from hub.demo.crms import running_crms
    from hub.demo.receiver import Receiver
    from hub.demo.run import run_demo
    from hub.runtime import Runtime
    from hub.settings import Settings

    workdir = Path(tempfile.mkdtemp(prefix="rapport-demo-"))
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'demo.db'}", log_level="WARNING", webhook_allowed_networks="127.0.0.0/8",
        secret_key=secrets.token_urlsafe(32),
    )  # fmt: skip
    configure_logging(settings.log_level, settings.log_format)
    runtime = Runtime(settings)
    receiver = Receiver().start()
    try:
        with running_crms() as crms:
            outcome = run_demo(runtime, crms, receiver, workdir)
            if json_output:
                typer.echo(json.dumps(outcome.summary, ensure_ascii=False, default=str))
            else:
                _print_human(runtime, outcome)
            if not once:
                _serve(runtime, port or free_port(), quiet=json_output)
    finally:
        receiver.stop()
        runtime.database.dispose()
    raise typer.Exit(EXIT_REJECTED if outcome.summary["errors"] else EXIT_OK)


def _serve(runtime: Runtime, port: int, *, quiet: bool) -> None:
    import uvicorn

    from hub.api.app import create_app
    from hub.cli.server_cmds import background_worker
    from hub.db.database import utcnow
    from hub.keys import create_key

    with runtime.database.transaction() as conn:
        _info, key = create_key(conn, scope="admin", name="demo", now=utcnow())
    if not quiet:
        console.print(f"\nServing the API on http://127.0.0.1:{port} (docs at /docs); Ctrl-C to stop.")
        console.print(f"Admin API key for this demo: {key}")
        console.print(f"  curl -H 'Authorization: Bearer {key}' http://127.0.0.1:{port}/v1/customers")
    app: Any = create_app(runtime.settings, runtime=runtime)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None)
    with background_worker(runtime):
        uvicorn.Server(config).run()
