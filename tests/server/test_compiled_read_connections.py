"""A compiled read on the production engine: its connection has no ping per checkout, so a
connection the server dropped must not cost a client an error (issue 11)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.session import session_factory
from server.app import create_app
from server.engine import create_engine
from tests.support import factories as f

QUERY = "query($no: String!) { contact(no: $no) { no name } }"


@pytest.mark.own_database
async def test_a_read_after_the_server_dropped_every_connection_is_answered(
    engine: AsyncEngine, db_url: str
) -> None:
    await f.add(session_factory(engine), f.company("C1", "Acme"))
    app = create_app(engine, dev=True)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        warm = await http.post("/graphql", json={"query": QUERY, "variables": {"no": "C1"}})
        assert warm.headers["x-salesgraph-plan"] == "compiled"
        other = create_engine(db_url)  # a connection of its own, outside the app's pool
        try:
            async with other.connect() as admin:
                dropped = await admin.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
        finally:
            await other.dispose()
        assert dropped >= 1

        response = await http.post("/graphql", json={"query": QUERY, "variables": {"no": "C1"}})

    assert response.status_code == 200, response.text
    assert response.headers["x-salesgraph-plan"] == "compiled"
    assert response.json()["data"] == {"contact": {"no": "C1", "name": "Acme"}}
