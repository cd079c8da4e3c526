"""``/readyz`` on its own connection path: what it says, and how many connections a flood of it opens."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import create_app
from server.engine import create_engine
from server.health import health_routes
from server.migrate import head_revision


@pytest.mark.own_database
async def test_readyz_names_a_database_migrated_by_a_newer_salesgraph(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    transport = httpx.ASGITransport(app=create_app(engine))

    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": f"database is at migration 9999, newer than this salesgraph (head {head_revision()})"
    }


async def test_concurrent_readiness_probes_share_one_check_and_one_connection(
    shared_engine: AsyncEngine,
) -> None:
    health = health_routes(shared_engine.url)
    connects: list[Any] = []
    event.listen(health.engine.sync_engine, "connect", lambda *args: connects.append(args))
    try:
        answers = await asyncio.gather(*(health.readiness() for _ in range(20)))
        again = await health.readiness()
    finally:
        await health.close()

    assert answers == [(200, "ready")] * 20
    assert again == (200, "ready")
    assert len(connects) == 2  # one for the 20 together, one for the probe after them


async def test_healthz_answers_without_the_database() -> None:
    engine = create_engine("postgresql://postgres@127.0.0.1:1/nowhere")
    transport = httpx.ASGITransport(app=create_app(engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
    await engine.dispose()

    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 503
    assert ready.json() == {"status": "database unreachable"}
