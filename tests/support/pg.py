"""Where the tests' PostgreSQL comes from, and per-test databases cloned from a migrated template.

Order: ``SALESGRAPH_TEST_DATABASE_URL`` or ``DATABASE_URL`` when set; else the server at
``127.0.0.1:5432`` when it answers; else an embedded server (pgserver) in a temporary directory.
"""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy.engine import make_url

from server.embedded import EmbeddedPostgres
from server.engine import async_url


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def server_url() -> Iterator[str]:
    """Yield an admin URL (``postgresql://…/postgres``) for the tests' server."""
    url = os.environ.get("SALESGRAPH_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    if _port_open("127.0.0.1", 5432):
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
        return
    with tempfile.TemporaryDirectory(prefix="salesgraph-test-pg-") as data_dir:
        embedded = EmbeddedPostgres(data_dir)
        try:
            yield embedded.start()
        finally:
            embedded.delete()  # as root the cluster may live outside data_dir (server/embedded.py)


def with_database(url: str, name: str) -> str:
    return async_url(make_url(async_url(url)).set(database=name).render_as_string(hide_password=False))


def _asyncpg_dsn(url: str) -> str:
    return make_url(async_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


async def admin_execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(with_database(url, "postgres")))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


async def drop_database(url: str, name: str) -> None:
    # WITH (FORCE) ends connections a failed test may have left behind.
    await admin_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
