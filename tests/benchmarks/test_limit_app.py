"""The limit app of ``benchmarks/throughput.py`` answers and writes exactly what salesgraph does.

Its figures are only a limit if it does the same work: the same ``data`` for ``nested`` and
``one``, and a stage move that writes the same rows. Demo data at scale 1 is seeded once and
copied (``CREATE DATABASE … TEMPLATE``), then the same NEXT and PREVIOUS moves go through
salesgraph's production app on one copy and through the limit app on the other; the two copies'
opportunities, entries, tasks and number series must then be equal row for row (entry and task
numbers included: both copies start from the same sequence and series; only the timestamps
differ).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import limit_app, workloads
from resolvers.demo.seed import seed_demo
from tests.conftest import TestDatabase
from tests.support.api import bearer, new_key, partner_client
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

pytestmark = pytest.mark.own_database

#: What a move writes; the columns that differ between two runs of the same move are left out.
TABLES = {
    "opportunity": ("no", ("updated_at", "created_at")),
    "opportunity_entry": ("entry_no", ("created_at",)),
    "task": ("no", ()),
    "number_series": ("code", ()),
}


@asynccontextmanager
async def limit_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = limit_app.create_app(url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://limit") as client:
            yield client


async def rows(url: str) -> dict[str, list[dict[str, Any]]]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        found = {}
        for table, (key, skipped) in TABLES.items():
            records = await conn.fetch(f"SELECT * FROM {table} ORDER BY {key}")
            found[table] = [{k: v for k, v in r.items() if k not in skipped} for r in records]
        return found
    finally:
        await conn.close()


async def move(client: httpx.AsyncClient, headers: dict[str, str], no: str, action: str) -> None:
    response = await client.post(
        "/graphql", json=workloads.STAGE_MOVE.body(no=no, action=action), headers=headers
    )
    assert response.status_code == 200, response.text
    assert workloads.move_errors(response.json()) == []


async def test_the_limit_app_answers_and_writes_what_salesgraph_does(
    pg_url: str, db_url: str, engine: AsyncEngine, database: TestDatabase
) -> None:
    await seed_demo(engine, scale=1)
    key = await new_key(database.sessions, "ADMIN")
    conn = await asyncpg.connect(db_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        one = await workloads.contact_with_most_opportunities(conn)
        candidates = await workloads.move_candidates(conn, 1000)
        kinds = await conn.fetch(
            """SELECT o.no, nxt.activity_code IS NOT NULL AS tasks FROM opportunity o
               JOIN opportunity_entry e ON e.opportunity_no = o.no AND e.active
               JOIN LATERAL (SELECT activity_code FROM sales_cycle_stage s
                             WHERE s.sales_cycle_code = o.sales_cycle_code AND s.stage > e.sales_cycle_stage
                             ORDER BY s.stage LIMIT 1) nxt ON true
               WHERE o.no = ANY($1::text[]) ORDER BY o.no""",
            candidates,
        )
    finally:
        await conn.close()
    # One move whose next stage has an activity (it writes tasks and takes task numbers), one not.
    tasks_too: list[str] = [r["no"] for r in kinds if r["tasks"]][:1]
    plain: list[str] = [r["no"] for r in kinds if not r["tasks"]][:1]
    assert tasks_too, "no stage move into a stage with an activity to compare"
    assert plain, "no stage move into a stage without an activity to compare"

    await engine.dispose()  # a template has no connections
    copy = unique_name("sg_limit")
    await admin_execute(pg_url, f'CREATE DATABASE "{copy}" TEMPLATE "{db_url.rsplit("/", 1)[1]}"')
    copy_url = with_database(pg_url, copy)
    try:
        async with partner_client(database) as salesgraph, limit_client(copy_url) as limit:
            headers = bearer(key)
            for w in workloads.read_workloads(one):
                ours = await salesgraph.post("/graphql", json=w.body(), headers=headers)
                theirs = await limit.post("/graphql", json=w.body())
                assert ours.status_code == theirs.status_code == 200
                assert "errors" not in ours.json()
                assert theirs.json() == {"data": ours.json()["data"]}, w.name
            for no in [*tasks_too, *plain]:
                for action in ("NEXT", "PREVIOUS"):
                    await move(salesgraph, headers, no, action)
                    await move(limit, {}, no, action)
        await engine.dispose()
        written, by_hand = await rows(db_url), await rows(copy_url)
        for table in TABLES:
            assert written[table] == by_hand[table], table
        entries = [e for e in written["opportunity_entry"] if e["opportunity_no"] in (*tasks_too, *plain)]
        assert [e["action_taken"] for e in entries[-4:]] == ["NEXT", "PREVIOUS", "NEXT", "PREVIOUS"]
        assert any(t["opportunity_entry_no"] == entries[-4]["entry_no"] for t in written["task"])
    finally:
        await drop_database(pg_url, copy)
