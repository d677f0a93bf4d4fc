"""The Salesforce sandbox: a local HTTPS server that answers like Salesforce's REST API (see docs/design/salesforce.md).

`serve()` backs `rapport sandbox salesforce`: it prints one JSON line with what a client needs
(`instance_url`, `session_id`, `ca_file`, and the demo user's login) and serves until interrupted.
`start_in_thread()` runs the same server inside a test process.
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from adapters.salesforce.sandbox.app import create_app
from adapters.salesforce.sandbox.state import PASSWORD, SECURITY_TOKEN, USERNAME, Sandbox
from adapters.salesforce.sandbox.tls import make_tls

__all__ = ["SandboxHandle", "serve", "start_in_thread"]


@dataclass
class SandboxHandle:
    """A running sandbox: where it is, how to log in, and `stop()`."""

    instance_url: str
    session_id: str
    ca_file: str
    username: str = USERNAME
    password: str = PASSWORD
    security_token: str = SECURITY_TOKEN
    sandbox: Sandbox | None = None
    _server: uvicorn.Server | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def details(self) -> dict[str, str]:
        """The first-line JSON object of `rapport sandbox salesforce`."""
        return {
            "instance_url": self.instance_url,
            "session_id": self.session_id,
            "ca_file": self.ca_file,
            "username": self.username,
            "password": self.password,
            "security_token": self.security_token,
        }

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = True  # do not wait for idle keep-alive connections
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _prepare(
    port: int | None, blank: bool, state_file: str | None
) -> tuple[SandboxHandle, uvicorn.Server, socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: headers and body leave in separate TLS records, and Nagle plus the
    # client's delayed ACK would otherwise add about 40 ms to every answer.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", port or 0))
    sock.listen(128)  # connections made right after the first line wait in the backlog until uvicorn serves
    bound = sock.getsockname()[1]
    tls = make_tls(Path(tempfile.mkdtemp(prefix="rapport-sf-sandbox-")))
    sandbox = Sandbox.create(blank=blank, state_file=state_file)
    sandbox.instance_url = f"https://127.0.0.1:{bound}"
    config = uvicorn.Config(
        create_app(sandbox),
        ssl_certfile=str(tls.cert_file),
        ssl_keyfile=str(tls.key_file),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    handle = SandboxHandle(sandbox.instance_url, sandbox.session_id, str(tls.ca_file), sandbox=sandbox, _server=server)
    return handle, server, sock


def serve(port: int | None = None, blank: bool = False, state_file: str | None = None) -> None:
    """Run the sandbox on 127.0.0.1 until interrupted; the first stdout line is its connection details."""
    handle, server, sock = _prepare(port, blank, state_file)
    sys.stdout.write(json.dumps(handle.details()) + "\n")
    sys.stdout.flush()
    server.run(sockets=[sock])


def start_in_thread(blank: bool = False, port: int | None = None, state_file: str | None = None) -> SandboxHandle:
    """Start the sandbox in a daemon thread and return once it accepts connections."""
    handle, server, sock = _prepare(port, blank, state_file)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="sf-sandbox")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the Salesforce sandbox did not start")
        time.sleep(0.02)
    handle._thread = thread
    return handle
