"""Request-level behaviour of the app: health, readiness, transport, limits, masked errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.app import create_app
from server.engine import create_engine
from tests.support.pg import admin_execute, drop_database, unique_name, with_database


async def test_healthz_answers_while_the_process_serves(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200


@pytest.fixture
async def unmigrated_client(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    name = unique_name("sg_empty")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}"')
    engine = create_engine(with_database(pg_url, name))
    transport = httpx.ASGITransport(app=create_app(engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
    await engine.dispose()
    await drop_database(pg_url, name)


@pytest.mark.own_database
async def test_readyz_refuses_while_migrations_are_not_at_head(
    unmigrated_client: httpx.AsyncClient,
) -> None:
    response = await unmigrated_client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "migrations not at head"}


async def test_readyz_refuses_when_the_database_is_unreachable() -> None:
    engine = create_engine("postgresql://postgres@127.0.0.1:1/nowhere")
    transport = httpx.ASGITransport(app=create_app(engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.get("/readyz")
    await engine.dispose()

    assert response.status_code == 503


async def test_queries_work_over_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ setup { currencyCode } }"})

    assert response.status_code == 200
    assert response.json()["data"] == {"setup": {"currencyCode": "USD"}}


async def test_graphiql_is_served_only_in_dev_mode(shared_engine: AsyncEngine) -> None:
    for dev, expected in [(True, 200), (False, 404)]:
        transport = httpx.ASGITransport(app=create_app(shared_engine, dev=dev))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.get("/graphql", headers={"Accept": "text/html"})
        assert response.status_code == expected
        if dev:
            assert "graphiql" in response.text.lower()


async def test_a_malformed_query_is_a_400_with_the_parser_message(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ contacts { "})

    assert response.status_code == 400 or "errors" in response.json()
    assert "Syntax Error" in response.json()["errors"][0]["message"]


async def test_queries_deeper_than_the_limit_are_refused(client: httpx.AsyncClient) -> None:
    deep = "{ contacts { nodes { " + "company { " * 15 + "no" + " }" * 15 + " } } }"

    response = await client.post("/graphql", json={"query": deep})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "MAX_DEPTH_EXCEEDED"
    assert "above the limit of 12" in response.json()["errors"][0]["message"]


async def test_page_size_over_the_limit_names_the_limit(client: httpx.AsyncClient) -> None:
    body = (await client.post("/graphql", json={"query": "{ contacts(first: 101) { nodes { no } } }"})).json()

    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "PAGE_SIZE_EXCEEDED"}
    assert "100" in body["errors"][0]["message"]


async def test_unexpected_failures_are_masked_and_logged_with_a_request_id(
    client: httpx.AsyncClient, connection: AsyncConnection, caplog: pytest.LogCaptureFixture
) -> None:
    # DDL is transactional in PostgreSQL: the rename goes with the test's rollback.
    await connection.execute(text("ALTER TABLE salesperson RENAME TO salesperson_gone"))

    with caplog.at_level(logging.ERROR, logger="salesgraph.errors"):
        response = await client.post(
            "/graphql",
            json={"query": "{ salespeople { nodes { code } } }"},
            headers={"X-Request-ID": "req-123"},
        )

    error = response.json()["errors"][0]
    assert response.status_code == 500
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-123"}
    assert "salesperson" not in error["message"]
    assert "req-123" in error["message"]
    assert response.headers["x-request-id"] == "req-123"
    assert any("req-123" in record.getMessage() and record.exc_info for record in caplog.records)
