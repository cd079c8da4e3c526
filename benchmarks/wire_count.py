"""Counting SQL statements on the wire: a PostgreSQL protocol proxy that tallies what clients send.

``pg_stat_statements`` needs ``shared_preload_libraries`` and a server restart (not possible on a
shared server), and ``pg_stat_database`` counts transactions, not statements. So the benchmark
puts this proxy between an app and PostgreSQL for a counting phase (not while timing: the proxy
costs CPU) and reads, per request, the frontend messages of the extended and simple query
protocols (https://www.postgresql.org/docs/current/protocol-message-formats.html):

- ``statements``: ``Execute`` (``E``) plus ``Query`` (``Q``) messages: one per statement run,
  ``BEGIN``/``COMMIT``/``ROLLBACK``, ``SET`` and pool pre-pings included;
- ``round_trips``: ``Sync`` (``S``) plus ``Query`` messages: each is one wait for the server
  (asyncpg's prepare and execute are one ``Sync`` each, pipelined messages share one).

The proxy answers ``SSLRequest`` and ``GSSENCRequest`` itself with ``N`` (no encryption), so the
stream stays readable; everything else is forwarded unchanged in both directions.
"""

from __future__ import annotations

import asyncio
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


@dataclass
class WireCount:
    """A proxy in front of ``host:port``; ``counts`` tallies the frontend message types."""

    host: str = "127.0.0.1"
    port: int = 5432
    counts: Counter[str] = field(default_factory=Counter)
    listen_port: int = 0
    _server: asyncio.Server | None = None

    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    def start(self) -> int:
        """Listen on a free port, served by an event loop of its own in a thread (so that the
        caller may block, e.g. while a server it starts connects through the proxy)."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, daemon=True, name="wire-count")
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), loop).result(timeout=10)
        return self.listen_port

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.listen_port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._loop is None or self._server is None:
            return
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def reset(self) -> None:
        self.counts.clear()

    @property
    def statements(self) -> int:
        return self.counts["E"] + self.counts["Q"]

    @property
    def round_trips(self) -> int:
        return self.counts["S"] + self.counts["Q"]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            writer.close()
            return
        down = asyncio.create_task(self._pipe(up_reader, writer))
        try:
            await self._frontend(reader, writer, up_writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            up_writer.close()
            await asyncio.gather(down, return_exceptions=True)
            writer.close()

    async def _frontend(
        self, reader: asyncio.StreamReader, client: asyncio.StreamWriter, upstream: asyncio.StreamWriter
    ) -> None:
        while True:  # untyped start-up packets: length, then a code
            head = await reader.readexactly(8)
            length, code = struct.unpack("!ii", head)
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                client.write(b"N")
                await client.drain()
                continue
            upstream.write(head + await reader.readexactly(length - 8))
            await upstream.drain()
            break
        while True:  # typed messages: one byte, then a length that counts itself
            head = await reader.readexactly(5)
            kind = chr(head[0])
            (length,) = struct.unpack("!i", head[1:])
            self.counts[kind] += 1
            upstream.write(head + await reader.readexactly(length - 4))
            if kind in "SQXH":
                await upstream.drain()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
