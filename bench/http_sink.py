"""A minimal keep-alive HTTP/1.1 receiver answering 200 to every request, for benchmarks of outbound webhooks:
the hub is measured, not the receiver. Run `serve_ok` in its own process; it puts its port on `port_out`."""

from __future__ import annotations

import asyncio
from typing import Any


class _Receiver(asyncio.Protocol):
    REPLY = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].lower()
            length = 0
            if (at := head.find(b"content-length:")) >= 0:
                length = int(head[at + 15 :].split(b"\r\n", 1)[0])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(self.REPLY)


def serve_ok(port_out: Any) -> None:
    """Serve on a free loopback port until killed; the port goes to `port_out` (a multiprocessing queue)."""

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(_Receiver, "127.0.0.1", 0, backlog=1024)
        port_out.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(serve())
