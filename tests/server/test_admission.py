"""The admission (server/admission.py): one statement for a key's lookup, last use and bucket.
Folded into a compiled read it takes the key's bucket row last: the read runs before the
statement holds a lock or has written anything, so concurrent requests of one key do not queue
behind each other's reads; the reservation still decides. Mutations are admitted by the same
statement on its own."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from resolvers.access.keys import create_key
from resolvers.session import SessionFactory
from resolvers.viewer import Role, Viewer
from server.admission import admit_and_read, token_hash
from server.throttle import Budget
from tests.conftest import StatementLog, TestDatabase
from tests.support.api import bearer, new_key, partner_client

BUDGET = Budget(capacity=100, rate=1)
#: What the read sees: the transaction id the statement has by then (``none``: nothing written,
#: so no row locked).
XID_READ = "SELECT convert_to(coalesce(pg_current_xact_id_if_assigned()::text, 'none'), 'UTF8')"
#: A read that fails if it runs (the planner cannot fold the subquery away).
FAILING_READ = "SELECT convert_to((1 / (SELECT count(*) FROM api_key WHERE false))::text, 'UTF8')"
VIEWER = Viewer(Role.READ_ONLY, None, key_name="partner")


async def given_a_key(engine: AsyncEngine) -> bytes:
    async with async_sessionmaker(engine)() as session:
        key = await create_key(session, name="partner", role="READ_ONLY", salesperson_code=None)
        await session.commit()
    key_hash = token_hash(key)
    assert key_hash is not None
    return key_hash


async def read(
    connection: AsyncConnection, key_hash: bytes, cost: int, sql: str = XID_READ
) -> tuple[float | None, bytes | None]:
    admission, data = await admit_and_read(connection, key_hash, cost, BUDGET, 0.0, VIEWER, sql, [])
    assert admission is not None
    return admission.available, data


async def available(engine: AsyncEngine) -> float:
    async with engine.connect() as connection:
        value = await connection.scalar(text("SELECT available FROM cost_bucket WHERE key_name = 'partner'"))
    return float(value)


@pytest.mark.own_database
async def test_the_read_runs_before_the_bucket_row_is_locked(engine: AsyncEngine) -> None:
    key_hash = await given_a_key(engine)
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    for expected in (90.0, 80.0):  # a new bucket row, then the existing one
        async with autocommit.connect() as connection:
            left, data = await read(connection, key_hash, 10)
        assert data == b"none"
        assert left == pytest.approx(expected, abs=0.5)
    assert await available(engine) == pytest.approx(80.0, abs=0.5)


@pytest.mark.own_database
async def test_a_bucket_short_in_the_snapshot_runs_no_read_and_takes_nothing(engine: AsyncEngine) -> None:
    key_hash = await given_a_key(engine)
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO cost_bucket (key_name, available, updated_at) VALUES ('partner', 5, now())")
        )
    async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        left, data = await read(connection, key_hash, 50, FAILING_READ)
    assert (left, data) == (None, None)
    assert await available(engine) == pytest.approx(5.0, abs=0.5)


@pytest.mark.own_database
async def test_a_bucket_drained_while_the_read_ran_refuses_and_discards_the_read(engine: AsyncEngine) -> None:
    """The snapshot showed room, a concurrent request took it before the reservation: the
    reservation (which waits for that request's lock, then sees its result) refuses."""
    key_hash = await given_a_key(engine)
    async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as first:
        await read(first, key_hash, 10)  # the bucket row exists, with 90
        async with engine.connect() as drainer:
            await drainer.execute(text("UPDATE cost_bucket SET available = 0 WHERE key_name = 'partner'"))
            pending = asyncio.create_task(read(first, key_hash, 10))
            await wait_until_a_statement_waits_for_a_lock(engine)
            await drainer.commit()
        left, data = await pending
    assert (left, data) == (None, None)
    assert await available(engine) == pytest.approx(0.0, abs=0.5)


async def wait_until_a_statement_waits_for_a_lock(engine: AsyncEngine) -> None:
    async with engine.connect() as watcher:
        for _ in range(500):
            waiting = await watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            if waiting:
                return
            await watcher.rollback()
            await asyncio.sleep(0.01)
    raise AssertionError("the admission never waited for the bucket row")


CREATE = 'mutation { createSalesperson(input: {code: "NEW", name: "New"}) { userErrors { code } } }'


async def test_a_partner_mutation_is_admitted_in_one_statement(
    database: TestDatabase, sessions: SessionFactory, sql_log: StatementLog
) -> None:
    """Key lookup, last use and bucket in one statement before the mutation's own, as a read's."""
    key = await new_key(sessions, "ADMIN")
    async with partner_client(database) as http:
        sql_log.clear()
        response = await http.post("/graphql", json={"query": CREATE}, headers=bearer(key))

    assert response.status_code == 200, response.text
    assert response.json()["data"]["createSalesperson"]["userErrors"] == []
    admission = [s for s in sql_log.statements if "api_key" in s or "cost_bucket" in s]
    assert len(admission) == 1, sql_log.statements
    assert sql_log.statements[0] == admission[0]


async def test_a_mutation_the_role_may_not_run_takes_nothing_from_the_bucket(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    key = await new_key(sessions, "READ_ONLY")
    async with partner_client(database, cost_bucket=1000, cost_restore_rate=1) as http:
        refused = await http.post("/graphql", json={"query": CREATE}, headers=bearer(key))
        read = await http.post("/graphql", json={"query": "{ setup { timeZone } }"}, headers=bearer(key))

    assert refused.status_code == 403
    cost = read.json()["extensions"]["cost"]
    status = cost["throttleStatus"]  # the refused mutation's points were given back
    assert status["currentlyAvailable"] == status["maximumAvailable"] - cost["actualQueryCost"]
