"""Issue 10's findings, each refused now: a request cannot stall the server, introspection and the
WebSocket are not open to anyone, browsers get CORS and no CSRF (api.md §7.1, §7.3, §7.5)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.session import SessionFactory, session_factory
from server.app import create_app
from tests.conftest import TestDatabase
from tests.support.api import bearer, new_key, partner_client, settings

INTROSPECTION = "{ __schema { queryType { name } } }"


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the one before it twice: 2**levels copies of ``setup { timeZone }``."""
    fragments = ["fragment F0 on Query { setup { timeZone } }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"query {{ ...F{levels} }}\n" + "\n".join(fragments)


async def test_the_fragment_bomb_is_refused_at_once(database: TestDatabase, sessions: SessionFactory) -> None:
    key = await new_key(sessions, "READ_ONLY")
    async with partner_client(database) as client:
        for levels in (22, 30):
            query = fragment_bomb(levels)
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": query}, headers=bearer(key))
            elapsed = time.perf_counter() - started
            assert response.status_code == 400
            assert response.json()["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
            # The bound is 50 ms of server time; a noisy shared machine gets slack here,
            # and the exponential walk this replaces took over 60 s.
            assert elapsed < 0.5, f"F{levels} took {elapsed * 1000:.0f} ms"


async def test_introspection_is_for_authenticated_callers(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    key = await new_key(sessions, "READ_ONLY")
    async with partner_client(database) as client:
        anonymous = await client.post("/graphql", json={"query": INTROSPECTION})
        partner = await client.post("/graphql", json={"query": INTROSPECTION}, headers=bearer(key))

    assert anonymous.status_code == 401
    assert partner.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_introspection_off_leaves_it_to_admins(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    partner = await new_key(sessions, "READ_ONLY", name="partner")
    admin = await new_key(sessions, "ADMIN", name="admin")
    async with partner_client(database, introspection=False) as client:
        refused = await client.post("/graphql", json={"query": INTROSPECTION}, headers=bearer(partner))
        allowed = await client.post("/graphql", json={"query": INTROSPECTION}, headers=bearer(admin))
        plain = await client.post(
            "/graphql", json={"query": "{ setup { timeZone } }"}, headers=bearer(partner)
        )

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert allowed.status_code == 200
    assert plain.status_code == 200


async def test_cors_preflight_and_answers_name_the_allowed_origin(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    key = await new_key(sessions, "READ_ONLY")
    async with partner_client(database, cors_origins="https://app.example") as client:
        preflight = await client.options(
            "/graphql",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
            },
        )
        foreign = await client.options(
            "/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        answer = await client.post(
            "/graphql",
            json={"query": "{ setup { timeZone } }"},
            headers={**bearer(key), "Origin": "https://app.example"},
        )

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= {h.strip() for h in allowed.split(",")}
    assert foreign.status_code == 400
    assert "access-control-allow-origin" not in foreign.headers
    assert answer.headers["access-control-allow-origin"] == "https://app.example"


async def test_without_cors_origins_no_cors_headers_are_sent(
    api_headers: dict[str, str], database: TestDatabase
) -> None:
    async with partner_client(database) as client:
        answer = await client.post(
            "/graphql",
            json={"query": "{ setup { timeZone } }"},
            headers={**api_headers, "Origin": "https://app.example"},
        )

    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers


@pytest.fixture
async def api_headers(sessions: SessionFactory) -> dict[str, str]:
    return bearer(await new_key(sessions, "READ_ONLY"))


@pytest.mark.own_database
async def test_a_request_past_its_deadline_is_503_timeout_and_its_statement_is_cancelled(
    engine: AsyncEngine,
) -> None:
    key = await new_key(session_factory(engine), "READ_ONLY")
    app = create_app(engine, settings=settings(request_timeout=0.5))
    transport = httpx.ASGITransport(app=app)
    async with (
        engine.connect() as blocker,
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        await blocker.execute(text("LOCK TABLE setup IN ACCESS EXCLUSIVE MODE"))
        started = time.perf_counter()
        response = await client.post(
            "/graphql", json={"query": "{ setup { timeZone } }"}, headers=bearer(key)
        )
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.2)
        waiting = await blocker.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query ILIKE '%setup%'"
            )
        )
        await blocker.rollback()

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert response.headers["retry-after"].isdigit()
    assert elapsed < 3
    assert waiting == 0, "the cancelled request's statement still waits on the lock"


@pytest.mark.own_database
async def test_a_request_that_cannot_get_a_connection_in_time_is_503(db_url: str) -> None:
    from server.engine import create_engine

    tight = settings(pool_size=1, max_overflow=0, pool_timeout_ms=300)
    engine = create_engine(db_url, tight)
    app = create_app(engine, dev=True, settings=tight)
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            engine.connect() as held,
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            await held.execute(text("SELECT 1"))  # the pool's only connection, checked out
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": "{ setup { timeZone } }"})
            elapsed = time.perf_counter() - started
            ready = await client.get("/readyz")
    finally:
        await engine.dispose()

    assert response.status_code == 503, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert response.headers["retry-after"].isdigit()
    assert elapsed < 3
    assert ready.status_code == 200
