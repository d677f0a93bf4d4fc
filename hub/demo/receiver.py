"""The demo's webhook receiver: a small HTTP server on loopback that verifies every delivery it gets with the
reference Standard Webhooks library, as a developer's endpoint would."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


class Receiver:
    """Counts verified deliveries by event type, and refused ones (bad signatures)."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.verified: Counter[str] = Counter()
        self.refused = 0
        self.ids: set[str] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.receiver = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/rapport"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def start(self) -> Receiver:
        """Serve in a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def accept(self, headers: dict[str, str], body: bytes) -> bool:
        """Verify one delivery; True when its signature holds."""
        if self.secret is None:
            return False
        try:
            event: Any = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.refused += 1
            return False
        with self.lock:
            self.verified[str(event.get("type"))] += 1
            self.ids.add(headers.get("webhook-id", ""))
        return True

    @property
    def delivered(self) -> int:
        """Distinct messages received and verified (a redelivery carries the same webhook-id)."""
        return len(self.ids)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        receiver: Receiver = self.server.receiver  # type: ignore[attr-defined]
        ok = receiver.accept({k.lower(): v for k, v in self.headers.items()}, body)
        self.send_response(204 if ok else 401)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None
