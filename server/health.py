"""``/healthz`` and ``/readyz``, which never wait behind the request pool.

``/healthz`` (liveness) answers from the process alone: it never touches the database, so a
database outage or a full pool never makes an orchestrator restart a process that is fine.

``/readyz`` (readiness) connects on a path of its own: an engine without a pool (``NullPool``), so
it never queues behind requests holding every pooled connection (a table lock, a slow query), and
bounded by ``timeout`` (connect, statement and the whole check). Checks are coalesced: however many
probes arrive together, a process runs one check at a time and they all get its answer, so a flood
of ``/readyz`` opens one database connection, not one each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from alembic.script import ScriptDirectory
from sqlalchemy import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.engine import async_url
from server.migrate import alembic_config, current_revision, head_revision, is_at_head

log = logging.getLogger("salesgraph")

READY_TIMEOUT_SECONDS = 3.0


class Health:
    """The health routes of one app, and the readiness engine they share (closed by :meth:`close`)."""

    def __init__(self, database_url: URL | str, *, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        url = database_url if isinstance(database_url, URL) else async_url(database_url)
        self.timeout = timeout
        self.engine: AsyncEngine = create_async_engine(
            url,
            poolclass=NullPool,
            connect_args={
                "timeout": timeout,
                "server_settings": {
                    "statement_timeout": str(int(timeout * 1000)),
                    "application_name": "salesgraph health",
                },
            },
        )
        self._running: asyncio.Task[tuple[int, str]] | None = None
        self.routes = [Route("/healthz", self._healthz), Route("/readyz", self._readyz)]

    async def readiness(self) -> tuple[int, str]:
        """The HTTP status and the ``status`` text of ``/readyz``, from the check under way if any."""
        if self._running is None:
            self._running = asyncio.create_task(self._check())
            self._running.add_done_callback(self._finished)
        # Shielded: a probe that gives up (disconnects) does not cancel the others' answer.
        return await asyncio.shield(self._running)

    async def close(self) -> None:
        running = self._running
        if running is not None:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        await self.engine.dispose()

    def _finished(self, task: asyncio.Task[tuple[int, str]]) -> None:
        if self._running is task:
            self._running = None

    async def _check(self) -> tuple[int, str]:
        try:
            async with asyncio.timeout(self.timeout):
                if await is_at_head(self.engine):
                    return 200, "ready"
                async with self.engine.connect() as conn:
                    current = await current_revision(conn)
        except Exception as exc:  # any failure to reach the database means not ready
            log.warning("readiness check failed: %s", exc or type(exc).__name__)
            return 503, "database unreachable"
        head = head_revision()
        if current is not None and not _known(current):
            return 503, f"database is at migration {current}, newer than this salesgraph (head {head})"
        return 503, "migrations not at head"

    async def _healthz(self, _: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def _readyz(self, _: Request) -> Response:
        status, text = await self.readiness()
        return JSONResponse({"status": text}, status_code=status)


def health_routes(database_url: URL | str, *, timeout: float = READY_TIMEOUT_SECONDS) -> Health:
    """``/healthz`` and ``/readyz`` over ``database_url`` (``.routes``); ``await close()`` on shutdown."""
    return Health(database_url, timeout=timeout)


def _known(revision: str) -> bool:
    scripts = ScriptDirectory.from_config(alembic_config())
    return any(script.revision == revision for script in scripts.walk_revisions())
