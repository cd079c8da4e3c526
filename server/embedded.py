"""An embedded PostgreSQL (pgserver) kept in a data directory, for running salesgraph with no setup.

The cluster lives in ``<data_dir>/pgdata`` and survives restarts; the server listens on a unix
socket only. pgserver runs it as a ``pgserver`` system user when we are root, and puts the socket
in a short runtime directory when ``<data_dir>/pgdata`` would pass the ~107-byte socket path limit.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from server.engine import async_url

DATABASE = "salesgraph"


class EmbeddedPostgresError(RuntimeError):
    """The embedded server cannot be started; the message says why."""


def _pgserver() -> Any:
    # pgserver asks platformdirs for a runtime dir when its module is imported; without
    # XDG_RUNTIME_DIR (containers, CI) that warns and falls back to /tmp, which is fine for us.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import pgserver

    return pgserver


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedPostgres:
    """One embedded server per data directory: ``start`` starts or joins it, ``stop`` leaves it."""

    def __init__(self, data_dir: str | Path) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.pgdata = self.data_dir / "pgdata"
        self._server: Any = None

    def start(self) -> str:
        """Start (or join) the server, create the ``salesgraph`` database if missing.

        Returns ``postgresql://postgres:@/salesgraph?host=<socket dir>``.
        """
        if self._server is None:
            if any(c.isspace() for c in str(self.pgdata)):
                # pgserver passes the socket directory to pg_ctl unquoted.
                raise EmbeddedPostgresError(
                    f"the embedded PostgreSQL cannot live in a path with spaces ({self.data_dir}); "
                    "set SALESGRAPH_DATA_DIR to a path without spaces"
                )
            pgserver = _pgserver()
            self.pgdata.mkdir(parents=True, exist_ok=True)
            self._forget_dead_handles(pgserver)
            try:
                self._server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
            except subprocess.CalledProcessError as exc:
                raise EmbeddedPostgresError(
                    f"the embedded PostgreSQL did not start: {exc}; see {self.pgdata / 'log'}"
                ) from exc
        admin_url: str = self._server.get_uri(database="postgres")
        with ThreadPoolExecutor(max_workers=1) as pool:
            # A thread of its own, so that start() also works when called inside an event loop.
            pool.submit(asyncio.run, _create_database(admin_url, DATABASE)).result()
        url: str = self._server.get_uri(database=DATABASE)
        return url

    def stop(self) -> None:
        """Stop the server unless another live process still uses it. Idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        server.cleanup()
        # pgserver caches one handle per directory and would hand it back without registering this
        # process again; forget it so that a later start() here counts as a user of the server.
        _pgserver().PostgresServer._instances.pop(self.pgdata, None)

    def _forget_dead_handles(self, pgserver: Any) -> None:
        # pgserver stops the server when its last user leaves, counting users by the pids listed in
        # .handle_pids.json. A process killed with SIGKILL never leaves that list, and the server
        # would then never be stopped again; drop pids that no longer exist.
        handles = self.pgdata / ".handle_pids.json"
        with pgserver.PostgresServer._lock:
            if not handles.exists():
                return
            pids: list[int] = json.loads(handles.read_text() or "[]")
            alive = [pid for pid in pids if _pid_alive(pid)]
            if alive != pids:
                handles.write_text(json.dumps(alive))


async def _database_exists(conn: AsyncConnection, name: str) -> bool:
    query = text("SELECT 1 FROM pg_database WHERE datname = :name")
    return await conn.scalar(query, {"name": name}) is not None


async def _create_database(admin_url: str, name: str) -> None:
    engine = create_async_engine(
        async_url(admin_url), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with engine.connect() as conn:
            if await _database_exists(conn, name):
                return
            try:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
            except ProgrammingError:
                # Another process may have created it between our check and our CREATE.
                if not await _database_exists(conn, name):
                    raise
    finally:
        await engine.dispose()
