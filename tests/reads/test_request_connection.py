"""A read request's loaders share one connection, checked out once and returned at the end; a
mutation keeps its own transaction (issue 11, the general path). On a real pool: the isolated
tests' sessions all join one connection already."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

import models
from resolvers.session import RequestConnection, SessionStillOpenError, request_sessions, session_factory
from server.app import create_app
from tests.support import factories as f

pytestmark = pytest.mark.own_database

NESTED = """{
  contacts(first: 10) { nodes { no
    opportunities(first: 5) {
      totalCount nodes { no salesperson { code } salesCycle { code stages { stage } } }
    }
  } }
}"""


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    sessions = session_factory(engine)
    await f.add(sessions, f.salesperson("A"), f.salesperson("B"), *f.cycle("NEW", 3))
    await f.add(sessions, f.company("C1"), f.company("C2"))
    await f.add(
        sessions,
        f.opportunity("OP1", f.company("C1"), "A", "NEW"),
        f.opportunity("OP2", f.company("C1"), "B", "NEW"),
        f.opportunity("OP3", f.company("C2"), "A", "NEW"),
    )
    app = create_app(engine, dev=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


def checkouts(engine: AsyncEngine) -> list[int]:
    """Counts the pool's checkouts from now on (a one-item list, for the closure to update)."""
    count = [0]

    def checkout(*_: Any) -> None:
        count[0] += 1

    event.listen(engine.sync_engine.pool, "checkout", checkout)
    return count


async def test_a_nested_read_checks_out_one_connection_and_returns_it(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    count = checkouts(engine)

    response = await client.post("/graphql", json={"query": NESTED})

    body = response.json()
    assert "errors" not in body, body
    contacts = body["data"]["contacts"]["nodes"]
    assert [c["no"] for c in contacts] == ["C1", "C2"]
    assert [o["no"] for o in contacts[0]["opportunities"]["nodes"]] == ["OP1", "OP2"]
    assert contacts[0]["opportunities"]["totalCount"] == 2
    assert contacts[1]["opportunities"]["nodes"][0]["salesCycle"]["stages"] == [
        {"stage": 1},
        {"stage": 2},
        {"stage": 3},
    ]
    # The dev caller needs no key lookup: the read's own connection is the only checkout (one per
    # loader batch before: contacts, pages, counts, salespeople, cycles).
    assert count[0] == 1
    assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_concurrent_reads_each_get_a_connection(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    count = checkouts(engine)

    responses = await asyncio.gather(*(client.post("/graphql", json={"query": NESTED}) for _ in range(4)))

    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert count[0] == 4
    assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_mutation_commits_on_its_own_session(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    mutation = 'mutation { createSalesperson(input: {code: "C", name: "New"}) { salesperson { code } } }'

    response = await client.post("/graphql", json={"query": mutation})

    assert response.json()["data"]["createSalesperson"]["salesperson"] == {"code": "C"}
    assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    async with session_factory(engine)() as session:
        codes = (
            await session.execute(select(models.Salesperson.code).order_by(models.Salesperson.code))
        ).all()
    assert [c for (c,) in codes] == ["A", "B", "C"]


async def test_sessions_take_turns_and_the_connection_closes_with_the_request(engine: AsyncEngine) -> None:
    async with request_sessions(session_factory(engine), wait_seconds=5) as sessions:
        order: list[str] = []

        async def read(name: str) -> None:
            async with sessions() as session:
                order.append(f"{name} in")
                await session.execute(select(models.Salesperson.code))
                await asyncio.sleep(0.01)
                order.append(f"{name} out")

        await asyncio.gather(read("a"), read("b"))
        assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
        assert engine.sync_engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_session_inside_another_ones_block_fails_instead_of_waiting_forever(
    engine: AsyncEngine,
) -> None:
    shared = RequestConnection(engine, wait_seconds=0.05)
    try:
        await shared.take()
        with pytest.raises(SessionStillOpenError):
            await shared.take()
        shared.give_back()
    finally:
        await shared.close()
    with pytest.raises(RuntimeError, match="request has ended"):
        await shared.take()
