"""The HubSpot sandbox Rapport ships: a local server behaving like HubSpot's CRM v3 API (see `app`).

`serve()` runs it for `rapport sandbox hubspot` (first stdout line: ``{"base_url", "access_token", ...}``);
`start_in_thread()` runs it inside a test or benchmark and returns a handle with `stop()`.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from adapters.hubspot.sandbox.app import Sandbox, create_app
from adapters.hubspot.sandbox.limits import Limits
from adapters.hubspot.sandbox.store import Portal

__all__ = ["Sandbox", "SandboxHandle", "serve", "start_in_thread"]


def _build(blank: bool, state_file: str | None, limits: Limits | None) -> Sandbox:
    path = Path(state_file) if state_file else None
    portal = Portal.load(path) if path is not None and path.exists() else Portal(blank=blank)
    return Sandbox(portal=portal, limits=limits or Limits())


def _bind(port: int | None) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port or 0))
    sock.listen(128)  # accept into the backlog from now on, so the printed URL works at once
    return sock


def _server(sandbox: Sandbox) -> uvicorn.Server:
    config = uvicorn.Config(create_app(sandbox), log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)


def connection_details(sandbox: Sandbox, port: int) -> dict[str, Any]:
    """What a client needs: base URL and private-app token, plus the OAuth client for the OAuth mode."""
    tokens = sandbox.tokens
    return {
        "base_url": f"http://127.0.0.1:{port}",
        "access_token": tokens.private_app,
        "client_id": tokens.client_id,
        "client_secret": tokens.client_secret,
        "refresh_token": tokens.refresh_token,
    }


def serve(port: int | None = None, blank: bool = False, state_file: str | None = None) -> None:
    """Run the sandbox on 127.0.0.1 until interrupted; print connection details as the first stdout line."""
    sandbox = _build(blank, state_file, None)
    sock = _bind(port)
    print(json.dumps(connection_details(sandbox, sock.getsockname()[1])), flush=True)
    try:
        _server(sandbox).run(sockets=[sock])
    finally:
        if state_file:
            sandbox.portal.save(Path(state_file))
        sys.stdout.flush()


@dataclass
class SandboxHandle:
    """A sandbox running in a background thread."""

    sandbox: Sandbox
    base_url: str
    access_token: str
    details: dict[str, Any]
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_in_thread(blank: bool = False, window: float = 10.0, tier: str = "private_app") -> SandboxHandle:
    """Start a sandbox on a free loopback port in a daemon thread (tests, benchmarks, `rapport demo`)."""
    sandbox = _build(blank, None, Limits(window=window, tier=tier))
    sock = _bind(None)
    server = _server(sandbox)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="hubspot-sandbox")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    details = connection_details(sandbox, sock.getsockname()[1])
    return SandboxHandle(sandbox, details["base_url"], details["access_token"], details, server, thread)
