"""An exhausted pool fails a waiting checkout after ``SALESGRAPH_POOL_TIMEOUT_MS``, and ``/readyz``
never waits behind it (issue 10: a table lock held 25 s filled the pool and stalled ``/readyz``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.engine import create_engine
from server.settings import Settings

pytestmark = pytest.mark.own_database

POOL_TIMEOUT_SECONDS = 0.3


@pytest.fixture
async def one_connection_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    settings = Settings.from_env(
        {"SALESGRAPH_POOL_SIZE": "1", "SALESGRAPH_MAX_OVERFLOW": "0", "SALESGRAPH_POOL_TIMEOUT_MS": "300"}
    )
    engine = create_engine(db_url, settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def exhausted(db_url: str, one_connection_engine: AsyncEngine) -> AsyncIterator[None]:
    """The pool's only connection, held by a query waiting on a table lock another connection holds."""
    locker = await asyncpg.connect(
        make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    holder: asyncio.Task[None] | None = None
    try:
        await locker.execute("BEGIN; LOCK TABLE salesperson IN ACCESS EXCLUSIVE MODE")

        async def hold() -> None:
            async with one_connection_engine.connect() as conn:
                await conn.execute(text("SELECT count(*) FROM salesperson"))

        holder = asyncio.create_task(hold())
        await _wait_for_a_lock_wait(locker)
        yield
    finally:
        await locker.close()  # ends the transaction: the held query finishes
        if holder is not None:
            await asyncio.wait_for(holder, 10)


async def _wait_for_a_lock_wait(locker: asyncpg.Connection) -> None:
    for _ in range(100):
        waiting = await locker.fetchval(
            # pg_locks, not pg_stat_activity: that one is a snapshot for the whole transaction.
            "SELECT count(*) FROM pg_locks WHERE NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the pooled connection never started waiting on the lock")


@pytest.mark.usefixtures("exhausted")
async def test_a_checkout_from_an_exhausted_pool_fails_after_the_pool_timeout(
    one_connection_engine: AsyncEngine,
) -> None:
    started = time.monotonic()

    with pytest.raises(PoolTimeoutError):
        async with one_connection_engine.connect():
            pass

    assert POOL_TIMEOUT_SECONDS * 0.8 <= time.monotonic() - started < 1.5


@pytest.mark.usefixtures("exhausted")
async def test_readyz_answers_while_the_pool_is_exhausted(one_connection_engine: AsyncEngine) -> None:
    transport = httpx.ASGITransport(app=create_app(one_connection_engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        started = time.monotonic()

        ready = await client.get("/readyz")
        health = await client.get("/healthz")

    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready"}
    assert health.status_code == 200
    assert time.monotonic() - started < 1.0
