"""api.md §7.4: a mutation POST with an ``Idempotency-Key`` runs at most once per (key, API key)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Contact, IdempotentResponse
from resolvers.session import SessionFactory, session_factory
from tests.conftest import TestDatabase
from tests.support.api import bearer, new_key, partner_client

CREATE = (
    'mutation { createContact(input: {type: COMPANY, name: "Acme"}) { contact { no } userErrors { code } } }'
)


async def count(sessions: SessionFactory, model: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def keyed(api_key: str, idempotency_key: str) -> dict[str, str]:
    return {**bearer(api_key), "Idempotency-Key": idempotency_key}


async def test_a_retry_gets_the_stored_response_and_runs_nothing(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    key = await new_key(sessions, "MANAGER")
    async with partner_client(database) as client:
        first = await client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "k-1"))
        retry = await client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "k-1"))

    assert first.status_code == 200
    assert first.json()["data"]["createContact"]["contact"]["no"]
    assert "idempotent-replayed" not in first.headers
    assert retry.status_code == 200
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    assert await count(sessions, Contact) == 1


async def test_the_same_key_with_another_body_is_422_and_runs_nothing(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    key = await new_key(sessions, "MANAGER")
    other = CREATE.replace("Acme", "Other")
    async with partner_client(database) as client:
        await client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "k-1"))
        reused = await client.post("/graphql", json={"query": other}, headers=keyed(key, "k-1"))

    assert reused.status_code == 422
    assert reused.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await count(sessions, Contact) == 1


async def test_keys_belong_to_their_api_key(database: TestDatabase, sessions: SessionFactory) -> None:
    one = await new_key(sessions, "MANAGER", name="one")
    other = await new_key(sessions, "MANAGER", name="other")
    async with partner_client(database) as client:
        await client.post("/graphql", json={"query": CREATE}, headers=keyed(one, "same"))
        second = await client.post("/graphql", json={"query": CREATE}, headers=keyed(other, "same"))

    assert "idempotent-replayed" not in second.headers
    assert await count(sessions, Contact) == 2


@pytest.mark.parametrize("value", ["", "has space", "x" * 256, "caf\u00e9"])
async def test_a_malformed_idempotency_key_is_400(
    database: TestDatabase, sessions: SessionFactory, value: str
) -> None:
    key = await new_key(sessions, "MANAGER")
    async with partner_client(database) as client:
        response = await client.post(
            "/graphql",
            json={"query": CREATE},
            headers=[(b"Authorization", f"Bearer {key}".encode()), (b"Idempotency-Key", value.encode())],
        )

    assert response.status_code == 400
    assert await count(sessions, Contact) == 0


async def test_a_stored_response_expires_after_24_hours(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    key = await new_key(sessions, "MANAGER")
    async with partner_client(database) as client:
        await client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "k-1"))
        async with sessions() as session:
            await session.execute(
                text("UPDATE idempotent_response SET created_at = created_at - interval '25 hours'")
            )
            await session.commit()
        again = await client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "k-1"))

    assert "idempotent-replayed" not in again.headers
    assert await count(sessions, Contact) == 2
    assert await count(sessions, IdempotentResponse) == 1


async def test_a_query_with_an_idempotency_key_just_runs(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    key = await new_key(sessions, "READ_ONLY")
    async with partner_client(database) as client:
        response = await client.post(
            "/graphql", json={"query": "{ setup { timeZone } }"}, headers=keyed(key, "q")
        )

    assert response.status_code == 200
    assert await count(sessions, IdempotentResponse) == 0


def own(engine: AsyncEngine) -> TestDatabase:
    """A database of the test's own, whose commits other connections see."""
    return TestDatabase(engine, session_factory(engine))


async def _committed_key(engine: AsyncEngine, role: str = "MANAGER") -> str:
    return await new_key(session_factory(engine), role)


@pytest.mark.own_database
async def test_concurrent_retries_run_the_mutation_once(engine: AsyncEngine) -> None:
    key = await _committed_key(engine)
    async with partner_client(own(engine)) as client:
        responses = await asyncio.gather(
            *[client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "race")) for _ in range(6)]
        )

    assert [r.status_code for r in responses] == [200] * 6
    assert len({r.content for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 5
    assert await count(session_factory(engine), Contact) == 1


@pytest.mark.own_database
async def test_a_retry_while_the_first_still_runs_waits_then_gets_409(engine: AsyncEngine) -> None:
    key = await _committed_key(engine)
    async with engine.connect() as blocker, partner_client(own(engine)) as client:
        # Hold the contact number series, so the first request waits inside its transaction.
        await blocker.execute(text("SELECT 1 FROM number_series FOR UPDATE"))
        first = asyncio.create_task(
            client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "slow"))
        )
        await asyncio.sleep(0.5)
        retry = await client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "slow"))
        await blocker.rollback()
        done = await first

    assert retry.status_code == 409
    assert retry.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
    assert done.status_code == 200
    assert await count(session_factory(engine), Contact) == 1


@pytest.mark.own_database
async def test_a_retry_after_the_connection_died_mid_request_runs_once(engine: AsyncEngine) -> None:
    key = await _committed_key(engine)
    async with partner_client(own(engine)) as client:
        async with engine.connect() as blocker:
            await blocker.execute(text("SELECT 1 FROM number_series FOR UPDATE"))
            dying = asyncio.create_task(
                client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "dies"))
            )
            await asyncio.sleep(0.3)
            dying.cancel()  # the client's connection is gone mid-request
            with pytest.raises(asyncio.CancelledError):
                await dying
            await blocker.rollback()
        retry = await client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "dies"))
        replay = await client.post("/graphql", json={"query": CREATE}, headers=keyed(key, "dies"))

    assert retry.status_code == 200
    assert "idempotent-replayed" not in retry.headers
    assert replay.headers["idempotent-replayed"] == "true"
    assert await count(session_factory(engine), Contact) == 1
