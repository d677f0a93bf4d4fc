"""The `rapport` command line (CONTRACT.md, "CLI"). Exit status: 0 ok, 1 some records rejected,
2 bad usage or configuration, 3 failed."""

from __future__ import annotations

import sys

import typer

from hub.cli import data_cmds, demo, keys_cmds, resolve_cmd, sandbox_cmd, server_cmds, sync_cmds
from hub.cli.common import EXIT_FAILED, fail_cleanly, global_options

app = typer.Typer(
    name="rapport",
    help="Rapport: one customer per real person across social networks and CRMs, kept in sync.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.callback()(global_options)
app.command("demo")(demo.demo)
app.command("serve")(server_cmds.serve)
app.command("worker")(server_cmds.worker)
app.command("migrate")(server_cmds.migrate)
app.command("ingest")(data_cmds.ingest)
app.command("reconcile")(data_cmds.reconcile)
app.add_typer(data_cmds.export_app, name="export")
app.command("resolve")(resolve_cmd.resolve)
app.command("apply")(sync_cmds.apply)
app.command("setup")(sync_cmds.setup)
app.add_typer(sync_cmds.sync_app, name="sync")
app.add_typer(keys_cmds.keys_app, name="keys")
app.command("sandbox")(sandbox_cmd.sandbox)


def main() -> None:
    """Console-script entry point: runs the CLI; an unexpected error is one line, never a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        fail_cleanly(exc)
        sys.exit(EXIT_FAILED)
