"""`rapport sandbox salesforce|hubspot`: run a CRM emulator on loopback (no database needed)."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from hub.cli.common import EXIT_USAGE

SANDBOXES = {"salesforce": "adapters.salesforce.sandbox", "hubspot": "adapters.hubspot.sandbox"}


def sandbox(
    crm: Annotated[str, typer.Argument(help="salesforce or hubspot")],
    port: Annotated[int | None, typer.Option("--port", help="Port (default: a free one).")] = None,
    blank: Annotated[bool, typer.Option("--blank", help="An org/portal without Rapport's fields.")] = False,
    state_file: Annotated[str | None, typer.Option("--state-file", help="Keep state in this JSON file.")] = None,
) -> None:
    """Run a Salesforce or HubSpot sandbox; its first stdout line is a JSON object with connection details."""
    module_name = SANDBOXES.get(crm)
    if module_name is None:
        typer.echo("error: the sandbox is salesforce or hubspot", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        typer.echo(f"rapport sandbox: not available yet: the {crm} sandbox lands with its issue.", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    module.serve(port=port, blank=blank, state_file=state_file)
