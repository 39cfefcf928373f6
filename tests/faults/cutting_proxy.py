"""A TCP proxy in front of the real PostgreSQL that can cut a connection at a chosen server reply.

Fault injection without mocks: the server really ran (and committed) the statement; the client only
loses the answer, as it would if the network or the database host failed at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib


class CuttingProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.cuts = 0
        self._pattern: bytes | None = None
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def cut_at(self, pattern: bytes) -> None:
        """Once: the next server reply containing `pattern` is dropped and the connection closed."""
        self._pattern = pattern

    async def start(self) -> CuttingProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()

    async def _serve(self, client_reader, client_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self.target)
        self._writers |= {client_writer, server_writer}

        async def pump(reader, writer, watch: bool) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await reader.read(65536):
                    if watch and self._pattern is not None and self._pattern in data:
                        self._pattern = None
                        self.cuts += 1
                        for end in (client_writer, server_writer):
                            end.transport.abort()
                        return
                    writer.write(data)
                    await writer.drain()
            writer.close()

        await asyncio.gather(
            pump(client_reader, server_writer, False), pump(server_reader, client_writer, True)
        )
        self._writers -= {client_writer, server_writer}


def command_complete(tag: str) -> bytes:
    """The wire bytes of PostgreSQL's CommandComplete message for `tag` (e.g. 'COMMIT')."""
    body = tag.encode() + b"\x00"
    return b"C" + (len(body) + 4).to_bytes(4, "big") + body
